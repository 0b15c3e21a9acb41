import {
  Annotations,
  Arn,
  ArnFormat,
  CfnDeletionPolicy,
  CfnResource,
  CustomResource,
  Duration,
  ITaggable,
  Lazy,
  RemovalPolicy,
  Stack,
  TagManager,
  TagType,
  Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { ComprehendModelBase, IComprehendModel } from './comprehend-model';
import { EVALUATION_METRICS, EvaluationMetric, metricAttribute, metricsOf } from './contract/evaluation-metrics';
import {
  ATTRIBUTE_MODEL_ARN,
  ATTRIBUTE_MODEL_NAME,
  ATTRIBUTE_SET,
  ATTRIBUTE_VERSION_NAME,
  DEFAULT_TIMEOUT_SECONDS,
  IMPORTED_MODEL_RESOURCE_TYPE,
  ImportProperties,
  MAX_TIMEOUT_SECONDS,
  STOP_GRACE_SECONDS,
} from './contract/import-properties';
import { explainInvalidName, explainSourceRegion, MODEL_ARN_FORM, ModelArnParts } from './contract/model-arn';
import { MODEL_TYPES, ModelType } from './contract/model-types';
import { checkComprehendRegion } from './private/comprehend-regions';
import { registerImport } from './private/cross-account-checks';
import {
  describeResource,
  invalidProp,
  requireKeyArn,
  requireKeyNotAlias,
  requireModelArn,
  requireRoleOfStackAccount,
} from './private/errors';
import { ModelProvider } from './private/model-provider';
import { withPartitionLiteral } from './private/partition-literal';
import { renderQualityGate } from './private/quality-gate-properties';
import { importServiceRole } from './private/service-role';
import { claimName } from './private/stack-name-index';
import { howToAcknowledge, warnAtSynth } from './private/synth-warnings';
import { explainInvalidModelTags } from './private/tags';
import { QualityGate } from './quality-gate';

/** The id of the warning about a retained copy with a fixed versionName, to acknowledge it by. */
const RETAINED_FIXED_VERSION_WARNING = 'cdk-comprehend-model-import:retainedFixedVersion';
/** The id of the warning about two imports of one source model version in a stack, to acknowledge it by. */
const SOURCE_IMPORTED_TWICE_WARNING = 'cdk-comprehend-model-import:sourceImportedTwice';

/**
 * Properties of an ImportedComprehendModel.
 */
export interface ImportedComprehendModelProps {
  /**
   * The ARN of the model version to import, shared with this account by its owner.
   *
   * For example `arn:aws:comprehend:us-west-2:111122223333:document-classifier/foo/version/bar`; an ARN without
   * `/version/VERSION` names a model trained without a version name. It must be in this stack's Region: Comprehend
   * imports only within one Region.
   */
  readonly sourceModelArn: string;

  /**
   * Whether the source is a document classifier or an entity recognizer.
   *
   * @default - read from `sourceModelArn`; required when `sourceModelArn` is a token
   */
  readonly modelType?: ModelType;

  /**
   * The name of the new model in this account.
   *
   * 1-63 letters, digits and hyphens, starting and ending with a letter or digit.
   *
   * @default - the source model's name
   */
  readonly modelName?: string;

  /**
   * The name of the new model version in this account.
   *
   * Leave it unset unless you need a fixed name: the default is unique to the stack, the construct and the
   * inputs that need a new copy (source, names, keys, role), so replacements never collide. With a fixed
   * name, a change that needs a new copy fails, because the old copy still holds the name.
   *
   * @default - derived at deploy time from the stack, the construct and the inputs that need a new copy
   */
  readonly versionName?: string;

  /**
   * The sharer's customer managed KMS key that encrypts the source model.
   *
   * Only needed when the source is encrypted with a customer managed key: the service role gets permission
   * to use it (the sharer's key policy must allow this account too).
   *
   * @default - the source is encrypted with an AWS owned key
   */
  readonly sourceModelKey?: kms.IKey;

  /**
   * A customer managed KMS key of this account to encrypt the new model with.
   *
   * @default - an AWS owned key
   */
  readonly modelKey?: kms.IKey;

  /**
   * The service role Comprehend uses to reach the KMS keys during the import.
   *
   * When you bring your own, it must trust `comprehend.amazonaws.com` and allow the KMS actions on the keys;
   * the construct does not change it.
   *
   * @default - a role with exactly the documented permissions when `sourceModelKey` or `modelKey` is set;
   * no role otherwise
   */
  readonly dataAccessRole?: iam.IRole;

  /**
   * What happens to the copy when it leaves the stack (stack deletion or replacement).
   *
   * `RemovalPolicy.DESTROY` deletes it; `RemovalPolicy.RETAIN` leaves it in the account;
   * `RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE` leaves it, except when the stack operation that created it rolls back
   * (CloudFormation's `RetainExceptOnCreate`: then the copy is deleted, also when its own import succeeded and
   * another resource failed). CloudFormation decides from this whether to send a Delete, and a Delete that arrives is
   * carried out. Whatever this says, a copy whose import fails (`IN_ERROR`, `STOPPED`, timed out) is deleted, and a
   * copy this construct did not create is never touched. `RemovalPolicy.SNAPSHOT` is refused: Comprehend has no
   * snapshots.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * What a new copy must show, on the evaluation metrics Comprehend reports for it, before it may serve: minimums per
   * metric, and optionally no worse than the copy it replaces. A copy that fails is deleted and the deployment fails,
   * so CloudFormation rolls back and endpoints keep serving the copy they serve.
   *
   * @default - no gate: every usable copy serves
   */
  readonly qualityGate?: QualityGate;

  /**
   * How long to wait for the copy to become usable before failing.
   *
   * At most 55 minutes: CloudFormation gives a custom resource one hour. A deletion waits up to 55 minutes
   * whatever this says, because a copy that is still importing must finish before it can be deleted.
   *
   * @default Duration.minutes(50)
   */
  readonly timeout?: Duration;

  /**
   * Tags for the new model. `Tags.of(scope).add()` reaches it too. At most 49: the copy also carries the tag
   * `cdk-comprehend-model-import:owner`, which names its stack and construct, so the library adopts or deletes only the
   * copies it created.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/**
 * Attributes of a Comprehend model version defined outside this construct.
 */
export interface ComprehendModelAttributes {
  /**
   * The ARN of the model version, such as
   * `arn:aws:comprehend:us-west-2:111122223333:document-classifier/NAME/version/VERSION`. An ARN without
   * `/version/VERSION` names a model trained without a version name.
   */
  readonly modelArn: string;

  /**
   * Whether the model is a document classifier or an entity recognizer.
   *
   * @default - read from `modelArn`; required when `modelArn` is a token
   */
  readonly modelType?: ModelType;

  /**
   * The name of the model version.
   *
   * @default - read from `modelArn`; none when `modelArn` is a token
   */
  readonly versionName?: string;

  /**
   * The customer managed KMS key that encrypts the model, so that its endpoints get a data access role that can read it.
   *
   * @default - an AWS owned key
   */
  readonly modelKey?: kms.IKey;
}

/**
 * A copy, in this account, of an Amazon Comprehend custom model shared from another account.
 *
 * Runs `ImportModel` through a custom resource, waits until the copy is usable (`TRAINED` or
 * `TRAINED_WITH_WARNING`), and deletes the copy with the stack unless told to retain it.
 * When a customer managed KMS key is involved, it creates the service role Comprehend needs, with exactly
 * the permissions the Comprehend documentation lists.
 *
 * @example
 * import { ImportedComprehendModel } from 'cdk-comprehend-model-import';
 *
 * new ImportedComprehendModel(this, 'Classifier', {
 *   sourceModelArn: 'arn:aws:comprehend:us-east-1:111122223333:document-classifier/support-tickets/version/v1',
 * });
 */
export class ImportedComprehendModel extends ComprehendModelBase implements ITaggable {
  /**
   * A model version defined elsewhere, from its ARN.
   */
  public static fromModelArn(scope: Construct, id: string, modelArn: string): IComprehendModel {
    return ImportedComprehendModel.fromModelAttributes(scope, id, { modelArn });
  }

  /**
   * A model version defined elsewhere, from its attributes.
   */
  public static fromModelAttributes(scope: Construct, id: string, attrs: ComprehendModelAttributes): IComprehendModel {
    // Checked as aws-cdk-lib writes it under @aws-cdk/core:enablePartitionLiterals, whatever the app's flags; the
    // model's modelArn is the ARN as given.
    const givenArn = attrs.modelArn;
    attrs = { ...attrs, modelArn: withPartitionLiteral(scope, attrs.modelArn) };
    const parts = Token.isUnresolved(attrs.modelArn) ? undefined : requireModelArn('modelArn', attrs.modelArn, scope);
    const modelType = attrs.modelType ?? parts?.modelType;
    if (!modelType) {
      throw invalidProp(
        'modelType is required when modelArn is a token: the model type cannot be read from an ARN known only at deploy time',
        scope,
      );
    }
    if (parts && parts.modelType !== modelType) {
      throw invalidProp(`modelArn "${attrs.modelArn}" is ${MODEL_TYPES[parts.modelType].withArticle}, but modelType says ${modelType}`, scope);
    }
    if (parts && attrs.versionName !== undefined && attrs.versionName !== parts.versionName) {
      throw invalidProp(
        `versionName "${attrs.versionName}" is not the version in modelArn "${attrs.modelArn}"; leave versionName unset or make them agree`,
        scope,
      );
    }

    requireKeyNotAlias('modelKey', attrs.modelKey, scope);
    requireKeyArn('modelKey', attrs.modelKey, scope);

    class Import extends ComprehendModelBase {
      public readonly modelArn = givenArn;
      public readonly modelType = modelType!;
      // For a token, the first part of the resource name (NAME of TYPE/NAME/version/VERSION), at deploy time.
      public readonly modelName = parts?.modelName ?? Arn.split(attrs.modelArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
      public readonly versionName = parts?.versionName ?? attrs.versionName;
      public readonly modelKey = attrs.modelKey;
    }
    // The model's account and Region are those of its ARN, as for any resource referenced by ARN.
    return new Import(scope, id, { environmentFromArn: attrs.modelArn });
  }

  /**
   * The ARN of the copy, known once it is usable.
   * @attribute
   */
  public readonly modelArn: string;

  /**
   * The name of the copy.
   * @attribute
   */
  public readonly modelName: string;

  /**
   * The version name of the copy (the default one is chosen at deploy time).
   *
   * Always set on a copy; it is optional because `IComprehendModel` also describes models trained without a version
   * name (as `ISecret.secretFullArn` is optional on a secret that always has one).
   * @attribute
   */
  public readonly versionName?: string;

  /** Whether the copy is a document classifier or an entity recognizer. */
  public readonly modelType: ModelType;

  /** The customer managed KMS key that encrypts the copy, if one was given (`modelKey`). */
  public readonly modelKey?: kms.IKey;

  /**
   * The service role Comprehend uses during the import, if there is one. The role this library creates is shared by
   * the imports of the stack that involve the same keys.
   */
  public readonly role?: iam.IRole;

  /** Tags of the new model. */
  public readonly tags: TagManager;

  /** `NAME/version/VERSION` when both are fixed at synth time: no other import of the stack may have it. */
  private fixedCopyName?: string;

  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ImportedComprehendModelProps) {
    super(scope, id);
    // Checked as aws-cdk-lib writes it under @aws-cdk/core:enablePartitionLiterals, whatever the app's flags; rendered
    // as given, so the template follows the app's flags as aws-cdk-lib's own resources do.
    const sourceArn = withPartitionLiteral(this, props.sourceModelArn);
    const source = this.validateSource(props, sourceArn);
    checkComprehendRegion(this, source && { prop: 'sourceModelArn', arn: sourceArn, region: source.region });
    this.modelType = source?.modelType ?? props.modelType!;
    this.validateNames(props, source);
    const timeout = validateTimeout(this, props.timeout);
    const removalPolicy = validateRemovalPolicy(this, props.removalPolicy ?? RemovalPolicy.DESTROY, 'removalPolicy');
    this.warnAboutSourceImportedTwice(sourceArn);
    this.validateKeys(props, source, sourceArn);
    requireRoleOfStackAccount('dataAccessRole', props.dataAccessRole, this);
    this.modelKey = props.modelKey;
    registerImport(this, { sourceModelArn: sourceArn, sourceModelKey: props.sourceModelKey, fixedCopyName: this.fixedCopyName });

    this.tags = new TagManager(TagType.KEY_VALUE, IMPORTED_MODEL_RESOURCE_TYPE);
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      this.tags.setTag(key, value);
    }
    // Tags.of() adds tags after construction, so the limits are checked when the app is synthesized.
    this.node.addValidation({ validate: () => explainInvalidModelTags(this.tags.tagValues()) });

    this.role = props.dataAccessRole ?? importServiceRole(this, props.sourceModelKey, props.modelKey);

    const provider = ModelProvider.of(this);
    provider.addImport();
    const importPermission = provider.allowImportFrom(props.sourceModelArn, this.modelType, props.modelKey?.keyArn, this);
    // A role the user brings is passable through a policy of its own, which stays until the cleanup phase.
    const passPermission = props.dataAccessRole ? provider.allowPassing(props.dataAccessRole, this) : undefined;

    // The handlers' contract, with Lazy values where the answer comes at synth time. What the handlers know without
    // being told is left out, since every import of a stack pays for it: the model type of a literal ARN (they parse the
    // ARN anyway) and the default timeout. The handlers complete both sides of an Update the same way, so a stack
    // deployed when these were rendered sees no new copy.
    const properties: { [name in keyof ImportProperties]: unknown } = {
      SourceModelArn: props.sourceModelArn,
      ModelType: source && !Token.isUnresolved(props.sourceModelArn) ? undefined : this.modelType,
      ModelName: props.modelName,
      VersionName: props.versionName,
      ModelKmsKeyId: props.modelKey?.keyArn,
      DataAccessRoleArn: this.role?.roleArn,
      Tags: Lazy.any({ produce: () => this.tags.renderTags() }),
      TimeoutSeconds: timeout.toSeconds() === DEFAULT_TIMEOUT_SECONDS ? undefined : String(timeout.toSeconds()),
      QualityGate: renderQualityGate(props.qualityGate, this.modelType, this),
      AttributeSet: ATTRIBUTE_SET,
    };
    const customResource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: IMPORTED_MODEL_RESOURCE_TYPE,
      properties,
      removalPolicy,
      // A create or update waits for its copy until `timeout` after onEvent starts (the place in the stack's window of
      // imports included, since the deadline counts from the request), then stops an import still running and waits
      // up to STOP_GRACE_SECONDS for it to be STOPPED and deleted; a delete waits up to MAX_TIMEOUT_SECONDS whatever the
      // timeout, for a copy still importing (a cancelled create) must end before it can go. ServiceTimeout covers the
      // longer, so CloudFormation never gives up on a rollback's delete the handlers would still finish.
      serviceTimeout: provider.serviceTimeout(Math.max(timeout.toSeconds() + STOP_GRACE_SECONDS, MAX_TIMEOUT_SECONDS)),
    });
    // Imported once its permission is in place, also when it lives in a managed policy of its own (many sources).
    customResource.node.addDependency(importPermission);
    if (passPermission) {
      customResource.node.addDependency(passPermission);
    }
    const resource = customResource.node.defaultChild as CfnResource;
    // applyRemovalPolicy() then reaches the CloudFormation resource.
    this.node.defaultChild = resource;
    // RemovalPolicies.of() and cfnOptions reach the resource without passing through applyRemovalPolicy().
    this.node.addValidation({ validate: () => explainUnsupportedDeletionPolicy(resource) });
    // The policy the resource ends with, however it was set, decides.
    warnAtSynth(this, () => this.warnAboutRetainedFixedVersion(resource.cfnOptions.deletionPolicy));
    omitDeletePolicies(resource);

    this.resource = customResource;
    this.modelArn = customResource.getAttString(ATTRIBUTE_MODEL_ARN);
    this.modelName = customResource.getAttString(ATTRIBUTE_MODEL_NAME);
    this.versionName = customResource.getAttString(ATTRIBUTE_VERSION_NAME);
  }

  /**
   * An evaluation metric of the copy, as Comprehend reports it on the model version's test documents: a number as a
   * string (`Fn::GetAtt`), for stack outputs, alarms or parameters; `none` when Comprehend reports no such metric for
   * the copy.
   *
   * A document classifier reports every metric of `EvaluationMetric`; an entity recognizer reports `PRECISION`,
   * `RECALL` and `F1_SCORE`, and asking it for another is an error at synth time.
   */
  public evaluationMetric(metric: EvaluationMetric): string {
    if (!EVALUATION_METRICS[metric].modelTypes.includes(this.modelType)) {
      throw invalidProp(
        `evaluationMetric(${metric}): Comprehend reports no ${metric} for ${MODEL_TYPES[this.modelType].withArticle}; expected one of ` +
        `${metricsOf(this.modelType).join(', ')}`,
        this,
      );
    }
    return this.resource.getAttString(metricAttribute(metric));
  }

  /**
   * Applies a removal policy to the copy: DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE. SNAPSHOT is refused, as in
   * the props: Comprehend has no snapshot of a model version.
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    super.applyRemovalPolicy(validateRemovalPolicy(this, policy, 'applyRemovalPolicy()'));
  }

  /**
   * Warns when the copy outlives its stack under a fixed name and version: the same stack deployed again (after a
   * delete) finds the name taken by a copy it cannot prove its own (the ownership tag names the old stack), and fails.
   */
  private warnAboutRetainedFixedVersion(policy: CfnDeletionPolicy | undefined): void {
    if (policy === undefined || policy === CfnDeletionPolicy.DELETE || this.fixedCopyName === undefined) {
      return;
    }
    Annotations.of(this).addWarningV2(RETAINED_FIXED_VERSION_WARNING,
      `DeletionPolicy ${policy} (removalPolicy) keeps the copy ${this.fixedCopyName} when the stack is deleted, and its ` +
      'versionName is fixed: the stack deployed again after a delete finds that name taken by the retained copy, which it ' +
      'did not create, and fails ' +
      '("… already exists … and this resource did not create it"); expected versionName unset (a name unique to the stack, ' +
      'the construct and its inputs) with a retained copy, or delete the retained copy before deploying again; if you mean ' +
      `it, acknowledge this warning: ${howToAcknowledge(RETAINED_FIXED_VERSION_WARNING)}`);
  }

  /**
   * Warns when another import of the stack copies the same model version: each import makes and bills a copy of its own,
   * where one copy can serve several endpoints.
   */
  private warnAboutSourceImportedTwice(sourceModelArn: string): void {
    const other = claimName(this, 'source', sourceModelArn);
    if (other) {
      Annotations.of(this).addWarningV2(SOURCE_IMPORTED_TWICE_WARNING,
        `sourceModelArn "${sourceModelArn}" is imported by ${other.node.path} too: each ImportedComprehendModel makes a copy of ` +
        'its own, billed as a custom model of the account; expected one import per source model version (call addEndpoint() ' +
        'on it as often as needed); if you mean two copies (under another modelKey, say), acknowledge this warning: ' +
        howToAcknowledge(SOURCE_IMPORTED_TWICE_WARNING));
    }
  }

  /** The parts of the source ARN when it is known at synth time, checked against the stack and the props. */
  private validateSource(props: ImportedComprehendModelProps, arn: string): ModelArnParts | undefined {
    if (Token.isUnresolved(arn)) {
      if (!props.modelType) {
        throw invalidProp(
          'modelType is required when sourceModelArn is a token: the model type decides the permissions, and a ' +
          'token is only resolved at deploy time (where the handler checks the ARN)',
          this,
        );
      }
      return undefined;
    }
    const source = requireModelArn('sourceModelArn', arn, this);
    const stack = Stack.of(this);
    const regionProblem = Token.isUnresolved(stack.region) ? undefined : explainSourceRegion(arn, source.region, stack.region);
    if (regionProblem) {
      throw invalidProp(regionProblem, this);
    }
    const stackPartition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
    if (stackPartition && source.partition !== stackPartition) {
      throw invalidProp(
        `sourceModelArn "${arn}" is in partition ${source.partition}, but the stack's Region ${stack.region} is in ` +
        `${stackPartition}; expected ${MODEL_ARN_FORM} in the stack's partition`,
        this,
      );
    }
    if (props.modelType && props.modelType !== source.modelType) {
      throw invalidProp(
        `sourceModelArn "${arn}" is ${MODEL_TYPES[source.modelType].withArticle}, but modelType says ${props.modelType}; ` +
        'leave modelType unset or make them agree',
        this,
      );
    }
    return source;
  }

  private validateNames(props: ImportedComprehendModelProps, source: ModelArnParts | undefined): void {
    for (const [prop, value] of [['modelName', props.modelName], ['versionName', props.versionName]] as const) {
      const problem = value === undefined || Token.isUnresolved(value) ? undefined : explainInvalidName(prop, value);
      if (problem) {
        throw invalidProp(problem, this);
      }
    }
    // A fixed name and version is one copy per account and Region: two imports of a stack, nested stacks included,
    // cannot both have it.
    const modelName = props.modelName ?? source?.modelName;
    const versionName = props.versionName;
    if (modelName === undefined || versionName === undefined || Token.isUnresolved(modelName) || Token.isUnresolved(versionName)) {
      return;
    }
    this.fixedCopyName = `${modelName}/version/${versionName}`;
    // An index of the stack's names, not a search of its tree: one search per import made N imports cost N² (issue 31).
    const other = claimName(this, 'copy', this.fixedCopyName);
    if (other) {
      throw invalidProp(
        `modelName "${modelName}" and versionName "${versionName}" are those of ${other.node.path} too, and a name and ` +
        'version are one copy per account and Region; give one of them another versionName, or leave versionName unset ' +
        'so that each import gets its own',
        this,
      );
    }
  }

  private validateKeys(props: ImportedComprehendModelProps, source: ModelArnParts | undefined, sourceArn: string): void {
    requireKeyNotAlias('sourceModelKey', props.sourceModelKey, this);
    requireKeyNotAlias('modelKey', props.modelKey, this);
    requireKeyArn('sourceModelKey', props.sourceModelKey, this);
    requireKeyArn('modelKey', props.modelKey, this);
    const { account, region } = Stack.of(this);
    const known = (value: string | undefined): value is string => value !== undefined && !Token.isUnresolved(value);
    const modelKeyAccount = props.modelKey?.env.account;
    if (props.modelKey && known(modelKeyAccount) && known(account) && modelKeyAccount !== account) {
      throw invalidProp(
        `modelKey ${describeResource(props.modelKey.keyArn, props.modelKey)} is a key of account ${modelKeyAccount}; expected a customer managed key of this account (${account}), ` +
        'because Comprehend encrypts the copy with a key of the importing account',
        this,
      );
    }
    const modelKeyRegion = props.modelKey?.env.region;
    if (props.modelKey && known(modelKeyRegion) && known(region) && modelKeyRegion !== region) {
      throw invalidProp(
        `modelKey ${describeResource(props.modelKey.keyArn, props.modelKey)} is a key of Region ${modelKeyRegion}, but this ` +
        `stack deploys to ${region}; expected a customer managed key of this stack's Region, because Comprehend encrypts ` +
        'the copy with a key of the Region it imports into (for a multi-Region key, its replica in this Region)',
        this,
      );
    }
    // A key of the source model's account, or of this one; a third account's is refused.
    const sourceKeyAccount = props.sourceModelKey?.env.account;
    if (props.sourceModelKey && source && known(sourceKeyAccount) && known(account) && sourceKeyAccount !== source.account &&
      sourceKeyAccount !== account) {
      throw invalidProp(
        `sourceModelKey ${describeResource(props.sourceModelKey.keyArn, props.sourceModelKey)} is a key of account ` +
        `${sourceKeyAccount}, which is neither the source model's account (${source.account}, of sourceModelArn ` +
        `"${sourceArn}") nor this stack's (${account}); expected the key that encrypts the source model, whose ` +
        'ARN the sharer hands over with the model\'s (kms.Key.fromKeyArn())',
        this,
      );
    }
    const sourceKeyRegion = props.sourceModelKey?.env.region;
    if (props.sourceModelKey && source && known(sourceKeyRegion) && sourceKeyRegion !== source.region) {
      throw invalidProp(
        `sourceModelKey ${describeResource(props.sourceModelKey.keyArn, props.sourceModelKey)} is a key of Region ${sourceKeyRegion}, but sourceModelArn "${sourceArn}" is in ` +
        `${source.region}; expected the key that encrypts the source model, which is in the model's Region`,
        this,
      );
    }
  }
}

function validateTimeout(scope: Construct, timeout: Duration | undefined): Duration {
  const value = timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
  const milliseconds = value.toMilliseconds({ integral: false });
  if (milliseconds % 1000 !== 0) {
    // The handlers count whole seconds; toHumanString() would round the value this message is about.
    throw invalidProp(`timeout ${milliseconds / 1000} seconds is not a whole number of seconds; expected whole seconds, 1 to ` +
      `${MAX_TIMEOUT_SECONDS / 60} minutes`, scope);
  }
  const seconds = value.toSeconds();
  if (seconds < 60 || seconds > MAX_TIMEOUT_SECONDS) {
    throw invalidProp(
      `timeout ${value.toHumanString()} is out of range; expected 1 to ${MAX_TIMEOUT_SECONDS / 60} minutes ` +
      '(CloudFormation gives a custom resource one hour)',
      scope,
    );
  }
  return value;
}

function validateRemovalPolicy(scope: Construct, value: RemovalPolicy, prop: string): RemovalPolicy {
  if (value !== RemovalPolicy.DESTROY && value !== RemovalPolicy.RETAIN && value !== RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE) {
    throw invalidProp(
      `${prop} ${value} is not supported; expected RemovalPolicy.DESTROY, RemovalPolicy.RETAIN or ` +
      'RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (Comprehend has no snapshot of a model version)',
      scope,
    );
  }
  return value;
}

/**
 * Leaves DeletionPolicy and UpdateReplacePolicy out of the template when both are Delete, CloudFormation's default for
 * a custom resource (every import of a stack pays for them), and renders both as they are otherwise (a lone Retain
 * beside an implicit Delete reads as a mistake to CloudFormation's validation). Decided when the template is written,
 * so the policies the resource ends with count, however they were set (props, applyRemovalPolicy(),
 * RemovalPolicies.of(), cfnOptions); an override of the user's own replaces this one.
 */
function omitDeletePolicies(resource: CfnResource): void {
  const rendered = (policy: 'deletionPolicy' | 'updateReplacePolicy') => {
    const policies = [resource.cfnOptions.deletionPolicy, resource.cfnOptions.updateReplacePolicy];
    return policies.every(p => p === undefined || p === CfnDeletionPolicy.DELETE) ? undefined : resource.cfnOptions[policy];
  };
  resource.addOverride('DeletionPolicy', Lazy.any({ produce: () => rendered('deletionPolicy') }));
  resource.addOverride('UpdateReplacePolicy', Lazy.any({ produce: () => rendered('updateReplacePolicy') }));
}

/** The deletion or replacement policy a copy cannot have (a Snapshot set on the resource directly), explained. */
function explainUnsupportedDeletionPolicy(resource: CfnResource): string[] {
  const supported: Array<CfnDeletionPolicy | undefined> = [
    undefined, CfnDeletionPolicy.DELETE, CfnDeletionPolicy.RETAIN, CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE,
  ];
  const { deletionPolicy, updateReplacePolicy } = resource.cfnOptions;
  return [['DeletionPolicy', deletionPolicy], ['UpdateReplacePolicy', updateReplacePolicy]]
    .filter(([, value]) => !supported.includes(value as CfnDeletionPolicy | undefined))
    .map(([name, value]) => `${name} ${value} is not supported; expected Delete, Retain or RetainExceptOnCreate ` +
      '(RemovalPolicy.DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE): Comprehend has no snapshot of a model version');
}
