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
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { QualityGateProperties } from '../../../src/contract/evaluation-metrics';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  createEvent,
  IMPORTER,
  OWNER_TAG,
  properties,
  REGION,
  SOURCE_CLASSIFIER,
  SOURCE_CLASSIFIER_V2,
  SOURCE_RECOGNIZER,
  updateEvent,
  waiterEvent,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/Classifier1234ABCD-0123456789abcdef`;
const OLD_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/v1`;
const RECOGNIZER_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/r1`;
const future = () => String(Date.now() + 60_000);
const GATE: QualityGateProperties = { Bounds: { F1Score: '0.85', Accuracy: '0.9' }, NoWorseThanReplaced: 'true' };

beforeEach(() => {
  comprehend.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
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
    Data: { Deadline: future(), NewCopy: 'true', ...extra },
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

    expect(failure).toContain(`Accuracy 0.92 is WORSE than 0.93 of the replaced copy ${OLD_COPY} (noWorseThanReplaced)`);
    expect(failure).toContain(`F1Score 0.95 is no worse than 0.9 of the replaced copy ${OLD_COPY}`);
    expect(failure).not.toContain('Recall 0.9 is');
    expect(failure).toContain(`so CloudFormation rolls back and ${OLD_COPY} keeps serving`);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(c => c.args[0].input)).toEqual([{ DocumentClassifierArn: COPY }]);
  });

  test('a replaced copy that is gone gives nothing to be worse than', async () => {
    classifier(COPY, { Accuracy: 0.92, F1Score: 0.95 });
    comprehend.on(DescribeDocumentClassifierCommand, { DocumentClassifierArn: OLD_COPY }).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));

    await expect(isComplete(judging(GATE, { ReplacedCopy: OLD_COPY }))).resolves.toMatchObject({ IsComplete: true });
  });

  test('a copy onEvent did not mark as new (a rollback, a tags-only update) is not judged', async () => {
    classifier(COPY, { Accuracy: 0.5, F1Score: 0.5 });
    const event = waiterEvent(createEvent(properties({ QualityGate: GATE })), { PhysicalResourceId: COPY, Data: { Deadline: future() } });

    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true, Data: { EvaluationF1Score: '0.5' } });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
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
        'qualityGate bounds Accuracy, which an entity-recognizer does not report; expected one of Precision, Recall, F1Score',
      );
    });
  });

  test.each(['abc', '', '1.5', '-0.1'])('a classifier bound "%s" resolved at deploy time is refused with the prop', async bound => {
    classifier(COPY, { F1Score: 0.9 });

    await expect(isComplete(judging({ Bounds: { F1Score: bound } }))).rejects.toThrow(`qualityGate.minimum.f1Score "${bound}" is not a number from 0 to 1`);
  });
});

describe('onEvent tells isComplete which copy is new, and which it replaces', () => {
  test('a create marks its copy new', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: COPY });

    const result = await onEvent(createEvent(properties({ QualityGate: GATE })));

    expect(result.Data).toMatchObject({ NewCopy: 'true' });
    expect(result.Data).not.toHaveProperty('ReplacedCopy');
  });

  test('a replacement with noWorseThanReplaced names the copy it replaces (the old physical id)', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: 'ignored' });
    const v1 = properties({ QualityGate: GATE, VersionName: 'v1' });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });

    const result = await onEvent(updateEvent(OLD_COPY, v2, v1));

    expect(result.Data).toMatchObject({ NewCopy: 'true', ReplacedCopy: OLD_COPY });
  });

  test('a rollback that finds its own usable copy under the name does not mark it new', async () => {
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ message: 'in use', $metadata: {} }));
    classifier(OLD_COPY, { F1Score: 0.5 });
    const v1 = properties({ QualityGate: GATE, VersionName: 'v1' });
    const v2 = properties({ QualityGate: GATE, SourceModelArn: SOURCE_CLASSIFIER_V2, VersionName: 'v2' });
    const v2Copy = OLD_COPY.replace('/v1', '/v2');

    const result = await onEvent(updateEvent(v2Copy, v1, v2));

    expect(result.PhysicalResourceId).toBe(OLD_COPY);
    expect(result.Data).not.toHaveProperty('NewCopy');
    expect(result.Data).not.toHaveProperty('ReplacedCopy');
  });
});
