// The sharer's side end to end: SharedModelPolicy's bundled handler attaches the policy in the sharer account,
// and the emulator then lets exactly the named importer copy the model.
import { Stack } from 'aws-cdk-lib';
import { Harness, startHarness } from './harness';
import { SharedModelPolicy } from '../../src';
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
  expect(before.failures[0]).toMatch(`Account ${IMPORTER} is not authorized to import ${SOURCE_CLASSIFIER}`);

  const shared = await h.driver(SHARER).deploy(sharingStack([IMPORTER]));
  expect(shared.failures).toEqual([]);
  const policy = JSON.parse(h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy!);
  expect(policy.Statement).toEqual([{
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
  expect(refused.failures[0]).toMatch(`Account ${STRANGER} is not authorized to import ${SOURCE_CLASSIFIER}`);
  expect(h.emulator.modelsOf(STRANGER)).toEqual([]);
});

test('deleting the sharer stack removes the policy: new imports are refused', async () => {
  const sharer = h.driver(SHARER);
  await sharer.deploy(sharingStack([IMPORTER]));

  const removed = await sharer.destroy();

  expect(removed.failures).toEqual([]);
  expect(h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy).toBeUndefined();
  const refused = await h.driver(IMPORTER).deploy(h.stack({ Tickets: {} }));
  expect(refused.failures[0]).toMatch(`Account ${IMPORTER} is not authorized to import`);
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
