import {
  ComprehendClient,
  DeleteResourcePolicyCommand,
  DescribeResourcePolicyCommand,
  InvalidRequestException,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { ModelPolicyProperties } from '../../../src/contract/policy-properties';
import { handler, statementId } from '../../../src/handlers/policy/on-event.lambda';
import { CREATE_FAILED_MARKER, createEvent, deleteEvent, IMPORTER, SOURCE_CLASSIFIER, STACK_ID, updateEvent } from '../../support/fixtures';

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

const SID = statementId(STACK_ID, 'Classifier1234ABCD');
const OURS = { ...JSON.parse(POLICY).Statement[0], Sid: SID };
const BY_HAND = { Sid: 'ByHand', Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: 'arn:aws:iam::777788889999:root' } };

function policyIs(statements: object[] | undefined, revision = 'rev-1') {
  if (statements) {
    comprehend.on(DescribeResourcePolicyCommand).resolves({ ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: statements }), PolicyRevisionId: revision });
  } else {
    comprehend.on(DescribeResourcePolicyCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'no policy' }));
  }
}

function written(index = 0) {
  const input = comprehend.commandCalls(PutResourcePolicyCommand)[index].args[0].input;
  return { statements: JSON.parse(input.ResourcePolicy!).Statement, revision: input.PolicyRevisionId };
}

test('the Sid is unique to the stack instance and the logical resource', () => {
  expect(SID).toMatch(/^CdkShare[0-9a-f]{24}$/);
  expect(statementId(STACK_ID.replace('0f1e2d3c', '9f9e9d9c'), 'Classifier1234ABCD')).not.toEqual(SID);
  expect(statementId(STACK_ID, 'Other')).not.toEqual(SID);
});

test('Create on a model without a policy writes this resource\'s statement, without a revision id', async () => {
  policyIs(undefined);
  comprehend.on(PutResourcePolicyCommand).resolves({ PolicyRevisionId: 'rev-2' });

  const result = await handler(event('Create', PROPERTIES));

  expect(result).toEqual({ PhysicalResourceId: MODEL });
  expect(written()).toEqual({ statements: [OURS], revision: undefined });
});

test.each(['Create', 'Update'] as const)('%s keeps the statements of others and replaces only its own, with the revision read', async requestType => {
  policyIs([BY_HAND, { ...OURS, Principal: { AWS: 'arn:aws:iam::111111111111:root' } }]);
  comprehend.on(PutResourcePolicyCommand).resolves({ PolicyRevisionId: 'rev-2' });

  await handler(event(requestType, PROPERTIES));

  expect(written()).toEqual({ statements: [BY_HAND, OURS], revision: 'rev-1' });
});

test('a policy changed between the read and the write is read again and written with the new revision', async () => {
  comprehend.on(DescribeResourcePolicyCommand)
    .resolvesOnce({ ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [BY_HAND] }), PolicyRevisionId: 'rev-1' })
    .resolves({ ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [BY_HAND, { ...BY_HAND, Sid: 'Later' }] }), PolicyRevisionId: 'rev-2' });
  comprehend.on(PutResourcePolicyCommand)
    .rejectsOnce(new InvalidRequestException({ ...metadata, message: 'stale revision' }))
    .resolves({ PolicyRevisionId: 'rev-3' });

  await handler(event('Update', PROPERTIES));

  expect(written(1)).toEqual({ statements: [BY_HAND, { ...BY_HAND, Sid: 'Later' }, OURS], revision: 'rev-2' });
});

test('a failed write whose policy did not change surfaces', async () => {
  policyIs([BY_HAND]);
  comprehend.on(PutResourcePolicyCommand).rejects(new InvalidRequestException({ ...metadata, message: 'bad' }));

  await expect(handler(event('Create', PROPERTIES))).rejects.toThrow('bad');
  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(1);
});

test('Delete removes only this resource\'s statements', async () => {
  policyIs([BY_HAND, OURS]);
  comprehend.on(PutResourcePolicyCommand).resolves({ PolicyRevisionId: 'rev-2' });

  await expect(handler(event('Delete', PROPERTIES))).resolves.toEqual({ PhysicalResourceId: MODEL });
  expect(written()).toEqual({ statements: [BY_HAND], revision: 'rev-1' });
  expect(comprehend.commandCalls(DeleteResourcePolicyCommand)).toHaveLength(0);
});

test('Delete removes the policy when nothing else is left in it', async () => {
  policyIs([OURS]);
  comprehend.on(DeleteResourcePolicyCommand).resolves({});

  await handler(event('Delete', PROPERTIES));

  expect(comprehend.commandCalls(DeleteResourcePolicyCommand)[0].args[0].input).toEqual({ ResourceArn: MODEL, PolicyRevisionId: 'rev-1' });
});

test('Delete succeeds when the policy or the model is gone', async () => {
  policyIs(undefined);

  await expect(handler(event('Delete', PROPERTIES))).resolves.toEqual({ PhysicalResourceId: MODEL });
  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
});

test('Delete of a failed create makes no call', async () => {
  await handler(event('Delete', PROPERTIES, CREATE_FAILED_MARKER));
  expect(comprehend.calls()).toHaveLength(0);
});

test('Delete surfaces other errors', async () => {
  comprehend.on(DescribeResourcePolicyCommand).rejects(new InvalidRequestException({ ...metadata, message: 'bad' }));
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
