// Every rollback is clean (issue 32): another resource of the stack fails while a copy or an endpoint is in progress,
// CloudFormation cancels it and rolls back (the deploy driver plays the cancellation, the made-up physical id of a
// cancelled Create's Delete, and the cancelled waiters that poll on), with IAM enforced. Each scenario runs the bundled
// handlers until every waiter has ended (settle), then asserts what is left in the account, the stack's final status,
// and that IAM refused nothing: every change the handlers made was to something carrying this stack's ownership tag.
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Harness, startHarness } from './harness';
import { ImportedComprehendModel, ImportedComprehendModelProps } from '../../src';
import { CancelledPollOrder, DeployDriver } from '../support/deploy-driver';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, STRANGER } from '../support/fixtures';

jest.setTimeout(180_000);

/**
 * When the cancelled requests poll next, relative to the rollback. Only after a whole rollback of a stack create are
 * the provider's policies gone: the cancelled waiter then cannot even read, which proves nothing about the handlers.
 */
const ORDERS: CancelledPollOrder[] = ['beforeRollback', 'afterRollbackOnEvent'];
const ALL_ORDERS: CancelledPollOrder[] = [...ORDERS, 'afterRollback'];
/** Fails 60 s into its import: the sibling whose failure cancels what is still in progress. */
const FAILS_LATER = 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/broken/version/v1';
/** A model of a third account, which shares it with nobody. */
const STRANGERS_MODEL = `arn:aws:comprehend:${REGION}:${STRANGER}:document-classifier/tickets/version/v1`;
const FAILED_IMPORT = 'The model artifacts could not be decrypted';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addTrainedModel(FAILS_LATER, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
  h.emulator.importBehaviour.set(FAILS_LATER, { trainMs: 60_000, failWith: FAILED_IMPORT });
});
afterEach(async () => {
  await h.stop();
});

/** Every cancelled waiter and onEvent runs to its end; then nothing in flight can change the account any more. */
async function settle(driver: DeployDriver): Promise<void> {
  await driver.settle();
  expect(driver.inProgressCancelled).toEqual([]);
}

function importer(models: Record<string, Partial<ImportedComprehendModelProps>>): Stack {
  const stack = new Stack(new App(), 'Importer', { env: { account: IMPORTER, region: REGION } });
  for (const [id, props] of Object.entries(models)) {
    new ImportedComprehendModel(stack, id, { sourceModelArn: SOURCE_CLASSIFIER, ...props });
  }
  return stack;
}

/** The ImportModel calls of `source` Comprehend carried out (answered OK). */
const importsOf = (source: string) => h.emulator.calls.filter(c => c.operation === 'ImportModel' && c.input.SourceModelArn === source && c.outcome === 'OK');
/** The copies in the importer's account, by version name and status. */
const copies = () => h.emulator.modelsOf(IMPORTER).map(m => `${m.versionName} ${h.emulator.statusOf(m)}`);

describe('a stack create: a sibling fails while a copy imports', () => {
  test.each(ORDERS)('the cancelled Create\'s Delete (made-up physical id) stops and deletes the copy; its waiter changes nothing (%s)', async order => {
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { trainMs: 60_000, failWith: 'The model artifacts could not be decrypted' });
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: 20 * 60_000 });
    const driver = h.driver();

    const result = await driver.deploy(importer({ Tickets: {}, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } }), { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.cancelled.map(c => `${c.logicalId} ${c.requestType}`)).toEqual([expect.stringMatching(/^Invoices\w+ Create$/)]);
    const invoicesDelete = result.outcomes.find(o => o.logicalId.startsWith('Invoices') && o.requestType === 'Delete')!;
    expect(invoicesDelete).toMatchObject({ status: 'SUCCESS', physicalResourceId: expect.stringMatching(/^Importer-Invoices\w+-[A-Z0-9]{12}$/) });
    await settle(driver);
    expect(h.leftInAccount()).toEqual([]);
    expect(h.refusedChanges()).toEqual([]);
  });
});

describe('a cancelled Create whose ImportModel Comprehend still throttles', () => {
  test.each(ORDERS)('its Delete finds no copy, and the waiter that polls on never imports one (%s)', async order => {
    // Throttled until 70 s into the deployment: the sibling fails at about 60 s, so an unguarded waiter would import at
    // its next poll, after the Delete found nothing.
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { throttledUntil: h.clock.now() + 70_000 });
    const driver = h.driver();

    const result = await driver.deploy(importer({ Broken: { sourceModelArn: FAILS_LATER }, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } }),
      { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.cancelled.map(c => `${c.logicalId} ${c.requestType}`)).toEqual([expect.stringMatching(/^Invoices\w+ Create$/)]);
    expect(result.outcomes.find(o => o.logicalId.startsWith('Invoices') && o.requestType === 'Delete'))
      .toMatchObject({ status: 'SUCCESS', physicalResourceId: expect.stringMatching(/^Importer-Invoices\w+-[A-Z0-9]{12}$/) });
    await settle(driver);
    expect(h.clock.now()).toBeGreaterThan(h.emulator.importBehaviour.get(OTHER_SOURCE_CLASSIFIER)!.throttledUntil!);
    // An ImportModel proven current an instant before the cancellation may land after the Delete first looked: the
    // Delete looks again for 30 s, and deletes it.
    expect(importsOf(OTHER_SOURCE_CLASSIFIER).length).toBeLessThanOrEqual(1);
    expect(h.leftInAccount()).toEqual([]);
    // The waiter ended on its own, saying CloudFormation had moved on, without a call.
    expect(driver.cancelledOutcomes.map(o => o.reason ?? o.status)).toEqual([expect.stringMatching(/CloudFormation has moved on from this Create request/)]);
    expect(h.refusedChanges()).toEqual([]);
  });
});

describe('an update: a sibling fails while a copy is replaced', () => {
  test.each(ALL_ORDERS)('the rollback returns to the old copy and deletes the replacement; the cancelled waiter imports nothing again (%s)', async order => {
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: 20 * 60_000 });
    const driver = h.driver();
    expect((await driver.deploy(importer({ Tickets: {} }))).status).toBe('COMPLETE');
    const [v1] = copies();

    const result = await driver.deploy(importer({ Tickets: { sourceModelArn: OTHER_SOURCE_CLASSIFIER }, Broken: { sourceModelArn: FAILS_LATER } }),
      { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.cancelled.map(c => `${c.logicalId} ${c.requestType}`)).toEqual([expect.stringMatching(/^Tickets\w+ Update$/)]);
    await settle(driver);
    expect(copies()).toEqual([v1]);
    expect(importsOf(OTHER_SOURCE_CLASSIFIER)).toHaveLength(1);
    expect(h.refusedChanges()).toEqual([]);
  });

  test('then the stack is deleted while the cancelled waiter still polls: nothing is left, and that waiter changes nothing', async () => {
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: 20 * 60_000 });
    const driver = h.driver();
    expect((await driver.deploy(importer({ Tickets: {} }))).status).toBe('COMPLETE');
    // The cancelled waiter's executions are held back until the rollback is done, so it still polls during the delete.
    const rolledBack = await driver.deploy(
      importer({ Tickets: {}, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER }, Broken: { sourceModelArn: FAILS_LATER } }),
      { cancelledPolls: 'afterRollback' },
    );
    expect(rolledBack.status).toBe('ROLLBACK_COMPLETE');
    expect(driver.inProgressCancelled).toEqual([expect.stringMatching(/^Invoices/)]);

    const deleted = await driver.destroy();

    expect(deleted.status).toBe('COMPLETE');
    await settle(driver);
    expect(h.leftInAccount()).toEqual([]);
    expect(importsOf(OTHER_SOURCE_CLASSIFIER)).toHaveLength(1);
    expect(h.refusedChanges()).toEqual([]);
  });
});

describe('a rollback needs no permission the update removed', () => {
  test('an import moved to a sharer that has not shared yet: the rollback re-adopts the old copy without ImportModel', async () => {
    h.emulator.addTrainedModel(STRANGERS_MODEL, {});
    const driver = h.driver();
    expect((await driver.deploy(importer({ Tickets: {} }))).status).toBe('COMPLETE');
    const [v1] = copies();

    const result = await driver.deploy(importer({ Tickets: { sourceModelArn: STRANGERS_MODEL } }));

    expect(result.failures).toEqual([expect.stringMatching(/^Tickets\w+: ImportModel of .* was refused/)]);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(copies()).toEqual([v1]);
    // The new template's ImportModel statement names only the stranger's account: one ImportModel, the refused one.
    expect(h.emulator.calls.filter(c => c.operation === 'ImportModel').map(c => `${c.input.SourceModelArn} ${c.outcome}`))
      .toEqual([`${SOURCE_CLASSIFIER} OK`, `${STRANGERS_MODEL} AccessDeniedException`]);
    await settle(driver);
  });

  test('the sharer retired the old version\'s share after sharing the new one: a sibling fails, and the rollback re-adopts v1', async () => {
    const driver = h.driver();
    expect((await driver.deploy(importer({ Tickets: {} }))).status).toBe('COMPLETE');
    const [v1] = copies();
    h.emulator.model(SOURCE_CLASSIFIER)!.resourcePolicy = undefined;

    const result = await driver.deploy(importer({ Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2 }, Broken: { sourceModelArn: FAILS_LATER } }));

    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^Broken\\w+: .*${FAILED_IMPORT}`))]);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    await settle(driver);
    expect(copies()).toEqual([v1]);
    expect(h.emulator.calls.filter(c => c.operation === 'ImportModel' && c.input.SourceModelArn === SOURCE_CLASSIFIER)).toHaveLength(1);
    expect(h.refusedChanges()).toEqual([]);
  });
});

describe('the quality gate never deletes a copy that existed before the request', () => {
  test('a retained copy back in the stack, its ImportModel throttled past the SDK\'s attempts: judged, failed, kept', async () => {
    const driver = h.driver();
    const retained = { removalPolicy: RemovalPolicy.RETAIN, versionName: 'kept' };
    expect((await driver.deploy(importer({ Tickets: retained }))).status).toBe('COMPLETE');
    expect((await driver.deploy(importer({ Other: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } }))).status).toBe('COMPLETE');
    expect(copies()).toContain('kept TRAINED');
    // The copy reports the source's metrics (none here): a gate without allowMissingMetrics fails it. The Create's
    // ImportModel is throttled past the SDK's 8 attempts, so onEvent cannot tell the copy existed ('unknown'): the gate
    // goes by the copy's SubmitTime, from before the request.
    h.emulator.onNext('DescribeStackResource', () => h.emulator.failNext('ImportModel', 'TooManyRequestsException', 8));

    const result = await driver.deploy(importer({
      Other: { sourceModelArn: OTHER_SOURCE_CLASSIFIER },
      Tickets: { ...retained, qualityGate: { minimum: { accuracy: 0.9 } } },
    }));

    expect(result.failures).toEqual([expect.stringMatching(/does not pass the quality gate.*left as it is/)]);
    await settle(driver);
    expect(copies()).toContain('kept TRAINED');
    expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier')).toEqual([]);
    expect(h.refusedChanges()).toEqual([]);
  });
});
