// A Delete with a physical id CloudFormation made up (issue 32): when another resource fails, CloudFormation cancels
// a Create still in progress and, in the rollback, sends its Delete with a physical id of its own making
// (STACKNAME-LOGICALID-RANDOM), since the Create never answered. The import's handlers find the copy that Create would
// have made by its name (derived from the same properties), delete it only when it carries this resource's ownership
// tag, and look again until SETTLE_SECONDS after the Delete began, for a call the cancelled request sent just before.
// Through the provider's entry points, with the real SDK clients answered by aws-sdk-client-mock, on a clock the test
// moves (Date.now).
import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  ListTagsForResourceCommand,
  ModelStatus,
  ResourceNotFoundException,
  ResourceUnavailableException,
  StopTrainingDocumentClassifierCommand,
  StopTrainingEntityRecognizerCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { SETTLE_SECONDS } from '../../../src/contract/import-properties';
import { readImportSpec } from '../../../src/handlers/import/import-request';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  deleteEvent,
  MADE_UP_PHYSICAL_ID,
  mockRequestClock,
  mockStackRecord,
  OWNER_TAG,
  properties,
  recordData,
  SOURCE_RECOGNIZER,
  STACK_ID,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
mockStackRecord();
const metadata = { $metadata: {} };
const notFound = () => new ResourceNotFoundException({ ...metadata, message: 'not found' });
/** The copy the cancelled Create would have made: its name derives from the stack, the resource and the source. */
const TARGET = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;

/** Moves the clock the handlers read to `seconds` after the request began. */
const at = mockRequestClock();

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
});

afterEach(() => jest.restoreAllMocks());

/** The copy under the derived name: `status`, or none. */
function copyIs(status: string | undefined) {
  const describe = comprehend.on(DescribeDocumentClassifierCommand, { DocumentClassifierArn: TARGET });
  if (status === undefined) {
    describe.rejects(notFound());
  } else {
    describe.resolves({ DocumentClassifierProperties: { DocumentClassifierArn: TARGET, Status: status as ModelStatus } });
  }
}

/** The Delete's onEvent, then the waiter event the framework polls isComplete with. */
async function startDelete(props = properties()) {
  const event = deleteEvent(MADE_UP_PHYSICAL_ID, props);
  const answer = await onEvent(event);
  return { answer, waiter: waiterEvent(event, answer as any) };
}

const operations = () => comprehend.calls().map(call => call.args[0].constructor.name.replace(/Command$/, ''));
const targets = () => comprehend.calls().map(call => Object.values(call.args[0].input as object)[0]);

test('the copy the cancelled Create left importing, tagged as this resource\'s: stopped, deleted once it ends, complete once gone', async () => {
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
  // Comprehend refuses to delete a copy still importing.
  comprehend.on(DeleteDocumentClassifierCommand)
    .rejectsOnce(new ResourceUnavailableException({ ...metadata, message: 'not in a terminal state' }))
    .resolves({});

  const { answer, waiter } = await startDelete();

  expect(answer).toEqual({ PhysicalResourceId: MADE_UP_PHYSICAL_ID, Data: { Deadline: expect.any(String), ...recordData() } });
  expect(operations()).toEqual(['ListTagsForResource', 'DeleteDocumentClassifier']);

  at(15);
  copyIs('TRAINING');
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
  expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: TARGET }]);

  at(30);
  copyIs('STOP_REQUESTED');
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

  at(45);
  copyIs('STOPPED');
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
  expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(2);

  at(60);
  copyIs('DELETING');
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

  at(75);
  copyIs(undefined);
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
  // Nothing but the copy of this name was looked at or touched.
  expect(new Set(targets())).toEqual(new Set([TARGET]));
});

test('a usable copy the cancelled Create adopted or imported is deleted at once by the Delete\'s onEvent', async () => {
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
  comprehend.on(DeleteDocumentClassifierCommand).resolves({});

  await startDelete();

  expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: TARGET }]);
});

test('an entity recognizer is found and stopped as one', async () => {
  const recognizerProps = properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer' });
  const recognizer = readImportSpec(recognizerProps, STACK_ID, 'Classifier1234ABCD').targetArn;
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
  comprehend.on(DeleteEntityRecognizerCommand).rejects(new ResourceUnavailableException({ ...metadata, message: 'not in a terminal state' }));
  comprehend.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { EntityRecognizerArn: recognizer, Status: 'TRAINING' } });

  const { waiter } = await startDelete(recognizerProps);
  at(15);
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

  expect(comprehend.commandCalls(DeleteEntityRecognizerCommand).map(call => call.args[0].input)).toEqual([{ EntityRecognizerArn: recognizer }]);
  expect(comprehend.commandCalls(StopTrainingEntityRecognizerCommand).map(call => call.args[0].input)).toEqual([{ EntityRecognizerArn: recognizer }]);
  expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)).toEqual([]);
});

describe.each([
  ['without the ownership tag (made by hand)', [{ Key: 'team', Value: 'nlp' }]],
  ['of another stack', [{ Key: OWNER_TAG.Key, Value: 'Other/1111aaaa-2222-3333-4444-555566667777/Classifier1234ABCD' }]],
])('a copy under the name %s', (_, tags) => {
  test.each(['TRAINING', 'TRAINED'])('%s is neither stopped nor deleted; the Delete completes once settled', async status => {
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: tags });
    copyIs(status);

    const { waiter } = await startDelete();
    at(15);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    at(SETTLE_SECONDS + 1);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });

    expect(operations().filter(operation => !/^(Describe|List)/.test(operation))).toEqual([]);
  });
});

test('nothing under the name: not complete until SETTLE_SECONDS after the Delete began, then complete', async () => {
  comprehend.on(ListTagsForResourceCommand).rejects(notFound());
  copyIs(undefined);

  const { waiter } = await startDelete();

  expect(SETTLE_SECONDS).toBeGreaterThanOrEqual(15);
  for (const seconds of [0, 15, SETTLE_SECONDS - 1]) {
    at(seconds);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
  }
  at(SETTLE_SECONDS + 1);
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
  expect(operations().filter(operation => !/^(Describe|List)/.test(operation))).toEqual([]);
});

test('a copy that lands while the Delete settles (an ImportModel the cancelled Create sent just before) is found, stopped and deleted', async () => {
  comprehend.on(ListTagsForResourceCommand).rejectsOnce(notFound()).resolves({ Tags: [OWNER_TAG] });
  comprehend.on(StopTrainingDocumentClassifierCommand).resolves({});
  comprehend.on(DeleteDocumentClassifierCommand).resolves({});
  copyIs(undefined);

  const { waiter } = await startDelete();
  at(15);
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

  at(20);
  copyIs('SUBMITTED');
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
  expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand)).toHaveLength(1);

  at(SETTLE_SECONDS + 5);
  copyIs('STOPPED');
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
  expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: TARGET }]);

  at(SETTLE_SECONDS + 20);
  copyIs(undefined);
  await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
});

test('a Delete of a recorded copy (its ARN is the physical id) does not settle: gone is complete at once', async () => {
  comprehend.on(ListTagsForResourceCommand).rejects(notFound());
  copyIs(undefined);
  const event = deleteEvent(TARGET);

  const answer = await onEvent(event);
  at(1);

  await expect(isComplete(waiterEvent(event, answer as any))).resolves.toEqual({ IsComplete: true });
});
