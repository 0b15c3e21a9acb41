import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ImporterStack } from '../examples/importer-stack';

const SHARER = '111122223333';

function exampleTemplate(): Template {
  const app = new App();
  const stack = new ImporterStack(app, 'ComprehendImporter', {
    env: { account: '444455556666', region: 'us-west-2' },
    classifierArn: `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/support-tickets/version/v1`,
    recognizerArn: `arn:aws:comprehend:us-west-2:${SHARER}:entity-recognizer/product-names/version/v3`,
    recognizerKeyArn: `arn:aws:kms:us-west-2:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  });
  return Template.fromStack(stack);
}

test('the example importer copies both shared models', () => {
  const template = exampleTemplate();

  template.resourceCountIs('Custom::ComprehendImportedModel', 2);
  template.hasResource('Custom::ComprehendImportedModel', {
    Properties: Match.objectLike({
      SourceModelArn: `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/support-tickets/version/v1`,
      DataAccessRoleArn: Match.absent(),
      RemovalPolicy: 'destroy',
    }),
    DeletionPolicy: 'Delete',
  });
  template.hasResource('Custom::ComprehendImportedModel', {
    Properties: Match.objectLike({
      SourceModelArn: `arn:aws:comprehend:us-west-2:${SHARER}:entity-recognizer/product-names/version/v3`,
      ModelName: 'product-names',
      ModelKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelKey'), 'Arn'] },
      DataAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductNamesServiceRole'), 'Arn'] },
      RemovalPolicy: 'retain',
      TimeoutSeconds: '1800',
    }),
    DeletionPolicy: 'Retain',
  });
  // Only the import with customer managed keys has a service role.
  template.resourcePropertiesCountIs('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'comprehend.amazonaws.com' } })] },
  }, 1);
});

test('the example importer template, as a snapshot', () => {
  // Asset hashes change with every handler change; the handler tests cover those bytes.
  const json = JSON.stringify(exampleTemplate().toJSON(), null, 2).replace(/[0-9a-f]{64}/g, '<asset-hash>');
  expect(JSON.parse(json)).toMatchSnapshot();
});
