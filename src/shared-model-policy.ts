import { Annotations, Arn, CustomResource, Names, Stack, Token } from 'aws-cdk-lib';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ModelType } from './contract/model-types';
import {
  ACCOUNT_OR_IAM_PRINCIPAL,
  explainInvalidPolicy,
  explainInvalidStatement,
  MODEL_POLICY_RESOURCE_TYPE,
  ModelPolicyProperties,
  policyText,
  SHARE_SID_PLACEHOLDER,
  SHARE_STATEMENT_FORM,
} from './contract/policy-properties';
import { checkComprehendRegion } from './private/comprehend-regions';
import { registerShare, shareModelArn } from './private/cross-account-checks';
import { describeResource, invalidProp, requireKeyArn, requireKeyNotAlias, requireModelArn } from './private/errors';
import { ModelPolicyProvider } from './private/model-policy-provider';
import { withPartitionLiteral } from './private/partition-literal';
import { howToAcknowledge } from './private/synth-warnings';

/** The id of the warning about a `modelKey` whose key policy the construct does not change, to acknowledge it by. */
const IMPORTED_MODEL_KEY_WARNING = 'cdk-comprehend-model-import:importedModelKey';
/** The id of the warning about the sharer's own account among the importers, to acknowledge it by. */
const SHARER_AMONG_IMPORTERS_WARNING = 'cdk-comprehend-model-import:sharerAmongImporters';

/**
 * Properties of a SharedModelPolicy. Name the model in exactly one way, and at least one importer.
 */
export interface SharedModelPolicyProps {
  /**
   * The ARN of the model version to share, for a model defined outside this stack, such as
   * `arn:aws:comprehend:us-west-2:111122223333:document-classifier/NAME/version/VERSION` (an ARN without
   * `/version/VERSION` names a model trained without a version name).
   *
   * @default - one of `documentClassifier` or `entityRecognizer` is given instead
   */
  readonly modelArn?: string;

  /**
   * A document classifier defined in this stack: the policy becomes its `ModelPolicy`.
   *
   * @default - one of `modelArn` or `entityRecognizer` is given instead
   */
  readonly documentClassifier?: comprehend.CfnDocumentClassifier;

  /**
   * An entity recognizer defined in this stack. Its statements are merged into the recognizer's policy by a custom
   * resource, not set as its `ModelPolicy`: CloudFormation marks that property create-only, so changing the importers
   * would replace, and so retrain, the recognizer.
   *
   * @default - one of `modelArn` or `documentClassifier` is given instead
   */
  readonly entityRecognizer?: comprehend.CfnEntityRecognizer;

  /**
   * The AWS accounts that may import the model (12-digit account IDs).
   *
   * @default - only `importerPrincipals`
   */
  readonly importerAccounts?: string[];

  /**
   * IAM principals that may import the model: roles or users of the importing accounts, or account principals.
   * Principals wider than one account (`AnyPrincipal`, `OrganizationPrincipal`), service principals and federated
   * principals are refused.
   *
   * @default - only `importerAccounts`
   */
  readonly importerPrincipals?: iam.IPrincipal[];

  /**
   * The customer managed KMS key that encrypts the model.
   *
   * When it is a `kms.Key` of this stack, the statements that let the importers use it for this model are added
   * to its key policy; otherwise add `keyPolicyStatements` to the key's policy where the key is managed (a synth
   * warning, `cdk-comprehend-model-import:importedModelKey`, says so until acknowledged).
   *
   * @default - the model is encrypted with an AWS owned key: no key policy is needed
   */
  readonly modelKey?: kms.IKey;
}

/**
 * The sharer's side of a cross-account model copy: the model version's resource-based policy that lets the
 * named accounts or principals import it, and the KMS key-policy statements they need when the model is
 * encrypted with a customer managed key.
 *
 * The policy is applied for real: as the `ModelPolicy` of a `CfnDocumentClassifier` of this stack, which
 * CloudFormation owns whole; for any other model (a `CfnEntityRecognizer` of this stack, or a model defined elsewhere)
 * a custom resource merges this construct's statements into the model's policy, identified by a `Sid` unique to the
 * stack and the construct, with the policy's revision id, so statements set by hand or by another stack stay; on
 * delete it removes only its own statements, and the policy only when nothing else is left in it.
 *
 * @example
 * import { SharedModelPolicy } from 'cdk-comprehend-model-import';
 *
 * new SharedModelPolicy(this, 'ShareTickets', {
 *   modelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1',
 *   importerAccounts: ['444455556666'],
 * });
 */
export class SharedModelPolicy extends Construct {
  /** The ARN of the shared model version. */
  public readonly modelArn: string;

  /** The model version's resource-based policy: `comprehend:ImportModel` for the importers. */
  public readonly resourcePolicy: iam.PolicyDocument;

  /**
   * The key-policy statements that let the importers use the model's customer managed key for this model only.
   * Empty when no `modelKey` is given.
   */
  public readonly keyPolicyStatements: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: SharedModelPolicyProps) {
    super(scope, id);

    const model = this.modelOf(props);
    this.modelArn = model.arn;
    checkComprehendRegion(this, model.region === undefined ? undefined : { prop: 'modelArn', arn: withPartitionLiteral(this, model.arn), region: model.region });
    requireKeyNotAlias('modelKey', props.modelKey, this);
    requireKeyArn('modelKey', props.modelKey, this);
    // The sharer's account: the stack's, or in an environment-agnostic stack the model ARN's, which is the stack's.
    const stackAccount = Stack.of(this).account;
    const sharerAccount = Token.isUnresolved(stackAccount) ? model.account : stackAccount;
    const importers = this.importersOf(props, model.partition, sharerAccount);

    this.resourcePolicy = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        actions: ['comprehend:ImportModel'],
        // "*" is the model version the policy is attached to.
        resources: ['*'],
        principals: importers,
      })],
    });
    const policyJson = Stack.of(this).toJsonString(this.resourcePolicy);
    // A classifier of this stack takes the policy as its ModelPolicy; any other model gets this construct's statements
    // merged into its policy by the handler, each with a Sid.
    const mergedByHandler = !(model.resource instanceof comprehend.CfnDocumentClassifier);
    const statements = this.statementTexts(mergedByHandler);
    this.validatePolicySize(statements);
    // resourcePolicy is public: statements added after the constructor are checked when the app is synthesized.
    this.node.addValidation({ validate: () => this.explainInvalidStatements() });

    if (model.resource?.modelPolicy !== undefined) {
      throw invalidProp(`${model.prop} already has a modelPolicy; let SharedModelPolicy write it, or share the model yourself`, this);
    }
    if (!mergedByHandler) {
      // CloudFormation updates a classifier's ModelPolicy in place.
      model.resource!.modelPolicy = policyJson;
    } else {
      // A model of another stack, or a recognizer of this one, whose ModelPolicy CloudFormation can only set by
      // replacing (and so retraining) the recognizer: the handler merges this construct's statements into the policy.
      const provider = ModelPolicyProvider.of(this);
      const permission = provider.permissionFor(this.modelArn);
      const properties: { [name in keyof ModelPolicyProperties]: unknown } = { ModelArn: this.modelArn, ResourcePolicy: policyJson };
      const resource = new CustomResource(this, 'Resource', {
        serviceToken: provider.serviceToken,
        resourceType: MODEL_POLICY_RESOURCE_TYPE,
        properties,
        // The latest the handler's answer can come (its timeout, the framework's bound): without it, a share whose
        // answer cannot arrive (a VPC without a route to S3 for the response URL) holds the stack for CloudFormation's
        // hour (aws/aws-cdk issues 30517 and 33837).
        serviceTimeout: provider.serviceTimeout,
      });
      resource.node.addDependency(permission);
      if (model.resource) {
        resource.node.addDependency(model.resource);
      }
    }

    registerShare(this, {
      modelArn: shareModelArn(this, this.modelArn),
      importerAccounts: this.knownImporterAccounts(importers),
      modelKey: props.modelKey,
      mergedStatements: mergedByHandler ? statements : undefined,
      ownsWholePolicy: !mergedByHandler,
    });

    this.keyPolicyStatements = props.modelKey ? this.keyStatements(importers) : [];
    const key = props.modelKey;
    if (key instanceof kms.Key && Stack.of(key) === Stack.of(this)) {
      for (const statement of this.keyPolicyStatements) {
        key.addToResourcePolicy(statement);
      }
    } else if (key) {
      const what = key instanceof kms.Key ? `a key of another stack (${Stack.of(key).node.path})` : 'a key imported by reference';
      const sharedArn = shareModelArn(this, this.modelArn) ?? 'this model version\'s ARN';
      Annotations.of(this).addWarningV2(IMPORTED_MODEL_KEY_WARNING,
        `modelKey ${describeResource(key.keyArn, key)} is ${what}, whose key policy SharedModelPolicy does not change: add ` +
        'the statements of this construct\'s keyPolicyStatements (kms:Decrypt and kms:GenerateDataKey conditioned on ' +
        `aws:SourceArn, kms:CreateGrant conditioned on kms:EncryptionContext:aws:comprehend:arn, both = ${sharedArn}) to that ` +
        'key\'s policy where the key is managed, or the importers\' ImportModel fails; then acknowledge this warning: ' +
        howToAcknowledge(IMPORTED_MODEL_KEY_WARNING));
    }
  }

  /** Which model, its ARN, its partition when known, and its Cfn resource when it is one of this stack. */
  private modelOf(props: SharedModelPolicyProps) {
    const given = [
      props.modelArn !== undefined ? 'modelArn' : undefined,
      props.documentClassifier ? 'documentClassifier' : undefined,
      props.entityRecognizer ? 'entityRecognizer' : undefined,
    ].filter(g => g !== undefined);
    if (given.length !== 1) {
      const problem = given.length === 0 ? 'no model was given'
        : given.length === 2 ? `${given.join(' and ')} were both given`
          : `${given.slice(0, -1).join(', ')} and ${given[given.length - 1]} were all given`;
      throw invalidProp(`${problem}; expected exactly one of modelArn, documentClassifier or entityRecognizer`, this);
    }
    const resource = props.documentClassifier ?? props.entityRecognizer;
    if (resource) {
      if (Stack.of(resource) !== Stack.of(this)) {
        throw invalidProp(`${given[0]} must be defined in this stack (its ModelPolicy is written here); use modelArn for a model of another stack`, this);
      }
      // Formatted rather than Fn::GetAtt: the model's key policy names this ARN while the model names the key.
      const isClassifier = resource instanceof comprehend.CfnDocumentClassifier;
      const name = isClassifier ? resource.documentClassifierName : (resource as comprehend.CfnEntityRecognizer).recognizerName;
      const arn = Stack.of(this).formatArn({
        service: 'comprehend',
        resource: isClassifier ? ModelType.DOCUMENT_CLASSIFIER : ModelType.ENTITY_RECOGNIZER,
        resourceName: resource.versionName === undefined ? name : `${name}/version/${resource.versionName}`,
      });
      return { arn, resource, prop: given[0]!, partition: undefined, region: undefined, account: undefined };
    }

    // Checked as aws-cdk-lib writes it under @aws-cdk/core:enablePartitionLiterals, whatever the app's flags; rendered as
    // given (the importers too: their partition is the model's only when the ARN writes it).
    const givenArn = props.modelArn!;
    const arn = withPartitionLiteral(this, givenArn);
    if (Token.isUnresolved(arn)) {
      return { arn: givenArn, resource: undefined, prop: 'modelArn', partition: undefined, region: undefined, account: undefined };
    }
    const parts = requireModelArn('modelArn', arn, this);
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.account) && parts.account !== stack.account) {
      throw invalidProp(`modelArn "${arn}" is a model of account ${parts.account}, but this stack deploys to ${stack.account}; share a model from the stack of the account that owns it`, this);
    }
    if (!Token.isUnresolved(stack.region) && parts.region !== stack.region) {
      throw invalidProp(`modelArn "${arn}" is in Region ${parts.region}, but this stack deploys to ${stack.region}; expected a model of the stack's Region`, this);
    }
    const partition = Token.isUnresolved(givenArn) ? undefined : parts.partition;
    return { arn: givenArn, resource: undefined, prop: 'modelArn', partition, region: parts.region, account: parts.account };
  }

  private importersOf(props: SharedModelPolicyProps, partition: string | undefined, sharerAccount: string | undefined): iam.IPrincipal[] {
    const accounts = props.importerAccounts ?? [];
    for (const account of accounts) {
      if (!Token.isUnresolved(account) && !/^[0-9]{12}$/.test(account)) {
        throw invalidProp(`importerAccounts: "${account}" is not an AWS account ID; expected 12 digits`, this);
      }
    }
    const importers = [
      // The root ARN of each account, in the model's partition when the ARN says which.
      ...accounts.map(account => partition
        ? new iam.ArnPrincipal(Arn.format({ partition, service: 'iam', region: '', account, resource: 'root' }))
        : new iam.AccountPrincipal(account)),
      ...(props.importerPrincipals ?? []).map((principal, index) => this.requireAccountPrincipal(principal, index)),
    ];
    if (importers.length === 0) {
      throw invalidProp('no importer was given; expected at least one account in importerAccounts or principal in importerPrincipals', this);
    }
    const labels = [
      ...accounts.map((account, index) => `importerAccounts[${index}] "${account}"`),
      ...(props.importerPrincipals ?? []).map((principal, index) => `importerPrincipals[${index}] (${principal})`),
    ];
    this.requireEachImporterOnce(importers, labels, sharerAccount);
    this.warnAboutSharerAmongImporters(importers, labels, sharerAccount);
    return importers;
  }

  /**
   * Fails when two importers are one principal (an account given as an ID and as an AccountPrincipal, say): each is
   * written into the policy, whose 20,000 characters hold about 600 accounts.
   */
  private requireEachImporterOnce(importers: iam.IPrincipal[], labels: string[], sharerAccount: string | undefined): void {
    const seen = new Map<string, string>();
    importers.forEach((importer, index) => {
      const key = this.importerKey(importer, sharerAccount);
      const first = key === undefined ? undefined : seen.get(key);
      if (first !== undefined) {
        throw invalidProp(
          `${labels[index]} names ${key}, as ${first} does; expected each importer once, since each is written into the model's ` +
          'policy (at most 20,000 characters, about 600 accounts): remove one of them',
          this,
        );
      }
      if (key !== undefined) {
        seen.set(key, labels[index]);
      }
    });
  }

  /**
   * Warns when an importer is the sharer's own account: a resource-based policy lets other accounts import; the
   * sharer's own roles and users import under their IAM policies (a copy within one account), so the statement only
   * spends room in the policy, and usually means an account ID was mixed up.
   */
  private warnAboutSharerAmongImporters(importers: iam.IPrincipal[], labels: string[], sharerAccount: string | undefined): void {
    if (sharerAccount === undefined) {
      return;
    }
    importers.forEach((importer, index) => {
      if (this.importerKey(importer, sharerAccount) === `account ${sharerAccount}`) {
        Annotations.of(this).addWarningV2(SHARER_AMONG_IMPORTERS_WARNING,
          `${labels[index]} is the sharer's own account ${sharerAccount} (this stack's): the policy lets other accounts import the ` +
          'model, and principals of the sharer\'s account need none (their IAM policies decide); expected the accounts that ' +
          'import a copy: remove it, or correct the account ID; if you mean it, acknowledge this warning: ' +
          howToAcknowledge(SHARER_AMONG_IMPORTERS_WARNING));
      }
    });
  }

  /**
   * What an importer names: `account ID` for an account (an ID, a root ARN, an AccountPrincipal or AccountRootPrincipal),
   * else its ARN with the partition left out; undefined when anything but the partition is known only at deploy time.
   */
  private importerKey(importer: iam.IPrincipal, sharerAccount: string | undefined): string | undefined {
    const stack = Stack.of(this);
    const values = (importer.policyFragment.principalJson.AWS ?? []).map(value => textWithoutPartition(stack.resolve(value), sharerAccount));
    const value = values.length === 1 ? values[0] : undefined;
    if (value === undefined) {
      return undefined;
    }
    const named = /^[0-9]{12}$/.exec(value)?.[0] ?? /^arn:[^:]*:iam::([0-9]{12}):root$/.exec(value)?.[1];
    return named !== undefined ? `account ${named}` : value.replace(/^arn:[^:]*:/, 'arn:PARTITION:');
  }

  /**
   * `principal`, when it is an account or an IAM principal of one account. Anything wider (everyone, an organization,
   * a service, a federated identity) would let others import the model, and the key statements would grant it too.
   */
  private requireAccountPrincipal(principal: iam.IPrincipal, index: number): iam.IPrincipal {
    const { principalJson, conditions } = principal.policyFragment;
    const kinds = Object.keys(principalJson);
    const stack = Stack.of(this);
    const values = (principalJson.AWS ?? []).map(value => stack.resolve(value));
    const isAccountOrIamArn = (value: unknown) => typeof value !== 'string'
      || Token.isUnresolved(value)
      || ACCOUNT_OR_IAM_PRINCIPAL.test(value);
    if (kinds.length === 1 && kinds[0] === 'AWS' && Object.keys(conditions).length === 0 && values.every(isAccountOrIamArn)) {
      return principal;
    }
    throw invalidProp(
      `importerPrincipals[${index}] is ${principal}, which is not an account or an IAM principal of one account; expected an ` +
      'account ID in importerAccounts, or a role, user or account principal of an importing account, with no wildcard in ' +
      'its name (everyone, an ' +
      'organization, a service or a federated identity could then import the model, and the key policy would grant it too)',
      this,
    );
  }

  /** The importers' account IDs, for the app's cross-checks; undefined when one is known only at deploy time. */
  private knownImporterAccounts(importers: iam.IPrincipal[]): string[] | undefined {
    const stack = Stack.of(this);
    const accounts = importers
      .flatMap(principal => principal.policyFragment.principalJson.AWS ?? [])
      .map(value => {
        // An account ID, or an IAM ARN of one account (arn:PARTITION:iam::ACCOUNT:…), its partition perhaps a reference.
        const resolved = stack.resolve(value);
        const text = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
        return /^[0-9]{12}$/.test(text) ? text : /:iam::([0-9]{12}):/.exec(text)?.[1];
      });
    return accounts.every(account => account !== undefined) ? accounts as string[] : undefined;
  }

  /** Decrypt and GenerateDataKey for this model only, by aws:SourceArn; CreateGrant by the encryption context. */
  private keyStatements(importers: iam.IPrincipal[]): iam.PolicyStatement[] {
    // Unique per construct: two shares on one key must not repeat a Sid (cfn-lint E3512, and KMS refuses it).
    const sidSuffix = Names.uniqueId(this);
    return [
      new iam.PolicyStatement({
        sid: `ComprehendImportDecrypt${sidSuffix}`,
        principals: importers,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': this.modelArn } },
      }),
      new iam.PolicyStatement({
        sid: `ComprehendImportCreateGrant${sidSuffix}`,
        principals: importers,
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:comprehend:arn': this.modelArn } },
      }),
    ];
  }

  /**
   * The policy's statements as Comprehend receives them, each a JSON text, when all of it is known at synth time: with
   * the Sid the handler gives the statement when it merges it into the model's policy (`withSid`), as it is otherwise.
   */
  private statementTexts(withSid: boolean): string[] | undefined {
    const resolved = Stack.of(this).resolve(this.resourcePolicy.toJSON());
    if (/"(Ref|Fn::[A-Za-z]+)"/.test(JSON.stringify(resolved))) {
      return undefined;
    }
    // One statement, whose Sid the handler writes last.
    return (resolved.Statement as object[]).map(statement => JSON.stringify(withSid ? { ...statement, Sid: SHARE_SID_PLACEHOLDER } : statement));
  }

  /**
   * The statements of resourcePolicy that are not of the form a share writes (Allow of comprehend:ImportModel on the
   * model, with a Condition if any). Principals may hold tokens (an AccountPrincipal's partition); a statement whose
   * effect, action or resource is known only at deploy time is left to the handler, which checks it resolved.
   */
  private explainInvalidStatements(): string[] {
    const statements: Array<Record<string, unknown>> = Stack.of(this).resolve(this.resourcePolicy.toJSON())?.Statement ?? [];
    return statements.flatMap((statement, index) => {
      const { Effect, Action, Resource } = statement;
      const problem = !/"(Ref|Fn::[A-Za-z]+)"/.test(JSON.stringify({ Effect, Action, Resource })) && explainInvalidStatement(statement);
      return problem ? [`statement ${index + 1} of resourcePolicy ${problem}: ${JSON.stringify(statement)}. ${SHARE_STATEMENT_FORM}`] : [];
    });
  }

  /** Comprehend takes 1 to 20,000 Latin-1 characters; checked when the whole policy is known at synth time. */
  private validatePolicySize(statements: string[] | undefined): void {
    const problem = statements && explainInvalidPolicy(Token.isUnresolved(this.modelArn) ? 'the model' : this.modelArn, policyText(statements));
    if (problem) {
      throw invalidProp(problem, this);
    }
  }
}

/**
 * A principal's resolved value as text: a string, or the `Fn::Join` that an account principal resolves to when the
 * partition (under either setting of @aws-cdk/core:enablePartitionLiterals) or the account (`AccountRootPrincipal`) is
 * a reference. The partition is left empty (it decides nothing here); `AWS::AccountId`, in the sharer's stack, is
 * `account`, the sharer's; undefined for anything else.
 */
function textWithoutPartition(resolved: unknown, account: string | undefined): string | undefined {
  if (typeof resolved === 'string') {
    return Token.isUnresolved(resolved) ? undefined : resolved;
  }
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const parts = join?.[0] === '' && Array.isArray(join[1]) ? join[1] : [undefined];
  const texts = parts.map(part => {
    const ref = (part as { Ref?: string } | undefined)?.Ref;
    return typeof part === 'string' ? part : ref === 'AWS::Partition' ? '' : ref === 'AWS::AccountId' ? account : undefined;
  });
  return texts.every(text => text !== undefined) ? texts.join('') : undefined;
}
