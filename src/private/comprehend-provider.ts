import { Arn, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFrameworkFindings, acknowledgeWildcard, frameworkProps } from './framework';
import { HandlerRole } from './handler-role';
import { ProviderIsCompleteFunction } from './provider-is-complete-function';
import { ProviderOnEventFunction } from './provider-on-event-function';
import { stackSingleton } from './stack-singleton';
import { MAX_TIMEOUT_SECONDS, QUERY_INTERVAL_SECONDS } from '../contract/import-properties';
import { parseModelArn } from '../contract/model-arn';
import { MODEL_TYPES, ModelType } from '../contract/model-types';

const PROVIDER_ID = 'ComprehendProvider';

/**
 * The custom resource provider of every ImportedComprehendModel in a stack, and of every ModelEndpoint served through
 * the library (where CloudFormation has no endpoint type), with its handler role. One provider per stack: the Provider
 * framework's fixed cost (its functions and waiter) is paid once, and the handlers route by resource type.
 *
 * The role's policy grows with the distinct source accounts, Regions and model types, not with the number of
 * models or endpoints, so a stack with hundreds of imports stays inside IAM's 10,240-character limit for inline policies.
 */
export class ComprehendProvider extends Construct {
  /** The stack's provider, created with the first model or endpoint that needs it. */
  public static of(scope: Construct): ComprehendProvider {
    return stackSingleton(scope, PROVIDER_ID, (stack, id) => new ComprehendProvider(stack, id));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;

  private readonly handlerRole: HandlerRole;
  private readonly importStatement = new iam.PolicyStatement({ actions: ['comprehend:ImportModel'] });
  private readonly passRoleStatement = new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    conditions: { StringEquals: { 'iam:PassedToService': 'comprehend.amazonaws.com' } },
  });
  private readonly granted = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    this.handlerRole = new HandlerRole(this, 'HandlerRole', 'Imports, serves, watches, tags and deletes the Comprehend model copies and endpoints of this stack');
    const functionOptions = {
      role: this.handlerRole,
      memorySize: 256,
      // Room for the SDK's backoff when Comprehend throttles every model of the stack at once.
      timeout: Duration.minutes(5),
    };
    const onEventHandler = new ProviderOnEventFunction(this, 'OnEvent', {
      ...functionOptions,
      description: 'Starts Comprehend model imports and endpoints, updates them and deletes them',
      logGroup: this.handlerRole.logGroup(this, 'OnEventLogs'),
    });
    const isCompleteHandler = new ProviderIsCompleteFunction(this, 'IsComplete', {
      ...functionOptions,
      description: 'Waits until a Comprehend model copy is usable or an endpoint is in service, or until either is gone',
      logGroup: this.handlerRole.logGroup(this, 'IsCompleteLogs'),
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler,
      isCompleteHandler,
      queryInterval: Duration.seconds(QUERY_INTERVAL_SECONDS),
      // The longest any model may ask for (and an endpoint's hour); each model's own timeout is enforced by the handlers.
      totalTimeout: Duration.seconds(MAX_TIMEOUT_SECONDS + 2 * QUERY_INTERVAL_SECONDS),
      ...frameworkProps(this, true),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogs', { retention: logs.RetentionDays.ONE_YEAR }),
        level: sfn.LogLevel.ALL,
      },
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeFrameworkFindings(this, provider, [onEventHandler, isCompleteHandler]);
  }

  /**
   * Lets the handlers import from `sourceModelArn`: the source account's models of that type in that Region
   * when the ARN is known, the exact ARN when it is a token.
   */
  public allowImportFrom(sourceModelArn: string, modelType: ModelType): void {
    const source = parseModelArn(sourceModelArn);
    const resource = source
      ? Arn.format({
        partition: source.partition,
        region: source.region,
        account: source.account,
        service: 'comprehend',
        resource: modelType,
        resourceName: '*',
      })
      : sourceModelArn;
    if (this.firstTime(`import:${resource}`)) {
      this.importStatement.addResources(resource);
      if (source) {
        acknowledgeWildcard(this.handlerRole, resource, 'ImportModel on the source account\'s models of one type and Region, '
          + 'so the policy grows with source accounts rather than with models (IAM limits inline policies to 10,240 characters).');
      }
      if (this.importStatement.resources.length === 1) {
        this.handlerRole.addToPrincipalPolicy(this.importStatement);
      }
    }
  }

  /** Lets the handlers describe, tag and delete this account's models of `modelType` in this Region. */
  public allowManaging(modelType: ModelType): void {
    if (!this.firstTime(`manage:${modelType}`)) {
      return;
    }
    const { describeAction, deleteAction } = MODEL_TYPES[modelType];
    const copies = Stack.of(this).formatArn({ service: 'comprehend', resource: modelType, resourceName: '*' });
    acknowledgeWildcard(this.handlerRole, copies, 'Describe, tag and delete this account\'s copies of one model type in this '
      + 'Region: a copy\'s version name is chosen at deploy time, so its ARN is unknown at synth time.');
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        describeAction,
        deleteAction,
        'comprehend:TagResource',
        'comprehend:UntagResource',
        // The ownership tag: a handler adopts or deletes only a copy it created.
        'comprehend:ListTagsForResource',
      ],
      resources: [copies],
    }));
    this.allowListingEndpoints();
  }

  /**
   * Lets the handlers create, move, resize, tag and delete this account's endpoints of `modelType` in this Region,
   * serving this account's models of that type.
   */
  public allowServing(modelType: ModelType): void {
    if (!this.firstTime(`serve:${modelType}`)) {
      return;
    }
    const stack = Stack.of(this);
    const endpoints = stack.formatArn({ service: 'comprehend', resource: MODEL_TYPES[modelType].endpointResource, resourceName: '*' });
    const models = stack.formatArn({ service: 'comprehend', resource: modelType, resourceName: '*' });
    acknowledgeWildcard(this.handlerRole, endpoints, 'Create, update, tag and delete this account\'s endpoints of one type in '
      + 'this Region, so the policy does not grow with every endpoint; the handlers change only endpoints that carry '
      + 'their ownership tag.');
    acknowledgeWildcard(this.handlerRole, models, 'CreateEndpoint and UpdateEndpoint are authorized on the model served '
      + 'too: this account\'s models of one type in this Region (a copy\'s version name is chosen at deploy time).');
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      // Both are authorized on the endpoint and on the model it serves (Service Authorization Reference).
      actions: ['comprehend:CreateEndpoint', 'comprehend:UpdateEndpoint'],
      resources: [endpoints, models],
    }));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'comprehend:DescribeEndpoint',
        'comprehend:DeleteEndpoint',
        'comprehend:TagResource',
        'comprehend:UntagResource',
        // The ownership tag: a handler changes or deletes only an endpoint it created.
        'comprehend:ListTagsForResource',
      ],
      resources: [endpoints],
    }));
  }

  private allowListingEndpoints(): void {
    if (this.firstTime('list-endpoints')) {
      // Which endpoints hold a copy that cannot be deleted: one moving to another model is waited for.
      this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['comprehend:ListEndpoints'], resources: ['*'] }));
      acknowledgeWildcard(this.handlerRole, '*', 'comprehend:ListEndpoints takes no resource-level permissions (Service '
        + 'Authorization Reference for Amazon Comprehend); the handlers list the endpoints of a copy they cannot delete.');
    }
  }

  /** Lets the handlers pass `roleArn` (an ARN or ARN pattern) to Comprehend, and to nothing else. */
  public allowPassing(roleArn: string): void {
    if (this.firstTime(`pass:${roleArn}`)) {
      this.passRoleStatement.addResources(roleArn);
      if (roleArn.endsWith('*')) {
        acknowledgeWildcard(this.handlerRole, roleArn, 'PassRole on the service roles this library creates (one path), only '
          + 'to comprehend.amazonaws.com, so the policy does not grow with every model.');
      }
      if (this.passRoleStatement.resources.length === 1) {
        this.handlerRole.addToPrincipalPolicy(this.passRoleStatement);
      }
    }
  }

  private firstTime(grant: string): boolean {
    if (this.granted.has(grant)) {
      return false;
    }
    this.granted.add(grant);
    return true;
  }
}
