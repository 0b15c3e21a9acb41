// The quality gate in the handlers, through the real SDK client (aws-sdk-client-mock): what onEvent tells isComplete,
// how isComplete judges a usable copy, and what it deletes.
import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  ImportModelCommand,
  ListTagsForResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { QualityGateProperties } from '../../../src/contract/evaluation-metrics';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  createEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  properties,
  recordData,
  REGION,
  SOURCE_CLASSIFIER,
  SOURCE_CLASSIFIER_V2,
  SOURCE_RECOGNIZER,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
mockStackRecord();
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/Classifier1234ABCD-0123456789abcdef`;
const OLD_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/v1`;
const RECOGNIZER_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/r1`;
const future = () => String(Date.now() + 60_000);
const GATE: QualityGateProperties = { Bounds: { F1Score: '0.85', Accuracy: '0.9' }, NoWorseThanReplaced: 'true' };

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
  // No copy but those a test describes (which take precedence, defined later).
  comprehend.on(DescribeDocumentClassifierCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
  comprehend.on(DeleteDocumentClassifierCommand).resolves({});
  comprehend.on(DeleteEntityRecognizerCommand).resolves({});
});

function classifier(arn: string, metrics?: Record<string, number>) {
  comprehend.on(DescribeDocumentClassifierCommand, { DocumentClassifierArn: arn }).resolves({
    DocumentClassifierProperties: {
      DocumentClassifierArn: arn,
      Status: 'TRAINED',
      SourceModelArn: SOURCE_CLASSIFIER,
      ClassifierMetadata: metrics && { NumberOfLabels: 3, EvaluationMetrics: metrics },
    },
  });
}

/** isComplete of a new copy (as onEvent marks one), with the gate given. */
function judging(gate: QualityGateProperties | undefined, extra: Record<string, string> = {}, physicalResourceId = COPY) {
  return waiterEvent(createEvent(properties({ QualityGate: gate })), {
    PhysicalResourceId: physicalResourceId,
    Data: { Deadline: future(), NewCopy: 'true', ...recordData(), ...extra },
  });
}

describe('isComplete judges a new copy once it is usable', () => {
  test('a metric below its minimum: the copy is deleted after the ownership check, and every check is in the message', async () => {
    classifier(COPY, { Accuracy: 0.95, F1Score: 0.8 });

    const failure = await isComplete(judging(GATE)).catch(error => error.message);

    expect(failure).toContain(`the copy ${COPY} of ${SOURCE_CLASSIFIER} does not pass the quality gate:`);
    expect(failure).toContain('F1Score 0.8 FAILS minimum 0.85 (qualityGate.minimum.f1Score)');
    expect(failure).toContain('Accuracy 0.95 meets minimum 0.9 (qualityGate.minimum.accuracy)');
    expect(failure).toContain('The copy is being deleted, so CloudFormation rolls back. Share a better model version, or change qualityGate.');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(c => c.args[0].input)).toEqual([{ DocumentClassifierArn: COPY }]);
    const order = comprehend.calls().map(c => c.args[0].constructor.name);
    expect(order.lastIndexOf('ListTagsForResourceCommand')).toBeLessThan(order.indexOf('DeleteDocumentClassifierCommand'));
  });

  test('a copy that is not this resource\'s is never deleted, even when it fails the gate', async () => {
    classifier(COPY, { Accuracy: 0.95, F1Score: 0.8 });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [] });

    await expect(isComplete(judging(GATE))).rejects.toThrow(/this resource did not create it/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('at the bound passes, and the metrics become attributes', async () => {
    classifier(COPY, { Accuracy: 0.9, F1Score: 0.85, HammingLoss: 0.1 });

    const result = await isComplete(judging({ Bounds: { F1Score: '0.85', Accuracy: '0.9', HammingLoss: '0.1' } }));

    expect(result).toMatchObject({ IsComplete: true, Data: { EvaluationAccuracy: '0.9', EvaluationF1Score: '0.85', EvaluationHammingLoss: '0.1', EvaluationRecall: 'none' } });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('a HammingLoss above its maximum fails', async () => {
    classifier(COPY, { HammingLoss: 0.11 });

    await expect(isComplete(judging({ Bounds: { HammingLoss: '0.1' } }))).rejects.toThrow('HammingLoss 0.11 FAILS maximum 0.1 (qualityGate.maximumHammingLoss)');
  });

  test('a bounded metric the copy does not report fails, unless the gate allows missing metrics', async () => {
    classifier(COPY, { F1Score: 0.9 });

    await expect(isComplete(judging(GATE))).rejects.toThrow('Accuracy not reported, minimum 0.9 (qualityGate.minimum.accuracy)');
    comprehend.resetHistory();
    await expect(isComplete(judging({ ...GATE, AllowMissingMetrics: 'true' }))).resolves.toMatchObject({ IsComplete: true });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('no metrics at all: fails with what to set, or passes with allowMissingMetrics', async () => {
    classifier(COPY);

    await expect(isComplete(judging({}))).rejects.toThrow(
      'Comprehend reports no evaluation metrics for the copy, so the gate cannot judge it; set allowMissingMetrics: true in qualityGate',
    );
    await expect(isComplete(judging({ AllowMissingMetrics: 'true' }))).resolves.toMatchObject({ IsComplete: true, Data: { EvaluationF1Score: 'none' } });
  });

  test('noWorseThanReplaced reads the replaced copy and compares every metric both report', async () => {
    classifier(COPY, { Accuracy: 0.92, F1Score: 0.95, Recall: 0.9 });
    classifier(OLD_COPY, { Accuracy: 0.93, F1Score: 0.9 });

    const failure = await isComplete(judging(GATE, { ReplacedCopy: OLD_COPY })).catch(error => error.message);

    expect(failure).toContain(`against the replaced copy ${OLD_COPY} (noWorseThanReplaced): Accuracy 0.92 WORSE than 0.93, F1Score 0.95 no worse than 0.9`);
    expect(failure).not.toContain('Recall 0.9 ');
    expect(failure).toContain(`so CloudFormation rolls back and ${OLD_COPY} keeps serving`);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(c => c.args[0].input)).toEqual([{ DocumentClassifierArn: COPY }]);
  });

  test('a replaced copy that is gone gives nothing to be worse than', async () => {
    classifier(COPY, { Accuracy: 0.92, F1Score: 0.95 });
    comprehend.on(DescribeDocumentClassifierCommand, { DocumentClassifierArn: OLD_COPY }).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));

    await expect(isComplete(judging(GATE, { ReplacedCopy: OLD_COPY }))).resolves.toMatchObject({ IsComplete: true });
  });

  test('an Update\'s copy onEvent did not mark as new (a rollback, a tags-only update) is not judged', async () => {
    classifier(COPY, { Accuracy: 0.5, F1Score: 0.5 });
    const gated = properties({ QualityGate: GATE });
    const event = waiterEvent(updateEvent(COPY, gated, gated), { PhysicalResourceId: COPY, Data: { Deadline: future() } });

    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true, Data: { EvaluationF1Score: '0.5' } });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('when onEvent could not tell (throttled), an Update\'s copy submitted before the event began is not judged: a rollback\'s', async () => {
    const timeoutSeconds = 3000;
    const eventStart = Date.now() - 5_000;
    const submitted = (at: number) => comprehend.on(DescribeDocumentClassifierCommand, { DocumentClassifierArn: COPY }).resolves({
      DocumentClassifierProperties: {
        DocumentClassifierArn: COPY, Status: 'TRAINED', SubmitTime: new Date(at), ClassifierMetadata: { EvaluationMetrics: { Accuracy: 0.5, F1Score: 0.5 } },
      },
    });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2 });
    const rollback = waiterEvent(updateEvent(COPY, properties({ QualityGate: GATE }), v2), {
      PhysicalResourceId: COPY,
      Data: { Deadline: String(eventStart + timeoutSeconds * 1000), NewCopy: 'unknown', ReplacedCopy: OLD_COPY },
    });
    classifier(OLD_COPY, { Accuracy: 0.9, F1Score: 0.9 });

    // Submitted an hour before the event: the copy a rollback returns to.
    submitted(eventStart - 3_600_000);
    await expect(isComplete(rollback)).resolves.toMatchObject({ IsComplete: true });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
    // Submitted during the event: judged, and deleted.
    submitted(eventStart + 1_000);
    await expect(isComplete(rollback)).rejects.toThrow('F1Score 0.5 FAILS minimum 0.85');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
  });

  test('when onEvent could not tell, a copy without a SubmitTime is not judged (the copy a rollback returns to is never put at risk)', async () => {
    classifier(COPY, { Accuracy: 0.5, F1Score: 0.5 });
    const gated = properties({ QualityGate: GATE });
    const event = waiterEvent(updateEvent(COPY, gated, gated), { PhysicalResourceId: COPY, Data: { Deadline: future(), NewCopy: 'unknown' } });

    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  /** A copy of COPY's name, TRAINED with failing metrics, submitted at `at` (none when undefined). */
  const failingCopySubmitted = (at: number | undefined) => comprehend.on(DescribeDocumentClassifierCommand, {
    DocumentClassifierArn: COPY,
  }).resolves({
    DocumentClassifierProperties: {
      DocumentClassifierArn: COPY,
      Status: 'TRAINED',
      SubmitTime: at === undefined ? undefined : new Date(at),
      ClassifierMetadata: { EvaluationMetrics: { Accuracy: 0.5, F1Score: 0.5 } },
    },
  });

  describe.each([
    ['unknown (Comprehend throttled onEvent\'s ImportModel past the SDK\'s attempts)', { NewCopy: 'unknown' }],
    ['not said (the waiter of an older version of the handlers)', {}],
  ])('a Create whose copy\'s origin is %s is judged, and deleted only when Comprehend says this request submitted it', (_, newCopy) => {
    const timeoutSeconds = 3000;
    const creating = (eventStart: number) => waiterEvent(createEvent(properties({ QualityGate: GATE })), {
      PhysicalResourceId: COPY,
      Data: { Deadline: String(eventStart + timeoutSeconds * 1000), ...newCopy, ...recordData() },
    });

    test.each([
      ['an hour before the request (a retained copy it returns to)', -3_600_000],
      ['no SubmitTime at all', undefined],
    ])('submitted %s: fails the gate, left as it is', async (__, offset) => {
      const eventStart = Date.now() - 5_000;
      failingCopySubmitted(offset === undefined ? undefined : eventStart + offset);

      await expect(isComplete(creating(eventStart))).rejects.toThrow(
        /F1Score 0\.5 FAILS minimum 0\.85.* It is this resource's own copy from before this deployment .*so it is left as it is/);
      expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
    });

    test.each([
      ['during the request', 1_000],
      ['within the minute of clock skew before it', -50_000],
    ])('submitted %s: fails the gate, and is deleted', async (__, offset) => {
      const eventStart = Date.now() - 5_000;
      failingCopySubmitted(eventStart + offset);

      await expect(isComplete(creating(eventStart))).rejects.toThrow(/F1Score 0\.5 FAILS minimum 0\.85.*The copy is being deleted, so CloudFormation rolls back/);
      expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(c => c.args[0].input)).toEqual([{ DocumentClassifierArn: COPY }]);
    });
  });

  test('a Create whose copy onEvent made (the name was free) is deleted when it fails, whatever its SubmitTime', async () => {
    failingCopySubmitted(Date.now() - 7_200_000);

    await expect(isComplete(judging(GATE))).rejects.toThrow('The copy is being deleted, so CloudFormation rolls back');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
  });

  test('an Update whose copy onEvent adopted is not judged, and never deleted', async () => {
    failingCopySubmitted(Date.now());
    const gated = properties({ QualityGate: GATE });
    const event = waiterEvent(updateEvent(COPY, gated, properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2 })), {
      PhysicalResourceId: COPY, Data: { Deadline: future(), NewCopy: 'adopted', ...recordData() },
    });

    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true, Data: { EvaluationF1Score: '0.5' } });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('a failing copy whose deletion is throttled is not given up on: judged again at the next poll until Comprehend accepts', async () => {
    classifier(COPY, { Accuracy: 0.95, F1Score: 0.8 });
    comprehend.on(DeleteDocumentClassifierCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', $metadata: {} }))
      .resolves({});

    await expect(isComplete(judging(GATE))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(judging(GATE))).rejects.toThrow('The copy is being deleted, so CloudFormation rolls back');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(2);
  });

  test('at the deadline, a failing copy that still could not be deleted is named for deletion by hand', async () => {
    classifier(COPY, { Accuracy: 0.95, F1Score: 0.8 });
    comprehend.on(DeleteDocumentClassifierCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));
    const late = judging(GATE, { Deadline: String(Date.now() - 1) });

    await expect(isComplete(late)).rejects.toThrow('The copy could not be deleted before the timeout; delete it by hand. CloudFormation rolls back.');
  });

  test('the answer empties what onEvent told isComplete, since the framework merges onEvent\'s Data into the attributes', async () => {
    classifier(COPY, { Accuracy: 0.9, F1Score: 0.9, HammingLoss: 0.1 });
    classifier(OLD_COPY, { Accuracy: 0.9, F1Score: 0.9, HammingLoss: 0.1 });
    const event = judging(GATE, { ReplacedCopy: OLD_COPY });

    const result: any = await isComplete(event);

    // The framework's merge (framework.js): onEvent's Data, then isComplete's, after a Lambda invoke's JSON round trip.
    const attributes = { ...event.Data, ...JSON.parse(JSON.stringify(result.Data)) };
    expect(attributes).toMatchObject({ NewCopy: '', ReplacedCopy: '', FailedReplacement: '', Deadline: '', ModelArn: COPY });
  });

  test('a Create that found a usable copy of its own (a retained copy it returns to) is judged, and never deleted', async () => {
    classifier(COPY, { Accuracy: 0.5, F1Score: 0.5 });
    const event = waiterEvent(createEvent(properties({ QualityGate: GATE })), { PhysicalResourceId: COPY, Data: { Deadline: future(), NewCopy: 'adopted' } });

    await expect(isComplete(event)).rejects.toThrow(/F1Score 0\.5 FAILS minimum 0\.85 .*It is this resource's own copy from before .* so it is left as it is/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('the longest names and every check still make a message that fits CloudFormation\'s answer', async () => {
    const long = (prefix: string) => `${prefix}${'x'.repeat(63 - prefix.length)}`;
    const copy = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${long('m')}/version/${long('v')}`;
    const replacedCopy = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${long('m')}/version/${long('w')}`;
    const source = `arn:aws:comprehend:${REGION}:111122223333:document-classifier/${long('s')}/version/${long('t')}`;
    const members = ['Accuracy', 'Precision', 'Recall', 'F1Score', 'MicroPrecision', 'MicroRecall', 'MicroF1Score', 'HammingLoss'];
    classifier(copy, Object.fromEntries(members.map(metric => [metric, 0.1234567890123456])));
    classifier(replacedCopy, Object.fromEntries(members.map(metric => [metric, metric === 'HammingLoss' ? 0.0123456789012345 : 0.9876543210987654])));
    const bounds = Object.fromEntries(members.map(metric => [metric, metric === 'HammingLoss' ? '0.0123456789012345' : '0.9876543210987654']));
    const longest = properties({
      SourceModelArn: source,
      ModelName: long('m'),
      VersionName: long('v'),
      QualityGate: { Bounds: bounds, NoWorseThanReplaced: 'true' },
    });
    const event = waiterEvent(createEvent(longest), {
      PhysicalResourceId: copy,
      Data: { Deadline: future(), ReplacedCopy: replacedCopy },
    });

    const failure: string = await isComplete(event).catch(error => error.message);

    expect(failure).toContain('F1Score 0.1234567890123456 FAILS minimum 0.9876543210987654');
    expect(failure.length).toBeLessThanOrEqual(2_000);
  });

  test('the failure message names the replaced copy once and stays short', async () => {
    const all = Object.fromEntries(['Accuracy', 'Precision', 'Recall', 'F1Score', 'MicroPrecision', 'MicroRecall', 'MicroF1Score', 'HammingLoss']
      .map(metric => [metric, 0.5]));
    classifier(COPY, all);
    classifier(OLD_COPY, { ...all, HammingLoss: 0.1, F1Score: 0.9 });
    const every = { Accuracy: '0.9', Precision: '0.9', Recall: '0.9', F1Score: '0.9', MicroPrecision: '0.9', MicroRecall: '0.9', MicroF1Score: '0.9', HammingLoss: '0.1' };

    const failure: string = await isComplete(judging({ Bounds: every, NoWorseThanReplaced: 'true' }, { ReplacedCopy: OLD_COPY })).catch(error => error.message);

    expect(failure.split(OLD_COPY)).toHaveLength(3); // in the comparison, and in "keeps serving"
    expect(failure).toContain('HammingLoss 0.5 WORSE than 0.1');
    expect(failure.length).toBeLessThan(1500);
  });

  describe('an entity recognizer', () => {
    const recognizerJudging = (bounds: Record<string, string>) => waiterEvent(
      createEvent(properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer', QualityGate: { Bounds: bounds } })),
      { PhysicalResourceId: RECOGNIZER_COPY, Data: { Deadline: future(), NewCopy: 'true' } },
    );
    beforeEach(() => {
      // botocore: a plain-text recognizer reports F1Score from 0 to 100.
      comprehend.on(DescribeEntityRecognizerCommand).resolves({
        EntityRecognizerProperties: {
          EntityRecognizerArn: RECOGNIZER_COPY,
          Status: 'TRAINED',
          RecognizerMetadata: { EvaluationMetrics: { Precision: 88, Recall: 84, F1Score: 86 } },
        },
      });
    });

    test('a bound on the 0-1 scale for a copy that reports 0-100 fails, instead of letting every copy pass', async () => {
      await expect(isComplete(recognizerJudging({ F1Score: '0.85' }))).rejects.toThrow(
        'F1Score 86, minimum 0.85 (qualityGate.minimum.f1Score): the copy reports F1Score from 0 to 100 (a plain-text entity recognizer, ' +
        'per the Comprehend API), so give the bound on that scale (85 for 0.85)',
      );
      expect(comprehend.commandCalls(DeleteEntityRecognizerCommand)).toHaveLength(1);
    });

    test('a bound on the 0-100 scale is judged, and the attributes are the recognizer\'s three metrics', async () => {
      await expect(isComplete(recognizerJudging({ F1Score: '87' }))).rejects.toThrow('F1Score 86 FAILS minimum 87');
      const result = await isComplete(recognizerJudging({ F1Score: '85', Recall: '84' }));
      expect(result).toEqual({
        IsComplete: true,
        Data: expect.objectContaining({ EvaluationPrecision: '88', EvaluationRecall: '84', EvaluationF1Score: '86' }),
      });
      expect(Object.keys((result as any).Data).filter(key => key.startsWith('Evaluation'))).toHaveLength(3);
    });

    test('a bound on a metric recognizers do not report is refused at deploy time (a gate only the handler sees)', async () => {
      await expect(isComplete(recognizerJudging({ Accuracy: '0.9' }))).rejects.toThrow(
        'qualityGate.minimum.accuracy is set, but Comprehend reports no Accuracy for an entity-recognizer; expected a bound on Precision, Recall, F1Score',
      );
    });
  });

  test('a bound on something that is no evaluation metric is refused at deploy time, naming what is', async () => {
    classifier(COPY, { F1Score: 0.9 });

    await expect(isComplete(judging({ Bounds: { F2Score: '0.5' } }))).rejects.toThrow(
      'qualityGate bounds F2Score, which is no evaluation metric; expected one of Accuracy, Precision, Recall, F1Score',
    );
  });

  test.each(['abc', '', '1.5', '-0.1'])('a classifier bound "%s" resolved at deploy time is refused with the prop', async bound => {
    classifier(COPY, { F1Score: 0.9 });

    await expect(isComplete(judging({ Bounds: { F1Score: bound } }))).rejects.toThrow(`qualityGate.minimum.f1Score "${bound}" is out of range; expected a number from 0 to 1`);
  });
});

describe('onEvent tells isComplete which copy is new, and which it replaces', () => {
  test('a create that found the name free marks its copy new: judged, and deleted when it fails', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: COPY });

    const result = await onEvent(createEvent(properties({ QualityGate: GATE })));

    expect(result.Data).toEqual({ Deadline: expect.any(String), NewCopy: 'true', ...recordData() });
  });

  test('a create whose ImportModel Comprehend kept throttling marks the copy unknown (a Create looks nothing up first), for isComplete to decide by SubmitTime', async () => {
    comprehend.on(ImportModelCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { attempts: 8 } }));

    const result = await onEvent(createEvent(properties({ QualityGate: GATE })));

    expect(result.Data).toMatchObject({ NewCopy: 'unknown' });
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(1);
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)).toEqual([]);
  });

  test('a create that finds a usable copy of its own under the name marks it adopted: judged, never deleted', async () => {
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ message: 'in use', $metadata: {} }));
    const spec = properties({ QualityGate: GATE, VersionName: 'v1' });
    classifier(OLD_COPY, { F1Score: 0.5 });

    const result = await onEvent(createEvent(spec));

    expect(result).toMatchObject({ PhysicalResourceId: OLD_COPY, Data: { NewCopy: 'adopted' } });
    // ImportModel first (a Create looks nothing up), refused for the name; then the copy is described and its tag read.
    expect(comprehend.calls().map(c => c.args[0].constructor.name)).toEqual([
      'ImportModelCommand', 'DescribeDocumentClassifierCommand', 'ListTagsForResourceCommand',
    ]);
  });

  test('a replacement with noWorseThanReplaced names the copy it replaces (the old physical id)', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: 'ignored' });
    const v1 = properties({ QualityGate: GATE, VersionName: 'v1' });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });

    const result = await onEvent(updateEvent(OLD_COPY, v2, v1));

    expect(result.Data).toMatchObject({ NewCopy: 'true', ReplacedCopy: OLD_COPY });
  });

  test.each([
    ['of a successful replacement (a sibling failed): CloudFormation deletes the new copy in its cleanup', 'v2', undefined],
    ['of a failed replacement: the copy it left is named, for isComplete to wait on (it sees only the old physical id)', 'v1', 'v2'],
  ])('a rollback %s; its own usable copy under the name is not marked new', async (_, physicalVersion, leftoverVersion) => {
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ message: 'in use', $metadata: {} }));
    classifier(OLD_COPY, { F1Score: 0.5 });
    const v1 = properties({ QualityGate: GATE, VersionName: 'v1' });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });
    const copyOf = (version: string) => OLD_COPY.replace('/v1', `/${version}`);

    const result = await onEvent(updateEvent(copyOf(physicalVersion), v1, v2));

    expect(result.PhysicalResourceId).toBe(OLD_COPY);
    // Found by the Update's lookup: no ImportModel is asked for.
    expect(comprehend.commandCalls(ImportModelCommand)).toEqual([]);
    expect(result.Data).not.toHaveProperty('NewCopy');
    expect(result.Data).not.toHaveProperty('ReplacedCopy');
    expect((result.Data as any).FailedReplacement).toBe(leftoverVersion && copyOf(leftoverVersion));
  });

  test('a replacement whose ImportModel Comprehend kept throttling, after the lookup found the name free, is marked new', async () => {
    comprehend.on(ImportModelCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { attempts: 8 } }));
    const v1 = properties({ QualityGate: GATE, VersionName: 'v1' });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });

    const result = await onEvent(updateEvent(OLD_COPY, v2, v1));

    expect(result.Data).toMatchObject({ NewCopy: 'true', ReplacedCopy: OLD_COPY });
  });

  test('a replacement whose lookup Comprehend kept throttling is marked unknown, for isComplete to decide', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { attempts: 8 } }));
    const v1 = properties({ QualityGate: GATE, VersionName: 'v1' });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });

    const result = await onEvent(updateEvent(OLD_COPY, v2, v1));

    expect(result.Data).toMatchObject({ NewCopy: 'unknown', ReplacedCopy: OLD_COPY });
    expect(comprehend.commandCalls(ImportModelCommand)).toEqual([]);
  });

  test('a forward replacement names no failed replacement: the copy it replaces stays for CloudFormation\'s cleanup', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: 'ignored' });
    const v1 = properties({ VersionName: 'v1' });
    const v2 = properties({ SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });

    const result = await onEvent(updateEvent(OLD_COPY, v2, v1));

    expect(result.Data).not.toHaveProperty('FailedReplacement');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });
});
