// The sharer's side end to end: SharedModelPolicy's bundled handler attaches the policy in the sharer account,
// and the emulator then lets exactly the named importer copy the model.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Harness, startHarness } from './harness';
import { SharedModelPolicy } from '../../src';
import { policyText, SHARE_SID_PLACEHOLDER } from '../../src/contract/policy-properties';
import { IMPORTER, SHARER, sharerStack, SOURCE_CLASSIFIER, STRANGER } from '../support/fixtures';

jest.setTimeout(120_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness(7, false);
});
afterEach(async () => {
  await h.stop();
});

function sharingStack(importerAccounts: string[]): Stack {
  const stack = sharerStack();
  new SharedModelPolicy(stack, 'ShareTickets', { modelArn: SOURCE_CLASSIFIER, importerAccounts });
  return stack;
}

test('the policy the sharer deploys lets the named importer copy the model, and nobody else', async () => {
  const before = await h.driver(IMPORTER).deploy(h.stack({ Tickets: {} }, IMPORTER, 'EarlyImporter'));
  expect(before.failures[0]).toMatch(`ImportModel of ${SOURCE_CLASSIFIER} into account ${IMPORTER} was refused`);

  const shared = await h.driver(SHARER).deploy(sharingStack([IMPORTER]));
  expect(shared.failures).toEqual([]);
  const policy = JSON.parse(h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy!);
  expect(policy.Statement).toEqual([{
    Sid: expect.stringMatching(/^CdkShare[0-9a-f]{24}$/),
    Effect: 'Allow',
    Action: 'comprehend:ImportModel',
    Resource: '*',
    Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` },
  }]);
  expect(h.emulator.calls.filter(c => c.operation === 'PutResourcePolicy').map(c => `${c.account} ${c.outcome} ${c.input.PolicyRevisionId}`))
    .toEqual([`${SHARER} OK undefined`]);

  const allowed = await h.driver(IMPORTER).deploy(h.stack({ Tickets: {} }));
  expect(allowed.failures).toEqual([]);
  expect(h.emulator.modelsOf(IMPORTER).map(m => h.emulator.statusOf(m))).toEqual(['TRAINED']);

  const refused = await h.driver(STRANGER).deploy(h.stack({ Tickets: {} }, STRANGER));
  expect(refused.failures[0]).toMatch(`ImportModel of ${SOURCE_CLASSIFIER} into account ${STRANGER} was refused`);
  expect(h.emulator.modelsOf(STRANGER)).toEqual([]);
});

test('deleting the sharer stack removes the policy: new imports are refused', async () => {
  const sharer = h.driver(SHARER);
  await sharer.deploy(sharingStack([IMPORTER]));

  const removed = await sharer.destroy();

  expect(removed.failures).toEqual([]);
  expect(h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy).toBeUndefined();
  const refused = await h.driver(IMPORTER).deploy(h.stack({ Tickets: {} }));
  expect(refused.failures[0]).toMatch(`into account ${IMPORTER} was refused`);
});

test('adding an importer updates the policy in place', async () => {
  const sharer = h.driver(SHARER);
  await sharer.deploy(sharingStack([IMPORTER]));

  const updated = await sharer.deploy(sharingStack([IMPORTER, STRANGER]));

  expect(updated.failures).toEqual([]);
  expect(updated.outcomes.map(o => `${o.requestType} ${o.status}`)).toEqual(['Update SUCCESS']);
  const stranger = await h.driver(STRANGER).deploy(h.stack({ Tickets: {} }, STRANGER));
  expect(stranger.failures).toEqual([]);
});

describe('an organization\'s accounts shared in groups: one model version, one policy of at most 20,000 characters', () => {
  /** `count` account IDs, from `first` on. */
  const accounts = (count: number, first = 0) => Array.from({ length: count }, (_, i) => String(200000000000 + (first + i) * 7919));
  const policy = () => h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy!;

  test('two shares of one stack merge their statements, as long as the synth-time check measured them', async () => {
    const stack = sharerStack();
    new SharedModelPolicy(stack, 'ShareWithOuA', { modelArn: SOURCE_CLASSIFIER, importerAccounts: accounts(300) });
    new SharedModelPolicy(stack, 'ShareWithOuB', { modelArn: SOURCE_CLASSIFIER, importerAccounts: accounts(250, 300) });

    const result = await h.driver(SHARER).deploy(stack);

    expect(result.failures).toEqual([]);
    const statements = JSON.parse(policy()).Statement;
    expect(statements.map((s: { Principal: { AWS: string[] } }) => s.Principal.AWS.length).sort()).toEqual([250, 300]);
    // What synth measured (each share's rendered statement, with a Sid of the handler's length) is what the handler wrote.
    const rendered = Object.values(Template.fromStack(stack).findResources('Custom::ComprehendModelPolicy'))
      .flatMap(share => JSON.parse(share.Properties.ResourcePolicy).Statement);
    const measured = policyText(rendered.map((s: object) => JSON.stringify({ ...s, Sid: SHARE_SID_PLACEHOLDER })));
    expect(measured.length).toBeLessThanOrEqual(20_000);
    expect(policy().length).toBe(measured.length);
    const stranger = await h.driver(STRANGER).deploy(h.stack({ Tickets: {} }, STRANGER));
    expect(stranger.failures[0]).toContain(`into account ${STRANGER} was refused`);
  });

  test('a share of another app that would overflow the policy fails at deploy time, writing nothing, and rolls back', async () => {
    await h.driver(SHARER).deploy(sharingStack(accounts(400)));
    const before = policy();
    const other = sharerStack(undefined, 'OtherTeam');
    new SharedModelPolicy(other, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: accounts(300, 400) });

    const result = await h.driver(SHARER).deploy(other);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0]).toMatch(new RegExp(`the resource policy of ${SOURCE_CLASSIFIER} is 23\\d{3} characters long; expected 1 to 20000 characters`));
    expect(result.failures[0]).toContain('it holds 1 more that are already there');
    expect(policy()).toBe(before);
    expect(h.emulator.calls.filter(c => c.operation === 'PutResourcePolicy').map(c => c.outcome)).toEqual(['OK']);
  });
});

describe('the policy is merged, never overwritten', () => {
  const BY_HAND = { Sid: 'ByHand', Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: `arn:aws:iam::${STRANGER}:root` } };
  const statements = () => JSON.parse(h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy ?? '{"Statement":[]}').Statement;

  beforeEach(() => {
    // The owner's own statement, set by hand before any stack shares the model.
    const model = h.emulator.model(SOURCE_CLASSIFIER)!;
    model.resourcePolicy = JSON.stringify({ Version: '2012-10-17', Statement: [BY_HAND] });
    model.policyRevisionId = 'by-hand';
  });

  test('a statement set by hand survives create, update and delete', async () => {
    const sharer = h.driver(SHARER);
    await sharer.deploy(sharingStack([IMPORTER]));
    expect(statements()).toEqual([BY_HAND, expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` } })]);

    await sharer.deploy(sharingStack([IMPORTER, SHARER]));
    expect(statements()).toHaveLength(2);
    expect(statements()[1].Principal.AWS).toEqual([`arn:aws:iam::${IMPORTER}:root`, `arn:aws:iam::${SHARER}:root`]);

    const destroyed = await sharer.destroy();
    expect(destroyed.failures).toEqual([]);
    expect(statements()).toEqual([BY_HAND]);
  });

  test('two sharer stacks on one model version coexist, and each removes only its own', async () => {
    const first = h.driver(SHARER);
    const second = h.driver(SHARER);
    await first.deploy(sharingStack([IMPORTER]));
    // The same stack name and construct in another app, as another team would write it: another stack instance.
    await second.deploy(sharingStack([STRANGER]));
    expect(statements()).toHaveLength(3);

    await first.destroy();
    expect(statements()).toEqual([BY_HAND, expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${STRANGER}:root` } })]);
    await second.destroy();
    expect(statements()).toEqual([BY_HAND]);
  });

  test('a policy changed between the handler\'s read and its write is read again', async () => {
    const sharer = h.driver(SHARER);
    // Someone else writes first: the handler's write with the revision it read is refused once.
    h.emulator.onNext('PutResourcePolicy', () => {
      const model = h.emulator.model(SOURCE_CLASSIFIER)!;
      model.resourcePolicy = JSON.stringify({ Version: '2012-10-17', Statement: [BY_HAND, { ...BY_HAND, Sid: 'Meanwhile' }] });
      model.policyRevisionId = 'meanwhile';
    });

    const result = await sharer.deploy(sharingStack([IMPORTER]));

    expect(result.failures).toEqual([]);
    expect(statements().map((s: { Sid: string }) => s.Sid)).toEqual(['ByHand', 'Meanwhile', expect.stringMatching(/^CdkShare/)]);
    expect(h.emulator.calls.filter(c => c.operation === 'PutResourcePolicy').map(c => c.outcome)).toEqual(['InvalidRequestException', 'OK']);
  });
});
