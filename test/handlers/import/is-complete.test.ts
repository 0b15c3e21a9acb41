import {
  ComprehendServiceException,
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  ConcurrentModificationException,
  ImportModelCommand,
  InternalServerException,
  InvalidRequestException,
  ListDocumentClassificationJobsCommand,
  ListEndpointsCommand,
  ListTagsForResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  StopTrainingDocumentClassifierCommand,
  StopTrainingEntityRecognizerCommand,
  TagResourceCommand,
  TooManyRequestsException,
  UntagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { SETTLE_SECONDS, STOP_GRACE_SECONDS } from '../../../src/contract/import-properties';
import { readImportSpec } from '../../../src/handlers/import/import-request';
import { isComplete as handler } from '../../../src/handlers/provider';
import {
  CREATE_FAILED_MARKER,
  createEvent,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  properties,
  recordData,
  REGION,
  SHARER,
  SOURCE_CLASSIFIER,
  SOURCE_RECOGNIZER,
  STACK_ID,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
mockStackRecord();
const metadata = { $metadata: {} };
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/Classifier1234ABCD-0123456789abcdef`;
/** The copy a Create of the default properties makes: its name derives from the stack and the source. */
const TARGET = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
const RECOGNIZER_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/r1`;
// The waiters of these tests serve a current request: onEvent read CloudFormation's record, which is unchanged.
const future = () => ({ Deadline: String(Date.now() + 60_000), ...recordData() });
const past = () => ({ Deadline: String(Date.now() - 1), ...recordData() });
/** A deadline passed longer ago than the time given to stop and delete an import past it. */
const longPast = () => ({ Deadline: String(Date.now() - STOP_GRACE_SECONDS * 1000 - 1), ...recordData() });

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
  // The copies of these tests carry this resource's ownership tag, unless a test says otherwise.
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
});

function classifierIs(status: string, message?: string) {
  comprehend.on(DescribeDocumentClassifierCommand).resolves({
    DocumentClassifierProperties: { DocumentClassifierArn: COPY, Status: status, Message: message, SourceModelArn: SOURCE_CLASSIFIER } as any,
  });
}

describe('create and update', () => {
  const waiting = (data = future()) => waiterEvent(createEvent(), { PhysicalResourceId: COPY, Data: data });

  test.each(['SUBMITTED', 'TRAINING'])('%s is not complete yet, and carries no Data', async status => {
    classifierIs(status);

    await expect(handler(waiting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
  });

  test.each(['TRAINED', 'TRAINED_WITH_WARNING'])('%s is complete, with the attributes', async status => {
    classifierIs(status);

    const result = await handler(waiting());

    expect(result).toEqual({
      IsComplete: true,
      Data: {
        ModelArn: COPY,
        ModelName: 'tickets',
        VersionName: 'Classifier1234ABCD-0123456789abcdef',
        Status: status,
        // What onEvent told isComplete, emptied: the framework merges onEvent's Data into the attributes.
        Deadline: '',
        Request: '',
        NewCopy: '',
        ReplacedCopy: '',
        FailedReplacement: '',
        // Every metric a classifier reports is an attribute, `none` when Comprehend does not report it.
        ...Object.fromEntries(['Accuracy', 'Precision', 'Recall', 'F1Score', 'MicroPrecision', 'MicroRecall', 'MicroF1Score', 'HammingLoss']
          .map(metric => [`Evaluation${metric}`, 'none'])),
      },
    });
    // CloudFormation refuses a response over 4 KB.
    expect(JSON.stringify(result.IsComplete && result.Data).length).toBeLessThan(1024);
  });

  test.each([
    ['IN_ERROR', 'The source model version is not shared with account 444455556666'],
    ['STOPPED', 'Stopped by user'],
  ])('%s fails with Comprehend\'s own message, and the failed copy is deleted whatever the removal policy', async (status, message) => {
    classifierIs(status, message);
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    const creating = waiterEvent(createEvent(), { PhysicalResourceId: COPY, Data: future() });

    await expect(handler(creating)).rejects.toThrow(
      `Import of ${SOURCE_CLASSIFIER} into ${COPY} ended in status ${status}: ${message}. The failed copy is being deleted.`,
    );
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
    // The ownership check comes first, in the same invocation.
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual([
      'DescribeDocumentClassifierCommand', 'ListTagsForResourceCommand', 'DeleteDocumentClassifierCommand',
    ]);
  });

  test('a usable copy without this resource\'s ownership tag is not adopted, and not deleted', async () => {
    classifierIs('TRAINED');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [] });

    await expect(handler(waiting())).rejects.toThrow(/and this resource did not create it: it has no cdk-comprehend-model-import:owner tag/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('STOP_REQUESTED is not an end yet', async () => {
    classifierIs('STOP_REQUESTED');

    await expect(handler(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test.each(['SUBMITTED', 'TRAINING'])('an import still %s at the deadline is stopped, after the ownership check, and waited on', async status => {
    classifierIs(status);
    comprehend.on(StopTrainingDocumentClassifierCommand).resolves({});

    // Not a failure yet: once STOPPED, the handler deletes it itself (a retained copy gets no Delete from CloudFormation).
    await expect(handler(waiting(past()))).resolves.toEqual({ IsComplete: false });
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual([
      'DescribeDocumentClassifierCommand', 'ListTagsForResourceCommand', 'StopTrainingDocumentClassifierCommand',
    ]);
    expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
  });

  test('an import stopped at the deadline and now STOPPED is deleted by the handler, which fails with the timeout', async () => {
    classifierIs('STOPPED', 'Training was stopped');
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    await expect(handler(waiting(past()))).rejects.toThrow(
      'ended in status STOPPED: Training was stopped. The failed copy is being deleted. The import did not finish within ' +
      'the timeout, so it was stopped. Raise the timeout prop',
    );
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
  });

  test('an import still running when the time to stop it has passed too fails, saying the rollback deletes it', async () => {
    classifierIs('TRAINING');
    comprehend.on(StopTrainingDocumentClassifierCommand).resolves({});

    await expect(handler(waiting(longPast()))).rejects.toThrow(new RegExp(
      'Classifier1234ABCD: .* is still TRAINING, and the timeout has passed\\. The import was stopped ' +
      '\\(comprehend:StopTrainingDocumentClassifier\\): the copy turns STOP_REQUESTED, then STOPPED, and CloudFormation\'s ' +
      'rollback deletes it\\. Raise the timeout prop',
    ));
  });

  test('an entity recognizer is stopped as one', async () => {
    comprehend.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { EntityRecognizerArn: RECOGNIZER_COPY, Status: 'TRAINING' } });
    comprehend.on(StopTrainingEntityRecognizerCommand).resolves({});
    const event = waiterEvent(createEvent(properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer' })), {
      PhysicalResourceId: RECOGNIZER_COPY, Data: longPast(),
    });

    await expect(handler(event)).rejects.toThrow(/stopped \(comprehend:StopTrainingEntityRecognizer\)/);
    expect(comprehend.commandCalls(StopTrainingEntityRecognizerCommand)[0].args[0].input).toEqual({ EntityRecognizerArn: RECOGNIZER_COPY });
  });

  test('a copy that is not this resource\'s is neither stopped nor deleted at the deadline', async () => {
    classifierIs('TRAINING');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [] });

    await expect(handler(waiting(past()))).rejects.toThrow(/The copy is not this resource's .*absent.*, so it was neither stopped nor deleted/);
    expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand)).toHaveLength(0);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('an import that completes before it can be stopped counts (botocore: "it is put into the TRAINED")', async () => {
    comprehend.on(DescribeDocumentClassifierCommand)
      .resolvesOnce({ DocumentClassifierProperties: { DocumentClassifierArn: COPY, Status: 'TRAINING' } })
      .resolves({ DocumentClassifierProperties: { DocumentClassifierArn: COPY, Status: 'TRAINED' } });
    comprehend.on(StopTrainingDocumentClassifierCommand).rejects(new InvalidRequestException({ ...metadata, message: 'not training' }));

    await expect(handler(waiting(past()))).resolves.toMatchObject({ IsComplete: true, Data: { Status: 'TRAINED' } });
    expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand)).toHaveLength(1);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('an import that failed before it could be stopped is deleted as a failed one', async () => {
    comprehend.on(DescribeDocumentClassifierCommand)
      .resolvesOnce({ DocumentClassifierProperties: { DocumentClassifierArn: COPY, Status: 'TRAINING' } })
      .resolves({ DocumentClassifierProperties: { DocumentClassifierArn: COPY, Status: 'IN_ERROR', Message: 'bad' } });
    comprehend.on(StopTrainingDocumentClassifierCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'gone?' }));
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    await expect(handler(waiting(past()))).rejects.toThrow('ended in status IN_ERROR: bad. The failed copy is being deleted.');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
  });

  test('STOP_REQUESTED past the deadline is waited on; past the time to stop it, it fails and the rollback deletes the copy', async () => {
    classifierIs('STOP_REQUESTED');

    await expect(handler(waiting(past()))).resolves.toEqual({ IsComplete: false });
    await expect(handler(waiting(longPast()))).rejects.toThrow(/is still STOP_REQUESTED, .*CloudFormation's rollback deletes the copy once it is STOPPED/);
    // Describe only: no stop or delete call while it is being stopped.
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['DescribeDocumentClassifierCommand', 'DescribeDocumentClassifierCommand']);
  });

  test.each([
    ['a status added to the API later', 'PAUSED'],
    ['no status at all', undefined],
  ])('%s is logged and waited on, and at the deadline fails without deleting', async (_, status) => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    classifierIs(status as string);

    await expect(handler(waiting())).resolves.toEqual({ IsComplete: false });
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/which this handler does not know: waiting/));
    await expect(handler(waiting(past()))).rejects.toThrow(/This handler does not know that status, so the copy is left as it is/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
    expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand)).toHaveLength(0);
  });

  test('a failed replacement deletes its own new copy, which CloudFormation will not know of', async () => {
    classifierIs('IN_ERROR', 'bad source');
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    const newSource = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') });
    const event = waiterEvent(updateEvent(`arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/old`, newSource, properties()), {
      PhysicalResourceId: COPY, Data: future(),
    });

    await expect(handler(event)).rejects.toThrow('ended in status IN_ERROR: bad source');
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
  });


  test('an entity recognizer is described as one', async () => {
    comprehend.on(DescribeEntityRecognizerCommand).resolves({
      EntityRecognizerProperties: { EntityRecognizerArn: RECOGNIZER_COPY, Status: 'TRAINED', SourceModelArn: SOURCE_RECOGNIZER },
    });
    const event = waiterEvent(createEvent(properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer' })), {
      PhysicalResourceId: RECOGNIZER_COPY, Data: future(),
    });

    await expect(handler(event)).resolves.toMatchObject({ IsComplete: true, Data: { ModelArn: RECOGNIZER_COPY, VersionName: 'r1' } });
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)).toHaveLength(0);
  });

  test('starts the import that onEvent could not start for throttling', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'not found' }));
    comprehend.on(ImportModelCommand).resolves({ ModelArn: COPY });

    await expect(handler(waiting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(ImportModelCommand)[0].args[0].input).toMatchObject({ SourceModelArn: SOURCE_CLASSIFIER, ModelName: 'tickets' });
  });

  test('the import it starts for onEvent, refused by the sharer\'s policy, fails saying the sharer must add the account', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'not found' }));
    comprehend.on(ImportModelCommand).rejects(new ComprehendServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      ...metadata,
      message: `User: arn:aws:sts::${IMPORTER}:assumed-role/Handler/session is not authorized to perform: comprehend:ImportModel ` +
        `on resource: ${SOURCE_CLASSIFIER} because no resource-based policy allows the comprehend:ImportModel action`,
    }));

    await expect(handler(waiting())).rejects.toThrow(`into account ${IMPORTER} was refused: the model version's resource-based ` +
      `policy, in the sharer's account ${SHARER}, does not let account ${IMPORTER} import it (yet). The sharer must add ${IMPORTER}`);
  });

  test.each([
    ['TooManyRequestsException', new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' })],
    ['InternalServerException', new InternalServerException({ $metadata: { httpStatusCode: 500 }, message: 'oops' })],
  ])('%s waits for the next poll while time remains', async (_, error) => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(error);

    await expect(handler(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test('fails with the timeout when the copy is not usable in time', async () => {
    classifierIs('TRAINING');

    comprehend.on(StopTrainingDocumentClassifierCommand).resolves({});

    await expect(handler(waiting(longPast()))).rejects.toThrow(
      /Classifier1234ABCD: .* is still TRAINING, and the timeout has passed\. .*Raise the timeout prop/,
    );
  });

  test('a copy that becomes usable at the deadline still counts', async () => {
    classifierIs('TRAINED');

    await expect(handler(waiting(past()))).resolves.toMatchObject({ IsComplete: true });
  });

  const tagsUpdate = () => waiterEvent(
    updateEvent(COPY, properties({ Tags: [{ Key: 'a', Value: 'b' }] }), properties({ Tags: [{ Key: 'old', Value: 'x' }] })),
    { PhysicalResourceId: COPY, Data: future() },
  );

  test('an in-place update completes once the copy is usable and its tags are the wanted ones', async () => {
    classifierIs('TRAINED');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'a', Value: 'b' }, OWNER_TAG] });

    await expect(handler(tagsUpdate())).resolves.toMatchObject({ IsComplete: true, Data: { ModelArn: COPY } });
    expect(comprehend.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(comprehend.commandCalls(UntagResourceCommand)).toHaveLength(0);
  });

  test('an in-place update finishes the tag changes onEvent could not make', async () => {
    classifierIs('TRAINED');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'old', Value: 'x' }, OWNER_TAG] });
    comprehend.on(TagResourceCommand).resolves({});
    comprehend.on(UntagResourceCommand).resolves({});

    await expect(handler(tagsUpdate())).resolves.toMatchObject({ IsComplete: true });
    expect(comprehend.commandCalls(UntagResourceCommand)[0].args[0].input).toEqual({ ResourceArn: COPY, TagKeys: ['old'] });
    expect(comprehend.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({ ResourceArn: COPY, Tags: [{ Key: 'a', Value: 'b' }] });
  });

  test('an in-place update of a copy that is not this resource\'s changes no tag and fails, naming the copy', async () => {
    classifierIs('TRAINED');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'old', Value: 'x' }] });

    await expect(handler(tagsUpdate())).rejects.toThrow(new RegExp(`\\(${COPY}\\), and this resource did not create it: it has no cdk-comprehend-model-import:owner tag`));
    expect(comprehend.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(comprehend.commandCalls(UntagResourceCommand)).toHaveLength(0);
  });

  test('the rollback of a failed replacement waits until the copy it left is stopped and deleted', async () => {
    const failed = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') });
    const forgotten = readImportSpec(failed, STACK_ID, 'Classifier1234ABCD').targetArn;
    const current = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
    let leftover: string | undefined = 'STOP_REQUESTED';
    comprehend.on(DescribeDocumentClassifierCommand).callsFake(input => {
      if (input.DocumentClassifierArn === current) {
        return { DocumentClassifierProperties: { DocumentClassifierArn: current, Status: 'TRAINED' } };
      }
      if (!leftover) {
        throw new ResourceNotFoundException({ ...metadata, message: 'not found' });
      }
      return { DocumentClassifierProperties: { DocumentClassifierArn: forgotten, Status: leftover } };
    });
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    // onEvent saw CloudFormation's physical id (the old copy, which the rollback returns to) and named the leftover.
    const rollback = waiterEvent(updateEvent(current, properties(), failed), {
      PhysicalResourceId: current,
      Data: { ...future(), FailedReplacement: forgotten },
    });

    await expect(handler(rollback)).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
    leftover = 'STOPPED';
    await expect(handler(rollback)).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: forgotten }]);
    leftover = undefined;
    await expect(handler(rollback)).resolves.toMatchObject({ IsComplete: true, Data: { ModelArn: current } });
  });

  test('the rollback\'s leftover not found yet is looked for again until SETTLE_SECONDS after the rollback began (the cancelled replacement\'s call may land still)', async () => {
    const failed = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') });
    const forgotten = readImportSpec(failed, STACK_ID, 'Classifier1234ABCD').targetArn;
    const current = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
    comprehend.on(DescribeDocumentClassifierCommand).callsFake(input => {
      if (input.DocumentClassifierArn === current) {
        return { DocumentClassifierProperties: { DocumentClassifierArn: current, Status: 'TRAINED' } };
      }
      throw new ResourceNotFoundException({ ...metadata, message: 'not found' });
    });
    // The rollback's onEvent answered a deadline of the properties' timeout (3000 s) from when it began.
    const began = (secondsAgo: number) => waiterEvent(updateEvent(current, properties(), failed), {
      PhysicalResourceId: current,
      Data: { Deadline: String(Date.now() + (3000 - secondsAgo) * 1000), FailedReplacement: forgotten, ...recordData() },
    });

    await expect(handler(began(1))).resolves.toEqual({ IsComplete: false });
    await expect(handler(began(SETTLE_SECONDS - 1))).resolves.toEqual({ IsComplete: false });
    await expect(handler(began(SETTLE_SECONDS + 1))).resolves.toMatchObject({ IsComplete: true, Data: { ModelArn: current } });
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand).map(call => call.args[0].input.DocumentClassifierArn)).toContain(forgotten);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('a forward replacement leaves the copy it replaces alone: isComplete sees the new physical id, never a leftover', async () => {
    const v2 = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') });
    const newCopy = readImportSpec(v2, STACK_ID, 'Classifier1234ABCD').targetArn;
    const oldCopy = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
    comprehend.on(DescribeDocumentClassifierCommand).callsFake(input => ({
      DocumentClassifierProperties: { DocumentClassifierArn: input.DocumentClassifierArn, Status: 'TRAINED' },
    }));
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    // As the framework hands it over: the Update's old properties, and the physical id onEvent answered (the new copy).
    const forward = waiterEvent(updateEvent(oldCopy, v2, properties()), { PhysicalResourceId: newCopy, Data: future() });

    await expect(handler(forward)).resolves.toMatchObject({ IsComplete: true, Data: { ModelArn: newCopy } });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand).map(call => call.args[0].input.DocumentClassifierArn)).toEqual([newCopy]);
  });

  test('a concurrent tag change waits for the next poll', async () => {
    classifierIs('TRAINED');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
    comprehend.on(TagResourceCommand).rejects(new ConcurrentModificationException({ ...metadata, message: 'Concurrent modification' }));

    await expect(handler(tagsUpdate())).resolves.toEqual({ IsComplete: false });
  });
});

describe('delete', () => {
  const deleting = (physicalId = COPY, props = properties()) =>
    waiterEvent(deleteEvent(physicalId, props), { PhysicalResourceId: physicalId, Data: future() });

  test('gone is complete', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'not found' }));

    await expect(handler(deleting())).resolves.toEqual({ IsComplete: true });
  });

  test('DELETING is not complete yet', async () => {
    classifierIs('DELETING');

    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('a cancelled create still importing is stopped (after the ownership check), then deleted once it ends', async () => {
    classifierIs('TRAINING');
    comprehend.on(StopTrainingDocumentClassifierCommand).resolves({});
    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual([
      'DescribeDocumentClassifierCommand', 'ListTagsForResourceCommand', 'StopTrainingDocumentClassifierCommand',
    ]);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);

    comprehend.resetHistory();
    classifierIs('STOP_REQUESTED');
    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.calls()).toHaveLength(1);

    classifierIs('STOPPED');
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
  });

  test('a copy still importing that is not this resource\'s is left alone, and the delete succeeds', async () => {
    classifierIs('TRAINING');
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: OWNER_TAG.Key, Value: 'Other/guid/Classifier1234ABCD' }] });

    await expect(handler(deleting())).resolves.toEqual({ IsComplete: true });
    expect(comprehend.commandCalls(StopTrainingDocumentClassifierCommand)).toHaveLength(0);
  });

  test('a status the handler does not know is waited on, and at the deadline fails without deleting', async () => {
    classifierIs('ARCHIVED');
    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });

    const late = waiterEvent(deleteEvent(COPY), { PhysicalResourceId: COPY, Data: past() });
    await expect(handler(late)).rejects.toThrow(/is still ARCHIVED, .*This handler does not know that status, so it did not ask Comprehend to delete the copy again/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('a failed import is deleted too', async () => {
    classifierIs('IN_ERROR', 'broken');
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
  });

  test('an entity recognizer is deleted as one', async () => {
    comprehend.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { Status: 'TRAINED' } });
    comprehend.on(DeleteEntityRecognizerCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'gone' }));

    await expect(handler(deleting(RECOGNIZER_COPY))).resolves.toEqual({ IsComplete: true });
    expect(comprehend.commandCalls(DeleteEntityRecognizerCommand)).toHaveLength(1);
  });

  test('fails clearly while an endpoint stays on the copy', async () => {
    classifierIs('TRAINED');
    comprehend.on(DeleteDocumentClassifierCommand).rejects(new ResourceInUseException({ ...metadata, message: 'in use by an endpoint' }));
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: [{ EndpointArn: 'arn:endpoint/live', Status: 'IN_SERVICE', ModelArn: COPY }] });

    await expect(handler(deleting())).rejects.toThrow(/it is in use .* by the endpoint arn:endpoint\/live\. Move them/);
  });

  test('Delete means delete: a usable copy is deleted whatever the construct\'s removal policy was', async () => {
    classifierIs('TRAINED');
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    const olderTemplate = { ...properties(), RemovalPolicy: 'retain-except-on-create' } as ReturnType<typeof properties>;

    await expect(handler(deleting(COPY, olderTemplate))).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
  });

  test('fails at once, naming the job, while an asynchronous job uses the copy', async () => {
    classifierIs('TRAINED');
    comprehend.on(DeleteDocumentClassifierCommand).rejects(new ResourceInUseException({ ...metadata, message: 'in use' }));
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: [] });
    comprehend.on(ListDocumentClassificationJobsCommand).resolves({
      DocumentClassificationJobPropertiesList: [{ JobId: 'j-1', JobArn: 'arn:job/j-1', JobStatus: 'IN_PROGRESS', DocumentClassifierArn: COPY }],
    });

    const deletion = handler(deleting());
    await expect(deletion).rejects.toThrow(/by the asynchronous job arn:job\/j-1 IN_PROGRESS\. Wait for it to finish, or stop it/);
    await expect(deletion).rejects.not.toThrow(/timeout/);
  });

  test('a failed create\'s marker: complete once the copy the Create would have made is not there (the request settled long ago)', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'not found' }));

    await expect(handler(deleting(CREATE_FAILED_MARKER))).resolves.toEqual({ IsComplete: true });
    expect(comprehend.calls().map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: TARGET }]);
  });

  test('a Delete whose properties do not read (the Create failed on them) is complete without a Comprehend call', async () => {
    await expect(handler(deleting(CREATE_FAILED_MARKER, properties({ VersionName: 'v_1' })))).resolves.toEqual({ IsComplete: true });
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('throttling waits for the next poll', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' }));

    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
  });

  test('fails with the timeout when the copy does not go away in time', async () => {
    classifierIs('DELETING');
    const event = waiterEvent(deleteEvent(COPY), { PhysicalResourceId: COPY, Data: past() });

    const deletion = handler(event);
    await expect(deletion).rejects.toThrow(/is still DELETING, and CloudFormation's hour is nearly over\. The copy is left as it is/);
    // A delete has CloudFormation's hour whatever the timeout prop: the message never suggests raising it.
    await expect(deletion).rejects.not.toThrow(/timeout/i);
  });
});
