import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { ProviderSettings } from './provider-settings';

/** The AWS managed policy that lets Lambda attach a function to a VPC (what lambda.Function gives a role of its own). */
const VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';
export const DEFAULT_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * The execution role of a provider's functions: only what each function is granted, writing to the functions' log
 * groups, and, when the stack's settings name a VPC, the one managed policy that lets Lambda attach them to it.
 */
export class HandlerRole extends iam.Role {
  private readonly settings: ProviderSettings;

  constructor(scope: Construct, id: string, description: string, settings: ProviderSettings) {
    super(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
    this.settings = settings;
    if (settings.vpc) {
      // Lambda checks the role's network-interface permissions when it creates the function, so they are part of the
      // role itself (a managed policy ARN on it), not a separate policy the function might be created before.
      this.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(VPC_ACCESS_POLICY));
      acknowledge(this, {
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${VPC_ACCESS_POLICY}]`,
        reason: 'The stack\'s provider settings attach the functions to a VPC; this AWS managed policy holds the network '
          + 'interface permissions Lambda needs for it (ec2:CreateNetworkInterface and the like take no resource-level permissions).',
      });
    }
  }

  /** A log group for one function that this role may write to: the settings' own, or one kept for their retention. */
  public logGroup(scope: Construct, id: string): logs.ILogGroup {
    const logGroup = this.settings.logGroup
      ?? new logs.LogGroup(scope, id, { retention: this.settings.logRetention ?? DEFAULT_RETENTION });
    logGroup.grantWrite(this);
    return logGroup;
  }
}
