// The endpoint lifecycle's decisions, one Comprehend answer at a time: the provider's bundled-to-be entry points,
// with the real SDK client answered by aws-sdk-client-mock.
import {
  ComprehendClient,
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  EndpointStatus,
  ListTagsForResourceCommand,
  ResourceInUseException,
  ResourceLimitExceededException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { SERVABLE_MODELS_ENV } from '../../../src/contract/declared-resources';
import { EndpointProperties, MODEL_ENDPOINT_RESOURCE_TYPE } from '../../../src/contract/endpoint-properties';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  CREATE_FAILED_MARKER,
  createEvent,
  declareInEnvironment,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  recordData,
  REGION,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
mockStackRecord();
const metadata = { $metadata: {} };
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/a`;
const NEW_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/b`;
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const ROLE = `arn:aws:iam::${IMPORTER}:role/cdk-comprehend-model-import/served`;
// The app declares both models (which model an endpoint may serve is serving.test.ts's subject): no lookup of theirs.
declareInEnvironment(SERVABLE_MODELS_ENV, [COPY, NEW_COPY]);

function props(overrides: Partial<EndpointProperties> = {}): EndpointProperties {
  return { EndpointName: 'tickets-live', ModelArn: COPY, ModelType: 'document-classifier', DesiredInferenceUnits: '1', ...overrides };
}
const asEndpoint = <E extends object>(event: E) => ({ ...event, ResourceType: MODEL_ENDPOINT_RESOURCE_TYPE }) as any;
const own = { Tags: [OWNER_TAG] };
const inService = (overrides: object = {}) => ({
  EndpointProperties: { EndpointArn: ENDPOINT, Status: EndpointStatus.IN_SERVICE, ModelArn: COPY, DesiredInferenceUnits: 1, ...overrides },
});

beforeAll(() => silenceHandlerLogs());
beforeEach(() => comprehend.reset());

describe('onEvent', () => {
  test('create: CreateEndpoint with the user\'s tags and the ownership tag; the endpoint ARN is the physical id', async () => {
    comprehend.on(CreateEndpointCommand).resolves({ ...metadata, EndpointArn: ENDPOINT });

    const result = await onEvent(asEndpoint(createEvent(props({ Tags: [{ Key: 'team', Value: 'nlp' }], DataAccessRoleArn: ROLE }))));

    expect(result.PhysicalResourceId).toBe(ENDPOINT);
    expect(comprehend.commandCalls(CreateEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'tickets-live',
      ModelArn: COPY,
      DesiredInferenceUnits: 1,
      DataAccessRoleArn: ROLE,
      Tags: [{ Key: 'team', Value: 'nlp' }, OWNER_TAG],
    });
  });

  test('create over the quota: Comprehend\'s words and what to do', async () => {
    comprehend.on(CreateEndpointCommand).rejects(new ResourceLimitExceededException({ ...metadata, message: 'Too many endpoints' }));

    await expect(onEvent(asEndpoint(createEvent(props())))).rejects.toThrow(
      /Cannot create endpoint "tickets-live": ResourceLimitExceededException: Too many endpoints\. Comprehend allows 10 active endpoints and 100 inference units/);
  });

  test('a retried create finds its own endpoint (ownership tag) and adopts it; anyone else\'s is refused', async () => {
    comprehend.on(CreateEndpointCommand).rejects(new ResourceInUseException({ ...metadata, message: 'in use' }));
    comprehend.on(ListTagsForResourceCommand).resolvesOnce({ ...metadata, ...own }).resolves({ ...metadata, Tags: [] });

    expect((await onEvent(asEndpoint(createEvent(props())))).PhysicalResourceId).toBe(ENDPOINT);
    await expect(onEvent(asEndpoint(createEvent(props())))).rejects.toThrow(/already taken .*it has no cdk-comprehend-model-import:owner tag/);
  });

  test.each<[string, Partial<EndpointProperties>, RegExp]>([
    ['units above 10', { DesiredInferenceUnits: '11' }, /desiredInferenceUnits 11 is out of range; expected a whole number from 1 to 10/],
    ['a bad name', { EndpointName: 'tickets_live' }, /endpointName "tickets_live" is not a valid endpoint name/],
    ['a model of another account', { ModelArn: COPY.replace(IMPORTER, '111122223333') }, /an endpoint serves a model of its own account and Region/],
    ['a model of the other type', { ModelType: 'entity-recognizer' }, /is a document-classifier, but the endpoint was defined for entity-recognizer/],
  ])('deploy-time input check: %s', async (_, overrides, message) => {
    await expect(onEvent(asEndpoint(createEvent(props(overrides))))).rejects.toThrow(message);
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('a new name is a new endpoint: CloudFormation deletes the old one', async () => {
    comprehend.on(CreateEndpointCommand).resolves({ ...metadata, EndpointArn: ENDPOINT.replace('tickets-live', 'tickets-v2') });

    const result = await onEvent(asEndpoint(updateEvent(ENDPOINT, props({ EndpointName: 'tickets-v2' }), props())));

    expect(result.PhysicalResourceId).toBe(ENDPOINT.replace('tickets-live', 'tickets-v2'));
    expect(comprehend.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('a new model under a key: one UpdateEndpoint with the model and the role, never the units it did not change', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService({ DesiredInferenceUnits: 4 }) });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, ...own });

    await onEvent(asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY, DataAccessRoleArn: ROLE }), props())));

    expect(comprehend.commandCalls(UpdateEndpointCommand).map(c => c.args[0].input)).toEqual([
      { EndpointArn: ENDPOINT, DesiredModelArn: NEW_COPY, DesiredDataAccessRoleArn: ROLE },
    ]);
  });

  test('an endpoint still updating: the change waits for isComplete, which asks again', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService() });
    comprehend.on(UpdateEndpointCommand).rejectsOnce(new ResourceInUseException({ ...metadata, message: 'UPDATING' })).resolves(metadata);
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, ...own });
    const update = asEndpoint(updateEvent(ENDPOINT, props({ DesiredInferenceUnits: '2' }), props()));

    const result = await onEvent(update);
    const poll = await isComplete(waiterEvent(update, result));

    expect(poll.IsComplete).toBe(false);
    expect(comprehend.commandCalls(UpdateEndpointCommand).map(c => c.args[0].input)).toEqual([
      { EndpointArn: ENDPOINT, DesiredInferenceUnits: 2 },
      { EndpointArn: ENDPOINT, DesiredInferenceUnits: 2 },
    ]);
  });

  test('tags change in place: removed and added, the ownership tag kept', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService() });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, Tags: [OWNER_TAG, { Key: 'team', Value: 'nlp' }] });

    await onEvent(asEndpoint(updateEvent(ENDPOINT, props({ Tags: [{ Key: 'stage', Value: 'prod' }] }), props({ Tags: [{ Key: 'team', Value: 'nlp' }] }))));

    expect(comprehend.commandCalls(UntagResourceCommand)[0].args[0].input).toEqual({ ResourceArn: ENDPOINT, TagKeys: ['team'] });
    expect(comprehend.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({ ResourceArn: ENDPOINT, Tags: [{ Key: 'stage', Value: 'prod' }] });
    expect(comprehend.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('an in-place change proves ownership first: DescribeEndpoint, ListTagsForResource, then UpdateEndpoint and the tags', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService() });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, Tags: [OWNER_TAG, { Key: 'team', Value: 'nlp' }] });

    await onEvent(asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY, Tags: [] }), props({ Tags: [{ Key: 'team', Value: 'nlp' }] }))));

    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual([
      'DescribeEndpointCommand', 'ListTagsForResourceCommand', 'UpdateEndpointCommand', 'ListTagsForResourceCommand', 'UntagResourceCommand',
    ]);
  });

  test.each([
    ['without the ownership tag (re-created by hand, or its tag removed)', [{ Key: 'team', Value: 'nlp' }], 'absent'],
    ['of another stack', [{ Key: OWNER_TAG.Key, Value: 'Other/guid/Live' }], 'Other/guid/Live'],
  ])('an in-place change of an endpoint %s touches nothing and fails, naming it and what to do', async (_, tags, owner) => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService() });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, Tags: tags });

    const update = onEvent(asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY, Tags: [{ Key: 'stage', Value: 'prod' }] }), props())));

    await expect(update).rejects.toThrow(
      `Endpoint name "tickets-live" is already taken in this account and Region (${ENDPOINT}), and this resource did not create it ` +
      `(its cdk-comprehend-model-import:owner tag is ${owner}). It is left as it is. Choose another endpointName`,
    );
    await expect(update).rejects.toThrow(`tag it again with ${OWNER_TAG.Key}=${OWNER_TAG.Value}`);
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['DescribeEndpointCommand', 'ListTagsForResourceCommand']);
  });

  test('an in-place change of an endpoint deleted out of band creates it again under its name', async () => {
    comprehend.on(DescribeEndpointCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'not found' }));
    comprehend.on(CreateEndpointCommand).resolves({ ...metadata, EndpointArn: ENDPOINT });

    const result = await onEvent(asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY }), props())));

    expect(result.PhysicalResourceId).toBe(ENDPOINT);
    expect(comprehend.commandCalls(CreateEndpointCommand)[0].args[0].input).toMatchObject({ EndpointName: 'tickets-live', ModelArn: NEW_COPY, Tags: [OWNER_TAG] });
    expect(comprehend.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('delete: only an endpoint of this resource; for the placeholder of a failed create, the one the Create would have made', async () => {
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, Tags: [{ Key: 'cdk-comprehend-model-import:owner', Value: 'Other/guid/Live' }] });

    await onEvent(asEndpoint(deleteEvent(ENDPOINT, props())));
    await onEvent(asEndpoint(deleteEvent(CREATE_FAILED_MARKER, props())));

    expect(comprehend.commandCalls(DeleteEndpointCommand)).toHaveLength(0);
    expect(comprehend.commandCalls(ListTagsForResourceCommand).map(c => c.args[0].input))
      .toEqual([{ ResourceArn: ENDPOINT }, { ResourceArn: ENDPOINT }]);
  });

  test('delete: properties that do not read (the Create failed on them, before any call) leave nothing to look for', async () => {
    const result = await onEvent(asEndpoint(deleteEvent(CREATE_FAILED_MARKER, props({ EndpointName: 'tickets_live' }))));

    expect(result.PhysicalResourceId).toBe(CREATE_FAILED_MARKER);
    expect(comprehend.calls()).toHaveLength(0);
  });
});

// The waiters of these tests serve a current request: onEvent read CloudFormation's record, which is unchanged.
describe('isComplete', () => {
  test('a created endpoint that FAILED is deleted, and the deployment fails with Comprehend\'s message', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({
      ...metadata,
      EndpointProperties: { EndpointArn: ENDPOINT, Status: EndpointStatus.FAILED, Message: 'Model could not be loaded' },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, ...own });
    const create = asEndpoint(createEvent(props()));

    await expect(isComplete(waiterEvent(create, { PhysicalResourceId: ENDPOINT, Data: recordData() }))).rejects.toThrow(
      /Endpoint .*tickets-live serving .* is FAILED: Model could not be loaded\. The failed endpoint is being deleted\./);
    expect(comprehend.commandCalls(DeleteEndpointCommand)).toHaveLength(1);
  });

  test('IN_SERVICE on the old model while the move is under way: not complete yet, and no second UpdateEndpoint', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService({ DesiredModelArn: NEW_COPY }) });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, ...own });
    const update = asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY }), props()));

    expect(await isComplete(waiterEvent(update, { PhysicalResourceId: ENDPOINT, Data: recordData() }))).toEqual({ IsComplete: false });
    expect(comprehend.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('an endpoint that is not this resource\'s: no UpdateEndpoint, no tag change, a failure that names it', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService() });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, Tags: [] });
    const update = asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY, Tags: [{ Key: 'a', Value: 'b' }] }), props()));

    await expect(isComplete(waiterEvent(update, { PhysicalResourceId: ENDPOINT, Data: recordData() }))).rejects.toThrow(/\(.*tickets-live\), and this resource did not create it/);
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['DescribeEndpointCommand', 'ListTagsForResourceCommand']);
  });

  test('done: IN_SERVICE on the model asked for, with the endpoint ARN as its attribute', async () => {
    comprehend.on(DescribeEndpointCommand).resolves({ ...metadata, ...inService({ ModelArn: NEW_COPY, DesiredModelArn: NEW_COPY }) });
    comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, ...own });
    const update = asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY }), props()));

    expect(await isComplete(waiterEvent(update, { PhysicalResourceId: ENDPOINT, Data: recordData() })))
      .toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });
  });
});

test('the provider refuses a resource type it does not serve, by name', async () => {
  await expect(onEvent({ ...createEvent(props()), ResourceType: 'Custom::Other' } as any)).rejects.toThrow(
    /This provider serves Custom::ComprehendImportedModel and Custom::ComprehendModelEndpoint, not Custom::Other/);
});
