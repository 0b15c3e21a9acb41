import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The execution role of a provider's handlers: no managed policy, only what each handler is granted, plus
 * writing to the handlers' own log groups.
 */
export class HandlerRole extends iam.Role {
  constructor(scope: Construct, id: string, description: string) {
    super(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  }

  /** A log group for one handler, kept a year, that this role may write to. */
  public logGroup(scope: Construct, id: string): logs.LogGroup {
    const logGroup = new logs.LogGroup(scope, id, { retention: logs.RetentionDays.ONE_YEAR });
    logGroup.grantWrite(this);
    return logGroup;
  }
}
