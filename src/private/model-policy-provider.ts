import { createHash } from 'crypto';
import { Duration, Stack } from 'aws-cdk-lib';
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

  /**
   * A policy of the handler role that lets it put, describe and delete the resource-based policy of `modelArn`, and of
   * nothing else, for the share `scope`; the share's custom resource must depend on it.
   *
   * One policy resource per share and model, whose logical id changes with the model: moving a share from v1 to v2
   * creates the policy for v2 and removes the one for v1, and CloudFormation deletes a removed resource after the
   * resources that depended on it. So the share's Delete of its v1 statements, sent in the cleanup phase, still has
   * its permission (an in-place update of one policy would take it away in the update phase, before the cleanup).
   */
  public permissionFor(scope: Construct, modelArn: string): iam.Policy {
    const model = JSON.stringify(Stack.of(scope).resolve(modelArn));
    const id = `PolicyPermission${createHash('sha256').update(model).digest('hex').slice(0, 8)}`;
    return new iam.Policy(scope, id, {
      roles: [this.handlerRole],
      statements: [new iam.PolicyStatement({
        actions: ['comprehend:PutResourcePolicy', 'comprehend:DescribeResourcePolicy', 'comprehend:DeleteResourcePolicy'],
        resources: [modelArn],
      })],
    });
  }
}
