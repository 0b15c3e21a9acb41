// What the handlers log: one line per request (its type, the resource's logical id, type and physical id), and one
// line per AWS call (the operation and its outcome), through the real SDK clients; never an event's properties, its
// response URL, or a request's or response's body.
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { DescribeEndpointCommand, ImportModelCommand } from '@aws-sdk/client-comprehend';
import { handlerClock } from '../../../src/handlers/common/clock';
import { comprehend, logEvent } from '../../../src/handlers/common/comprehend';
import { cloudFormation, readRecord } from '../../../src/handlers/common/request-guard';
// The provider's bundle adds the logging of CloudFormation's calls.
import '../../../src/handlers/provider';
import { createEvent, deleteEvent, IMPORTER, properties, REGION, SHARER, SHARER_KEY, SOURCE_CLASSIFIER, STACK_ID, updateEvent } from '../../support/fixtures';

const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/copy/version/v1`;
const MODEL_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/abcd1234-12ab-34cd-56ef-1234567890ab`;
const ROLE = `arn:aws:iam::${IMPORTER}:role/comprehend-import`;
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/serving`;

/** The HTTP answers of the fake network, in order, and the requests it received. */
let answers: Array<{ statusCode: number; headers?: Record<string, string>; body: string }>;
let requests: number;

/** The SDK clients' own request handler, replaced by the fake network for the tests. */
const fakeNetwork = {
  handle: async () => {
    requests += 1;
    const answer = answers.shift();
    if (!answer) {
      throw new Error('no answer left for this request');
    }
    return { response: { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: new TextEncoder().encode(answer.body) } };
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
};

/** Comprehend's JSON protocol: an answer, and an error by its type. */
const json = (body: object) => ({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
const jsonError = (type: string, message: string) => ({
  statusCode: 400,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: JSON.stringify({ __type: type, Message: message }),
});

const env = { ...process.env };
let info: jest.SpyInstance;
let warn: jest.SpyInstance;
let log: jest.SpyInstance;
let sleep: typeof handlerClock.sleep;

beforeAll(() => {
  Object.assign(process.env, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
  for (const client of [comprehend, cloudFormation]) {
    (client.config as any).requestHandler = fakeNetwork;
  }
  // The SDK's backoff between attempts waits on the handlers' clock: no real wait here.
  sleep = handlerClock.sleep;
  handlerClock.sleep = async () => undefined;
});

afterAll(() => {
  process.env = env;
  handlerClock.sleep = sleep;
});

beforeEach(() => {
  answers = [];
  requests = 0;
  info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

/** Every line logged, with its level. */
function lines(): string[] {
  return [
    ...info.mock.calls.map(args => `info: ${args.join(' ')}`),
    ...warn.mock.calls.map(args => `warn: ${args.join(' ')}`),
    ...log.mock.calls.map(args => `log: ${args.join(' ')}`),
  ];
}

describe('an event: one line with the request type, the logical id, the resource type and the physical id', () => {
  const props = properties({ SourceModelArn: SOURCE_CLASSIFIER, ModelKmsKeyId: MODEL_KEY, DataAccessRoleArn: ROLE, ModelName: 'copy' });

  test('a Create: no physical id yet, and nothing of the properties, no ARN, no account id', () => {
    logEvent(createEvent(props));

    expect(lines()).toEqual(['info: Create Classifier1234ABCD (Custom::ComprehendImportedModel), physical id none yet']);
    const logged = lines().join('\n');
    for (const secret of ['arn:', IMPORTER, SHARER, SHARER_KEY, 'ResponseURL', 'cloudformation-custom-resource-response', 'request-1', 'copy']) {
      expect(logged).not.toContain(secret);
    }
  });

  test('an Update and a Delete: the physical id (the copy\'s ARN), and nothing else of the event', () => {
    logEvent(updateEvent(COPY, { ...props, ModelName: 'renamed' }, props));
    logEvent(deleteEvent(COPY, props));

    expect(lines()).toEqual([
      `info: Update Classifier1234ABCD (Custom::ComprehendImportedModel), physical id ${COPY}`,
      `info: Delete Classifier1234ABCD (Custom::ComprehendImportedModel), physical id ${COPY}`,
    ]);
    const withoutPhysicalId = lines().join('\n').split(COPY).join('');
    for (const secret of ['arn:', STACK_ID, SHARER, MODEL_KEY, ROLE, 'renamed', 'request-1']) {
      expect(withoutPhysicalId).not.toContain(secret);
    }
  });
});

describe('a Comprehend call: one line with the operation and its outcome, through the SDK client the handlers use', () => {
  test('answered: ok, at info level, without the request or the answer', async () => {
    answers = [json({ EndpointProperties: { EndpointArn: ENDPOINT, ModelArn: COPY, Status: 'IN_SERVICE' } })];

    await comprehend.send(new DescribeEndpointCommand({ EndpointArn: ENDPOINT }));

    expect(lines()).toEqual(['info: Comprehend DescribeEndpoint: ok']);
  });

  test('refused: the error\'s name, at warn level, without its message', async () => {
    answers = [jsonError('ResourceNotFoundException', `Could not find endpoint ${ENDPOINT}`)];

    await expect(comprehend.send(new DescribeEndpointCommand({ EndpointArn: ENDPOINT }))).rejects.toThrow('Could not find endpoint');

    expect(lines()).toEqual(['warn: Comprehend DescribeEndpoint: ResourceNotFoundException']);
  });

  test('retried, then answered: one line, with the attempts', async () => {
    answers = [
      jsonError('TooManyRequestsException', 'Rate exceeded'),
      jsonError('TooManyRequestsException', 'Rate exceeded'),
      json({ ModelArn: COPY }),
    ];

    await comprehend.send(new ImportModelCommand({ SourceModelArn: SOURCE_CLASSIFIER, ModelKmsKeyId: MODEL_KEY, DataAccessRoleArn: ROLE }));

    expect(requests).toBe(3);
    expect(lines()).toEqual(['info: Comprehend ImportModel: ok, 3 attempts']);
  });

  test('retried until the SDK gave up: one line, with the error and the attempts', async () => {
    answers = Array.from({ length: 8 }, () => jsonError('TooManyRequestsException', 'Rate exceeded'));

    await expect(comprehend.send(new ImportModelCommand({ SourceModelArn: SOURCE_CLASSIFIER }))).rejects.toThrow('Rate exceeded');

    expect(requests).toBe(8);
    expect(lines()).toEqual(['warn: Comprehend ImportModel: TooManyRequestsException, 8 attempts']);
  });

  test('two calls: two lines, in order', async () => {
    answers = [json({ EndpointProperties: {} }), jsonError('ResourceInUseException', 'in use')];

    await comprehend.send(new DescribeEndpointCommand({ EndpointArn: ENDPOINT }));
    await comprehend.send(new DescribeEndpointCommand({ EndpointArn: ENDPOINT })).catch(() => undefined);

    expect([...info.mock.calls, ...warn.mock.calls].map(args => args.join(' '))).toEqual([
      'Comprehend DescribeEndpoint: ok',
      'Comprehend DescribeEndpoint: ResourceInUseException',
    ]);
  });
});

describe('CloudFormation\'s DescribeStackResource (request-guard.ts): logged as the Comprehend calls are', () => {
  const request = { StackId: STACK_ID, LogicalResourceId: 'Classifier1234ABCD', RequestType: 'Create' };
  const xml = (statusCode: number, body: string) => ({ statusCode, headers: { 'content-type': 'text/xml' }, body });

  test('answered', async () => {
    answers = [xml(200, '<DescribeStackResourceResponse><DescribeStackResourceResult><StackResourceDetail>'
      + '<ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus><LastUpdatedTimestamp>2026-01-01T00:00:00.000Z</LastUpdatedTimestamp>'
      + '</StackResourceDetail></DescribeStackResourceResult></DescribeStackResourceResponse>')];

    await expect(readRecord(request)).resolves.toBe('CREATE_IN_PROGRESS@2026-01-01T00:00:00.000Z');

    expect(lines()).toEqual(['info: CloudFormation DescribeStackResource: ok']);
  });

  test('refused', async () => {
    answers = [xml(400, '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>'
      + `<Message>Stack ${STACK_ID} does not exist</Message></Error></ErrorResponse>`)];

    await expect(cloudFormation.send(new DescribeStackResourceCommand({ StackName: STACK_ID, LogicalResourceId: 'X' }))).rejects.toThrow('does not exist');

    expect(lines()).toEqual(['warn: CloudFormation DescribeStackResource: ValidationError']);
  });
});
