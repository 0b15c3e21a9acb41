// The quality gate end to end, offline: a served copy, a new source version judged by its evaluation metrics, the
// bundled handlers, and Comprehend played by the emulator (which reports a copy's metrics as its source's, unless told
// that the copy reports none).
import { App, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Harness, startHarness } from './harness';
import { ImportedComprehendModel, QualityGate } from '../../src';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SHARER, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, SOURCE_RECOGNIZER } from '../support/fixtures';

jest.setTimeout(120_000);

const V1 = {
  Accuracy: 0.93, Precision: 0.9, Recall: 0.88, F1Score: 0.89, MicroPrecision: 0.91, MicroRecall: 0.9, MicroF1Score: 0.905, HammingLoss: 0.07,
};
const GATE: QualityGate = { minimum: { f1Score: 0.85, accuracy: 0.9 }, noWorseThanReplaced: true };
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.emulator.addTrainedModel(SOURCE_CLASSIFIER, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`], evaluationMetrics: V1 });
});
afterEach(async () => {
  await h.stop();
});

/** The sharer's v2, with metrics that differ from v1's as given. */
function shareV2(metrics: Partial<typeof V1>): void {
  h.emulator.addTrainedModel(SOURCE_CLASSIFIER_V2, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`], evaluationMetrics: { ...V1, ...metrics } });
}

function servingStack(source: string, qualityGate: QualityGate | undefined = GATE, removalPolicy?: RemovalPolicy): Stack {
  const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region: REGION } });
  const copy = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: source, qualityGate, removalPolicy });
  copy.addEndpoint('Live', { endpointName: 'tickets-live' });
  return stack;
}

const copiesNow = () => h.emulator.modelsOf(IMPORTER).map(m => ({ arn: m.arn, status: h.emulator.statusOf(m), source: m.sourceModelArn }));

/** Deploys v1 and serves it; returns the driver, the v1 copy, and what the endpoint served at every poll from then on. */
async function serveV1() {
  const served: string[] = [];
  const driver = h.driver(IMPORTER, {}, () => served.push(h.emulator.endpointNow(ENDPOINT)?.modelArn ?? 'nothing'));
  const first = await driver.deploy(servingStack(SOURCE_CLASSIFIER));
  expect(first.failures).toEqual([]);
  const [v1] = copiesNow();
  served.length = 0;
  return { driver, v1, served };
}

describe('an upgrade the gate refuses: rolled back, the old copy serving at every poll, no new copy left', () => {
  test.each([
    ['below a minimum', { F1Score: 0.84 }, /F1Score 0\.84 FAILS minimum 0\.85 \(qualityGate\.minimum\.f1Score\)/],
    ['worse than the copy it replaces on one metric', { Accuracy: 0.92, F1Score: 0.95 }, /against the replaced copy .*\(noWorseThanReplaced\): Accuracy 0\.92 WORSE than 0\.93,/],
    ['HammingLoss higher than the replaced copy\'s', { HammingLoss: 0.08 }, /against the replaced copy .*\(noWorseThanReplaced\): .*HammingLoss 0\.08 WORSE than 0\.07\./],
  ])('v2 %s', async (_, v2, reason) => {
    shareV2(v2);
    const { driver, v1, served } = await serveV1();

    const result = await driver.deploy(servingStack(SOURCE_CLASSIFIER_V2));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(reason);
    // Every metric the gate looked at is in the message, with its value and its bound, and what happens next.
    expect(result.failures[0]).toMatch(/Accuracy 0\.9\d* (meets|FAILS) minimum 0\.9 \(qualityGate\.minimum\.accuracy\)/);
    expect(result.failures[0]).toMatch(/F1Score 0\.\d+ (meets|FAILS) minimum 0\.85/);
    expect(result.failures[0]).toMatch(new RegExp(`The copy is being deleted, so CloudFormation rolls back and ${v1.arn} keeps serving`));
    expect(served.length).toBeGreaterThan(3);
    expect(new Set(served)).toEqual(new Set([v1.arn]));
    expect(copiesNow()).toEqual([v1]);
    expect(h.emulator.count('UpdateEndpoint')).toBe(0);
    expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.input.DocumentClassifierArn === v1.arn)).toEqual([]);
  });
});

test('v2 at least as good on every metric, and above the minimums: the upgrade completes and v2 serves', async () => {
  shareV2({ Accuracy: 0.93, F1Score: 0.91, HammingLoss: 0.05 });
  const { driver, v1 } = await serveV1();

  const result = await driver.deploy(servingStack(SOURCE_CLASSIFIER_V2));

  expect(result.failures).toEqual([]);
  expect(result.status).toBe('COMPLETE');
  const [v2] = copiesNow();
  expect(copiesNow()).toEqual([expect.objectContaining({ source: SOURCE_CLASSIFIER_V2, status: 'TRAINED' })]);
  expect(v2.arn).not.toEqual(v1.arn);
  expect(h.emulator.endpointNow(ENDPOINT)).toMatchObject({ modelArn: v2.arn });
  // The metrics are the resource's attributes (Fn::GetAtt), each under Evaluation<metric>.
  const update = result.outcomes.find(o => o.logicalId.startsWith('Tickets') && !o.logicalId.startsWith('TicketsLive') && o.requestType === 'Update')!;
  expect(update.data).toMatchObject({ EvaluationAccuracy: '0.93', EvaluationF1Score: '0.91', EvaluationHammingLoss: '0.05', EvaluationMicroRecall: '0.9' });
  // What onEvent told isComplete is emptied in the merged attributes: no stale ARN of the replaced copy.
  expect(update.data).toMatchObject({ NewCopy: '', ReplacedCopy: '', Deadline: '' });
});

test('metrics exactly at their bounds pass', async () => {
  shareV2({ Accuracy: 0.9, F1Score: 0.85, HammingLoss: 0.1 });
  const driver = h.driver();

  const result = await driver.deploy(servingStack(SOURCE_CLASSIFIER_V2, { minimum: { accuracy: 0.9, f1Score: 0.85 }, maximumHammingLoss: 0.1 }));

  expect(result.failures).toEqual([]);
  expect(copiesNow()).toEqual([expect.objectContaining({ source: SOURCE_CLASSIFIER_V2, status: 'TRAINED' })]);
});

test('a rollback to the old copy is not judged again: v2 passes, a sibling fails, and the stack rolls back to v1', async () => {
  // v1 is worse than v2, so judging the rollback (v1 replacing v2) by noWorseThanReplaced would fail it.
  shareV2({ Accuracy: 0.95, F1Score: 0.93 });
  const { driver, v1 } = await serveV1();
  h.emulator.failNext('UpdateEndpoint', 'InvalidRequestException');

  const result = await driver.deploy(servingStack(SOURCE_CLASSIFIER_V2));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures).toEqual([expect.stringMatching(/^TicketsLive/)]);
  expect(copiesNow()).toEqual([v1]);
  expect(h.emulator.endpointNow(ENDPOINT)).toMatchObject({ status: 'IN_SERVICE', modelArn: v1.arn });
});

test('the rollback\'s lookup throttled: the copy it returns to is found at a later poll, not judged, not deleted, not imported', async () => {
  // v1 is worse than v2, so judging the rollback (v1 replacing v2) by noWorseThanReplaced would fail it.
  shareV2({ Accuracy: 0.95, F1Score: 0.93 });
  const { driver, v1 } = await serveV1();
  const before = h.emulator.calls.length;
  h.emulator.failNext('UpdateEndpoint', 'InvalidRequestException');
  // The rollback's onEvent looks for the copy it returns to (DescribeDocumentClassifier) before any ImportModel: every
  // attempt of that lookup is throttled (the SDK makes 8), so onEvent cannot tell what it found (Data.NewCopy 'unknown')
  // and leaves the copy to its waiter. Scripted once the forward import is done: the endpoint's onEvent describes the
  // endpoint before it updates it, and the next DescribeDocumentClassifier is the rollback's lookup.
  h.emulator.onNext('DescribeEndpoint', () => h.emulator.failNext('DescribeDocumentClassifier', 'TooManyRequestsException', 8));

  const result = await driver.deploy(servingStack(SOURCE_CLASSIFIER_V2));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures).toEqual([expect.stringMatching(/^TicketsLive/)]);
  const isTickets = (logicalId: string) => logicalId.startsWith('Tickets') && !logicalId.startsWith('TicketsLive');
  const v2 = result.outcomes.find(o => isTickets(o.logicalId))!.physicalResourceId;
  // The rollback's Update of the copy: the last onEvent of an Update of it, and its waiter's polls.
  const invocations = driver.invocations.filter(i => isTickets(i.logicalId) && i.requestType === 'Update');
  const rollbackOnEvent = invocations.filter(i => i.handler === 'onEvent').pop()!;
  const rollbackPolls = invocations.filter(i => i.handler === 'isComplete' && i.startedAt >= rollbackOnEvent.endedAt!);
  const describes = h.emulator.calls.slice(before).filter(c => c.operation === 'DescribeDocumentClassifier');
  // Its lookup was throttled at each of the SDK's 8 attempts, all on the copy it returns to, within that onEvent.
  const throttled = describes.filter(c => c.outcome === 'TooManyRequestsException');
  expect(throttled.map(c => c.input.DocumentClassifierArn)).toEqual(Array(8).fill(v1.arn));
  expect(throttled.every(c => c.at >= rollbackOnEvent.startedAt && c.at <= rollbackOnEvent.endedAt!)).toBe(true);
  // So onEvent answered NewCopy 'unknown', and its waiter found v1 at its first poll (the next look at v1), and was done.
  expect(rollbackPolls).toHaveLength(1);
  expect(rollbackPolls[0].event.Data).toMatchObject({ NewCopy: 'unknown', ReplacedCopy: v2 });
  expect(describes.slice(describes.indexOf(throttled[7]) + 1).find(c => c.input.DocumentClassifierArn === v1.arn)?.outcome).toBe('OK');
  // Not judged: against v2 (noWorseThanReplaced) v1 fails the gate, and the rollback would fail; it succeeded on v1,
  // and the cleanup deleted v2.
  expect(result.outcomes.filter(o => isTickets(o.logicalId)).map(o => `${o.requestType} ${o.status} ${o.physicalResourceId}`))
    .toEqual([`Update SUCCESS ${v2}`, `Update SUCCESS ${v1.arn}`, `Delete SUCCESS ${v2}`]);
  // The deployment sent one ImportModel (v2's), the rollback none; v1 is intact, v2 deleted by the cleanup.
  expect(h.emulator.calls.slice(before).filter(c => c.operation === 'ImportModel').map(c => c.input.SourceModelArn)).toEqual([SOURCE_CLASSIFIER_V2]);
  expect(copiesNow()).toEqual([v1]);
  expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.input.DocumentClassifierArn === v1.arn)).toEqual([]);
});

test('without an endpoint, a sibling that fails after a gated replacement: the rollback returns to v1, intact', async () => {
  shareV2({ Accuracy: 0.95, F1Score: 0.93 });
  h.emulator.addTrainedModel(OTHER_SOURCE_CLASSIFIER, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
  h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { failWith: 'The model artifacts could not be decrypted' });
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: { qualityGate: GATE } }));
  const [v1] = copiesNow();

  const result = await driver.deploy(h.stack({
    Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2, qualityGate: GATE },
    Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER },
  }));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures).toEqual([expect.stringMatching(/^Invoices.*could not be decrypted/)]);
  expect(copiesNow()).toEqual([v1]);
  expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.input.DocumentClassifierArn === v1.arn)).toEqual([]);
});

test('a tags-only update with a stricter gate: the current copy is not judged again, and its attributes are returned', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: { qualityGate: GATE } }));
  const [v1] = copiesNow();

  const result = await driver.deploy(h.stack({ Tickets: { qualityGate: { minimum: { f1Score: 0.99 } }, tags: { team: 'nlp' } } }));

  expect(result.failures).toEqual([]);
  expect(result.outcomes).toEqual([expect.objectContaining({ requestType: 'Update', physicalResourceId: v1.arn, data: expect.objectContaining({ EvaluationF1Score: '0.89' }) })]);
  expect(copiesNow()).toEqual([v1]);
});

test('a copy created before the metrics were attributes gets them from the Update its new attribute set causes', async () => {
  const driver = h.driver();
  const older = h.stack({ Tickets: {} });
  // What a template of a library without the attribute set looked like.
  (older.node.findAll().find(c => c instanceof CfnResource && c.cfnResourceType === 'Custom::ComprehendImportedModel') as CfnResource)
    .addPropertyDeletionOverride('AttributeSet');
  await driver.deploy(older);
  const [v1] = copiesNow();

  const result = await driver.deploy(h.stack({ Tickets: {} }));

  expect(result.failures).toEqual([]);
  expect(result.outcomes).toEqual([expect.objectContaining({
    requestType: 'Update', physicalResourceId: v1.arn, data: expect.objectContaining({ EvaluationAccuracy: '0.93', EvaluationHammingLoss: '0.07' }),
  })]);
  expect(h.emulator.count('ImportModel')).toBe(1);
});

describe('an entity recognizer, whose plain-text metrics run from 0 to 100', () => {
  beforeEach(() => {
    h.emulator.addTrainedModel(SOURCE_RECOGNIZER, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`], evaluationMetrics: { Precision: 88, Recall: 84, F1Score: 86 } });
  });

  test('a bound on the 0-1 scale fails with the explanation, and the copy is deleted', async () => {
    const result = await h.driver().deploy(h.stack({ Products: { sourceModelArn: SOURCE_RECOGNIZER, qualityGate: { minimum: { f1Score: 0.85 } } } }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0]).toMatch(/the copy reports F1Score from 0 to 100 .* so give the bound on that scale \(85 for 0\.85\)/);
    expect(copiesNow()).toEqual([]);
  });

  test('bounds on its own scale pass, and its three metrics are attributes', async () => {
    const qualityGate = { minimum: { f1Score: 85, recall: 84 } };
    const result = await h.driver().deploy(h.stack({ Products: { sourceModelArn: SOURCE_RECOGNIZER, qualityGate } }));

    expect(result.failures).toEqual([]);
    expect(result.outcomes[0].data).toMatchObject({ EvaluationPrecision: '88', EvaluationRecall: '84', EvaluationF1Score: '86' });
    expect(Object.keys(result.outcomes[0].data!).filter(key => key.startsWith('Evaluation'))).toHaveLength(3);
  });
});

describe('a copy that reports no evaluation metrics', () => {
  beforeEach(() => {
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { withoutMetrics: true });
  });

  test('fails the gate, with a message that says so, and is deleted', async () => {
    const result = await h.driver().deploy(servingStack(SOURCE_CLASSIFIER));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0]).toMatch(/Comprehend reports no evaluation metrics for the copy, so the gate cannot judge it; set allowMissingMetrics: true/);
    expect(copiesNow()).toEqual([]);
  });

  test('passes when the gate allows it, and its metric attributes say none', async () => {
    const result = await h.driver().deploy(servingStack(SOURCE_CLASSIFIER, { ...GATE, allowMissingMetrics: true }));

    expect(result.failures).toEqual([]);
    expect(copiesNow()).toEqual([expect.objectContaining({ source: SOURCE_CLASSIFIER, status: 'TRAINED' })]);
    const create = result.outcomes.find(o => o.logicalId.startsWith('Tickets') && !o.logicalId.startsWith('TicketsLive'))!;
    expect(create.data).toMatchObject({ EvaluationF1Score: 'none', EvaluationAccuracy: 'none' });
  });
});

test('a retained copy that fails the gate on create is deleted all the same: it never served', async () => {
  h.emulator.addTrainedModel(SOURCE_CLASSIFIER, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`], evaluationMetrics: { ...V1, F1Score: 0.5 } });

  const result = await h.driver().deploy(servingStack(SOURCE_CLASSIFIER, GATE, RemovalPolicy.RETAIN));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(/F1Score 0\.5 FAILS minimum 0\.85/);
  // CloudFormation sends a retained resource no Delete; the handler's own deletion runs its course.
  h.clock.advance(60_000);
  expect(copiesNow()).toEqual([]);
  expect(h.emulator.modelsOf(SHARER).map(m => m.arn)).toContain(SOURCE_CLASSIFIER);
});
