// Every rollback is clean (issue 32), for endpoints: another resource of the stack fails while an endpoint is being
// created, renamed, moved or re-roled, CloudFormation cancels it and rolls back (the deploy driver plays the
// cancellation, the made-up physical id of a cancelled Create's Delete, the rollback's Update of a cancelled Update, and
// the cancelled waiters that poll on, before or after the rollback's first requests), with IAM enforced. Each scenario
// runs the bundled handlers until every waiter has ended (settle), then asserts what is left in the importer account
// against what the stack's resources record, the stack's final status, that IAM refused nothing (every change the
// handlers made was to something carrying this stack's ownership tag, every role they passed was passable), and what
// the issue says must hold. Last, a busy endpoint (Application Auto Scaling changing its units) that a deploy moves to a
// new copy.
import { ComprehendClient, UpdateEndpointCommand } from '@aws-sdk/client-comprehend';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ACCESS_KEYS, Harness, startHarness } from './harness';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelEndpointOptions } from '../../src';
import { ENDPOINT_CREATE_MS, ENDPOINT_UPDATE_MS, EmulatorCall } from '../support/comprehend-emulator';
import { CancelledPollOrder, DeployDriver, DeployResult, Outcome } from '../support/deploy-driver';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2 } from '../support/fixtures';

jest.setTimeout(180_000);

const ORDERS: CancelledPollOrder[] = ['beforeRollback', 'afterRollbackOnEvent'];
const ENDPOINT_ARN = (name: string) => `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/${name}`;
/** The physical id CloudFormation makes up for the Delete of a Create that never answered: STACKNAME-LOGICALID-RANDOM. */
const MADE_UP = /^Importer-\w+-[A-Z0-9]{12}$/;
/** The account's own key: the deployer's, and here Application Auto Scaling's (any principal but the handler role). */
const ACCOUNT_KEY = Object.entries(ACCESS_KEYS).find(([, account]) => account === IMPORTER)![0];
/** Two roles the user brings, of the importer account, for the endpoint's dataAccessRole. */
const ROLE_A = `arn:aws:iam::${IMPORTER}:role/tickets-reader-a`;
const ROLE_B = `arn:aws:iam::${IMPORTER}:role/tickets-reader-b`;
const FAILURE = 'The model artifacts could not be decrypted';
/** A source whose imports end IN_ERROR `afterMs` after they are submitted (10 s SUBMITTED first). */
const failsAfter = (afterMs: number) => ({ trainMs: afterMs - 10_000, failWith: FAILURE });
/** Evaluation metrics every gate below refuses. */
const POOR = {
  Accuracy: 0.61, Precision: 0.6, Recall: 0.58, F1Score: 0.59, MicroPrecision: 0.6, MicroRecall: 0.6, MicroF1Score: 0.6, HammingLoss: 0.4,
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

/** What h.leftInAccount() shows for one TRAINED copy served by the endpoint `name`, IN_SERVICE, and nothing else. */
function serving(copyArn: string, name: string): string[] {
  const copy = copyArn.split(':').pop();
  return [`${copy} TRAINED`, `document-classifier-endpoint/${name} IN_SERVICE on ${copy}`].sort();
}

/** The ARNs of every copy and endpoint of the importer's account. */
function arnsInAccount(): string[] {
  return [...h.emulator.modelsOf(IMPORTER).map(m => m.arn), ...h.emulator.endpointsOf(IMPORTER).map(e => e.arn)].sort();
}

/** What the stack's resources record: their physical ids (the copies' and endpoints' ARNs). */
function recordedBy(driver: DeployDriver): string[] {
  return [...driver.resources.values()].map(r => r.physicalResourceId).sort();
}

/** Every cancelled waiter and onEvent runs to its end; then nothing in flight can change the account any more. */
async function settle(driver: DeployDriver): Promise<void> {
  await driver.settle();
  expect(driver.inProgressCancelled).toEqual([]);
}

/** The calls of `operation` the handlers made (signed with a handler role's key, not the account's). */
function handlerCalls(operation: string): EmulatorCall[] {
  return h.emulator.calls.filter(c => c.operation === operation && c.accessKeyId !== ACCOUNT_KEY);
}

/** When CloudFormation cancelled the request in progress of `logicalId`: its record says so. */
function cancelledAt(driver: DeployDriver, logicalId: string): number {
  const record = driver.recordsOf(logicalId).find(r => r?.resourceStatusReason?.endsWith('cancelled'));
  return record?.lastUpdatedTimestamp ?? fail(`${logicalId} was not cancelled`);
}

function outcomeOf(result: DeployResult, logicalId: string, requestType: Outcome['requestType']): Outcome {
  const found = result.outcomes.filter(o => o.logicalId === logicalId && o.requestType === requestType);
  return found[found.length - 1] ?? fail(`no ${requestType} of ${logicalId} answered`);
}

/** The roles the policy in force for the handler role behind `accessKeyId` lets it pass. */
function passable(accessKeyId: string): string[] {
  return (h.emulator.identityPolicy(accessKeyId) ?? [])
    .filter(s => s.Effect === 'Allow' && [s.Action ?? []].flat().includes('iam:PassRole'))
    .flatMap(s => [s.Resource ?? []].flat())
    .filter(resource => resource === ROLE_A || resource === ROLE_B)
    .sort();
}

/**
 * Watches the UpdateEndpoint calls of the deploy to come (`look` runs just before each is handled), and makes the move
 * that the first one starts last longer when `stretch`: Comprehend's move takes as long as it takes, but the emulator's
 * takes ENDPOINT_UPDATE_MS, four intervals of the waiter that asked for it, so that waiter always sees it done, and ends,
 * before the rollback's waiter does. Stretched, the move still has ENDPOINT_UPDATE_MS to go when the next UpdateEndpoint
 * arrives (the rollback's, refused: UPDATING), so the rollback's waiter sees it done first and moves the endpoint back
 * while the cancelled waiter still polls. Returns when the move was stretched (0 if it was not).
 */
function watchUpdates(arn: string, stretch: boolean, look: () => void = () => undefined): () => number {
  let stretchedAt = 0;
  for (let call = 0; call < 10; call++) {
    h.emulator.onNext('UpdateEndpoint', () => {
      look();
      const endpoint = h.emulator.endpointNow(arn)!;
      if (stretch && call === 1 && endpoint.status === 'UPDATING') {
        h.emulator.moveEndpoint(arn, endpoint.desiredModelArn ?? endpoint.modelArn);
        stretchedAt = h.clock.now();
      }
    });
  }
  return () => stretchedAt;
}

type Copy = Partial<ImportedComprehendModelProps> & {
  /** An endpoint on the copy (construct id `Live`), with the ARN of a role of the account the user brings, if any. */
  readonly endpoint?: Omit<ModelEndpointOptions, 'dataAccessRole'> & { readonly roleArn?: string };
};

/** A definition of the importer stack (the same name again is an update), and the logical id of a construct path. */
function importer(models: Record<string, Copy>): { readonly stack: Stack; readonly id: (path: string) => string } {
  const stack = new Stack(new App(), 'Importer', { env: { account: IMPORTER, region: REGION } });
  for (const [id, { endpoint, ...props }] of Object.entries(models)) {
    const copy = new ImportedComprehendModel(stack, id, { sourceModelArn: SOURCE_CLASSIFIER, ...props });
    if (endpoint) {
      const { roleArn, ...options } = endpoint;
      const dataAccessRole = roleArn === undefined ? undefined : iam.Role.fromRoleArn(stack, `${id}Reader`, roleArn);
      copy.addEndpoint('Live', { ...options, dataAccessRole });
    }
  }
  const id = (path: string) => stack.getLogicalId(path.split('/')
    .reduce<IConstruct>((scope, child) => scope.node.findChild(child), stack).node.defaultChild as CfnElement);
  return { stack, id };
}

function fail(message: string): never {
  throw new Error(message);
}

describe('a stack create: an import fails while its sibling\'s endpoint is CREATING', () => {
  test.each(ORDERS)('the endpoint\'s Delete (made-up physical id) deletes it once Comprehend allows, then the copy goes: '
    + 'ROLLBACK_COMPLETE, nothing left (%s)', async order => {
    // Tickets imports in 70 s and its endpoint starts then, CREATING for 120 s; Invoices fails 130 s in.
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, failsAfter(130_000));
    const { stack, id } = importer({ Tickets: { endpoint: { endpointName: 'tickets-live' } }, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } });
    const [tickets, live, invoices] = [id('Tickets'), id('Tickets/Live'), id('Invoices')];
    const driver = h.driver();

    const result = await driver.deploy(stack, { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${invoices}: .*${FAILURE}`))]);
    expect(result.cancelled).toEqual([{ logicalId: live, requestType: 'Create' }]);
    // The endpoint was still CREATING when its Create was cancelled.
    const cancelled = cancelledAt(driver, live);
    const [created] = handlerCalls('CreateEndpoint');
    expect(created).toMatchObject({ outcome: 'OK', input: { EndpointName: 'tickets-live' } });
    expect(created.at + ENDPOINT_CREATE_MS).toBeGreaterThan(cancelled);
    // Its Delete carried a made-up physical id, found the endpoint by its name, was refused while it was CREATING,
    // and deleted it once Comprehend allowed; only then did the copy's Delete run, which no endpoint held any more.
    const liveDelete = outcomeOf(result, live, 'Delete');
    expect(liveDelete).toMatchObject({ status: 'SUCCESS', physicalResourceId: expect.stringMatching(MADE_UP) });
    const deletions = handlerCalls('DeleteEndpoint');
    expect(deletions.map(c => c.input.EndpointArn)).toEqual(deletions.map(() => ENDPOINT_ARN('tickets-live')));
    expect(deletions[0].outcome).toBe('ResourceInUseException');
    expect(deletions.filter(c => c.outcome === 'OK')).toHaveLength(1);
    const ticketsDelete = outcomeOf(result, tickets, 'Delete');
    expect(ticketsDelete.status).toBe('SUCCESS');
    expect(ticketsDelete.answeredAt).toBeGreaterThan(liveDelete.answeredAt);
    expect(handlerCalls('DeleteDocumentClassifier').filter(c => c.outcome === 'ResourceInUseException')).toEqual([]);
    // Nothing billing once the rollback is over.
    expect(h.emulator.endpointsOf(IMPORTER)).toEqual([]);

    await settle(driver);

    expect(h.leftInAccount()).toEqual([]);
    expect(arnsInAccount()).toEqual(recordedBy(driver));
    expect(h.refusedChanges()).toEqual([]);
    // Nothing created the endpoint again once CloudFormation had cancelled its Create.
    expect(handlerCalls('CreateEndpoint')).toEqual([created]);
  });
});

describe('an update that adds an endpoint while another import fails its quality gate', () => {
  test.each(ORDERS)('the new endpoint, still CREATING, is deleted by its Delete (made-up physical id), the refused copy by '
    + 'its waiter: only the first copy is left (%s)', async order => {
    // The emulator reports a copy's metrics as its source's: every copy of Invoices' source fails the gate.
    h.emulator.addTrainedModel(OTHER_SOURCE_CLASSIFIER, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`], evaluationMetrics: POOR });
    const driver = h.driver();
    const v1 = importer({ Tickets: {} });
    expect((await driver.deploy(v1.stack)).status).toBe('COMPLETE');
    const [copyA] = recordedBy(driver);
    // The endpoint starts at once (its copy is unchanged) and is CREATING for 120 s; Invoices is judged 75 s in.
    const { stack, id } = importer({
      Tickets: { endpoint: { endpointName: 'tickets-live' } },
      Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER, qualityGate: { minimum: { f1Score: 0.85 } } },
    });
    const [tickets, live, invoices] = [id('Tickets'), id('Tickets/Live'), id('Invoices')];

    const result = await driver.deploy(stack, { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${invoices}: .*F1Score 0\\.59 FAILS minimum 0\\.85`))]);
    expect(result.cancelled).toEqual([{ logicalId: live, requestType: 'Create' }]);
    const [created] = handlerCalls('CreateEndpoint');
    expect(created.at + ENDPOINT_CREATE_MS).toBeGreaterThan(cancelledAt(driver, live));
    expect(outcomeOf(result, live, 'Delete')).toMatchObject({ status: 'SUCCESS', physicalResourceId: expect.stringMatching(MADE_UP) });
    expect(handlerCalls('DeleteEndpoint')[0].outcome).toBe('ResourceInUseException');

    await settle(driver);

    expect(h.leftInAccount()).toEqual([`${copyA.split(':').pop()} TRAINED`]);
    expect(arnsInAccount()).toEqual(recordedBy(driver));
    expect([...driver.resources.keys()]).toEqual([tickets]);
    expect(h.emulator.modelsOf(IMPORTER).filter(m => m.sourceModelArn === OTHER_SOURCE_CLASSIFIER)).toEqual([]);
    expect(handlerCalls('DeleteDocumentClassifier').filter(c => c.input.DocumentClassifierArn === copyA)).toEqual([]);
    expect(h.refusedChanges()).toEqual([]);
    expect(handlerCalls('CreateEndpoint')).toEqual([created]);
  });
});

describe('a renamed endpoint whose Update is cancelled', () => {
  test.each(ORDERS)('the rollback\'s Update (old properties, old physical id) deletes the endpoint under the new name; the '
    + 'old one serves on (%s)', async order => {
    const driver = h.driver();
    const v1 = importer({ Tickets: { endpoint: { endpointName: 'tickets-a' } } });
    expect((await driver.deploy(v1.stack)).status).toBe('COMPLETE');
    const [copyA] = h.emulator.modelsOf(IMPORTER).map(m => m.arn);
    // tickets-b is CREATING for 120 s from the start of the update; Invoices fails 40 s in.
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, failsAfter(40_000));
    const { stack, id } = importer({ Tickets: { endpoint: { endpointName: 'tickets-b' } }, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } });
    const live = id('Tickets/Live');

    const result = await driver.deploy(stack, { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${id('Invoices')}: .*${FAILURE}`))]);
    expect(result.cancelled).toEqual([{ logicalId: live, requestType: 'Update' }]);
    const created = handlerCalls('CreateEndpoint').filter(c => c.input.EndpointName === 'tickets-b');
    expect(created).toHaveLength(1);
    expect(created[0].at + ENDPOINT_CREATE_MS).toBeGreaterThan(cancelledAt(driver, live));
    // The rollback's Update: the old properties and the old physical id, the new name only in the old properties.
    const rollbackUpdate = driver.invocations.filter(i => i.logicalId === live && i.requestType === 'Update' && i.handler === 'onEvent')[1].event;
    expect(rollbackUpdate).toMatchObject({
      PhysicalResourceId: ENDPOINT_ARN('tickets-a'),
      ResourceProperties: { EndpointName: 'tickets-a' },
      OldResourceProperties: { EndpointName: 'tickets-b' },
    });
    expect(outcomeOf(result, live, 'Update')).toMatchObject({ status: 'SUCCESS', physicalResourceId: ENDPOINT_ARN('tickets-a') });
    expect(handlerCalls('DeleteEndpoint').map(c => c.input.EndpointArn)).toContain(ENDPOINT_ARN('tickets-b'));
    expect(handlerCalls('DeleteEndpoint').filter(c => c.input.EndpointArn === ENDPOINT_ARN('tickets-a'))).toEqual([]);

    await settle(driver);

    expect(h.leftInAccount()).toEqual(serving(copyA, 'tickets-a'));
    expect(h.emulator.endpointNow(ENDPOINT_ARN('tickets-b'))).toBeUndefined();
    expect(arnsInAccount()).toEqual(recordedBy(driver));
    expect(h.refusedChanges()).toEqual([]);
    // The cancelled waiter never created tickets-b again once the rollback had deleted it.
    expect(handlerCalls('CreateEndpoint').filter(c => c.input.EndpointName === 'tickets-b')).toEqual(created);
  });
});

describe('an endpoint moving to a replacement copy when a sibling fails', () => {
  test.each(ORDERS)('the rollback returns it to the v1 copy, and the cancelled waiter, polling on, never moves it back to v2 '
    + '(%s)', async order => {
    const driver = h.driver();
    const v1 = importer({ Tickets: { endpoint: { endpointName: 'tickets-live' } } });
    expect((await driver.deploy(v1.stack)).status).toBe('COMPLETE');
    const [copyV1] = h.emulator.modelsOf(IMPORTER).map(m => m.arn);
    const arn = ENDPOINT_ARN('tickets-live');
    // The v2 copy is ready 75 s in, and the endpoint then UPDATING to it; Invoices fails 100 s in.
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, failsAfter(100_000));
    // The move to v2 still has a minute to go when the rollback first asks to move the endpoint back (watchUpdates).
    const stretchedAt = watchUpdates(arn, true);
    const { stack, id } = importer({
      Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2, endpoint: { endpointName: 'tickets-live' } },
      Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER },
    });
    const [tickets, live] = [id('Tickets'), id('Tickets/Live')];

    const result = await driver.deploy(stack, { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${id('Invoices')}: .*${FAILURE}`))]);
    expect(result.cancelled).toEqual([{ logicalId: live, requestType: 'Update' }]);
    const copyV2 = result.outcomes.find(o => o.logicalId === tickets && o.requestType === 'Update' && o.status === 'SUCCESS')!.physicalResourceId!;
    expect(copyV2).not.toBe(copyV1);
    expect(handlerCalls('ImportModel').filter(c => c.output?.ModelArn === copyV2).map(c => c.input.SourceModelArn)).toEqual([SOURCE_CLASSIFIER_V2]);
    // The endpoint was UPDATING to v2 when its Update was cancelled, and still when the rollback first asked.
    const cancelled = cancelledAt(driver, live);
    const updates = handlerCalls('UpdateEndpoint');
    expect(updates.map(c => `${c.input.DesiredModelArn === copyV2 ? 'v2' : 'v1'} ${c.outcome}`)).toEqual(['v2 OK', 'v1 ResourceInUseException', 'v1 OK']);
    expect(updates[0].at).toBeLessThan(cancelled);
    expect(updates[0].at + ENDPOINT_UPDATE_MS).toBeGreaterThan(cancelled);
    expect(stretchedAt()).toBeGreaterThan(cancelled);
    expect(stretchedAt()).toBeLessThanOrEqual(updates[1].at);
    expect(updates[2].at).toBeGreaterThanOrEqual(stretchedAt() + ENDPOINT_UPDATE_MS);

    await settle(driver);

    expect(h.leftInAccount()).toEqual(serving(copyV1, 'tickets-live'));
    expect(h.emulator.model(copyV2)).toBeUndefined();
    expect(arnsInAccount()).toEqual(recordedBy(driver));
    expect(driver.resources.get(tickets)!.physicalResourceId).toBe(copyV1);
    expect(h.refusedChanges()).toEqual([]);
    // The cancelled waiter polled on until the endpoint was back on v1, found v2 pending, and stopped before asking for
    // it: nothing asked Comprehend to move the endpoint to v2 after CloudFormation had cancelled that request.
    const [ended] = driver.cancelledOutcomes.filter(o => o.logicalId === live);
    expect(ended).toMatchObject({ requestType: 'Update', status: 'FAILED', cancelledAt: cancelled, reason: expect.stringMatching(/has moved on from this Update request/) });
    expect(ended.answeredAt).toBeGreaterThan(updates[2].at + ENDPOINT_UPDATE_MS);
    expect(h.emulator.calls.filter(c => c.operation === 'UpdateEndpoint' && c.input.DesiredModelArn === copyV2 && c.at >= cancelled)).toEqual([]);
  });
});

describe('a user role switched and rolled back', () => {
  test.each<[string, CancelledPollOrder, number]>([
    ['once the endpoint is on role B', 'afterRollbackOnEvent', 140_000],
    ['while the endpoint is UPDATING to role B', 'beforeRollback', 25_000],
    ['while the endpoint is UPDATING to role B', 'afterRollbackOnEvent', 25_000],
  ])('a sibling fails %s: the rollback\'s UpdateEndpoint passes role A, whose policy is still in force; the endpoint ends on '
    + 'A (%s)', async (_, order, failAfterMs) => {
    const driver = h.driver();
    const arn = ENDPOINT_ARN('tickets-live');
    const v1 = importer({ Tickets: { endpoint: { endpointName: 'tickets-live', roleArn: ROLE_A } } });
    expect((await driver.deploy(v1.stack)).status).toBe('COMPLETE');
    const [copyA] = h.emulator.modelsOf(IMPORTER).map(m => m.arn);
    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'IN_SERVICE', dataAccessRoleArn: ROLE_A });
    const handlerKey = handlerCalls('CreateEndpoint')[0].accessKeyId;
    expect(passable(handlerKey)).toEqual([ROLE_A]);
    // The endpoint starts UPDATING to role B as the update begins; Invoices fails then or once the move is done.
    const cancelledWhileUpdating = failAfterMs < ENDPOINT_UPDATE_MS;
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, failsAfter(failAfterMs));
    const { stack, id } = importer({
      Tickets: { endpoint: { endpointName: 'tickets-live', roleArn: ROLE_B } },
      Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER },
    });
    const live = id('Tickets/Live');
    // What the handler role may pass when each UpdateEndpoint arrives; a move to B cancelled half-way still has a minute
    // to go when the rollback first asks (watchUpdates).
    const passableAtUpdate: string[][] = [];
    const stretchedAt = watchUpdates(arn, cancelledWhileUpdating, () => passableAtUpdate.push(passable(handlerKey)));

    const result = await driver.deploy(stack, { cancelledPolls: order });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${id('Invoices')}: .*${FAILURE}`))]);
    expect(result.cancelled).toEqual(cancelledWhileUpdating ? [{ logicalId: live, requestType: 'Update' }] : []);
    const updates = handlerCalls('UpdateEndpoint');
    const role = (c: EmulatorCall) => (c.input.DesiredDataAccessRoleArn === ROLE_A ? 'A' : c.input.DesiredDataAccessRoleArn === ROLE_B ? 'B' : '-');
    expect(updates.map(c => `${role(c)} ${c.outcome}`))
      .toEqual(cancelledWhileUpdating ? ['B OK', 'A ResourceInUseException', 'A OK'] : ['B OK', 'A OK']);
    // The rollback's UpdateEndpoint ran under the new template's policies, A's own policy still among them.
    expect(passableAtUpdate[0]).toEqual([ROLE_A, ROLE_B]);
    expect(passableAtUpdate[updates.length - 1]).toEqual([ROLE_A, ROLE_B]);
    expect(outcomeOf(result, live, 'Update')).toMatchObject({ status: 'SUCCESS', physicalResourceId: arn });
    if (cancelledWhileUpdating) {
      expect(stretchedAt()).toBeGreaterThan(cancelledAt(driver, live));
      expect(stretchedAt()).toBeLessThanOrEqual(updates[1].at);
    }

    await settle(driver);

    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'IN_SERVICE', modelArn: copyA, dataAccessRoleArn: ROLE_A });
    expect(h.leftInAccount()).toEqual(serving(copyA, 'tickets-live'));
    expect(arnsInAccount()).toEqual(recordedBy(driver));
    expect(h.refusedChanges()).toEqual([]);
    // The old template's policies are back: A passable, B no longer.
    expect(passable(handlerKey)).toEqual([ROLE_A]);
    if (cancelledWhileUpdating) {
      // The cancelled waiter polled on until the endpoint was back on A, and stopped before passing B again.
      const cancelled = cancelledAt(driver, live);
      const [ended] = driver.cancelledOutcomes.filter(o => o.logicalId === live);
      expect(ended).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/has moved on from this Update request/) });
      expect(ended.answeredAt).toBeGreaterThan(updates[2].at + ENDPOINT_UPDATE_MS);
      expect(h.emulator.calls.filter(c => c.operation === 'UpdateEndpoint' && c.input.DesiredDataAccessRoleArn === ROLE_B && c.at >= cancelled)).toEqual([]);
    }
  });
});

describe('a busy endpoint: Application Auto Scaling is changing its units when a deploy moves it to a new copy', () => {
  test.each([
    // What the emulator answers UpdateEndpoint on an endpoint that is not IN_SERVICE.
    ['ResourceInUseException', false],
    // The other error botocore lists for UpdateEndpoint; which one Comprehend answers a busy endpoint is not documented
    // (docs/aws-assumptions.md, update-busy-endpoint).
    ['ResourceUnavailableException', true],
  ])('UpdateEndpoint answered %s: the deploy waits, ends COMPLETE on the new copy, the scaler\'s units kept', async (refusal, inject) => {
    const driver = h.driver();
    const v1 = importer({ Tickets: { endpoint: { endpointName: 'tickets-live' } } });
    expect((await driver.deploy(v1.stack)).status).toBe('COMPLETE');
    const arn = ENDPOINT_ARN('tickets-live');
    // The v2 copy is ready 15 s into the deploy, while the scaler's update (60 s) still runs.
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER_V2, { submitMs: 0, trainMs: 10_000 });
    // Application Auto Scaling moves the endpoint to 3 units: UpdateEndpoint with DesiredInferenceUnits alone.
    const scaler = new ComprehendClient({ endpoint: h.emulator.endpoint, region: REGION, credentials: { accessKeyId: ACCOUNT_KEY, secretAccessKey: 'emulator-secret' } });
    await scaler.send(new UpdateEndpointCommand({ EndpointArn: arn, DesiredInferenceUnits: 3 }));
    const scaledAt = h.clock.now();
    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'UPDATING', units: 1, desiredUnits: 3 });
    if (inject) {
      h.emulator.failNext('UpdateEndpoint', refusal);
    }
    const { stack, id } = importer({ Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2, endpoint: { endpointName: 'tickets-live' } } });

    const result = await driver.deploy(stack);

    expect(result.status).toBe('COMPLETE');
    expect(result.failures).toEqual([]);
    const copyV2 = driver.resources.get(id('Tickets'))!.physicalResourceId;
    expect(h.emulator.model(copyV2)?.sourceModelArn).toBe(SOURCE_CLASSIFIER_V2);
    const updates = handlerCalls('UpdateEndpoint');
    expect(updates.map(c => c.outcome)).toEqual([refusal, 'OK']);
    // Refused while the scaler's update ran; asked again once the endpoint was IN_SERVICE, for the model alone.
    expect(updates[0].at).toBeLessThan(scaledAt + ENDPOINT_UPDATE_MS);
    expect(updates[1].at).toBeGreaterThanOrEqual(scaledAt + ENDPOINT_UPDATE_MS);
    expect(updates.map(c => c.input)).toEqual([{ EndpointArn: arn, DesiredModelArn: copyV2 }, { EndpointArn: arn, DesiredModelArn: copyV2 }]);
    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'IN_SERVICE', modelArn: copyV2, units: 3 });
    expect(h.leftInAccount()).toEqual(serving(copyV2, 'tickets-live'));
    expect(arnsInAccount()).toEqual(recordedBy(driver));
    expect(h.refusedChanges()).toEqual([]);
  });
});
