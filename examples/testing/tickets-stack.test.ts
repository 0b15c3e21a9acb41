// How an app that uses the library tests its own stack (docs/testing.md): assertions on what the app decides, with
// aws-cdk-lib's Template matchers, and one snapshot of the whole template, whose asset hashes are masked so that a
// rebuilt or upgraded library does not change it by itself.
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
// jest's own printer, to show what the serializer writes into a snapshot; an app has it through jest.
// eslint-disable-next-line import/no-extraneous-dependencies -- a dependency of jest's, the version jest prints with
import { format } from 'pretty-format';
import { ASSET_HASH_MASK, maskAssetHashes } from './mask-asset-hashes';
import { TicketsStack } from './tickets-stack';

expect.addSnapshotSerializer(maskAssetHashes);

const SOURCE_MODEL_ARN = 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/support-tickets/version/v1';
const SOURCE_KEY_ARN = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function ticketsStack(): TicketsStack {
  return new TicketsStack(new App(), 'Tickets', {
    env: { account: '444455556666', region: 'us-west-2' },
    sourceModelArn: SOURCE_MODEL_ARN,
    sourceModelKeyArn: SOURCE_KEY_ARN,
  });
}

function template(): Template {
  return Template.fromStack(ticketsStack());
}

test('the stack synthesizes without a warning (a warning the app means is acknowledged where it arises)', () => {
  Annotations.fromStack(ticketsStack()).hasNoWarning('*', Match.anyValue());
});

test('the copy imports the shared version, through a service role of its own', () => {
  template().hasResourceProperties('Custom::ComprehendImportedModel', {
    SourceModelArn: SOURCE_MODEL_ARN,
    DataAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendImportServiceRole'), 'Arn'] },
    Tags: [{ Key: 'team', Value: 'support' }],
  });
});

test('Comprehend may use the model factory\'s key during the import, and no other key', () => {
  template().hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'comprehend.amazonaws.com' } })] },
    Policies: [{
      PolicyName: 'ModelImportKeys',
      PolicyDocument: {
        // An array in a pattern matches whole: these statements and no more.
        Statement: [
          Match.objectLike({ Action: 'kms:CreateGrant', Resource: SOURCE_KEY_ARN }),
          Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: SOURCE_KEY_ARN }),
        ],
      },
    }],
  });
});

test('the copy is served from one endpoint, which the triage function may call', () => {
  const tickets = template();
  tickets.resourceCountIs('Custom::ComprehendModelEndpoint', 1);
  tickets.hasResourceProperties('Custom::ComprehendModelEndpoint', {
    ModelArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Tickets'), 'ModelArn'] },
    ModelType: 'document-classifier',
    DesiredInferenceUnits: '1',
  });
  tickets.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^Triage') }],
    PolicyDocument: {
      Statement: [{
        Action: 'comprehend:ClassifyDocument',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TicketsLive'), 'EndpointArn'] },
      }],
    },
  });
});

test('the whole template, as a snapshot', () => {
  expect(template().toJSON()).toMatchSnapshot();
});

test('the serializer masks every asset hash, the handlers\' S3Key included, and nothing else', () => {
  const json = template().toJSON();
  const hashes = /[0-9a-f]{64}/;
  // What toMatchSnapshot writes: jest's printer, with the serializers added (here, ours).
  const serialized = format(json, { plugins: [maskAssetHashes] });

  expect(format(json)).toMatch(hashes);
  expect(serialized).not.toMatch(hashes);
  expect(serialized).toContain(`"S3Key": "${ASSET_HASH_MASK}.zip"`);
  // Only the hashes change.
  expect(serialized).toBe(format(json).replace(/[0-9a-f]{64}/g, ASSET_HASH_MASK));
});
