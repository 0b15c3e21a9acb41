import {
  ComprehendClient,
  DeleteResourcePolicyCommand,
  InvalidRequestException,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-comprehend';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CREATE_FAILED_MARKER, STACK_ID } from './events';
import { handler } from '../../src/provider/model-policy.lambda';

const comprehend = mockClient(ComprehendClient);
const metadata = { $metadata: {} };
const MODEL = 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1';
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: ['arn:aws:iam::444455556666:root'] } }],
});

function event(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, string>, physicalResourceId?: string) {
  return {
    RequestType: requestType,
    ServiceToken: 'token',
    ResponseURL: 'https://example/',
    StackId: STACK_ID,
    RequestId: 'r',
    LogicalResourceId: 'SharePolicy',
    ResourceType: 'Custom::ComprehendModelPolicy',
    ResourceProperties: { ServiceToken: 'token', ...properties },
    ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
    ...(requestType === 'Update' ? { OldResourceProperties: { ServiceToken: 'token', ...properties } } : {}),
  } as CloudFormationCustomResourceEvent;
}

beforeEach(() => {
  comprehend.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

test.each(['Create', 'Update'] as const)('%s puts the policy, overwriting, without a revision id', async requestType => {
  comprehend.on(PutResourcePolicyCommand).resolves({ PolicyRevisionId: 'abc' });

  const result = await handler(event(requestType, { ModelArn: MODEL, ResourcePolicy: POLICY }, requestType === 'Update' ? MODEL : undefined));

  expect(result).toEqual({ PhysicalResourceId: MODEL });
  expect(comprehend.commandCalls(PutResourcePolicyCommand)[0].args[0].input).toEqual({ ResourceArn: MODEL, ResourcePolicy: POLICY });
});

test('Delete removes the policy', async () => {
  comprehend.on(DeleteResourcePolicyCommand).resolves({});

  await expect(handler(event('Delete', { ModelArn: MODEL, ResourcePolicy: POLICY }, MODEL))).resolves.toEqual({ PhysicalResourceId: MODEL });
  expect(comprehend.commandCalls(DeleteResourcePolicyCommand)[0].args[0].input).toEqual({ ResourceArn: MODEL });
});

test('Delete succeeds when the policy or the model is gone', async () => {
  comprehend.on(DeleteResourcePolicyCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'no policy' }));

  await expect(handler(event('Delete', { ModelArn: MODEL, ResourcePolicy: POLICY }, MODEL))).resolves.toEqual({ PhysicalResourceId: MODEL });
});

test('Delete of a failed create makes no call', async () => {
  await handler(event('Delete', { ModelArn: MODEL, ResourcePolicy: POLICY }, CREATE_FAILED_MARKER));
  expect(comprehend.calls()).toHaveLength(0);
});

test('Delete surfaces other errors', async () => {
  comprehend.on(DeleteResourcePolicyCommand).rejects(new InvalidRequestException({ ...metadata, message: 'bad' }));
  await expect(handler(event('Delete', { ModelArn: MODEL, ResourcePolicy: POLICY }, MODEL))).rejects.toThrow('bad');
});

test('a deploy-time ARN that is no model is refused before any call', async () => {
  await expect(handler(event('Create', { ModelArn: 'arn:aws:s3:::bucket', ResourcePolicy: POLICY }))).rejects.toThrow(
    'modelVersionArn "arn:aws:s3:::bucket" is an ARN of service "s3"',
  );
  expect(comprehend.calls()).toHaveLength(0);
});

test('a policy over 20,000 characters is refused before any call', async () => {
  await expect(handler(event('Create', { ModelArn: MODEL, ResourcePolicy: 'x'.repeat(20_001) }))).rejects.toThrow(
    'is 20001 characters long; expected 1 to 20000 Latin-1 characters',
  );
  expect(comprehend.calls()).toHaveLength(0);
});
