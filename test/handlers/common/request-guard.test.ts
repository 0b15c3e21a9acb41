// The request guard (issue 32): a handler changes nothing for a request CloudFormation has moved on from. onEvent reads
// CloudFormation's record of the resource when the request begins, and every mutating Comprehend call of the request,
// onEvent's or its waiter's, reads it again first. Through the provider's entry points, with the real SDK clients
// answered by aws-sdk-client-mock.
import { CloudFormationServiceException, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import {
  ComprehendClient,
  CreateEndpointCommand,
  DeleteDocumentClassifierCommand,
  DeleteEndpointCommand,
  DescribeDocumentClassifierCommand,
  DescribeEndpointCommand,
  DescribeEntityRecognizerCommand,
  EndpointStatus,
  ImportModelCommand,
  ListTagsForResourceCommand,
  ModelStatus,
  ResourceNotFoundException,
  UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { EndpointProperties, MODEL_ENDPOINT_RESOURCE_TYPE } from '../../../src/contract/endpoint-properties';
import { MAX_TIMEOUT_SECONDS } from '../../../src/contract/import-properties';
import { readImportSpec } from '../../../src/handlers/import/import-request';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  callJournal,
  createEvent,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  noRecord,
  OWNER_TAG,
  properties,
  RECORD,
  recordData,
  REGION,
  SOURCE_CLASSIFIER,
  SOURCE_CLASSIFIER_V2,
  SOURCE_RECOGNIZER,
  STACK_ID,
  stackRecord,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const cloudFormation = mockStackRecord();
const metadata = { $metadata: {} };
const notFound = () => new ResourceNotFoundException({ ...metadata, message: 'not found' });

/** The copy a Create of the default properties makes: its name derives from the stack and the source. */
const TARGET = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
const RECOGNIZER_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/r1`;
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/a`;
const NEW_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/b`;
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const ENDPOINT_V2 = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-v2`;

/** When CloudFormation moved on: the record's new timestamp. */
const LATER = new Date('2026-01-01T00:07:00.000Z');
/** CloudFormation moves on: its record of the resource is now `status` (a cancellation, a rollback, the next operation). */
const moveOn = (status = 'CREATE_FAILED') => cloudFormation.on(DescribeStackResourceCommand).resolves(stackRecord(status, LATER));
const SUPERSEDED = /^Classifier1234ABCD: CloudFormation has moved on from this (Create|Update|Delete) request: its record of the resource is now CREATE_FAILED since 2026-01-01T00:07:00\.000Z, where it was (CREATE|UPDATE|DELETE)_IN_PROGRESS since 2026-01-01T00:00:00\.000Z .*This handler stops here and changes nothing/;

const journal = () => callJournal(cloudFormation, comprehend);
const describeStackResourceCalls = () => cloudFormation.commandCalls(DescribeStackResourceCommand).map(call => call.args[0].input);
const THE_RESOURCE = { StackName: STACK_ID, LogicalResourceId: 'Classifier1234ABCD' };

function endpointProps(overrides: Partial<EndpointProperties> = {}): EndpointProperties {
  return { EndpointName: 'tickets-live', ModelArn: COPY, ModelType: 'document-classifier', DesiredInferenceUnits: '1', ...overrides };
}
const asEndpoint = <E extends object>(event: E) => ({ ...event, ResourceType: MODEL_ENDPOINT_RESOURCE_TYPE }) as any;
const inService = (overrides: object = {}) => ({
  ...metadata,
  EndpointProperties: { EndpointArn: ENDPOINT, Status: EndpointStatus.IN_SERVICE, ModelArn: COPY, DesiredInferenceUnits: 1, ...overrides },
});
const classifierIs = (status: string, arn = TARGET) => comprehend.on(DescribeDocumentClassifierCommand).resolves({
  DocumentClassifierProperties: { DocumentClassifierArn: arn, Status: status as ModelStatus, SourceModelArn: SOURCE_CLASSIFIER },
});

/** A waiter's Data, as onEvent answered it: a deadline `inMs` from now, and the record onEvent read. */
const waiting = (inMs = 60_000, extra: Record<string, string> = {}) => ({ Deadline: String(Date.now() + inMs), ...recordData(), ...extra });

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
});

afterEach(() => jest.restoreAllMocks());

describe('onEvent reads CloudFormation\'s record of the resource when the request begins', () => {
  test('a Create reads it before any Comprehend call, again before its mutating call, and hands it to its waiter', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: TARGET });

    const result = await onEvent(createEvent());

    // A Create asks ImportModel first (no lookup): the record read at the start, then the proof before ImportModel.
    expect(journal()).toEqual(['DescribeStackResource', 'DescribeStackResource', 'ImportModel']);
    expect(describeStackResourceCalls()).toEqual([THE_RESOURCE, THE_RESOURCE]);
    expect(result.Data).toMatchObject({ ...recordData() });
    expect(RECORD).toBe('CREATE_IN_PROGRESS@2026-01-01T00:00:00.000Z');
  });

  test('an Update that imports reads it before any Comprehend call, looks its copy up (read-only, no proof), reads it again before ImportModel, and hands it to its waiter', async () => {
    const replacing = properties({ SourceModelArn: SOURCE_CLASSIFIER_V2 });
    const replacement = readImportSpec(replacing, STACK_ID, 'Classifier1234ABCD').targetArn;
    comprehend.on(DescribeDocumentClassifierCommand).rejects(notFound());
    comprehend.on(ImportModelCommand).resolves({ ModelArn: replacement });

    const result = await onEvent(updateEvent(TARGET, replacing, properties()));

    expect(journal()).toEqual(['DescribeStackResource', 'DescribeDocumentClassifier', 'DescribeStackResource', 'ImportModel']);
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: replacement });
    expect(describeStackResourceCalls()).toEqual([THE_RESOURCE, THE_RESOURCE]);
    expect(result).toMatchObject({ PhysicalResourceId: replacement, Data: { NewCopy: 'true', ...recordData() } });
    expect(recordData()).toEqual({ Request: 'UPDATE_IN_PROGRESS@2026-01-01T00:00:00.000Z' });
  });

  test.each([
    ['Create', 'DELETE_COMPLETE', () => createEvent()],
    ['Create', 'CREATE_FAILED', () => createEvent()],
    ['Create', 'DELETE_IN_PROGRESS', () => createEvent()],
    ['Update', 'UPDATE_COMPLETE', () => updateEvent(TARGET, properties({ Tags: [{ Key: 'team', Value: 'a' }] }), properties())],
    ['Update', 'CREATE_IN_PROGRESS', () => updateEvent(TARGET, properties({ Tags: [{ Key: 'team', Value: 'a' }] }), properties())],
  ])('a %s whose onEvent runs late (Lambda retried or queued it) and finds the record %s makes no Comprehend call', async (_, status, event) => {
    const late = event();
    cloudFormation.on(DescribeStackResourceCommand).resolves(stackRecord(status, LATER));

    await expect(onEvent(late)).rejects.toMatchObject({
      name: 'RequestSuperseded',
      message: expect.stringMatching(new RegExp(`CloudFormation's record of this resource is ${status} since .*, not a (Create|Update) in progress: CloudFormation has moved on`)),
    });
    expect(comprehend.calls()).toEqual([]);
  });

  test('an onEvent that CloudFormation moved on from while it ran (asleep in its import slot, say) sends no ImportModel', async () => {
    comprehend.on(DescribeDocumentClassifierCommand).rejects(notFound());
    comprehend.on(ImportModelCommand).resolves({ ModelArn: TARGET });
    cloudFormation.on(DescribeStackResourceCommand).resolvesOnce(stackRecord()).resolves(stackRecord('CREATE_FAILED', LATER));

    const failure = await onEvent(createEvent()).catch(error => error);

    expect(failure).toMatchObject({ name: 'RequestSuperseded', message: expect.stringMatching(SUPERSEDED) });
    expect(comprehend.commandCalls(ImportModelCommand)).toEqual([]);
  });

  const accessDenied = () => new CloudFormationServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    ...metadata,
    message: `User: arn:aws:sts::${IMPORTER}:assumed-role/Handler/s is not authorized to perform: cloudformation:DescribeStackResource`,
  });
  const throttled = () => new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', ...metadata, message: 'Rate exceeded' });

  describe.each([
    ['an import\'s Create', () => createEvent()],
    ['an import\'s Update', () => updateEvent(TARGET, properties({ SourceModelArn: SOURCE_CLASSIFIER_V2 }), properties())],
    ['an endpoint\'s Create', () => asEndpoint(createEvent(endpointProps()))],
    ['an endpoint\'s Update', () => asEndpoint(updateEvent(ENDPOINT, endpointProps({ ModelArn: NEW_COPY }), endpointProps()))],
  ])('%s that cannot read the record fails, naming DescribeStackResource, having changed nothing', (_, event) => {
    test.each([
      ['refused (AccessDenied)', accessDenied, /could not read CloudFormation's record of this resource \(DescribeStackResource on arn:aws:cloudformation:.*: AccessDenied: User: .*\)/],
      ['still throttled after the SDK\'s retries', throttled, /could not read CloudFormation's record of this resource \(DescribeStackResource on .*: Throttling: Rate exceeded\)/],
      ['answered that it has none (ValidationError)', noRecord, /CloudFormation has no record of this resource in arn:aws:cloudformation:/],
    ])('%s', async (__, error, message) => {
      cloudFormation.on(DescribeStackResourceCommand).rejects(error());

      const failure = onEvent(event());

      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toThrow(/nothing was changed\. Deploy again; .*cloudformation:DescribeStackResource/);
      expect(comprehend.calls()).toEqual([]);
    });
  });

  test.each([
    ['refused', accessDenied],
    ['gone (the stack is being deleted)', noRecord],
  ])('a Delete whose record is %s goes on without it: CloudFormation waits for its answer, and its waiter proves nothing', async (_, error) => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    cloudFormation.on(DescribeStackResourceCommand).rejects(error());
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    const result = await onEvent(deleteEvent(TARGET));

    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: TARGET }]);
    // Read once, at the start: the deletion is not guarded.
    expect(describeStackResourceCalls()).toEqual([THE_RESOURCE]);
    expect(result.Data?.Request).toBeUndefined();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/the Delete goes on without proving that it is current$/));

    // Its waiter, without a record, proves nothing either.
    cloudFormation.resetHistory();
    classifierIs('TRAINED');
    await expect(isComplete(waiterEvent(deleteEvent(TARGET), result as any))).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(2);
    expect(cloudFormation.calls()).toEqual([]);
  });

  test('a Delete whose record reads is guarded like any request', async () => {
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    const result = await onEvent(deleteEvent(TARGET));

    expect(journal()).toEqual(['DescribeStackResource', 'ListTagsForResource', 'DescribeStackResource', 'DeleteDocumentClassifier']);
    expect(result.Data).toMatchObject({ ...recordData() });
  });
});

/** One mutating call a waiter makes: the event, what Comprehend answers, and the call. */
interface Mutation {
  readonly event: () => any;
  readonly answer: () => void;
  readonly operations: readonly string[];
}

const MUTATIONS: Record<string, Mutation> = {
  'ImportModel (the copy a throttled onEvent left to its waiter)': {
    event: () => waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: waiting(60_000, { NewCopy: 'true' }) }),
    answer: () => {
      comprehend.on(DescribeDocumentClassifierCommand).rejects(notFound());
      comprehend.on(ImportModelCommand).resolves({ ModelArn: TARGET });
    },
    operations: ['ImportModel'],
  },
  'UntagResource and TagResource (an in-place update\'s tags)': {
    event: () => waiterEvent(updateEvent(TARGET, properties({ Tags: [{ Key: 'new', Value: 'y' }] }), properties({ Tags: [{ Key: 'old', Value: 'x' }] })), {
      PhysicalResourceId: TARGET, Data: waiting(),
    }),
    answer: () => {
      classifierIs('TRAINED');
      comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG, { Key: 'old', Value: 'x' }] });
    },
    operations: ['UntagResource', 'TagResource'],
  },
  'StopTrainingDocumentClassifier (an import past its deadline)': {
    event: () => waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: waiting(-1) }),
    answer: () => classifierIs('TRAINING'),
    operations: ['StopTrainingDocumentClassifier'],
  },
  'DeleteDocumentClassifier (a Delete\'s waiter)': {
    event: () => waiterEvent(deleteEvent(TARGET), { PhysicalResourceId: TARGET, Data: waiting() }),
    answer: () => classifierIs('TRAINED'),
    operations: ['DeleteDocumentClassifier'],
  },
  'DeleteEntityRecognizer (a Delete\'s waiter)': {
    event: () => waiterEvent(deleteEvent(RECOGNIZER_COPY, properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer' })), {
      PhysicalResourceId: RECOGNIZER_COPY, Data: waiting(),
    }),
    answer: () => comprehend.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { EntityRecognizerArn: RECOGNIZER_COPY, Status: 'TRAINED' } }),
    operations: ['DeleteEntityRecognizer'],
  },
  'CreateEndpoint (the endpoint a throttled onEvent left to its waiter)': {
    event: () => asEndpoint(waiterEvent(createEvent(endpointProps()), { PhysicalResourceId: ENDPOINT, Data: waiting() })),
    answer: () => {
      comprehend.on(DescribeEndpointCommand).rejects(notFound());
      comprehend.on(CreateEndpointCommand).resolves({ EndpointArn: ENDPOINT });
    },
    operations: ['CreateEndpoint'],
  },
  'UpdateEndpoint (a move onEvent could not ask for)': {
    event: () => asEndpoint(waiterEvent(updateEvent(ENDPOINT, endpointProps({ ModelArn: NEW_COPY }), endpointProps()), {
      PhysicalResourceId: ENDPOINT, Data: waiting(),
    })),
    answer: () => comprehend.on(DescribeEndpointCommand).resolves(inService()),
    operations: ['UpdateEndpoint'],
  },
  'DeleteEndpoint (a Delete\'s waiter)': {
    event: () => asEndpoint(waiterEvent(deleteEvent(ENDPOINT, endpointProps()), { PhysicalResourceId: ENDPOINT, Data: waiting() })),
    answer: () => comprehend.on(DescribeEndpointCommand).resolves(inService()),
    operations: ['DeleteEndpoint'],
  },
};

describe.each(Object.entries(MUTATIONS))('a waiter\'s %s', (_, mutation) => {
  test('is preceded by reading CloudFormation\'s record, each time, and sent while it is unchanged', async () => {
    mutation.answer();

    await isComplete(mutation.event());

    const calls = journal();
    for (const operation of mutation.operations) {
      const at = calls.indexOf(operation);
      expect(at).toBeGreaterThan(0);
      expect(calls[at - 1]).toBe('DescribeStackResource');
    }
    expect(calls.filter(call => call === 'DescribeStackResource')).toHaveLength(mutation.operations.length);
    expect(describeStackResourceCalls().every(input => input.StackName === STACK_ID && input.LogicalResourceId === 'Classifier1234ABCD')).toBe(true);
  });

  test('is not sent once the record changed: the poll fails with RequestSuperseded', async () => {
    mutation.answer();
    moveOn();

    const failure = await isComplete(mutation.event()).catch(error => error);

    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ name: 'RequestSuperseded', message: expect.stringMatching(SUPERSEDED) });
    expect(journal().filter(call => mutation.operations.includes(call))).toEqual([]);
  });

  test('is not sent once CloudFormation has no record of the resource (ValidationError): gone', async () => {
    mutation.answer();
    cloudFormation.on(DescribeStackResourceCommand).rejects(noRecord());

    await expect(isComplete(mutation.event())).rejects.toThrow(
      /CloudFormation has moved on from this (Create|Update|Delete) request: its record of the resource is gone, where it was (CREATE|UPDATE|DELETE)_IN_PROGRESS since/);
    expect(journal().filter(call => mutation.operations.includes(call))).toEqual([]);
  });
});

describe('the refusal is the invocation\'s answer, whatever the lifecycle code did with it', () => {
  test('the failed copy a waiter deletes (its .catch logs a failed deletion): RequestSuperseded, not the import\'s failure', async () => {
    classifierIs('IN_ERROR');
    moveOn();

    const failure = await isComplete(waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: waiting() })).catch(error => error);

    expect(failure).toMatchObject({ name: 'RequestSuperseded' });
    expect(failure.message).not.toMatch(/ended in status IN_ERROR/);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('the leftover of a failed replacement its rollback deletes (onEvent logs a refused deletion and goes on)', async () => {
    const failed = properties({ SourceModelArn: SOURCE_CLASSIFIER_V2 });
    const leftover = readImportSpec(failed, STACK_ID, 'Classifier1234ABCD').targetArn;
    classifierIs('TRAINED');
    const rollback = updateEvent(TARGET, properties(), failed);
    // The rollback's Update reads the record at its start; CloudFormation moves on before the deletion.
    cloudFormation.on(DescribeStackResourceCommand).resolvesOnce(stackRecord()).resolves(stackRecord('CREATE_FAILED', LATER));

    const failure = await onEvent(rollback).catch(error => error);

    expect(failure).toMatchObject({ name: 'RequestSuperseded', message: expect.stringMatching(SUPERSEDED) });
    expect(comprehend.commandCalls(ListTagsForResourceCommand).map(call => call.args[0].input.ResourceArn)).toContain(leftover);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toEqual([]);
  });

  test('the endpoint of a failed rename its rollback deletes (onEvent logs a refused deletion and goes on)', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(inService());
    const rollback = asEndpoint(updateEvent(ENDPOINT, endpointProps(), endpointProps({ EndpointName: 'tickets-v2' })));
    cloudFormation.on(DescribeStackResourceCommand).resolvesOnce(stackRecord()).resolves(stackRecord('CREATE_FAILED', LATER));

    const failure = await onEvent(rollback).catch(error => error);

    expect(failure).toMatchObject({ name: 'RequestSuperseded', message: expect.stringMatching(SUPERSEDED) });
    expect(comprehend.commandCalls(ListTagsForResourceCommand).map(call => call.args[0].input.ResourceArn)).toContain(ENDPOINT_V2);
    expect(comprehend.commandCalls(DeleteEndpointCommand)).toEqual([]);
  });

  test('a throttled UpdateEndpoint\'s deferral (updateWhenPossible) does not hide it either', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(inService());
    moveOn();
    const update = asEndpoint(waiterEvent(updateEvent(ENDPOINT, endpointProps({ ModelArn: NEW_COPY }), endpointProps()), {
      PhysicalResourceId: ENDPOINT, Data: waiting(),
    }));

    await expect(isComplete(update)).rejects.toMatchObject({ name: 'RequestSuperseded' });
    expect(comprehend.commandCalls(UpdateEndpointCommand)).toEqual([]);
  });
});

describe('what the proof cannot tell', () => {
  const throttled = () => new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', ...metadata, message: 'Rate exceeded' });

  test.each([
    ['an import\'s ImportModel', MUTATIONS['ImportModel (the copy a throttled onEvent left to its waiter)']],
    ['an endpoint\'s UpdateEndpoint', MUTATIONS['UpdateEndpoint (a move onEvent could not ask for)']],
    ['a Delete\'s DeleteEndpoint', MUTATIONS['DeleteEndpoint (a Delete\'s waiter)']],
    ['a Delete\'s DeleteDocumentClassifier', MUTATIONS['DeleteDocumentClassifier (a Delete\'s waiter)']],
  ])('CloudFormation still throttling: %s is not sent, and the poll is not complete yet', async (_, mutation) => {
    mutation.answer();
    cloudFormation.on(DescribeStackResourceCommand).rejects(throttled());

    await expect(isComplete(mutation.event())).resolves.toEqual({ IsComplete: false });
    expect(journal().filter(call => mutation.operations.includes(call))).toEqual([]);
  });

  test('CloudFormation refusing the read: nothing is sent, and the poll fails saying so', async () => {
    const mutation = MUTATIONS['UpdateEndpoint (a move onEvent could not ask for)'];
    mutation.answer();
    cloudFormation.on(DescribeStackResourceCommand).rejects(new CloudFormationServiceException({
      name: 'AccessDenied', $fault: 'client', ...metadata, message: 'not authorized to perform: cloudformation:DescribeStackResource',
    }));

    await expect(isComplete(mutation.event())).rejects.toThrow(
      /^Classifier1234ABCD: could not read CloudFormation's record of this resource before changing anything \(AccessDenied: .*\); nothing was changed\.$/);
    expect(comprehend.commandCalls(UpdateEndpointCommand)).toEqual([]);
  });

  test('a waiter without a record in its Data (started by an older version of the handlers) proves nothing, and acts as before', async () => {
    const mutation = MUTATIONS['ImportModel (the copy a throttled onEvent left to its waiter)'];
    mutation.answer();
    moveOn();
    const olderWaiter = waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: { Deadline: String(Date.now() + 60_000) } });

    await expect(isComplete(olderWaiter)).resolves.toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(1);
    expect(cloudFormation.calls()).toEqual([]);
  });

  test('a poll that only reads (Describe*, List*) never reads the record, and completes', async () => {
    classifierIs('TRAINED');
    moveOn();

    const poll = isComplete(waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: waiting() }));

    await expect(poll).resolves.toMatchObject({ IsComplete: true });
    expect(cloudFormation.calls()).toEqual([]);
    expect(journal()).toEqual(['DescribeDocumentClassifier', 'ListTagsForResource']);
  });

  test('a Delete\'s waiter started long ago (the issue\'s case: a cancelled Create\'s waiter, whose resource is gone, imports nothing)', async () => {
    // onEvent was throttled, the cancelled Create's Delete found no copy and succeeded; its waiter polls on.
    comprehend.on(DescribeDocumentClassifierCommand).rejects(notFound());
    comprehend.on(ImportModelCommand).resolves({ ModelArn: TARGET });
    cloudFormation.on(DescribeStackResourceCommand).rejects(noRecord());
    const cancelled = waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: waiting(MAX_TIMEOUT_SECONDS * 1000 - 120_000, { NewCopy: 'true' }) });

    await expect(isComplete(cancelled)).rejects.toMatchObject({ name: 'RequestSuperseded' });
    expect(comprehend.commandCalls(ImportModelCommand)).toEqual([]);
    expect(comprehend.calls().every(call => /^(Describe|List)/.test(call.args[0].constructor.name))).toBe(true);
  });
});

describe('onEvent\'s own mutating calls', () => {
  test.each<[string, () => any, () => void, string]>([
    ['an import\'s tags-only Update', () => updateEvent(TARGET, properties({ Tags: [{ Key: 'team', Value: 'nlp' }] }), properties()),
      () => undefined, 'TagResource'],
    ['an endpoint\'s Create', () => asEndpoint(createEvent(endpointProps())), () => comprehend.on(CreateEndpointCommand).resolves({ EndpointArn: ENDPOINT }), 'CreateEndpoint'],
    ['an endpoint\'s Update', () => asEndpoint(updateEvent(ENDPOINT, endpointProps({ ModelArn: NEW_COPY }), endpointProps())),
      () => comprehend.on(DescribeEndpointCommand).resolves(inService()), 'UpdateEndpoint'],
    ['an endpoint\'s Delete', () => asEndpoint(deleteEvent(ENDPOINT, endpointProps())), () => undefined, 'DeleteEndpoint'],
  ])('%s proves the record before its mutating call, and sends nothing once it changed', async (_, event, answer, operation) => {
    answer();

    await onEvent(event());
    const calls = journal();
    expect(calls[0]).toBe('DescribeStackResource');
    expect(calls[calls.indexOf(operation) - 1]).toBe('DescribeStackResource');

    comprehend.resetHistory();
    cloudFormation.reset();
    cloudFormation.on(DescribeStackResourceCommand).resolvesOnce(stackRecord()).resolves(stackRecord('CREATE_FAILED', LATER));
    await expect(onEvent(event())).rejects.toMatchObject({ name: 'RequestSuperseded' });
    expect(journal().filter(call => call === operation)).toEqual([]);
  });
});

describe('the record is what onEvent read: a status and a timestamp', () => {
  test.each([
    ['the status', stackRecord('UPDATE_IN_PROGRESS')],
    ['the timestamp alone (the same status, a later operation)', stackRecord('CREATE_IN_PROGRESS', new Date(Date.parse('2026-01-01T00:00:00.000Z') + 1))],
  ])('a change of %s supersedes the request', async (_, now) => {
    MUTATIONS['DeleteEndpoint (a Delete\'s waiter)'].answer();
    cloudFormation.on(DescribeStackResourceCommand).resolves(now);

    await expect(isComplete(MUTATIONS['DeleteEndpoint (a Delete\'s waiter)'].event())).rejects.toMatchObject({ name: 'RequestSuperseded' });
    expect(comprehend.commandCalls(DeleteEndpointCommand)).toEqual([]);
  });

  test('a Create\'s waiter passes the record on to the end: complete answers carry it emptied', async () => {
    classifierIs('TRAINED');

    const result: any = await isComplete(waiterEvent(createEvent(), { PhysicalResourceId: TARGET, Data: waiting() }));

    expect(result.Data.Request).toBe('');
  });
});
