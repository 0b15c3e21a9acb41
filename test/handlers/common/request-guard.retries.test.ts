// The request guard across the SDK's retries (issue 32): a mutating call's retry may leave long after its first attempt,
// when CloudFormation has moved on, so each retry reads CloudFormation's record again first (ClockRetryStrategy asks
// mutationAttempts). aws-sdk-client-mock replaces a client's send, and with it the SDK's retries: here the handlers'
// Comprehend client runs its whole middleware stack (serialization, the retry strategy, deserialization of Comprehend's
// errors) against an HTTP handler that answers as Comprehend would; the SDK's waits run on the handlers' clock, which
// the test replaces (as test/handlers/common/clock.test.ts does), and CloudFormation's client is answered by
// aws-sdk-client-mock.
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { MODEL_ENDPOINT_RESOURCE_TYPE } from '../../../src/contract/endpoint-properties';
import { comprehend } from '../../../src/handlers/common/comprehend';
import { readImportSpec } from '../../../src/handlers/import/import-request';
import { handlerClock, isComplete, onEvent } from '../../../src/handlers/provider';
import {
  createEvent,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  properties,
  recordData,
  REGION,
  SOURCE_CLASSIFIER_V2,
  STACK_ID,
  stackRecord,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const cloudFormation = mockStackRecord();
const TARGET = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
/** A replacement (another source): an Update that imports, and so looks its copy up first; and the copy it makes. */
const REPLACING = properties({ SourceModelArn: SOURCE_CLASSIFIER_V2 });
const REPLACEMENT = readImportSpec(REPLACING, STACK_ID, 'Classifier1234ABCD').targetArn;
const replacement = () => onEvent(updateEvent(TARGET, REPLACING, properties()));
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/a`;
const NEW_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/b`;
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const LATER = new Date('2026-01-01T00:07:00.000Z');

/** One answer of Comprehend: an HTTP status and a JSON body (an error's type in `__type`, as the awsJson1_1 protocol has it). */
interface Answer { readonly status: number; readonly body: object }
const ok = (body: object = {}): Answer => ({ status: 200, body });
const error = (type: string, status = 400): Answer => ({ status, body: { __type: type, Message: `${type} (fake Comprehend)` } });
const THROTTLED = error('TooManyRequestsException');

/** Comprehend's answers by operation, in order (the last one repeats); and what reached it, or CloudFormation, in order. */
let answers: Record<string, Answer[]>;
let sequence: string[];
let sleeps: number[];
/** What happens while the SDK waits before a retry (CloudFormation moving on, say). */
let duringBackoff: () => void;

const fakeComprehend = {
  async handle(request: { headers: Record<string, string>; body?: string }) {
    const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target')?.[1] ?? '';
    const operation = target.split('.')[1];
    const queue = answers[operation];
    if (!queue) {
      throw new Error(`The test gave no answer for ${operation}`);
    }
    const answer = queue.length > 1 ? queue.shift()! : queue[0];
    sequence.push(`${operation}${answer.status === 200 ? '' : ` -> ${(answer.body as { __type: string }).__type}`}`);
    return {
      response: {
        statusCode: answer.status,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          ...(answer.status === 200 ? {} : { 'x-amzn-errortype': (answer.body as { __type: string }).__type }),
        },
        body: Buffer.from(JSON.stringify(answer.body)),
      },
    };
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
  destroy: () => undefined,
};

const realSleep = handlerClock.sleep;
const realHandler = comprehend.config.requestHandler;

beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAGUARDTEST0000000',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  (comprehend.config as { requestHandler: unknown }).requestHandler = fakeComprehend;
});

afterAll(() => {
  (comprehend.config as { requestHandler: unknown }).requestHandler = realHandler;
  handlerClock.sleep = realSleep;
});

beforeEach(() => {
  silenceHandlerLogs();
  answers = {};
  sequence = [];
  sleeps = [];
  duringBackoff = () => undefined;
  handlerClock.sleep = async ms => {
    sleeps.push(ms);
    duringBackoff();
  };
  // Every read of CloudFormation's record takes its place in the sequence of calls.
  cloudFormation.on(DescribeStackResourceCommand).callsFake(() => {
    sequence.push('DescribeStackResource');
    return stackRecord();
  });
});

afterEach(() => jest.restoreAllMocks());

/** CloudFormation moves on: its record of the resource changes (a cancellation, say). */
function moveOn(): void {
  cloudFormation.on(DescribeStackResourceCommand).callsFake(() => {
    sequence.push('DescribeStackResource');
    return stackRecord('CREATE_FAILED', LATER);
  });
}

const asEndpoint = <E extends object>(event: E) => ({ ...event, ResourceType: MODEL_ENDPOINT_RESOURCE_TYPE }) as any;
const endpointProps = (modelArn: string) => ({ EndpointName: 'tickets-live', ModelArn: modelArn, ModelType: 'document-classifier', DesiredInferenceUnits: '1' });
const waiting = () => ({ Deadline: String(Date.now() + 60_000), ...recordData() });
const NOT_FOUND = error('ResourceNotFoundException');
const OWN_TAGS = ok({ Tags: [OWNER_TAG] });

/** One mutating call, throttled at its first attempt: the invocation, Comprehend's answers, and the call. */
const THROTTLED_ONCE = [
  {
    what: 'a Create\'s ImportModel',
    operation: 'ImportModel',
    answer: () => {
      // No answer for DescribeDocumentClassifier: a Create looks nothing up before ImportModel.
      answers.ImportModel = [THROTTLED, ok({ ModelArn: TARGET })];
    },
    invoke: () => onEvent(createEvent()),
    before: ['DescribeStackResource'],
  },
  {
    what: 'an Update\'s ImportModel',
    operation: 'ImportModel',
    answer: () => {
      answers.DescribeDocumentClassifier = [NOT_FOUND];
      answers.ImportModel = [THROTTLED, ok({ ModelArn: REPLACEMENT })];
    },
    invoke: replacement,
    before: ['DescribeStackResource', 'DescribeDocumentClassifier -> ResourceNotFoundException'],
  },
  {
    what: 'a waiter\'s UpdateEndpoint',
    operation: 'UpdateEndpoint',
    answer: () => {
      answers.DescribeEndpoint = [ok({ EndpointProperties: { EndpointArn: ENDPOINT, Status: 'IN_SERVICE', ModelArn: COPY, DesiredInferenceUnits: 1 } })];
      answers.ListTagsForResource = [OWN_TAGS];
      answers.UpdateEndpoint = [THROTTLED, ok()];
    },
    invoke: () => isComplete(asEndpoint(waiterEvent(updateEvent(ENDPOINT, endpointProps(NEW_COPY), endpointProps(COPY)), {
      PhysicalResourceId: ENDPOINT, Data: waiting(),
    }))),
    // The endpoint's tags (ownership), then the new model's (an own copy may be served).
    before: ['DescribeEndpoint', 'ListTagsForResource', 'ListTagsForResource'],
  },
  {
    what: 'a Delete\'s DeleteDocumentClassifier',
    operation: 'DeleteDocumentClassifier',
    answer: () => {
      answers.ListTagsForResource = [OWN_TAGS];
      answers.DeleteDocumentClassifier = [THROTTLED, ok()];
    },
    invoke: () => onEvent(deleteEvent(TARGET)),
    before: ['DescribeStackResource', 'ListTagsForResource'],
  },
];

describe.each(THROTTLED_ONCE)('$what, throttled at its first attempt', ({ operation, answer, invoke, before }) => {
  test('is retried after reading CloudFormation\'s record again, when it is unchanged', async () => {
    answer();

    await invoke();

    expect(sequence).toEqual([
      ...before,
      'DescribeStackResource', `${operation} -> TooManyRequestsException`,
      // The SDK's backoff, on the handlers' clock, then the proof, then the retry.
      'DescribeStackResource', operation,
    ]);
    expect(sleeps).toHaveLength(1);
  });

  test('is not retried when CloudFormation moved on while the SDK backed off: the answer is RequestSuperseded', async () => {
    answer();
    duringBackoff = moveOn;

    const failure = await invoke().catch(e => e);

    expect(failure).toMatchObject({
      name: 'RequestSuperseded',
      message: expect.stringMatching(/CloudFormation has moved on from this (Create|Update|Delete) request: its record of the resource is now CREATE_FAILED since 2026-01-01T00:07:00\.000Z/),
    });
    expect(sequence).toEqual([...before, 'DescribeStackResource', `${operation} -> TooManyRequestsException`, 'DescribeStackResource']);
    expect(sleeps).toHaveLength(1);
  });
});

test('the retries of a read-only call (an Update\'s lookup) prove nothing: only the mutating call reads the record', async () => {
  answers.DescribeDocumentClassifier = [THROTTLED, THROTTLED, NOT_FOUND];
  answers.ImportModel = [ok({ ModelArn: REPLACEMENT })];

  const result = await replacement();

  expect(sequence).toEqual([
    'DescribeStackResource',
    'DescribeDocumentClassifier -> TooManyRequestsException',
    'DescribeDocumentClassifier -> TooManyRequestsException',
    'DescribeDocumentClassifier -> ResourceNotFoundException',
    'DescribeStackResource', 'ImportModel',
  ]);
  expect(sleeps).toHaveLength(2);
  expect(result).toMatchObject({ PhysicalResourceId: REPLACEMENT, Data: { NewCopy: 'true' } });
});

describe.each([
  // A Create looks nothing up: whose copy appears later is unknown, and the gate decides by its SubmitTime.
  ['a Create\'s', () => onEvent(createEvent()), ['DescribeStackResource'], TARGET, 'unknown'],
  // An Update's lookup found the name free: whatever appears under it is this request's.
  ['an Update\'s', replacement, ['DescribeStackResource', 'DescribeDocumentClassifier -> ResourceNotFoundException'], REPLACEMENT, 'true'],
])('%s ImportModel throttled on every attempt', (_, invoke, before, physicalId, newCopy) => {
  test('re-proves before each of the SDK\'s 7 retries, and is deferred as before', async () => {
    answers.DescribeDocumentClassifier = [NOT_FOUND];
    answers.ImportModel = [THROTTLED];

    const result = await invoke();

    expect(sequence.filter(call => call.startsWith('ImportModel'))).toHaveLength(8);
    expect(sequence).toEqual([
      ...before,
      ...Array.from({ length: 8 }, () => ['DescribeStackResource', 'ImportModel -> TooManyRequestsException']).flat(),
    ]);
    expect(result).toMatchObject({ PhysicalResourceId: physicalId, Data: { NewCopy: newCopy } });
  });
});
