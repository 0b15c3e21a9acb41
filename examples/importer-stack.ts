import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { alarmTopic } from './alarm-topic';
import { EvaluationMetric, ImportedComprehendModel } from '../src';

/** What the sharer account hands over: the model version ARNs and, for the encrypted model, its key. */
export interface ImporterStackProps extends StackProps {
  /** A model version shared with an AWS owned key. */
  readonly sharedModelArn: string;
  /** A model version shared encrypted with the sharer's customer managed key. */
  readonly encryptedModelArn: string;
  /** The sharer's key that encrypts it. */
  readonly encryptedModelKeyArn: string;
}

/** The importer account: copies both shared models into its own account. */
export class ImporterStack extends Stack {
  constructor(scope: Construct, id: string, props: ImporterStackProps) {
    super(scope, id, props);

    // An AWS owned key on both sides: no service role is needed. The copy serves only if its evaluation on the
    // sharer's test documents is good enough, and a new version only if it is no worse than the one it replaces
    // (a plain-text recognizer reports its metrics from 0 to 100).
    const productNames = new ImportedComprehendModel(this, 'ProductNames', {
      sourceModelArn: props.sharedModelArn,
      qualityGate: { minimum: { f1Score: 80, precision: 80 }, noWorseThanReplaced: true },
      tags: { team: 'catalog' },
    });
    new CfnOutput(this, 'ProductNamesF1Score', {
      description: 'The F1 score of the product-names copy on the sharer\'s test documents',
      value: productNames.evaluationMetric(EvaluationMetric.F1_SCORE),
    });

    // The sharer's customer managed key in, our own customer managed key out.
    const modelKey = new kms.Key(this, 'ModelKey', {
      description: 'Encrypts the imported support-tickets classifier',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const supportTickets = new ImportedComprehendModel(this, 'SupportTickets', {
      sourceModelArn: props.encryptedModelArn,
      sourceModelKey: kms.Key.fromKeyArn(this, 'SharerKey', props.encryptedModelKeyArn),
      modelKey,
      modelName: 'support-tickets',
      removalPolicy: RemovalPolicy.RETAIN,
      timeout: Duration.minutes(30),
    });

    // Serve the recognizer copy, and let the catalog tagger detect entities with it.
    const endpoint = productNames.addEndpoint('Endpoint', { desiredInferenceUnits: 1 });
    // Between 1 and 4 inference units, keeping the endpoint about 70% busy; a deploy keeps what the scaler set.
    endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 4 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
    // The on-call should know when even 4 units are not enough.
    const onCall = alarmTopic(this, 'OnCall');
    new cloudwatch.Alarm(this, 'EndpointSaturated', {
      alarmDescription: 'The product-names endpoint has run above 90% of its inference units for 5 minutes',
      metric: endpoint.metricInferenceUtilization(),
      threshold: 90,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cloudwatchActions.SnsAction(onCall));
    // An endpoint bills every second it exists, busy or not: tell the on-call when it has served nothing for a day.
    endpoint.addIdleAlarm('Idle', { idleFor: Duration.hours(24) }).addAlarmAction(new cloudwatchActions.SnsAction(onCall));
    const tagger = new iam.Role(this, 'CatalogTagger', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The catalog tagger: finds product names in listings',
    });
    endpoint.grantInference(tagger);
    // And let the nightly batch classify ticket archives with the classifier copy.
    const batch = new iam.Role(this, 'NightlyBatch', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    supportTickets.grantStartJobs(batch);
    Validations.of(batch).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:comprehend:${this.region}:${this.account}:document-classification-job/*]`,
      reason: 'A job\'s ARN exists only once it starts: the batch may start classification jobs of this account, with this model only.',
    });

    Tags.of(this).add('cost-center', 'nlp');
  }
}
