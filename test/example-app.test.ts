import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { defineCrossAccountStacks } from '../examples/cross-account';
import { IMPORTER, SHARER } from './support/fixtures';

const RECOGNIZER = `arn:aws:comprehend:us-west-2:${SHARER}:entity-recognizer/product-names/version/v3`;
const CLASSIFIER = `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/support-tickets/version/v1`;

function exampleTemplates() {
  const { sharer, importer } = defineCrossAccountStacks(new App());
  return { sharer: Template.fromStack(sharer), importer: Template.fromStack(importer) };
}

/** Asset hashes change with every handler change; the handler tests cover those bytes. */
function stable(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

test('the sharer shares the existing model by PutResourcePolicy, and its own classifier by ModelPolicy', () => {
  const { sharer } = exampleTemplates();

  sharer.hasResourceProperties('Custom::ComprehendModelPolicy', { ModelArn: RECOGNIZER });
  sharer.hasResourceProperties('AWS::Comprehend::DocumentClassifier', {
    DocumentClassifierName: 'support-tickets',
    VersionName: 'v1',
    ModelPolicy: Match.anyValue(),
    ModelKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelKey'), 'Arn'] },
  });
  // The importer may use the key for this classifier only.
  sharer.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([Match.objectLike({
        Sid: Match.stringLikeRegexp('^ComprehendImportCreateGrant'),
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${IMPORTER}:root`]] } },
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:comprehend:arn': Match.anyValue() } },
      })]),
    },
  });
});

test('the importer copies both shared models', () => {
  const { importer } = exampleTemplates();

  importer.resourceCountIs('Custom::ComprehendImportedModel', 2);
  importer.hasResource('Custom::ComprehendImportedModel', {
    // The type is read from the ARN, and Delete is CloudFormation's default: neither is rendered.
    Properties: Match.objectLike({ SourceModelArn: RECOGNIZER, ModelType: Match.absent(), DataAccessRoleArn: Match.absent() }),
    DeletionPolicy: Match.absent(),
  });
  importer.hasResource('Custom::ComprehendImportedModel', {
    Properties: Match.objectLike({
      SourceModelArn: CLASSIFIER,
      ModelName: 'support-tickets',
      ModelKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelKey'), 'Arn'] },
      DataAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendImportServiceRole'), 'Arn'] },
      TimeoutSeconds: '1800',
    }),
    DeletionPolicy: 'Retain',
  });
  // Only the import with customer managed keys has a service role.
  importer.resourcePropertiesCountIs('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'comprehend.amazonaws.com' } })] },
  }, 1);
});

test('the importer serves the recognizer copy and grants inference and batch jobs', () => {
  const { importer } = exampleTemplates();

  importer.hasResourceProperties('Custom::ComprehendModelEndpoint', {
    ModelArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductNames'), 'ModelArn'] },
    ModelType: 'entity-recognizer',
    DesiredInferenceUnits: '1',
  });
  importer.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^CatalogTagger') }],
    PolicyDocument: {
      Statement: [{
        Action: 'comprehend:DetectEntities',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductNamesEndpoint'), 'EndpointArn'] },
      }],
    },
  });
  importer.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^NightlyBatch') }],
    PolicyDocument: { Statement: [Match.objectLike({ Action: 'comprehend:StartDocumentClassificationJob' })] },
  });
});

test('the importer scales the endpoint on utilization and alarms when it runs hot', () => {
  const { importer } = exampleTemplates();
  const endpointArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductNamesEndpoint'), 'EndpointArn'] };

  importer.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ServiceNamespace: 'comprehend',
    ScalableDimension: 'comprehend:entity-recognizer-endpoint:DesiredInferenceUnits',
    ResourceId: endpointArn,
    MinCapacity: 1,
    MaxCapacity: 4,
  });
  importer.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ComprehendInferenceUtilization' }, TargetValue: 70 },
  });
  importer.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/Comprehend',
    MetricName: 'InferenceUtilization',
    Dimensions: [{ Name: 'EndpointArn', Value: endpointArn }],
    Statistic: 'Sum',
    Period: 60,
    Threshold: 90,
    EvaluationPeriods: 5,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^OnCall') }],
  });
});

test('the importer gates the served copy on its metrics, outputs its F1 score, and alarms when the endpoint idles', () => {
  const { importer } = exampleTemplates();
  const endpointArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductNamesEndpoint'), 'EndpointArn'] };

  importer.hasResourceProperties('Custom::ComprehendImportedModel', {
    SourceModelArn: RECOGNIZER,
    QualityGate: { Bounds: { F1Score: '80', Precision: '80' }, NoWorseThanReplaced: 'true', AllowMissingMetrics: Match.absent() },
  });
  importer.hasOutput('ProductNamesF1Score', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductNames'), 'EvaluationF1Score'] } });
  importer.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ConsumedInferenceUnits',
    Dimensions: [{ Name: 'EndpointArn', Value: endpointArn }],
    Statistic: 'Sum',
    Period: 3600,
    EvaluationPeriods: 24,
    DatapointsToAlarm: 24,
    Threshold: 0,
    ComparisonOperator: 'LessThanOrEqualToThreshold',
    TreatMissingData: 'breaching',
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^OnCall') }],
  });
});

test('the example templates, as snapshots', () => {
  const { sharer, importer } = exampleTemplates();
  expect(stable(sharer)).toMatchSnapshot('sharer');
  expect(stable(importer)).toMatchSnapshot('importer');
});
