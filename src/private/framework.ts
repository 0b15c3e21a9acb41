import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { DEFAULT_RETENTION, HandlerRole } from './handler-role';
import { ProviderSettings } from './provider-settings';

/**
 * The parts of a `custom-resources` Provider this library decides instead of the framework: roles for the
 * framework's functions with no AWS managed policy, a log group with a retention for them, and the stack's provider
 * settings (VPC, environment encryption, logs; for the waiter, its logging). The waiter's functions get a role of
 * their own: sharing the onEvent role would make the role's policy (which may start the waiter) and the waiter (which
 * names those functions) depend on each other.
 */
export function frameworkProps(scope: Construct, withWaiter: boolean, settings: ProviderSettings): Partial<cr.ProviderProps> {
  const onEventRole = new HandlerRole(scope, 'FrameworkRole', 'Runs the custom resource framework: invokes the handlers, answers CloudFormation', settings);
  const logGroup = onEventRole.logGroup(scope, 'FrameworkLogs');
  const common: Partial<cr.ProviderProps> = {
    frameworkOnEventRole: onEventRole,
    logGroup,
    vpc: settings.vpc,
    vpcSubnets: settings.vpcSubnets,
    securityGroups: settings.securityGroups,
    providerFunctionEnvEncryption: settings.environmentEncryption,
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
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The framework functions run on the latest Node.js runtime the installed aws-cdk-lib knows, chosen by the '
      + 'Provider at synth time (a token the check cannot read).',
  });
  const waiter = provider.node.tryFindChild('waiter-state-machine');
  if (waiter) {
    Validations.of(waiter).acknowledge(
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
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagRendering(Stack.of(scope).resolve(resource))}]`, reason });
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
