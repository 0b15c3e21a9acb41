// The policy handler writes only the statements SharedModelPolicy makes (issue 33): Allow comprehend:ImportModel on "*"
// for account or IAM principals. A token resolved at deploy time, or a statement added to SharedModelPolicy.resourcePolicy,
// that makes anything else is refused before any call, with the statement named.
import { ComprehendClient, DescribeResourcePolicyCommand, PutResourcePolicyCommand, ResourceNotFoundException } from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { ModelPolicyProperties } from '../../../src/contract/policy-properties';
import { onEvent as handler } from '../../../src/handlers/policy';
import { createEvent, deleteEvent, IMPORTER, SOURCE_CLASSIFIER, updateEvent, silenceHandlerLogs } from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const MODEL = SOURCE_CLASSIFIER;
const IMPORTER_ROOT = `arn:aws:iam::${IMPORTER}:root`;
/** The one statement SharedModelPolicy writes (iam.PolicyDocument's rendering: single values as strings). */
const WRITTEN = { Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: IMPORTER_ROOT } };

const share = (...statements: unknown[]): ModelPolicyProperties => ({
  ModelArn: MODEL,
  ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
});

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
  // No policy yet; the write is read back as written.
  let stored: string | undefined;
  comprehend.on(DescribeResourcePolicyCommand).callsFake(() => {
    if (stored === undefined) {
      throw new ResourceNotFoundException({ $metadata: {}, message: 'no policy' });
    }
    return { ResourcePolicy: stored, PolicyRevisionId: 'rev-1' };
  });
  comprehend.on(PutResourcePolicyCommand).callsFake(input => {
    stored = input.ResourcePolicy;
    return { PolicyRevisionId: 'rev-1' };
  });
});

describe('the forms SharedModelPolicy writes are written', () => {
  test.each([
    ['its own rendering', WRITTEN],
    ['a list of one action', { ...WRITTEN, Action: ['comprehend:ImportModel'] }],
    ['a list of one resource', { ...WRITTEN, Resource: ['*'] }],
    ['several importers', { ...WRITTEN, Principal: { AWS: [IMPORTER_ROOT, '777788889999', `arn:aws:iam::${IMPORTER}:role/importer`] } }],
    ['a Sid of its own (the handler writes its own over it)', { ...WRITTEN, Sid: 'Mine' }],
    ['a Condition, which only narrows the Allow', { ...WRITTEN, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }],
  ])('%s', async (_, statement) => {
    await handler(createEvent(share(statement)));

    expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(1);
  });
});

describe('anything else is refused before any call, naming the statement', () => {
  test.each([
    ['Deny', { ...WRITTEN, Effect: 'Deny' }, /has Effect "Deny"/],
    ['no Effect', { Action: WRITTEN.Action, Resource: '*', Principal: WRITTEN.Principal }, /has Effect undefined/],
    ['every Comprehend action', { ...WRITTEN, Action: 'comprehend:*' }, /has Action "comprehend:\*"/],
    ['a wildcard that covers ImportModel', { ...WRITTEN, Action: 'comprehend:Import*' }, /has Action "comprehend:Import\*"/],
    ['another action besides', { ...WRITTEN, Action: ['comprehend:ImportModel', 'comprehend:DescribeResourcePolicy'] },
      /has Action \["comprehend:ImportModel","comprehend:DescribeResourcePolicy"\]/],
    ['another action instead', { ...WRITTEN, Action: 'comprehend:PutResourcePolicy' }, /has Action "comprehend:PutResourcePolicy"/],
    ['an action in other letters', { ...WRITTEN, Action: 'Comprehend:importmodel' }, /has Action "Comprehend:importmodel"/],
    ['NotAction', { Effect: 'Allow', NotAction: 'comprehend:DeleteDocumentClassifier', Resource: '*', Principal: WRITTEN.Principal },
      /has NotAction, has Action undefined/],
    ['NotPrincipal', { Effect: 'Allow', Action: WRITTEN.Action, Resource: '*', NotPrincipal: { AWS: IMPORTER_ROOT } }, /has NotPrincipal/],
    ['NotResource', { Effect: 'Allow', Action: WRITTEN.Action, NotResource: 'arn:aws:s3:::x', Principal: WRITTEN.Principal },
      /has NotResource, .*has Resource undefined/],
    ['another resource', { ...WRITTEN, Resource: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/*' }, /has Resource "arn:aws:comprehend/],
    ['a statement that is not an object', 'comprehend:ImportModel', /is not an object/],
  ])('%s', async (_, statement, problem) => {
    const failure = await handler(createEvent(share(statement))).catch(error => error as Error);

    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toMatch(new RegExp(`^statement 1 of 1 of the resource policy of ${MODEL} `));
    expect(failure.message).toMatch(problem);
    expect(failure.message).toMatch(/A share writes only statements of the form \{ "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "\*", "Principal": \{ "AWS": importers \} \}, and a Condition that narrows one/);
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('the offending statement among good ones is the one named, with its text', async () => {
    const bad = { ...WRITTEN, Action: 'comprehend:*' };

    await expect(handler(updateEvent(MODEL, share(WRITTEN, bad), share(WRITTEN)))).rejects.toThrow(
      `statement 2 of 2 of the resource policy of ${MODEL} has Action "comprehend:*": ${JSON.stringify(bad)}.`);
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('a statement of the right form is still checked for its principals', async () => {
    await expect(handler(createEvent(share({ ...WRITTEN, Principal: { AWS: '*' } })))).rejects.toThrow(/importer principal "\*"/);
  });

  test('a Delete is never refused for its properties: it removes this resource\'s statements', async () => {
    await expect(handler(deleteEvent(MODEL, share({ ...WRITTEN, Effect: 'Deny' })))).resolves.toEqual({ PhysicalResourceId: MODEL });
  });
});
