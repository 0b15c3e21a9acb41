import {
  ComprehendClient,
  DeleteResourcePolicyCommand,
  InvalidRequestException,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { ModelPolicyProperties } from '../../../src/contract/policy-properties';
import { handler } from '../../../src/handlers/policy/on-event.lambda';
import { CREATE_FAILED_MARKER, createEvent, deleteEvent, IMPORTER, SOURCE_CLASSIFIER, updateEvent } from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const metadata = { $metadata: {} };
const MODEL = SOURCE_CLASSIFIER;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: [`arn:aws:iam::${IMPORTER}:root`] } }],
});
const PROPERTIES: ModelPolicyProperties = { ModelArn: MODEL, ResourcePolicy: POLICY };

function event(requestType: 'Create' | 'Update' | 'Delete', properties: ModelPolicyProperties, physicalResourceId = MODEL) {
  switch (requestType) {
    case 'Create': return createEvent(properties);
    case 'Update': return updateEvent(physicalResourceId, properties, properties);
    case 'Delete': return deleteEvent(physicalResourceId, properties);
  }
}

beforeEach(() => {
  comprehend.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

test.each(['Create', 'Update'] as const)('%s puts the policy, overwriting, without a revision id', async requestType => {
  comprehend.on(PutResourcePolicyCommand).resolves({ PolicyRevisionId: 'abc' });

  const result = await handler(event(requestType, PROPERTIES));

  expect(result).toEqual({ PhysicalResourceId: MODEL });
  expect(comprehend.commandCalls(PutResourcePolicyCommand)[0].args[0].input).toEqual({ ResourceArn: MODEL, ResourcePolicy: POLICY });
});

test('Delete removes the policy', async () => {
  comprehend.on(DeleteResourcePolicyCommand).resolves({});

  await expect(handler(event('Delete', PROPERTIES))).resolves.toEqual({ PhysicalResourceId: MODEL });
  expect(comprehend.commandCalls(DeleteResourcePolicyCommand)[0].args[0].input).toEqual({ ResourceArn: MODEL });
});

test('Delete succeeds when the policy or the model is gone', async () => {
  comprehend.on(DeleteResourcePolicyCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'no policy' }));

  await expect(handler(event('Delete', PROPERTIES))).resolves.toEqual({ PhysicalResourceId: MODEL });
});

test('Delete of a failed create makes no call', async () => {
  await handler(event('Delete', PROPERTIES, CREATE_FAILED_MARKER));
  expect(comprehend.calls()).toHaveLength(0);
});

test('Delete surfaces other errors', async () => {
  comprehend.on(DeleteResourcePolicyCommand).rejects(new InvalidRequestException({ ...metadata, message: 'bad' }));
  await expect(handler(event('Delete', PROPERTIES))).rejects.toThrow('bad');
});

test('a deploy-time ARN that is no model is refused before any call', async () => {
  await expect(handler(event('Create', { ModelArn: 'arn:aws:s3:::bucket', ResourcePolicy: POLICY }))).rejects.toThrow(
    'modelArn "arn:aws:s3:::bucket" is an ARN of service "s3"',
  );
  expect(comprehend.calls()).toHaveLength(0);
});

test('a policy over 20,000 characters is refused before any call', async () => {
  await expect(handler(event('Create', { ModelArn: MODEL, ResourcePolicy: 'x'.repeat(20_001) }))).rejects.toThrow(
    `the resource policy of ${MODEL} is 20001 characters long; expected 1 to 20000 characters`,
  );
  expect(comprehend.calls()).toHaveLength(0);
});

test('a policy with a character outside Latin-1 is refused as such, not as a length', async () => {
  await expect(handler(event('Create', { ModelArn: MODEL, ResourcePolicy: POLICY.replace('2012', '2012\u2013') }))).rejects.toThrow(
    `the resource policy of ${MODEL} contains "\u2013" (U+2013); expected only Latin-1 characters`,
  );
  expect(comprehend.calls()).toHaveLength(0);
});
