import { Annotations, CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { howToAcknowledge, warnAtSynth } from './synth-warnings';
import type { ComprehendProviderProps } from '../comprehend-provider';

/** The id of the warning about provider functions placed in isolated subnets only, to acknowledge it by. */
export const ISOLATED_SUBNETS_WARNING = 'cdk-comprehend-model-import:isolatedProviderSubnets';
/** The id of the warning about configure() on a stack none of whose constructs runs through a provider. */
export const UNUSED_SETTINGS_WARNING = 'cdk-comprehend-model-import:unusedProviderSettings';

/** The settings of a stack's providers, and who set them. */
export interface ProviderSettings extends ComprehendProviderProps {
  /** The path of the construct that called `ComprehendProvider.configure()`, if one did. */
  readonly askedBy?: string;
}

const settingsOfStack = new WeakMap<Stack, ProviderSettings>();
/** The provider each stack created first, and the construct it was created for: configure() must come before it. */
const firstProviderOfStack = new WeakMap<Stack, { readonly provider: string; readonly createdFor: string }>();

/** Records the settings for `scope`'s stack, or fails with a message that names both callers when they conflict. */
export function configureProviders(scope: Construct, props: ComprehendProviderProps): void {
  validate(props, scope);
  const stack = Stack.of(scope);
  const known = settingsOfStack.get(stack);
  if (known) {
    const differing = differingSettings(known, props);
    if (differing.length > 0) {
      throw invalidProp(
        `ComprehendProvider.configure() asks for other settings of the stack's providers than ${known.askedBy} did ` +
        `(${differing.join(', ')}); a stack's providers have one set of settings: give both the same, or configure once`,
        scope,
      );
    }
    return;
  }
  const first = firstProviderOfStack.get(stack) ?? providerInTree(stack);
  if (first && differingSettings({}, props).length > 0) {
    throw invalidProp(
      `ComprehendProvider.configure() comes after ${first.createdFor} created the stack's ${first.provider} with the default ` +
      'settings; call configure() before the stack\'s first ImportedComprehendModel, ModelEndpoint or SharedModelPolicy',
      scope,
    );
  }
  settingsOfStack.set(stack, { ...props, askedBy: scope.node.path });
  // At synth, once the app is built: the stack's models and the VPC's endpoints may come after configure().
  warnAtSynth(scope, () => {
    warnOfIsolatedSubnets(scope, props);
    warnOfUnusedSettings(scope, stack, props);
  });
}

/** The settings of `scope`'s stack for a provider created now for `createdFor` (the defaults if none were set). */
export function settingsForNewProvider(stack: Stack, provider: string, createdFor: IConstruct): ProviderSettings {
  if (!firstProviderOfStack.has(stack)) {
    firstProviderOfStack.set(stack, { provider, createdFor: createdFor.node.path });
  }
  return settingsOfStack.get(stack) ?? {};
}

/** The construct ids of the providers (model-provider.ts, model-policy-provider.ts). */
const PROVIDER_IDS = ['ComprehendProvider', 'ComprehendModelPolicyProvider'];

/** A provider already in the stack's tree, made by another copy of this library, which the maps above cannot see. */
function providerInTree(stack: Stack): { readonly provider: string; readonly createdFor: string } | undefined {
  const provider = PROVIDER_IDS.find(id => stack.node.tryFindChild(id));
  return provider ? { provider, createdFor: 'a construct of another copy of this library' } : undefined;
}

/** Whether the stack has a provider of this library (created by this copy of it or another). */
function hasProvider(stack: Stack): boolean {
  return PROVIDER_IDS.some(id => stack.node.tryFindChild(id) !== undefined);
}

/** The names of the settings given, for a message. */
function givenSettings(props: ComprehendProviderProps): string {
  return Object.entries(props).filter(([, value]) => value !== undefined).map(([key]) => key).join(', ') || 'none';
}

/**
 * configure() on a stack none of whose constructs runs through a provider sets nothing: the providers are created in
 * the stack of the model, endpoint or share that needs them (a nested stack's are its own), so the stack meant to be
 * configured, if the app has one, runs with the defaults. Typical: configure() on one stack of the app and the models
 * in another, or on a parent stack whose models are in a nested stack.
 */
function warnOfUnusedSettings(scope: Construct, stack: Stack, props: ComprehendProviderProps): void {
  if (hasProvider(stack)) {
    return;
  }
  const withDefaults = scope.node.root.node.findAll()
    .filter((construct): construct is Stack => Stack.isStack(construct) && construct !== stack && hasProvider(construct)
      && !settingsOfStack.has(construct))
    .map(other => other.node.path);
  const others = withDefaults.length === 0 ? ''
    : `, while ${withDefaults.length === 1 ? 'stack' : 'stacks'} ${withDefaults.join(', ')} ${withDefaults.length === 1 ? 'holds' : 'hold'} ` +
      'such constructs and run their providers with the default settings';
  Annotations.of(scope).addWarningV2(UNUSED_SETTINGS_WARNING,
    `ComprehendProvider.configure() sets the providers of stack ${stack.node.path} (settings: ${givenSettings(props)}), but ` +
    'no ImportedComprehendModel, ModelEndpoint or SharedModelPolicy of that stack runs through a provider, so the ' +
    `settings reach nothing${others}. Expected configure() with the stack that holds those constructs as scope (a nested ` +
    'stack has providers of its own: configure it with the nested stack): move the call there, or remove it; if this ' +
    `stack is meant to hold none of them, acknowledge: ${howToAcknowledge(UNUSED_SETTINGS_WARNING)}`);
}

/**
 * What the functions of the providers call, by the short name of its VPC endpoint service: the handlers call
 * Comprehend and CloudFormation (DescribeStackResource, DescribeStacks), the framework's functions Lambda and Step
 * Functions, and every answer goes to CloudFormation's response URL in Amazon S3. CloudWatch Logs is not among them:
 * Lambda and Step Functions deliver the logs themselves, outside the functions' subnets.
 */
const SERVICES_CALLED: Record<string, string> = {
  comprehend: 'Comprehend',
  cloudformation: 'CloudFormation',
  s3: 'Amazon S3',
  lambda: 'Lambda',
  states: 'Step Functions',
};

/**
 * Functions in isolated subnets only reach what the VPC's endpoints reach: without an endpoint for each service they
 * call, a deploy waits for the functions' timeouts, then for the resource's ServiceTimeout. The subnets the functions
 * get are those `vpc.selectSubnets(vpcSubnets)` returns (as lambda.Function asks); isolated ones are the VPC's
 * `isolatedSubnets`, which a Vpc, Vpc.fromLookup() and Vpc.fromVpcAttributes() each list. Endpoints of the VPC defined in
 * this app are looked for; those made elsewhere cannot be seen, hence a warning to acknowledge rather than an error.
 */
function warnOfIsolatedSubnets(scope: Construct, props: ComprehendProviderProps): void {
  const vpc = props.vpc;
  if (!vpc) {
    return;
  }
  let subnets: ec2.ISubnet[];
  try {
    subnets = vpc.selectSubnets(props.vpcSubnets).subnets;
  } catch {
    // A selection the VPC cannot make fails the synth in the functions themselves.
    return;
  }
  const isolated = vpc.isolatedSubnets;
  const isIsolated = (subnet: ec2.ISubnet) => isolated.some(known => known === subnet || known.subnetId === subnet.subnetId);
  if (subnets.length === 0 || !subnets.every(isIsolated)) {
    return;
  }
  const reached = endpointServicesOf(scope.node.root, vpc);
  const missing = Object.keys(SERVICES_CALLED).filter(service => !reached.has(service));
  if (missing.length === 0) {
    return;
  }
  const ids = subnets.map(subnet => Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId);
  const selection = props.vpcSubnets ? 'vpcSubnets selects' : 'vpcSubnets is unset, and the VPC\'s default selection is';
  Annotations.of(scope).addWarningV2(ISOLATED_SUBNETS_WARNING,
    `ComprehendProvider.configure() puts every function of the providers in isolated subnets: ${selection} ` +
    `${ids.join(', ')}, all of them isolated (ec2.SubnetType.PRIVATE_ISOLATED), with no route out of the VPC. The functions ` +
    `call ${Object.values(SERVICES_CALLED).join(', ')} (CloudFormation's response URL), and the app defines no VPC endpoint ` +
    `of this VPC for ${missing.join(', ')}: without one, every import, endpoint and share waits until the functions time ` +
    'out and the deploy fails. Expected subnets with a route out (vpcSubnets: { subnetType: ' +
    'ec2.SubnetType.PRIVATE_WITH_EGRESS }, through a NAT gateway) or VPC endpoints for ' +
    `${Object.keys(SERVICES_CALLED).join(', ')}: select such subnets, or add the endpoints; if the VPC has them already ` +
    `(made outside this app), acknowledge: ${howToAcknowledge(ISOLATED_SUBNETS_WARNING)}`);
}

/**
 * The services (the last part of the service name, `com.amazonaws.REGION.SERVICE`) of the app's VPC endpoints in `vpc`:
 * ec2's InterfaceVpcEndpoint and GatewayVpcEndpoint, or any AWS::EC2::VPCEndpoint, whichever construct made them.
 */
function endpointServicesOf(root: IConstruct, vpc: ec2.IVpc): Set<string> {
  const services = new Set<string>();
  for (const construct of root.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || construct.cfnResourceType !== ec2.CfnVPCEndpoint.CFN_RESOURCE_TYPE_NAME) {
      continue;
    }
    const endpoint = construct as ec2.CfnVPCEndpoint;
    // The same token (a Ref of the VPC) in any stack, or the same ID of a VPC looked up.
    if (endpoint.vpcId !== vpc.vpcId) {
      continue;
    }
    const service = /\.([a-z0-9-]+)$/.exec(lastLiteral(Stack.of(endpoint).resolve(endpoint.serviceName)) ?? '')?.[1];
    if (service) {
      services.add(service);
    }
  }
  return services;
}

/** The literal end of a resolved string: the string, or the last part of an `Fn::Join`; undefined if a token ends it. */
function lastLiteral(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  return join && join[0] === '' && join[1].length > 0 ? lastLiteral(join[1][join[1].length - 1]) : undefined;
}

/**
 * The handlers' runtime unless the settings give a newer one: the newest Node.js runtime of aws-cdk-lib 2.273.0, the
 * library's floor, pinned here so that a newer aws-cdk-lib does not change the templates (`determineLatestNodeRuntime`
 * would). The bundles are built for `--target=node22` (.projenrc.ts): code for Node.js 22 runs as well on any newer
 * Node.js runtime, so the target need not follow.
 */
export const DEFAULT_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** The major version of a Node.js runtime's name (`nodejs24.x`: 24), if it has one. */
function nodeMajor(name: string): number | undefined {
  const major = /^nodejs([0-9]+)(\.|$)/.exec(name)?.[1];
  return major === undefined ? undefined : Number(major);
}
/** The major version of DEFAULT_RUNTIME: `runtime` must be at least as new. */
const DEFAULT_NODE_MAJOR = nodeMajor(DEFAULT_RUNTIME.name)!;
const RUNTIME_FORM = `lambda.Runtime.NODEJS_24_X or a newer Node.js runtime (nodejsNN.x, NN at least ${DEFAULT_NODE_MAJOR})`;
/** The instruction sets Lambda offers. */
const ARCHITECTURES = ['x86_64', 'arm64'];

/**
 * The log settings of a handler function: a log level implies the JSON format (the only format Lambda filters levels
 * in; validate() refuses a level with TEXT), and with none of them Lambda's defaults (text) stay.
 */
export function handlerLogging(settings: ComprehendProviderProps): Pick<lambda.FunctionProps, 'loggingFormat' | 'applicationLogLevelV2' | 'systemLogLevelV2'> {
  const { applicationLogLevel, systemLogLevel } = settings;
  const levels = applicationLogLevel !== undefined || systemLogLevel !== undefined;
  return {
    loggingFormat: settings.loggingFormat ?? (levels ? lambda.LoggingFormat.JSON : undefined),
    applicationLogLevelV2: applicationLogLevel,
    systemLogLevelV2: systemLogLevel,
  };
}

const MEMORY_MB = { min: 128, max: 10_240 };
/** At most 14 minutes: the framework's functions, which wait for a handler's answer, run 15 at most themselves. */
const TIMEOUT_MINUTES = { min: 1, max: 14 };

function validate(props: ComprehendProviderProps, scope: Construct): void {
  const { memorySize, timeout } = props;
  if (memorySize !== undefined && !Token.isUnresolved(memorySize)
    && (!Number.isInteger(memorySize) || memorySize < MEMORY_MB.min || memorySize > MEMORY_MB.max)) {
    throw invalidProp(`memorySize ${memorySize} is out of range; expected a whole number of MB from ${MEMORY_MB.min} to ${MEMORY_MB.max}`, scope);
  }
  if (timeout !== undefined && !timeout.isUnresolved()) {
    const seconds = timeout.toSeconds();
    if (seconds < TIMEOUT_MINUTES.min * 60 || seconds > TIMEOUT_MINUTES.max * 60) {
      throw invalidProp(
        `timeout ${timeout.toHumanString()} is out of range; expected ${TIMEOUT_MINUTES.min} to ${TIMEOUT_MINUTES.max} minutes ` +
        '(the framework\'s functions wait for the handler and run at most 15 minutes, and a handler needs room for the SDK\'s retries)',
        scope,
      );
    }
  }
  validateRuntime(props.runtime, scope);
  const architecture = props.architecture?.name;
  if (architecture !== undefined && !Token.isUnresolved(architecture) && !ARCHITECTURES.includes(architecture)) {
    throw invalidProp(`architecture ${architecture} is not one Lambda offers; expected lambda.Architecture.ARM_64 or lambda.Architecture.X86_64`, scope);
  }
  if (props.loggingFormat === lambda.LoggingFormat.TEXT) {
    const levels = [
      props.applicationLogLevel !== undefined ? `applicationLogLevel (${props.applicationLogLevel})` : undefined,
      props.systemLogLevel !== undefined ? `systemLogLevel (${props.systemLogLevel})` : undefined,
    ].filter(level => level !== undefined);
    if (levels.length > 0) {
      throw invalidProp(
        `${levels.join(' and ')} ${levels.length > 1 ? 'are' : 'is'} set with loggingFormat ${props.loggingFormat}; expected ` +
        'loggingFormat JSON, or no loggingFormat (a log level then means JSON): Lambda filters log levels only in the JSON format',
        scope,
      );
    }
  }
  if (!props.vpc && (props.vpcSubnets || props.securityGroups)) {
    throw invalidProp(`${props.vpcSubnets ? 'vpcSubnets' : 'securityGroups'} is set without vpc; expected vpc too, or neither`, scope);
  }
  if (props.logGroup && props.logRetention !== undefined) {
    throw invalidProp(
      `logRetention (${props.logRetention} days) is set with logGroup; expected one of them: the retention of your own log ` +
      'group is yours to set',
      scope,
    );
  }
}

/** Refuses a runtime that is not Node.js, or older than DEFAULT_RUNTIME (a name known only at deploy time passes). */
function validateRuntime(runtime: lambda.Runtime | undefined, scope: Construct): void {
  if (runtime === undefined || Token.isUnresolved(runtime.name)) {
    return;
  }
  if (runtime.family !== lambda.RuntimeFamily.NODEJS || !runtime.name.startsWith('nodejs')) {
    throw invalidProp(`runtime ${runtime.name} is not a Node.js runtime; expected ${RUNTIME_FORM}: the handlers are JavaScript bundles`, scope);
  }
  const major = nodeMajor(runtime.name);
  if (major === undefined || major < DEFAULT_NODE_MAJOR) {
    throw invalidProp(`runtime ${runtime.name} is older than the default, ${DEFAULT_RUNTIME.name}; expected ${RUNTIME_FORM}`, scope);
  }
}

/** The names of the settings that differ, constructs compared by identity, runtimes and architectures by name. */
function differingSettings(a: ComprehendProviderProps, b: ComprehendProviderProps): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter(key => key !== 'askedBy')) as Set<keyof ComprehendProviderProps>;
  return [...keys].filter(key => !sameSetting(a[key], b[key]));
}

function sameSetting(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (a instanceof lambda.Runtime && b instanceof lambda.Runtime) {
    return a.name === b.name && a.family === b.family;
  }
  if (a instanceof lambda.Architecture && b instanceof lambda.Architecture) {
    return a.name === b.name;
  }
  if (a instanceof Duration && b instanceof Duration) {
    return !a.isUnresolved() && !b.isUnresolved() && a.toMilliseconds() === b.toMilliseconds();
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameSetting(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every(key => sameSetting(a[key], b[key]));
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
