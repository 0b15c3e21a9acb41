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
import { onEvent as handler, statementId } from '../../../src/handlers/policy';
import { CREATE_FAILED_MARKER, createEvent, deleteEvent, IMPORTER, SOURCE_CLASSIFIER, STACK_ID, updateEvent, silenceHandlerLogs } from '../../support/fixtures';

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
  silenceHandlerLogs();
});

const SID = statementId(STACK_ID, 'Classifier1234ABCD');
const OURS = { ...JSON.parse(POLICY).Statement[0], Sid: SID };
const BY_HAND = { Sid: 'ByHand', Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: 'arn:aws:iam::777788889999:root' } };

/**
 * Comprehend's resource policy of MODEL, as the SDK client answers it: Describe reads the stored policy; Put and Delete
 * refuse a stale PolicyRevisionId and otherwise store a new revision. `beforeWrite` lets a test act as a concurrent
 * writer that lands between this handler's read and its write, or right after its write.
 */
interface Store { policy?: { document: object; revision: string }; revisions: number }
let store: Store;

function policyIs(document: object | undefined, hooks: { afterRead?: (read: number) => void; afterWrite?: (write: number) => void } = {}) {
  store = { policy: document ? { document, revision: 'rev-1' } : undefined, revisions: 1 };
  let writes = 0;
  let reads = 0;
  const stale = (revision: string | undefined) => revision !== undefined && revision !== store.policy?.revision;
  comprehend.on(DescribeResourcePolicyCommand).callsFake(() => {
    if (!store.policy) {
      throw new ResourceNotFoundException({ ...metadata, message: 'no policy' });
    }
    const read = { ResourcePolicy: JSON.stringify(store.policy.document), PolicyRevisionId: store.policy.revision };
    hooks.afterRead?.(++reads);
    return read;
  });
  comprehend.on(PutResourcePolicyCommand).callsFake(input => {
    if (stale(input.PolicyRevisionId)) {
      throw new InvalidRequestException({ ...metadata, message: 'stale revision' });
    }
    store.policy = { document: JSON.parse(input.ResourcePolicy), revision: `rev-${++store.revisions}` };
    hooks.afterWrite?.(++writes);
    return { PolicyRevisionId: store.policy.revision };
  });
  comprehend.on(DeleteResourcePolicyCommand).callsFake(input => {
    if (stale(input.PolicyRevisionId)) {
      throw new InvalidRequestException({ ...metadata, message: 'stale revision' });
    }
    store.policy = undefined;
    hooks.afterWrite?.(++writes);
    return {};
  });
}

/** Another writer replaces the policy, without a revision (a first write of its own), keeping only `statements`. */
function overwrite(statements: object[]) {
  store.policy = { document: { Version: '2012-10-17', Statement: statements }, revision: `rev-${++store.revisions}` };
}

const doc = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

function written(index = 0) {
  const input = comprehend.commandCalls(PutResourcePolicyCommand)[index].args[0].input;
  return { statements: JSON.parse(input.ResourcePolicy!).Statement, revision: input.PolicyRevisionId };
}

test('the Sid is unique to the stack instance and the logical resource', () => {
  expect(SID).toMatch(/^CdkShare[0-9a-f]{24}$/);
  expect(statementId(STACK_ID.replace('0f1e2d3c', '9f9e9d9c'), 'Classifier1234ABCD')).not.toEqual(SID);
  expect(statementId(STACK_ID, 'Other')).not.toEqual(SID);
});

test('Create on a model without a policy writes this resource\'s statement, without a revision id, and reads it back', async () => {
  policyIs(undefined);

  const result = await handler(event('Create', PROPERTIES));

  expect(result).toEqual({ PhysicalResourceId: MODEL });
  expect(written()).toEqual({ statements: [OURS], revision: undefined });
  expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual([
    'DescribeResourcePolicyCommand', 'PutResourcePolicyCommand', 'DescribeResourcePolicyCommand',
  ]);
});

test('a service that stores an account ID principal as its root ARN does not make the write look lost', async () => {
  const byAccountId = JSON.stringify({ ...JSON.parse(POLICY), Statement: [{ ...JSON.parse(POLICY).Statement[0], Principal: { AWS: IMPORTER } }] });
  policyIs(undefined, {
    afterWrite: () => {
      // As KMS and S3 do: the account written as 444455556666 is read back as arn:aws:iam::444455556666:root.
      const stored = store.policy!.document as { Statement: Array<Record<string, unknown>> };
      stored.Statement = stored.Statement.map(statement => ({ ...statement, Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` } }));
    },
  });

  await handler(event('Create', { ModelArn: MODEL, ResourcePolicy: byAccountId }));

  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(1);
});

test('a policy that already holds this resource\'s statements as they are is not written', async () => {
  policyIs(doc(BY_HAND, OURS));

  await handler(event('Update', PROPERTIES));

  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
});

test.each(['Create', 'Update'] as const)('%s keeps the statements of others and replaces only its own, with the revision read', async requestType => {
  policyIs(doc(BY_HAND, { ...OURS, Principal: { AWS: 'arn:aws:iam::111111111111:root' } }));

  await handler(event(requestType, PROPERTIES));

  expect(written()).toEqual({ statements: [BY_HAND, OURS], revision: 'rev-1' });
});

test('everything outside Statement (Id, Version, anything else) is kept', async () => {
  policyIs({ Version: '2008-10-17', Id: 'hand-set-id', Extra: { a: 1 }, Statement: BY_HAND });

  await handler(event('Create', PROPERTIES));

  const input = JSON.parse(comprehend.commandCalls(PutResourcePolicyCommand)[0].args[0].input.ResourcePolicy!);
  expect(input).toEqual({ Version: '2008-10-17', Id: 'hand-set-id', Extra: { a: 1 }, Statement: [BY_HAND, OURS] });
});

test('a policy changed between the read and the write is read again and written with the new revision', async () => {
  // Another writer lands after this handler's first read: its first write is refused as stale.
  policyIs(doc(BY_HAND), { afterRead: read => read === 1 && overwrite([BY_HAND, { ...BY_HAND, Sid: 'Later' }]) });

  await handler(event('Update', PROPERTIES));

  expect(written(0)).toEqual({ statements: [BY_HAND, OURS], revision: 'rev-1' });
  expect(written(1)).toEqual({ statements: [BY_HAND, { ...BY_HAND, Sid: 'Later' }, OURS], revision: 'rev-2' });
});

test('two first-time shares: the statement a concurrent first write dropped is merged again on the revision read back', async () => {
  const THEIRS = { ...BY_HAND, Sid: 'CdkShareOtherStack' };
  // Both read "no policy"; the other share's first write (no revision either) lands right after this one's.
  policyIs(undefined, { afterWrite: write => write === 1 && overwrite([THEIRS]) });

  await handler(event('Create', PROPERTIES));

  expect(written(0)).toEqual({ statements: [OURS], revision: undefined });
  expect(written(1)).toEqual({ statements: [THEIRS, OURS], revision: 'rev-3' });
  expect(store.policy!.document).toEqual(doc(THEIRS, OURS));
});

test('a policy that keeps losing this resource\'s statements fails after 5 writes, saying it kept changing', async () => {
  policyIs(doc(BY_HAND), { afterWrite: () => overwrite([BY_HAND]) });

  await expect(handler(event('Create', PROPERTIES))).rejects.toThrow(
    `The resource policy of ${MODEL} kept changing: after 5 writes it still does not hold this resource's statements (Sid ${SID}...)`,
  );
  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(5);
});

test('a failed write whose policy did not change surfaces', async () => {
  policyIs(doc(BY_HAND));
  comprehend.on(PutResourcePolicyCommand).rejects(new InvalidRequestException({ ...metadata, message: 'bad' }));

  await expect(handler(event('Create', PROPERTIES))).rejects.toThrow('bad');
  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(1);
});

test('Delete removes only this resource\'s statements, keeping the Id', async () => {
  policyIs({ ...doc(BY_HAND, OURS), Id: 'kept' });

  await expect(handler(event('Delete', PROPERTIES))).resolves.toEqual({ PhysicalResourceId: MODEL });
  expect(written()).toEqual({ statements: [BY_HAND], revision: 'rev-1' });
  expect(store.policy!.document).toEqual({ ...doc(BY_HAND), Id: 'kept' });
  expect(comprehend.commandCalls(DeleteResourcePolicyCommand)).toHaveLength(0);
});

test('Delete verifies its statements are gone: one a concurrent writer put back is removed again', async () => {
  policyIs(doc(BY_HAND, OURS), { afterWrite: write => write === 1 && overwrite([BY_HAND, OURS]) });

  await handler(event('Delete', PROPERTIES));

  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(2);
  expect(store.policy!.document).toEqual(doc(BY_HAND));
});

test('Delete removes the policy when nothing else is left in it', async () => {
  policyIs(doc(OURS));

  await handler(event('Delete', PROPERTIES));

  expect(comprehend.commandCalls(DeleteResourcePolicyCommand)[0].args[0].input).toEqual({ ResourceArn: MODEL, PolicyRevisionId: 'rev-1' });
  expect(store.policy).toBeUndefined();
});

test('Delete succeeds when the policy or the model is gone', async () => {
  policyIs(undefined);

  await expect(handler(event('Delete', PROPERTIES))).resolves.toEqual({ PhysicalResourceId: MODEL });
  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
});

describe('deploy-time check of the importers (a token at synth time)', () => {
  const withPrincipal = (principal: unknown) => ({
    ModelArn: MODEL,
    ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: principal }] }),
  });

  test.each([
    ['*', { AWS: '*' }],
    ['a wildcard role', { AWS: [`arn:aws:iam::${IMPORTER}:root`, `arn:aws:iam::${IMPORTER}:role/team-*`] }],
    ['a ? in a user name', { AWS: `arn:aws:iam::${IMPORTER}:user/a?c` }],
    ['an account ID of 11 digits', { AWS: '44445555666' }],
    ['another service\'s ARN', { AWS: `arn:aws:sts::${IMPORTER}:assumed-role/r/s` }],
  ])('refuses %s, naming the value and the expected form, before any call', async (_, principal) => {
    await expect(handler(event('Create', withPrincipal(principal)))).rejects.toThrow(
      /importer principal ".*" of .* is not an account or an IAM principal of one account; expected a 12-digit account ID or an ARN arn:PARTITION:iam::ACCOUNT:root, .*with no wildcard \(\* or \?\)/,
    );
    expect(comprehend.calls()).toHaveLength(0);
  });

  test.each([
    ['everyone', '*'],
    ['a service', { Service: 'comprehend.amazonaws.com' }],
  ])('refuses a principal that is not { AWS: ... }: %s', async (_, principal) => {
    await expect(handler(event('Create', withPrincipal(principal)))).rejects.toThrow(/has the principal .*, which is not an account or an IAM principal of one account/);
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('accepts account IDs, account roots, roles and users of one account, in any partition', async () => {
    policyIs(undefined);
    const principal = { AWS: [IMPORTER, `arn:aws-cn:iam::${IMPORTER}:root`, `arn:aws:iam::${IMPORTER}:role/path/importer`, `arn:aws-us-gov:iam::${IMPORTER}:user/u`] };

    await expect(handler(event('Create', withPrincipal(principal)))).resolves.toEqual({ PhysicalResourceId: MODEL });
  });
});

test('Delete of a create that failed on its properties makes no call: they name no model', async () => {
  await handler(event('Delete', { ...PROPERTIES, ModelArn: 'arn:aws:s3:::bucket/key' }, CREATE_FAILED_MARKER));
  expect(comprehend.calls()).toHaveLength(0);
});

test('Delete with a physical id CloudFormation made up (a cancelled Create) removes this resource\'s statements from the model the properties name', async () => {
  policyIs({ ...doc(BY_HAND, OURS), Id: 'kept' });

  await expect(handler(event('Delete', PROPERTIES, 'Sharer-ShareABCD1234-ABCDEF123456'))).resolves.toEqual({ PhysicalResourceId: 'Sharer-ShareABCD1234-ABCDEF123456' });
  expect(written()).toEqual({ statements: [BY_HAND], revision: 'rev-1' });
  expect(store.policy!.document).toEqual({ ...doc(BY_HAND), Id: 'kept' });
});

test('Delete with a made-up physical id, when the cancelled Create attached nothing: no write', async () => {
  policyIs(doc(BY_HAND));

  await handler(event('Delete', PROPERTIES, 'Sharer-ShareABCD1234-ABCDEF123456'));

  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  expect(store.policy!.document).toEqual(doc(BY_HAND));
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

test('statements already in the policy count against its 20,000 characters: an overflowing merge writes nothing', async () => {
  const crowd = { ...BY_HAND, Principal: { AWS: Array.from({ length: 600 }, (_, i) => `arn:aws:iam::${String(200000000000 + i)}:root`) } };
  policyIs(doc(crowd));

  const failure = handler(event('Create', PROPERTIES));

  await expect(failure).rejects.toThrow(new RegExp(`^the resource policy of ${MODEL} is 20\\d{3} characters long; expected 1 to 20000 characters`));
  await expect(failure).rejects.toThrow('With this resource\'s statements, it holds 1 more that are already there');
  expect(comprehend.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  expect(store.policy?.document).toEqual(doc(crowd));
});

test('a policy with a character outside Latin-1 is refused as such, not as a length', async () => {
  await expect(handler(event('Create', { ModelArn: MODEL, ResourcePolicy: POLICY.replace('2012', '2012\u2013') }))).rejects.toThrow(
    `the resource policy of ${MODEL} contains "\u2013" (U+2013); expected only Latin-1 characters`,
  );
  expect(comprehend.calls()).toHaveLength(0);
});
