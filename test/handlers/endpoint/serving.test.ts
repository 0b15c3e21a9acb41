// Which model an endpoint may serve (issue 33): a copy of this stack instance (its ownership tag) or a model the app
// declares (SERVABLE_MODELS_ENV); anything else is refused before CreateEndpoint or UpdateEndpoint, except in the
// rollback of an update, which returns to the model of the template before.
import { CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ComprehendClient,
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  EndpointStatus,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { SERVABLE_MODELS_ENV } from '../../../src/contract/declared-resources';
import { EndpointProperties, MODEL_ENDPOINT_RESOURCE_TYPE } from '../../../src/contract/endpoint-properties';
import { OWNER_TAG_KEY } from '../../../src/contract/import-properties';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  callJournal,
  createEvent,
  declareInEnvironment,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  recordData,
  REGION,
  stackStatus,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const cloudFormation = mockStackRecord();
const metadata = { $metadata: {} };
const model = (name: string) => `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${name}/version/a`;
/** A copy of this stack instance (another logical resource of it). */
const OWN_COPY = model('own');
/** The model the app names with fromModelArn(): listed in the environment. */
const DECLARED = model('declared');
/** Another stack's copy, and the copy of a stack of the same name deleted and created again (another GUID). */
const FOREIGN = model('foreign');
const OLD_INSTANCE = model('old-instance');
/** Made by hand: no ownership tag. */
const HAND_MADE = model('hand-made');
/** Not in Comprehend. */
const MISSING = model('missing');
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const STACK_PREFIX = OWNER_TAG.Value.split('/').slice(0, 2).join('/');

const tagsOf: Record<string, Array<{ Key: string; Value: string }> | undefined> = {
  [OWN_COPY]: [{ Key: OWNER_TAG_KEY, Value: `${STACK_PREFIX}/OtherModel5678` }, { Key: 'team', Value: 'nlp' }],
  [DECLARED]: [],
  [FOREIGN]: [{ Key: OWNER_TAG_KEY, Value: 'Other/11111111-2222-3333-4444-555555555555/Model' }],
  [OLD_INSTANCE]: [{ Key: OWNER_TAG_KEY, Value: 'Importer/99999999-aaaa-bbbb-cccc-dddddddddddd/Classifier1234ABCD' }],
  [HAND_MADE]: [{ Key: 'team', Value: 'nlp' }],
  [ENDPOINT]: [OWNER_TAG],
};

function props(modelArn: string, overrides: Partial<EndpointProperties> = {}): EndpointProperties {
  return { EndpointName: 'tickets-live', ModelArn: modelArn, ModelType: 'document-classifier', DesiredInferenceUnits: '1', ...overrides };
}
const asEndpoint = <E extends object>(event: E) => ({ ...event, ResourceType: MODEL_ENDPOINT_RESOURCE_TYPE }) as any;
const serving = (modelArn: string, overrides: object = {}) => ({
  ...metadata,
  EndpointProperties: { EndpointArn: ENDPOINT, Status: EndpointStatus.IN_SERVICE, ModelArn: modelArn, DesiredInferenceUnits: 1, ...overrides },
});
const journal = () => callJournal(comprehend, cloudFormation);
const tagLookups = () => comprehend.commandCalls(ListTagsForResourceCommand).map(call => call.args[0].input.ResourceArn);
const mutations = () => [...comprehend.commandCalls(CreateEndpointCommand), ...comprehend.commandCalls(UpdateEndpointCommand)];
/** A move in place from `from` to `to`, as CloudFormation sends it (the rollback's has the same shape). */
const move = (from: string, to: string) => asEndpoint(updateEvent(ENDPOINT, props(to), props(from)));

beforeAll(() => silenceHandlerLogs());
beforeEach(() => {
  comprehend.reset();
  comprehend.on(ListTagsForResourceCommand).callsFake(({ ResourceArn }) => {
    const tags = tagsOf[ResourceArn];
    if (!tags) {
      throw new ResourceNotFoundException({ ...metadata, message: `${ResourceArn} not found` });
    }
    return { ...metadata, Tags: tags };
  });
  comprehend.on(CreateEndpointCommand).resolves({ ...metadata, EndpointArn: ENDPOINT });
  comprehend.on(UpdateEndpointCommand).resolves(metadata);
});

describe('with the app\'s declarations in the environment', () => {
  declareInEnvironment(SERVABLE_MODELS_ENV, [DECLARED]);

  test('a copy of this stack instance is served: its ownership tag is read, then CreateEndpoint', async () => {
    await onEvent(asEndpoint(createEvent(props(OWN_COPY))));

    expect(journal()).toEqual(['DescribeStackResource', 'ListTagsForResource', 'DescribeStackResource', 'CreateEndpoint']);
    expect(tagLookups()).toEqual([OWN_COPY]);
  });

  test('a model the app declares (fromModelArn) is served without a lookup', async () => {
    await onEvent(asEndpoint(createEvent(props(DECLARED))));

    expect(journal()).toEqual(['DescribeStackResource', 'DescribeStackResource', 'CreateEndpoint']);
  });

  test.each([
    ['another stack\'s copy', FOREIGN, `that model's ${OWNER_TAG_KEY} tag names Other/11111111-2222-3333-4444-555555555555/Model, which is not this stack \\(${STACK_PREFIX}/...\\)`],
    ['the copy of an earlier stack of the same name', OLD_INSTANCE, `that model's ${OWNER_TAG_KEY} tag names Importer/99999999-aaaa-bbbb-cccc-dddddddddddd/Classifier1234ABCD, which is not this stack \\(${STACK_PREFIX}/...\\)`],
    ['a model made by hand', HAND_MADE, `that model has no ${OWNER_TAG_KEY} tag, so it was made by hand or by another tool`],
    ['a model Comprehend does not know', MISSING, 'Comprehend does not know that model \\(ResourceNotFoundException\\)'],
  ])('%s is refused before CreateEndpoint, with what it is and what to change', async (_, modelArn, what) => {
    const failure = await onEvent(asEndpoint(createEvent(props(modelArn)))).catch(error => error as Error);

    expect(failure.message).toMatch(new RegExp(`^Endpoint "tickets-live" may not serve ModelArn ${modelArn}: ${what}, and the app does not declare it ` +
      `\\(${SERVABLE_MODELS_ENV} of the provider's functions does not list it\\)\\. Nothing was changed\\.`));
    expect(failure.message).toMatch(/serve a copy of this stack \(ImportedComprehendModel\.addEndpoint\(\)\), or name the model with ImportedComprehendModel\.fromModelArn\(\) or fromModelAttributes\(\)/);
    expect(mutations()).toHaveLength(0);
  });

  test('a forward move in place to a foreign model is refused before UpdateEndpoint (the stack is not rolling back)', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(serving(DECLARED));

    await expect(onEvent(move(DECLARED, FOREIGN))).rejects.toThrow(`Endpoint "tickets-live" may not serve ModelArn ${FOREIGN}`);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(mutations()).toHaveLength(0);
  });

  test('a move in place to this stack\'s copy asks no stack status', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(serving(DECLARED));

    await onEvent(move(DECLARED, OWN_COPY));

    expect(comprehend.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({ EndpointArn: ENDPOINT, DesiredModelArn: OWN_COPY });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test('the rollback of an update moves the endpoint back to a model the failed template no longer declares', async () => {
    // The template before served HAND_MADE through fromModelArn(); the failed one serves DECLARED and declares only it.
    cloudFormation.on(DescribeStacksCommand).resolves(stackStatus('UPDATE_ROLLBACK_IN_PROGRESS'));
    comprehend.on(DescribeEndpointCommand).resolves(serving(DECLARED));

    await onEvent(move(DECLARED, HAND_MADE));

    expect(comprehend.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({ EndpointArn: ENDPOINT, DesiredModelArn: HAND_MADE });
    expect(journal()).toEqual([
      'DescribeStackResource', 'DescribeEndpoint', 'ListTagsForResource', 'ListTagsForResource', 'DescribeStacks',
      'DescribeStackResource', 'UpdateEndpoint', 'ListTagsForResource',
    ]);
  });

  test('so does the rollback\'s waiter, when Comprehend was busy at onEvent', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackStatus('UPDATE_ROLLBACK_IN_PROGRESS'));
    comprehend.on(DescribeEndpointCommand).resolves(serving(DECLARED));

    const result = await isComplete(asEndpoint(waiterEvent(move(DECLARED, HAND_MADE), { PhysicalResourceId: ENDPOINT, Data: recordData() })));

    expect(result).toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(UpdateEndpointCommand)[0].args[0].input.DesiredModelArn).toBe(HAND_MADE);
  });

  test('an endpoint already serving the model needs no check: a units change of an endpoint on a foreign model', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(serving(FOREIGN));

    await onEvent(asEndpoint(updateEvent(ENDPOINT, props(FOREIGN, { DesiredInferenceUnits: '2' }), props(FOREIGN))));

    expect(comprehend.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({ EndpointArn: ENDPOINT, DesiredInferenceUnits: 2 });
    expect(tagLookups()).toEqual([ENDPOINT, ENDPOINT]);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test('nor does one already heading to it (UPDATING, DesiredModelArn the model): no call at all', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(serving(DECLARED, { Status: EndpointStatus.UPDATING, DesiredModelArn: FOREIGN }));

    await onEvent(move(DECLARED, FOREIGN));

    expect(mutations()).toHaveLength(0);
    expect(tagLookups()).toEqual([ENDPOINT, ENDPOINT]);
  });

  test('a Delete needs no check: the endpoint of a foreign model is deleted', async () => {
    comprehend.on(DeleteEndpointCommand).resolves(metadata);

    await onEvent(asEndpoint(deleteEvent(ENDPOINT, props(FOREIGN))));

    expect(comprehend.commandCalls(DeleteEndpointCommand)).toHaveLength(1);
    expect(tagLookups()).toEqual([ENDPOINT]);
  });

  test('a waiter that creates the endpoint onEvent could not (throttled) checks the model too', async () => {
    comprehend.on(DescribeEndpointCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'no endpoint' }));

    await expect(isComplete(asEndpoint(waiterEvent(asEndpoint(createEvent(props(HAND_MADE))), { PhysicalResourceId: ENDPOINT, Data: recordData() }))))
      .rejects.toThrow(`Endpoint "tickets-live" may not serve ModelArn ${HAND_MADE}: that model has no ${OWNER_TAG_KEY} tag`);
    expect(mutations()).toHaveLength(0);
  });

  test('a throttled lookup of the model defers the create to the waiter, having created nothing', async () => {
    comprehend.on(ListTagsForResourceCommand).rejects(new TooManyRequestsException({ ...metadata, message: 'slow down' }));

    await expect(onEvent(asEndpoint(createEvent(props(OWN_COPY))))).resolves.toMatchObject({ PhysicalResourceId: ENDPOINT });
    expect(mutations()).toHaveLength(0);
  });

  test('a stack status that cannot be read refuses, saying why the rollback exception could not apply', async () => {
    comprehend.on(DescribeEndpointCommand).resolves(serving(DECLARED));
    cloudFormation.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({
      name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform: cloudformation:DescribeStacks',
    }));

    await expect(onEvent(move(DECLARED, HAND_MADE))).rejects.toThrow(new RegExp(
      'does not list it; and this handler could not read the stack\'s status \\(DescribeStacks on arn:aws:cloudformation:.*: AccessDenied: ' +
      'not authorized to perform: cloudformation:DescribeStacks\\), which tells a rollback from a forward update'));
    expect(mutations()).toHaveLength(0);
  });
});

describe('a missing or malformed declaration fails safe: nothing is declared, and the refusal says why', () => {
  describe('unset', () => {
    declareInEnvironment(SERVABLE_MODELS_ENV, undefined);

    test('this stack\'s copies are still served (their tag proves them)', async () => {
      await onEvent(asEndpoint(createEvent(props(OWN_COPY))));

      expect(comprehend.commandCalls(CreateEndpointCommand)).toHaveLength(1);
    });

    test('a model the app meant to declare is refused', async () => {
      await expect(onEvent(asEndpoint(createEvent(props(DECLARED))))).rejects.toThrow(
        `(${SERVABLE_MODELS_ENV} of the provider's functions does not list it; the environment variable ${SERVABLE_MODELS_ENV} is not set, so it was read as declaring nothing)`);
      expect(mutations()).toHaveLength(0);
    });
  });

  describe.each([
    ['not JSON', `[${DECLARED}]`],
    ['not an array', JSON.stringify(DECLARED)],
    ['not an array of strings', JSON.stringify([{ arn: DECLARED }])],
  ])('%s', (_, text) => {
    declareInEnvironment(SERVABLE_MODELS_ENV, text);

    test('refuses the model, quoting the variable', async () => {
      await expect(onEvent(asEndpoint(createEvent(props(DECLARED))))).rejects.toThrow(
        `the environment variable ${SERVABLE_MODELS_ENV} is ${JSON.stringify(text)}, not a JSON array of ARNs, so it was read as declaring nothing`);
      expect(mutations()).toHaveLength(0);
    });
  });
});
