import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * An encrypted SNS topic that CloudWatch alarms can publish to. The AWS managed key of SNS (`alias/aws/sns`) would not
 * do: its key policy, which nobody can change, does not let CloudWatch use it, so the alarms' notifications would never
 * arrive. This key lets CloudWatch encrypt the messages it publishes, and nothing else.
 */
export function alarmTopic(scope: Construct, id: string): sns.Topic {
  const key = new kms.Key(scope, `${id}Key`, {
    description: 'Encrypts the alarm topic, and lets CloudWatch publish to it',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
  }));
  return new sns.Topic(scope, id, { masterKey: key, enforceSSL: true });
}
