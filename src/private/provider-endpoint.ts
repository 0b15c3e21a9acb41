import { Annotations, CfnResource, CustomResource, ITaggable, Lazy, NestedStack, Stack, TagManager, TagType, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ModelProvider } from './model-provider';
import { howToAcknowledge, warnAtSynth } from './synth-warnings';
import { ATTRIBUTE_ENDPOINT_ARN, EndpointProperties, MODEL_ENDPOINT_RESOURCE_TYPE } from '../contract/endpoint-properties';
import { MAX_TIMEOUT_SECONDS } from '../contract/import-properties';
import { ModelType } from '../contract/model-types';

/** The id of the warning about more endpoints in an account and Region than Comprehend's default quota, to acknowledge it by. */
export const ENDPOINT_QUOTA_WARNING = 'cdk-comprehend-model-import:endpointQuota';
/** The id of the warning about more inference units in an account and Region than Comprehend's default quota. */
export const INFERENCE_UNIT_QUOTA_WARNING = 'cdk-comprehend-model-import:inferenceUnitQuota';
/** Comprehend's default quotas per account and Region (Comprehend Developer Guide, guidelines-and-limits). */
const ACTIVE_ENDPOINTS_QUOTA = 10;
const INFERENCE_UNITS_QUOTA = 100;

/** The most inference units an endpoint's auto scaling may set (ScalableInferenceUnitsAttribute). */
export interface InferenceUnitsScaling {
  readonly mostUnits: number;
}

/** What an endpoint served through the provider is made of. */
export interface ProviderEndpointProps {
  readonly endpointName: string;
  readonly modelArn: string;
  readonly modelType: ModelType;
  readonly desiredInferenceUnits: number;
  readonly dataAccessRole?: iam.IRole;
  /**
   * Whether the library created the role: the provider's PassRole statement on the stack's own service roles covers
   * it, where a role the user brings gets a policy of its own that the endpoint depends on.
   */
  readonly roleIsOwn: boolean;
  /**
   * Whether the model served is a copy of this stack, which carries its ownership tag: CreateEndpoint is allowed on it
   * by that tag; any other model is allowed by its exact ARN, and declared to the handlers (ModelProvider.allowServing()).
   */
  readonly servesOwnCopy: boolean;
  readonly tags?: { [key: string]: string };
}

/**
 * An endpoint as a custom resource of the stack's Comprehend provider. `Tags.of()` reaches it as it reaches
 * CloudFormation's own taggable types.
 */
export class ProviderEndpoint extends Construct implements ITaggable {
  public readonly tags = new TagManager(TagType.KEY_VALUE, MODEL_ENDPOINT_RESOURCE_TYPE);
  public readonly endpointArn: string;
  /** The CloudFormation resource, for `node.defaultChild` and removal policies. */
  public readonly cfnResource: CfnResource;

  private readonly desiredInferenceUnits: number;
  private scaling?: InferenceUnitsScaling;

  constructor(scope: Construct, id: string, props: ProviderEndpointProps) {
    super(scope, id);
    this.desiredInferenceUnits = props.desiredInferenceUnits;
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      this.tags.setTag(key, value);
    }
    const provider = ModelProvider.of(this);
    // A role the user brings is passable through a policy of its own, which stays until the cleanup phase.
    const passPermission = props.dataAccessRole && !props.roleIsOwn ? provider.allowPassing(props.dataAccessRole, scope) : undefined;
    const servePermission = props.servesOwnCopy ? undefined : provider.allowServing(props.modelArn, scope);
    const properties: { [name in keyof EndpointProperties]: unknown } = {
      EndpointName: props.endpointName,
      ModelArn: props.modelArn,
      ModelType: props.modelType,
      DesiredInferenceUnits: Tokenization.stringifyNumber(props.desiredInferenceUnits),
      DataAccessRoleArn: props.dataAccessRole?.roleArn,
      Tags: Lazy.any({ produce: () => this.tags.renderTags() }),
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: MODEL_ENDPOINT_RESOURCE_TYPE,
      properties,
      // Creating, moving and deleting an endpoint: the handlers give up MAX_TIMEOUT_SECONDS after onEvent starts, for
      // every request (src/handlers/endpoint/on-event.ts), within CloudFormation's hour.
      serviceTimeout: provider.serviceTimeout(MAX_TIMEOUT_SECONDS),
    });
    for (const permission of [passPermission, servePermission]) {
      if (permission) {
        resource.node.addDependency(permission);
      }
    }
    this.endpointArn = resource.getAttString(ATTRIBUTE_ENDPOINT_ARN);
    this.cfnResource = resource.node.defaultChild as CfnResource;
    registerForQuotas(this);
  }

  /** Counts the units `scaling` may set, when it is more than `desiredInferenceUnits`, against the quota. */
  public scaledBy(scaling: InferenceUnitsScaling): void {
    this.scaling = scaling;
  }

  /**
   * The most inference units the endpoint may hold: `desiredInferenceUnits` (1, the least, when it is known only at
   * deploy time), or more when its auto scaling may set more.
   */
  public get mostUnits(): number {
    const desired = Token.isUnresolved(this.desiredInferenceUnits) ? 1 : this.desiredInferenceUnits;
    return Math.max(desired, this.scaling?.mostUnits ?? 0);
  }

  /** Whether auto scaling may set more units than `desiredInferenceUnits`. */
  public get scalesUp(): boolean {
    return this.mostUnits > (Token.isUnresolved(this.desiredInferenceUnits) ? 1 : this.desiredInferenceUnits);
  }
}

/** The endpoints of each app (the root of its tree), in the order they were created. */
const endpointsOfApp = new WeakMap<IConstruct, ProviderEndpoint[]>();
/** The stacks whose quota check is in place. */
const checkedStacks = new WeakSet<Stack>();

/**
 * Adds the endpoint to its app's count, and gives its stack the check of Comprehend's quotas, run at synth when every
 * endpoint exists and auto scaling is set.
 */
function registerForQuotas(endpoint: ProviderEndpoint): void {
  const root = endpoint.node.root;
  endpointsOfApp.set(root, [...endpointsOfApp.get(root) ?? [], endpoint]);
  // On the top-level stack: a nested stack's endpoints are in its parent's artifact, which warns once for both.
  let stack = Stack.of(endpoint);
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  if (!checkedStacks.has(stack)) {
    checkedStacks.add(stack);
    warnAtSynth(stack, () => warnOfQuotas(stack, endpointsOfApp.get(root) ?? []));
  }
}

/**
 * Where one quota counts: the account and Region when the stack knows both (every stack of the app there counts
 * together), or else the top-level stack, whose nested stacks deploy to its account and Region.
 */
function quotaArea(stack: Stack): string | Stack {
  if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
    return `${stack.account}|${stack.region}`;
  }
  let top = stack;
  while (NestedStack.isNestedStack(top) && top.nestedStackParent) {
    top = top.nestedStackParent;
  }
  return top;
}

/**
 * Comprehend allows 10 active endpoints and 100 inference units per account and Region by default: endpoints past
 * them fail to create (ResourceLimitExceededException), and auto scaling fails to add units past them. Counted are
 * the endpoints the app creates in the stack's account and Region (not those referenced by ARN), each with the most
 * units it may hold; endpoints made outside the app count there too, at deploy time.
 */
function warnOfQuotas(stack: Stack, all: readonly ProviderEndpoint[]): void {
  const area = quotaArea(stack);
  const endpoints = all.filter(endpoint => quotaArea(Stack.of(endpoint)) === area);
  const stacks = [...new Set(endpoints.map(endpoint => Stack.of(endpoint)))];
  const where = typeof area === 'string' ? `account ${stack.account}, Region ${stack.region}` : 'the stack\'s account and Region';
  const one = stacks.length === 1;
  const paths = stacks.map(s => s.node.path);
  const holders = one ? `stack ${paths[0]}` : `stacks ${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
  const acknowledge = (id: string) => `if the account's quota in that Region was raised, acknowledge: ${howToAcknowledge(id)}`;
  if (endpoints.length > ACTIVE_ENDPOINTS_QUOTA) {
    Annotations.of(stack).addWarningV2(ENDPOINT_QUOTA_WARNING,
      `${holders} ${one ? 'creates' : 'create'} ${endpoints.length} Comprehend endpoints (ModelEndpoint) in ${where}, more ` +
      `than Comprehend's default quota of ${ACTIVE_ENDPOINTS_QUOTA} active endpoints per account and Region: ` +
      'the endpoints past the quota fail to create (ResourceLimitExceededException) and the deploy rolls back. Expected at ' +
      `most ${ACTIVE_ENDPOINTS_QUOTA} in the account and Region, endpoints made outside this app included: serve fewer ` +
      'endpoints, delete those nobody needs, or ask for a higher quota (Service Quotas, Amazon Comprehend, or AWS Support); ' +
      acknowledge(ENDPOINT_QUOTA_WARNING));
  }
  const units = endpoints.reduce((sum, endpoint) => sum + endpoint.mostUnits, 0);
  if (units > INFERENCE_UNITS_QUOTA) {
    const scaling = endpoints.some(endpoint => endpoint.scalesUp)
      ? ', counting the maxCapacity of autoScaleInferenceUnits() (or of a scheduled action) for an endpoint that scales, ' +
        'since its scaling can reach it'
      : '';
    Annotations.of(stack).addWarningV2(INFERENCE_UNIT_QUOTA_WARNING,
      `${holders} ${one ? 'gives its' : 'give their'} ${endpoints.length} Comprehend endpoints (ModelEndpoint) in ${where} up ` +
      `to ${units} inference units in all (desiredInferenceUnits${scaling}), more than Comprehend's default quota of ` +
      `${INFERENCE_UNITS_QUOTA} inference units per account and Region: an endpoint created, or scaled up, past ` +
      'the quota fails (ResourceLimitExceededException). Expected at most ' +
      `${INFERENCE_UNITS_QUOTA} in the account and Region, endpoints made outside this app included: lower ` +
      'desiredInferenceUnits or maxCapacity, delete endpoints nobody needs, or ask for a higher quota (Service Quotas, ' +
      `Amazon Comprehend, or AWS Support); ${acknowledge(INFERENCE_UNIT_QUOTA_WARNING)}`);
  }
}
