import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImportedComprehendModel } from '../src';
import { IMPORTER, importerStack, SOURCE_CLASSIFIER as SOURCE, SOURCE_RECOGNIZER as RECOGNIZER } from './support/fixtures';

describe('grants on a model (imported here or referenced by ARN)', () => {
  function reader(stack: Stack) {
    return new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  }
  function readerStatements(template: Template): any[] {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }] } });
    return Object.values(policies).flatMap(p => p.Properties.PolicyDocument.Statement);
  }

  test('grant() gives the named actions on the model version, and only on it', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Existing', RECOGNIZER);
    model.grant(reader(stack), 'comprehend:DescribeEntityRecognizer', 'comprehend:ListTagsForResource');

    expect(readerStatements(Template.fromStack(stack))).toEqual([{
      Action: ['comprehend:DescribeEntityRecognizer', 'comprehend:ListTagsForResource'],
      Effect: 'Allow',
      Resource: RECOGNIZER,
    }]);
  });

  test.each([
    [SOURCE, 'comprehend:StartDocumentClassificationJob', 'document-classification-job', 'comprehend:DescribeDocumentClassifier'],
    [RECOGNIZER, 'comprehend:StartEntitiesDetectionJob', 'entities-detection-job', 'comprehend:DescribeEntityRecognizer'],
  ])('the type-specific grants of %s', (arn, startJob, jobs, describe) => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Existing', arn);
    const grantee = reader(stack);
    model.grantStartJobs(grantee);
    model.grantDescribe(grantee);

    expect(readerStatements(Template.fromStack(stack))).toEqual([
      {
        Action: startJob,
        Effect: 'Allow',
        Resource: [arn, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:comprehend:us-west-2:${IMPORTER}:${jobs}/*`]] }],
      },
      { Action: describe, Effect: 'Allow', Resource: arn },
    ]);
  });
});

test('grants on a copy imported here name its ARN from the custom resource', () => {
  const stack = importerStack();
  const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: SOURCE });
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  model.grantDescribe(role);

  Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: [{
        Action: 'comprehend:DescribeDocumentClassifier',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(model.node.defaultChild as any), 'ModelArn'] },
      }],
    },
  });
});
