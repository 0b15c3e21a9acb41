import { AspectPriority, Aspects, Duration, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './acknowledge';
import { DEFAULT_RETENTION, HandlerRole } from './handler-role';
import { ProviderSettings } from './provider-settings';

/**
 * The parts of a `custom-resources` Provider this library decides instead of the framework: roles for the
 * framework's functions with no AWS managed policy, a log group with a retention for them, and the stack's provider
 * settings (VPC, environment encryption, logs, application log level; for the waiter, its logging). The waiter's
 * functions get a role of their own: sharing the onEvent role would make the role's policy (which may start the
 * waiter) and the waiter (which names those functions) depend on each other.
 *
 * The settings the Provider has no prop for (runtime, architecture, system log level) reach the
 * framework's functions through FrameworkFunctionSettings, an Aspect registered here on `scope`, which the Provider
 * must be created in.
 */
export function frameworkProps(scope: Construct, withWaiter: boolean, settings: ProviderSettings): Partial<cr.ProviderProps> {
  const onEventRole = new HandlerRole(scope, 'FrameworkRole', 'Runs the custom resource framework: invokes the handlers, answers CloudFormation', settings);
  const logGroup = onEventRole.logGroup(scope, 'FrameworkLogs');
  if (FrameworkFunctionSettings.needed(settings)) {
    Aspects.of(scope).add(new FrameworkFunctionSettings(settings), { priority: AspectPriority.MUTATING });
  }
  const common: Partial<cr.ProviderProps> = {
    frameworkOnEventRole: onEventRole,
    logGroup,
    vpc: settings.vpc,
    vpcSubnets: settings.vpcSubnets,
    securityGroups: settings.securityGroups,
    providerFunctionEnvEncryption: settings.environmentEncryption,
    // The framework's functions log JSON, at FATAL unless a level is given (the Provider's defaults, which keep the
    // events they pass on out of the logs): a level of the settings is theirs too.
    frameworkLambdaLoggingLevel: settings.applicationLogLevel,
  };
  if (!withWaiter) {
    return common;
  }
  const waiterRole = new HandlerRole(scope, 'FrameworkWaiterRole', 'Runs the custom resource framework\'s isComplete and timeout functions', settings);
  logGroup.grantWrite(waiterRole);
  const level = settings.waiterLogLevel ?? sfn.LogLevel.ALL;
  if (level === sfn.LogLevel.OFF) {
    return { ...common, frameworkCompleteAndTimeoutRole: waiterRole, disableWaiterStateMachineLogging: true };
  }
  return {
    ...common,
    frameworkCompleteAndTimeoutRole: waiterRole,
    disableWaiterStateMachineLogging: false,
    waiterStateMachineLogOptions: {
      destination: settings.logGroup ?? new logs.LogGroup(scope, 'WaiterLogs', { retention: settings.logRetention ?? DEFAULT_RETENTION }),
      level,
    },
  };
}

/**
 * The stack's settings that `cr.ProviderProps` has no prop for, written on the CfnFunctions of the framework's
 * functions (`framework-onEvent`, `framework-isComplete`, `framework-onTimeout` of a `cr.Provider`): the runtime, the
 * architecture and the system log level. Only what the settings give: otherwise the functions keep the Provider's (the
 * newest Node.js runtime aws-cdk-lib knows, x86_64, Lambda's system log level). Their code, the framework's
 * JavaScript, runs on either architecture and on any Node.js runtime at least as new as the Provider's floor.
 *
 * `loggingFormat` does not reach them: they log JSON whatever it says, because the Provider keeps the events they
 * pass on out of the logs by filtering their records at FATAL, and Lambda filters levels only in the JSON format (in
 * text, every event would be logged).
 */
class FrameworkFunctionSettings implements IAspect {
  public static needed(settings: ProviderSettings): boolean {
    return [settings.runtime, settings.architecture, settings.systemLogLevel].some(setting => setting !== undefined);
  }

  constructor(private readonly settings: ProviderSettings) {}

  public visit(node: IConstruct): void {
    const fn = node.node.scope;
    if (!(node instanceof lambda.CfnFunction) || !fn?.node.id.startsWith('framework-') || !(fn.node.scope instanceof cr.Provider)) {
      return;
    }
    const { runtime, architecture, systemLogLevel } = this.settings;
    if (runtime) {
      node.runtime = runtime.name;
    }
    if (architecture) {
      node.architectures = [architecture.name];
    }
    if (systemLogLevel !== undefined) {
      const current = node.loggingConfig;
      if (Token.isUnresolved(current)) {
        node.addPropertyOverride('LoggingConfig.SystemLogLevel', systemLogLevel);
      } else {
        node.loggingConfig = { ...current, systemLogLevel };
      }
    }
  }
}

/** aws-cdk-lib's timeout of the framework's functions (FRAMEWORK_HANDLER_TIMEOUT in provider-framework/provider.js). */
const FRAMEWORK_FUNCTION_TIMEOUT = Duration.minutes(15);
/**
 * What the framework's onEvent may spend around a handler's invocation: waiting up to 5 minutes for the handler to be
 * active when its first invoke fails (waitUntilFunctionActiveV2, maxWaitTime 300, in provider-framework/runtime/
 * outbound.js), then a minute for its own start and the answer's PUT to the response URL (5 attempts, 1 to 16 seconds
 * apart, in runtime/cfn-response.js).
 */
const FRAMEWORK_OVERHEAD = Duration.minutes(6);
/** CloudFormation's asynchronous invocation of the framework reaching it, and its cold start. */
const DELIVERY = Duration.minutes(1);
/** The framework's own time around a request, beside its handlers': what a ServiceTimeout must leave room for. */
export const FRAMEWORK_SECONDS = FRAMEWORK_OVERHEAD.toSeconds() + DELIVERY.toSeconds();

/**
 * The `serviceTimeout` of a custom resource whose provider has no waiter, so that onEvent's answer is the resource's:
 * the latest an answer can come when the handler runs at most `handlerTimeout` per invocation (its own retries,
 * of its SDK calls and of its writes, happen inside it). CloudFormation's default, an hour, is what a resource whose
 * answer cannot arrive (a VPC without a route to S3 for the response URL) otherwise holds the stack for (aws/aws-cdk
 * issues 30517 and 33837). Never more than the framework function can live, plus the delivery.
 */
export function synchronousServiceTimeout(handlerTimeout: Duration | undefined): Duration {
  const framework = FRAMEWORK_FUNCTION_TIMEOUT.toSeconds();
  const bound = handlerTimeout === undefined || handlerTimeout.isUnresolved()
    ? framework
    : Math.min(handlerTimeout.toSeconds() + FRAMEWORK_OVERHEAD.toSeconds(), framework);
  return Duration.seconds(bound + DELIVERY.toSeconds());
}

/**
 * Acknowledges the cdk-nag findings that come with the `custom-resources` framework itself, each with the
 * reason a security reviewer can accept, and each by its exact finding id.
 */
export function acknowledgeFrameworkFindings(scope: Construct, provider: cr.Provider, handlers: lambda.IFunction[]): void {
  const framework = ['framework-isComplete', 'framework-onTimeout']
    .map(id => provider.node.tryFindChild(id) as lambda.IFunction | undefined)
    .filter((fn): fn is lambda.IFunction => fn !== undefined);
  for (const fn of [...handlers, ...framework]) {
    acknowledgeWildcard(scope, `${fn.functionArn}:*`,
      'The framework invokes its own functions and their versions (`<function ARN>:*`), as the Provider grants itself.');
  }
  acknowledge(scope, {
    id: 'AwsSolutions-L1',
    reason: 'The framework functions run on the latest Node.js runtime the installed aws-cdk-lib knows, chosen by the '
      + 'Provider at synth time (a token the check cannot read).',
  });
  const waiter = provider.node.tryFindChild('waiter-state-machine');
  if (waiter) {
    acknowledge(waiter,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and the like) takes no resource-level '
          + 'permissions; the waiter logs its executions there.',
      },
      { id: 'AwsSolutions-SF2', reason: 'The Provider offers no X-Ray tracing for its waiter; its executions are logged instead (level ALL unless the stack\'s provider settings say otherwise).' },
    );
  }
}

/** Acknowledges the AwsSolutions-IAM5 finding for one wildcard resource, by its exact finding id. */
export function acknowledgeWildcard(scope: IConstruct, resource: string, reason: string): void {
  acknowledge(scope, { id: `AwsSolutions-IAM5[Resource::${nagRendering(Stack.of(scope).resolve(resource))}]`, reason });
}

/** How cdk-nag spells a resolved value in a finding id: `<Ref>`, `<LogicalId.Attribute>`, joins flattened. */
function nagRendering(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value.Ref) {
    return `<${value.Ref}>`;
  }
  if (value['Fn::GetAtt']) {
    return `<${value['Fn::GetAtt'].join('.')}>`;
  }
  if (value['Fn::Join']) {
    return value['Fn::Join'][1].map(nagRendering).join(value['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}
