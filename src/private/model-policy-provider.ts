import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFrameworkFindings, frameworkProps } from './framework';
import { HandlerRole } from './handler-role';
import { PolicyOnEventFunction } from './policy-on-event-function';
import { stackSingleton } from './stack-singleton';

const PROVIDER_ID = 'ComprehendModelPolicyProvider';

/** The custom resource provider of every SharedModelPolicy in a stack whose model is not defined in the stack. */
export class ModelPolicyProvider extends Construct {
  /** The stack's provider, created with the first policy that needs it. */
  public static of(scope: Construct): ModelPolicyProvider {
    return stackSingleton(scope, PROVIDER_ID, (stack, id) => new ModelPolicyProvider(stack, id));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;
  private readonly handlerRole: HandlerRole;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.handlerRole = new HandlerRole(this, 'HandlerRole', 'Attaches and removes the resource-based policies of shared Comprehend models');
    const onEventHandler = new PolicyOnEventFunction(this, 'OnEvent', {
      role: this.handlerRole,
      memorySize: 256,
      timeout: Duration.minutes(2),
      description: 'Attaches and removes the resource-based policy of a shared Comprehend model',
      logGroup: this.handlerRole.logGroup(this, 'OnEventLogs'),
    });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler, ...frameworkProps(this, false) });
    this.serviceToken = provider.serviceToken;
    acknowledgeFrameworkFindings(this, provider, [onEventHandler]);
  }

  /** Lets the handler put, describe and delete the resource-based policy of `modelArn`, and of nothing else. */
  public allowManagingPolicyOf(modelArn: string): void {
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['comprehend:PutResourcePolicy', 'comprehend:DescribeResourcePolicy', 'comprehend:DeleteResourcePolicy'],
      resources: [modelArn],
    }));
  }
}
