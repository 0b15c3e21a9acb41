import { CfnOutput, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SharedModelPolicy } from '../src';

export interface SharerStackProps extends StackProps {
  /** The accounts that may import the models. */
  readonly importerAccounts: string[];
  /** A model version trained earlier, outside this stack, encrypted with an AWS owned key. */
  readonly existingModelArn: string;
  /** The bucket that holds the classifier's training data. */
  readonly trainingBucketName: string;
}

/** The sharer account: shares one existing model version and one classifier it trains itself. */
export class SharerStack extends Stack {
  constructor(scope: Construct, id: string, props: SharerStackProps) {
    super(scope, id, props);

    // 1. A model trained elsewhere: its resource-based policy is attached with PutResourcePolicy.
    new SharedModelPolicy(this, 'ShareProductNames', {
      modelArn: props.existingModelArn,
      importerAccounts: props.importerAccounts,
    });

    // 2. A classifier of this stack, encrypted with this stack's customer managed key.
    const modelKey = new kms.Key(this, 'ModelKey', {
      description: 'Encrypts the support-tickets classifier',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const trainingRole = new iam.Role(this, 'TrainingRole', {
      assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
    });
    s3.Bucket.fromBucketName(this, 'TrainingData', props.trainingBucketName).grantRead(trainingRole);
    Validations.of(trainingRole).acknowledge(
      ...['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', `Resource::arn:<AWS::Partition>:s3:::${props.trainingBucketName}/*`]
        .map(finding => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: 'Comprehend reads the training data: read-only, in the training bucket only.' })),
    );
    modelKey.grant(trainingRole, 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey');
    const classifier = new comprehend.CfnDocumentClassifier(this, 'SupportTickets', {
      documentClassifierName: 'support-tickets',
      versionName: 'v1',
      languageCode: 'en',
      dataAccessRoleArn: trainingRole.roleArn,
      inputDataConfig: { s3Uri: `s3://${props.trainingBucketName}/support-tickets/train.csv` },
      modelKmsKeyId: modelKey.keyArn,
    });
    classifier.node.addDependency(trainingRole);

    // Its ModelPolicy, and the key-policy statements that let the importer decrypt this model (and no other).
    const share = new SharedModelPolicy(this, 'ShareSupportTickets', {
      documentClassifier: classifier,
      importerAccounts: props.importerAccounts,
      modelKey,
    });

    // What the importer needs, handed over as plain strings.
    new CfnOutput(this, 'SupportTicketsVersionArn', { value: share.modelArn });
    new CfnOutput(this, 'SupportTicketsKeyArn', { value: modelKey.keyArn });
  }
}
