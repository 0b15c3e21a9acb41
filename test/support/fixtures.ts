// What the tests share: accounts, model ARNs, stacks, and the events the Provider framework hands the handlers.
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackResourceCommand,
  DescribeStackResourceCommandOutput,
  DescribeStacksCommand,
  DescribeStacksCommandOutput,
  ResourceStatus,
  StackStatus,
} from '@aws-sdk/client-cloudformation';
import { App, Stack } from 'aws-cdk-lib';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ImportProperties, OWNER_TAG_KEY } from '../../src/contract/import-properties';

/**
 * Keeps the handlers quiet in a test: what they log for each request (console.info), for each call (console.info,
 * console.warn) and along the way (console.log). A test that reads a log spies on it again.
 */
export function silenceHandlerLogs(): void {
  for (const level of ['log', 'info', 'warn'] as const) {
    jest.spyOn(console, level).mockImplementation(() => undefined);
  }
}

export const REGION = 'us-west-2';
/** The account that trained the models and shares them. */
export const SHARER = '111122223333';
/** The account that imports them. */
export const IMPORTER = '444455556666';
/** An account the sharer did not name in the model's policy. */
export const STRANGER = '777788889999';

export const SOURCE_CLASSIFIER = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/tickets/version/v1`;
export const SOURCE_CLASSIFIER_V2 = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/tickets/version/v2`;
export const OTHER_SOURCE_CLASSIFIER = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/invoices/version/v1`;
export const SOURCE_RECOGNIZER = `arn:aws:comprehend:${REGION}:${SHARER}:entity-recognizer/products/version/v3`;
/** The sharer's customer managed key. */
export const SHARER_KEY = `arn:aws:kms:${REGION}:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** A stack of the importer account. */
export function importerStack(app = new App(), id = 'Importer'): Stack {
  return new Stack(app, id, { env: { account: IMPORTER, region: REGION } });
}

/** A stack of the sharer account. */
export function sharerStack(app = new App(), id = 'Sharer'): Stack {
  return new Stack(app, id, { env: { account: SHARER, region: REGION } });
}

export const STACK_ID = `arn:aws:cloudformation:${REGION}:${IMPORTER}:stack/Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333`;
/** The ownership tag of the copy of the events' stack and logical resource (see `common` below). */
export const OWNER_TAG = { Key: OWNER_TAG_KEY, Value: 'Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333/Classifier1234ABCD' };

/** The marker the framework gives a create that failed before onEvent returned a physical id. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** The properties of an import resource, as CloudFormation sends them. */
export function properties(overrides: Partial<ImportProperties> = {}): ImportProperties {
  return {
    SourceModelArn: SOURCE_CLASSIFIER,
    ModelType: 'document-classifier',
    TimeoutSeconds: '3000',
    ...overrides,
  };
}

const common = {
  ServiceToken: `arn:aws:lambda:${REGION}:${IMPORTER}:function:framework-onEvent`,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: STACK_ID,
  RequestId: 'request-1',
  LogicalResourceId: 'Classifier1234ABCD',
  ResourceType: 'Custom::ComprehendImportedModel',
};

type Props<P> = P & { ServiceToken: string };

function resourceProperties<P>(props: P): Props<P> {
  return { ServiceToken: common.ServiceToken, ...props };
}

/**
 * The status CloudFormation's record shows while the request of the event built last is in progress: the record the
 * mocked DescribeStackResource answers (mockStackRecord) and recordData() carries. Each event builder sets it.
 */
let recordStatus = 'CREATE_IN_PROGRESS';

export function createEvent<P = ImportProperties>(props: P = properties() as P): CloudFormationCustomResourceCreateEvent<Props<P>> {
  recordStatus = 'CREATE_IN_PROGRESS';
  return { ...common, RequestType: 'Create', ResourceProperties: resourceProperties(props) };
}

export function updateEvent<P = ImportProperties>(
  physicalResourceId: string,
  props: P,
  oldProps: P,
): CloudFormationCustomResourceUpdateEvent<Props<P>> {
  recordStatus = 'UPDATE_IN_PROGRESS';
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: resourceProperties(props),
    OldResourceProperties: resourceProperties(oldProps),
  };
}

export function deleteEvent<P = ImportProperties>(
  physicalResourceId: string,
  props: P = properties() as P,
): CloudFormationCustomResourceDeleteEvent<Props<P>> {
  recordStatus = 'DELETE_IN_PROGRESS';
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalResourceId, ResourceProperties: resourceProperties(props) };
}

/** The isComplete event: the CloudFormation event with onEvent's answer merged in, as the framework does. */
export function waiterEvent<E extends { RequestType: string }>(
  event: E,
  onEventResult: { PhysicalResourceId?: string; Data?: Record<string, string> },
) {
  return { ...event, ...onEventResult } as E & { PhysicalResourceId: string; Data?: any };
}

/**
 * CloudFormation's record of the events' resource when their request began (DescribeStackResource's ResourceStatus and
 * LastUpdatedTimestamp), as onEvent hands it to isComplete in `Data.Request` (src/handlers/common/request-guard.ts).
 */
export const RECORD_STATUS = 'CREATE_IN_PROGRESS';
export const RECORD_TIME = new Date('2026-01-01T00:00:00.000Z');
export const RECORD = `${RECORD_STATUS}@${RECORD_TIME.toISOString()}`;

/**
 * The Data of a waiter whose onEvent read the record of its request in progress (RECORD for a Create): every mutating
 * call it makes proves the record unchanged first.
 */
export function recordData(): { Request: string } {
  return { Request: `${recordStatus}@${RECORD_TIME.toISOString()}` };
}

/** DescribeStackResource's answer for the events' resource, in `status` (the last event's request in progress) since `at`. */
export function stackRecord(status: string = recordStatus, at: Date = RECORD_TIME): DescribeStackResourceCommandOutput {
  return {
    $metadata: {},
    StackResourceDetail: {
      StackName: 'Importer',
      StackId: STACK_ID,
      LogicalResourceId: common.LogicalResourceId,
      ResourceType: common.ResourceType,
      ResourceStatus: status as ResourceStatus,
      LastUpdatedTimestamp: at,
    },
  };
}

/** CloudFormation's answer when it has no record of the resource (it left the stack, or the stack is gone). */
export function noRecord(): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Resource ${common.LogicalResourceId} does not exist for stack ${STACK_ID}`,
  });
}

/**
 * The handlers' CloudFormation client answered by aws-sdk-client-mock: before each test it is reset, and answers
 * DescribeStackResource with RECORD (the request is current). A test changes the answer to make CloudFormation move on.
 * Call it once, at a test file's top level (it registers a beforeEach).
 */
export function mockStackRecord() {
  const cloudFormation = mockClient(CloudFormationClient);
  beforeEach(() => {
    recordStatus = 'CREATE_IN_PROGRESS';
    cloudFormation.reset();
    cloudFormation.on(DescribeStackResourceCommand).callsFake(() => stackRecord());
    cloudFormation.on(DescribeStacksCommand).resolves(stackStatus('UPDATE_IN_PROGRESS'));
  });
  return cloudFormation;
}

/** DescribeStacks' answer for the events' stack, in `status` (a forward update unless told otherwise). */
export function stackStatus(status: string): DescribeStacksCommandOutput {
  return {
    $metadata: {},
    Stacks: [{ StackName: 'Importer', StackId: STACK_ID, CreationTime: RECORD_TIME, StackStatus: status as StackStatus }],
  };
}

/**
 * Sets the environment variable `name` (the provider functions' declared ARNs, src/contract/declared-resources.ts) to
 * `value` (a JSON array when a list is given; unset when undefined) for the tests of a file or a describe, and restores
 * it after them. Call it at a file's or describe's top level (it registers beforeAll and afterAll).
 */
export function declareInEnvironment(name: string, value: readonly string[] | string | undefined): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env[name];
    setEnvironment(name, typeof value === 'string' || value === undefined ? value : JSON.stringify(value));
  });
  afterAll(() => setEnvironment(name, before));
}

function setEnvironment(name: string, value: string | undefined): void {
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
}

/**
 * The physical id CloudFormation makes up for a Create it cancelled before the answer (another resource failed), which
 * its rollback's Delete then carries: STACKNAME-LOGICALID-RANDOM.
 */
export const MADE_UP_PHYSICAL_ID = `Importer-${common.LogicalResourceId}-ABCDEF123456`;

/** A client stub's calls, as aws-sdk-client-mock records them (sinon's calls). */
interface RecordedCalls {
  calls(): ReadonlyArray<{ readonly args: readonly unknown[] }>;
}

/**
 * The operations the stubbed clients were called with, in the order the handlers called them across clients:
 * `DescribeStackResource`, `ImportModel`, ... Sinon numbers every call of every stub in one sequence (callId, which its
 * calledBefore compares; @types/sinon leaves it out).
 */
export function callJournal(...clients: RecordedCalls[]): string[] {
  const callId = (call: object) => (call as { readonly callId: number }).callId;
  return clients.flatMap(client => client.calls())
    .sort((a, b) => callId(a) - callId(b))
    .map(call => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** When the requests of the tests that control Date.now() begin (mockRequestClock). */
export const REQUEST_START = Date.parse('2026-01-01T00:00:10.000Z');

/**
 * Date.now() under the test's control, at REQUEST_START before each test; the function returned moves it to `seconds`
 * after REQUEST_START. Call it once, at a test file's top level (it registers a beforeEach).
 */
export function mockRequestClock(): (seconds: number) => void {
  let now = REQUEST_START;
  beforeEach(() => {
    now = REQUEST_START;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  return seconds => {
    now = REQUEST_START + seconds * 1000;
  };
}
