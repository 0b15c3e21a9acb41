import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  ConcurrentModificationException,
  ImportModelCommand,
  InternalServerException,
  ListEndpointsCommand,
  ListTagsForResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ResourceUnavailableException,
  TagResourceCommand,
  TooManyRequestsException,
  UntagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../src/handlers/provider/is-complete.lambda';
import {
  CREATE_FAILED_MARKER,
  createEvent,
  deleteEvent,
  IMPORTER,
  OWNER_TAG,
  properties,
  REGION,
  SOURCE_CLASSIFIER,
  SOURCE_RECOGNIZER,
  updateEvent,
  waiterEvent,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const metadata = { $metadata: {} };
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/Classifier1234ABCD-0123456789abcdef`;
const RECOGNIZER_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/r1`;
const future = () => ({ Deadline: String(Date.now() + 60_000) });
const past = () => ({ Deadline: String(Date.now() - 1) });

beforeEach(() => {
  comprehend.reset();
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
      Data: { ModelArn: COPY, ModelName: 'tickets', VersionName: 'Classifier1234ABCD-0123456789abcdef', Status: status },
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
    const retained = waiterEvent(createEvent(properties({ RemovalPolicy: 'retain' })), { PhysicalResourceId: COPY, Data: future() });

    await expect(handler(retained)).rejects.toThrow(
      `Import of ${SOURCE_CLASSIFIER} into ${COPY} ended in status ${status}: ${message}. The failed copy is being deleted.`,
    );
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
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

  test('an import that runs past the timeout is asked to stop existing before the failure', async () => {
    classifierIs('TRAINING');
    comprehend.on(DeleteDocumentClassifierCommand).rejects(new ResourceUnavailableException({ ...metadata, message: 'not terminal' }));

    await expect(handler(waiting(past()))).rejects.toThrow(/is still TRAINING, and the timeout has passed/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(1);
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

  test.each([
    ['TooManyRequestsException', new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' })],
    ['InternalServerException', new InternalServerException({ $metadata: { httpStatusCode: 500 }, message: 'oops' })],
  ])('%s waits for the next poll while time remains', async (_, error) => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(error);

    await expect(handler(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test('fails with the timeout when the copy is not usable in time', async () => {
    classifierIs('TRAINING');

    await expect(handler(waiting(past()))).rejects.toThrow(
      /Classifier1234ABCD: .* is still TRAINING, and the timeout has passed\. Raise the timeout prop/,
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

  test('a cancelled create waits for a terminal state, then deletes', async () => {
    classifierIs('TRAINING');
    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);

    classifierIs('TRAINED');
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: COPY });
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

  test.each([
    ['kept when onEvent found it usable', { Keep: 'true' }, 'TRAINED', true, 0],
    ['deleted when onEvent found it failed', { Keep: 'false' }, 'TRAINED', false, 1],
    ['kept when usable and onEvent could not tell', {}, 'TRAINED_WITH_WARNING', true, 0],
    ['deleted when failed and onEvent could not tell', {}, 'IN_ERROR', false, 1],
  ])('RETAIN_ON_UPDATE_OR_DELETE: the copy is %s', async (_, data, status, complete, deletes) => {
    classifierIs(status);
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    const event = waiterEvent(deleteEvent(COPY, properties({ RemovalPolicy: 'retain-except-on-create' })), {
      PhysicalResourceId: COPY, Data: { ...future(), ...data },
    });

    await expect(handler(event)).resolves.toEqual({ IsComplete: complete });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(deletes);
  });

  test.each([
    ['a failed create\'s marker', CREATE_FAILED_MARKER, properties()],
    ['RETAIN', COPY, properties({ RemovalPolicy: 'retain' })],
  ])('%s is complete without a Comprehend call', async (_, physicalId, props) => {
    await expect(handler(deleting(physicalId, props))).resolves.toEqual({ IsComplete: true });
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('throttling waits for the next poll', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' }));

    await expect(handler(deleting())).resolves.toEqual({ IsComplete: false });
  });

  test('fails with the timeout when the copy does not go away in time', async () => {
    classifierIs('DELETING');
    const event = waiterEvent(deleteEvent(COPY), { PhysicalResourceId: COPY, Data: past() });

    await expect(handler(event)).rejects.toThrow(/is still DELETING, and the timeout has passed/);
  });
});
