// An endpoint in a stack operation that another resource fails (issue 32): the Delete of a cancelled Create, with a
// physical id CloudFormation made up; the rollback of a rename that failed or was cancelled; and an endpoint busy with
// something else (Application Auto Scaling changing its units) when a deploy moves it. Through the provider's entry
// points, with the real SDK clients answered by aws-sdk-client-mock, on a clock the test moves (Date.now).
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import {
  ComprehendClient,
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  EndpointStatus,
  InvalidRequestException,
  ListTagsForResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ResourceUnavailableException,
  TooManyRequestsException,
  UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { EndpointProperties, MODEL_ENDPOINT_RESOURCE_TYPE } from '../../../src/contract/endpoint-properties';
import { MAX_TIMEOUT_SECONDS, SETTLE_SECONDS } from '../../../src/contract/import-properties';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  createEvent,
  deleteEvent,
  IMPORTER,
  MADE_UP_PHYSICAL_ID,
  mockRequestClock,
  mockStackRecord,
  OWNER_TAG,
  recordData,
  REQUEST_START,
  REGION,
  stackRecord,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const cloudFormation = mockStackRecord();
const metadata = { $metadata: {} };
const COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/a`;
const NEW_COPY = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/b`;
const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const ENDPOINT_V2 = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-v2`;
const OTHER_OWNER = { Key: OWNER_TAG.Key, Value: 'Other/1111aaaa-2222-3333-4444-555566667777/Live' };

function props(overrides: Partial<EndpointProperties> = {}): EndpointProperties {
  return { EndpointName: 'tickets-live', ModelArn: COPY, ModelType: 'document-classifier', DesiredInferenceUnits: '1', ...overrides };
}
const asEndpoint = <E extends object>(event: E) => ({ ...event, ResourceType: MODEL_ENDPOINT_RESOURCE_TYPE }) as any;
const notFound = () => new ResourceNotFoundException({ ...metadata, message: 'not found' });
const inUse = () => new ResourceInUseException({ ...metadata, message: 'The endpoint is not in a state to be deleted' });
const unavailable = () => new ResourceUnavailableException({ ...metadata, message: 'Endpoint is not IN_SERVICE' });

/** Moves the clock the handlers read to `seconds` after the request began. */
const at = mockRequestClock();

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
  comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER_TAG] });
});

afterEach(() => jest.restoreAllMocks());

/** The endpoint at `arn`: in `status`, serving `model`, at `units`; or none. */
function endpointIs(arn: string, status: EndpointStatus | undefined, overrides: object = {}) {
  const describe = comprehend.on(DescribeEndpointCommand, { EndpointArn: arn });
  if (status === undefined) {
    describe.rejects(notFound());
  } else {
    describe.resolves({ EndpointProperties: { EndpointArn: arn, Status: status, ModelArn: COPY, DesiredInferenceUnits: 1, ...overrides } });
  }
}

/** onEvent, then the waiter event the framework polls isComplete with. */
async function start(event: any) {
  const answer = await onEvent(event);
  return { answer, waiter: waiterEvent(event, answer as any) };
}

const deleteEndpointCalls = () => comprehend.commandCalls(DeleteEndpointCommand).map(call => call.args[0].input.EndpointArn);
const mutatingCalls = () => comprehend.calls().map(call => call.args[0].constructor.name).filter(name => !/^(Describe|List)/.test(name));

describe('a Delete with a physical id CloudFormation made up (the Create was cancelled)', () => {
  const cancelledCreatesDelete = () => asEndpoint(deleteEvent(MADE_UP_PHYSICAL_ID, props()));

  test('the endpoint the Create left CREATING, tagged as this resource\'s: deleted once Comprehend allows, complete once gone', async () => {
    // Comprehend refuses to delete an endpoint still CREATING.
    comprehend.on(DeleteEndpointCommand).rejectsOnce(inUse()).rejectsOnce(inUse()).resolves({});

    const { answer, waiter } = await start(cancelledCreatesDelete());
    expect(answer).toEqual({ PhysicalResourceId: MADE_UP_PHYSICAL_ID, Data: { Deadline: expect.any(String), ...recordData() } });
    expect(deleteEndpointCalls()).toEqual([ENDPOINT]);

    at(15);
    endpointIs(ENDPOINT, EndpointStatus.CREATING);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(deleteEndpointCalls()).toEqual([ENDPOINT, ENDPOINT]);

    at(120);
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(deleteEndpointCalls()).toEqual([ENDPOINT, ENDPOINT, ENDPOINT]);

    at(135);
    endpointIs(ENDPOINT, EndpointStatus.DELETING);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(deleteEndpointCalls()).toHaveLength(3);

    at(150);
    endpointIs(ENDPOINT, undefined);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
    expect(comprehend.commandCalls(ListTagsForResourceCommand).every(call => call.args[0].input.ResourceArn === ENDPOINT)).toBe(true);
  });

  test.each([
    ['without the ownership tag (made by hand)', [{ Key: 'team', Value: 'nlp' }]],
    ['of another stack', [OTHER_OWNER]],
  ])('an endpoint under the name %s is never deleted; the Delete completes once settled', async (_, tags) => {
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: tags });
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE);

    const { waiter } = await start(cancelledCreatesDelete());
    at(15);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    at(SETTLE_SECONDS + 1);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });

    expect(mutatingCalls()).toEqual([]);
  });

  test('nothing under the name: not complete until SETTLE_SECONDS after the Delete began, then complete', async () => {
    comprehend.on(ListTagsForResourceCommand).rejects(notFound());
    endpointIs(ENDPOINT, undefined);

    const { waiter } = await start(cancelledCreatesDelete());
    for (const seconds of [0, 15, SETTLE_SECONDS - 1]) {
      at(seconds);
      await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    }
    at(SETTLE_SECONDS + 1);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
    expect(mutatingCalls()).toEqual([]);
  });

  test('an endpoint that appears while the Delete settles (a CreateEndpoint the cancelled Create sent just before) is deleted', async () => {
    comprehend.on(ListTagsForResourceCommand).rejectsOnce(notFound()).resolves({ Tags: [OWNER_TAG] });
    comprehend.on(DeleteEndpointCommand).rejectsOnce(inUse()).resolves({});
    endpointIs(ENDPOINT, undefined);

    const { waiter } = await start(cancelledCreatesDelete());
    at(15);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    at(20);
    endpointIs(ENDPOINT, EndpointStatus.CREATING);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    at(SETTLE_SECONDS + 100);
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(deleteEndpointCalls()).toEqual([ENDPOINT, ENDPOINT]);
    at(SETTLE_SECONDS + 120);
    endpointIs(ENDPOINT, undefined);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
  });

  test('a Delete of a recorded endpoint (its ARN is the physical id) does not settle: gone is complete at once', async () => {
    comprehend.on(ListTagsForResourceCommand).rejects(notFound());
    endpointIs(ENDPOINT, undefined);

    const { waiter } = await start(asEndpoint(deleteEvent(ENDPOINT, props())));
    at(1);

    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true });
  });
});

describe('the rollback of a rename that failed or was cancelled', () => {
  // CloudFormation never learnt the new endpoint's ARN: it rolls back with the old properties, the old physical id, and
  // the failed ones (the new name) as the old properties.
  const rollback = () => asEndpoint(updateEvent(ENDPOINT, props(), props({ EndpointName: 'tickets-v2' })));

  beforeEach(() => {
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE);
  });

  test('onEvent asks to delete the endpoint under the new name, when it is this resource\'s, and names it for isComplete', async () => {
    const { answer } = await start(rollback());

    expect(answer).toEqual({
      PhysicalResourceId: ENDPOINT,
      Data: { Deadline: expect.any(String), FailedReplacement: ENDPOINT_V2, ...recordData() },
    });
    expect(deleteEndpointCalls()).toEqual([ENDPOINT_V2]);
    const calls = comprehend.calls().map(call => `${call.args[0].constructor.name} ${Object.values(call.args[0].input as object)[0]}`);
    // Its ownership is read first, in the same invocation.
    expect(calls.indexOf(`ListTagsForResourceCommand ${ENDPOINT_V2}`)).toBeLessThan(calls.indexOf(`DeleteEndpointCommand ${ENDPOINT_V2}`));
    expect(comprehend.commandCalls(CreateEndpointCommand)).toEqual([]);
  });

  test.each([
    ['without the ownership tag', [{ Key: 'team', Value: 'nlp' }]],
    ['of another stack', [OTHER_OWNER]],
  ])('an endpoint under the new name %s is not deleted, by onEvent nor isComplete', async (_, tags) => {
    comprehend.on(ListTagsForResourceCommand, { ResourceArn: ENDPOINT_V2 }).resolves({ Tags: tags });
    endpointIs(ENDPOINT_V2, EndpointStatus.IN_SERVICE);

    const { waiter } = await start(rollback());
    at(SETTLE_SECONDS + 1);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });

    expect(deleteEndpointCalls()).toEqual([]);
  });

  test('isComplete completes only once the endpoint under the new name is gone, and the request has settled', async () => {
    comprehend.on(DeleteEndpointCommand).rejectsOnce(inUse()).resolves({});

    // Still CREATING (the cancelled forward Update's CreateEndpoint): Comprehend refuses the deletion for now.
    const { waiter } = await start(rollback());
    at(15);
    endpointIs(ENDPOINT_V2, EndpointStatus.CREATING);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(deleteEndpointCalls()).toEqual([ENDPOINT_V2, ENDPOINT_V2]);

    at(20);
    endpointIs(ENDPOINT_V2, EndpointStatus.DELETING);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

    at(25);
    endpointIs(ENDPOINT_V2, undefined);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

    at(SETTLE_SECONDS + 1);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });
    // The endpoint the rollback returns to is never deleted.
    expect(deleteEndpointCalls().filter(arn => arn === ENDPOINT)).toEqual([]);
  });

  test('Comprehend throttling the look at the endpoint under the new name: not complete yet, looked at again at the next poll', async () => {
    comprehend.on(DeleteEndpointCommand).resolves({});

    const { waiter } = await start(rollback());
    at(SETTLE_SECONDS + 1);
    comprehend.on(DescribeEndpointCommand, { EndpointArn: ENDPOINT_V2 }).rejects(new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' }));
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

    endpointIs(ENDPOINT_V2, undefined);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });
  });

  test('CloudFormation moving on while the rollback\'s waiter deletes the endpoint under the new name: RequestSuperseded, nothing deleted', async () => {
    comprehend.on(DeleteEndpointCommand).rejects(inUse());
    endpointIs(ENDPOINT_V2, EndpointStatus.CREATING);

    const { waiter } = await start(rollback());
    comprehend.resetHistory();
    cloudFormation.on(DescribeStackResourceCommand).resolves(stackRecord('UPDATE_ROLLBACK_COMPLETE', new Date(REQUEST_START)));
    at(15);

    await expect(isComplete(waiter)).rejects.toMatchObject({ name: 'RequestSuperseded' });
    expect(deleteEndpointCalls()).toEqual([]);
  });

  test('at the deadline, an endpoint under the new name still there is logged and left: the rollback completes (best effort)', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    comprehend.on(DeleteEndpointCommand).resolves({});
    endpointIs(ENDPOINT_V2, EndpointStatus.DELETING);
    const late = waiterEvent(rollback(), {
      PhysicalResourceId: ENDPOINT,
      Data: { Deadline: String(Date.now() - 1), FailedReplacement: ENDPOINT_V2, ...recordData() },
    });

    await expect(isComplete(late)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });
    expect(log).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`Could not delete ${ENDPOINT_V2}, the endpoint of the failed rename: .*; delete it by hand`)));
  });

  test('a forward rename creates the new endpoint and deletes nothing: CloudFormation deletes the old one in its cleanup', async () => {
    comprehend.on(CreateEndpointCommand).resolves({ EndpointArn: ENDPOINT_V2 });
    endpointIs(ENDPOINT_V2, EndpointStatus.IN_SERVICE);

    const { answer, waiter } = await start(asEndpoint(updateEvent(ENDPOINT, props({ EndpointName: 'tickets-v2' }), props())));
    expect(answer.PhysicalResourceId).toBe(ENDPOINT_V2);
    expect(answer.Data).not.toHaveProperty('FailedReplacement');
    at(SETTLE_SECONDS + 1);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT_V2 } });

    expect(deleteEndpointCalls()).toEqual([]);
  });

  test('the rollback of a rename that succeeded (a sibling failed) returns to the old endpoint and deletes nothing: CloudFormation deletes the new one', async () => {
    // CloudFormation recorded the new endpoint: the rollback's physical id is its ARN.
    comprehend.on(CreateEndpointCommand).rejects(new ResourceInUseException({ ...metadata, message: 'in use' }));

    const { answer, waiter } = await start(asEndpoint(updateEvent(ENDPOINT_V2, props(), props({ EndpointName: 'tickets-v2' }))));
    expect(answer.PhysicalResourceId).toBe(ENDPOINT);
    expect(answer.Data).not.toHaveProperty('FailedReplacement');
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });

    expect(deleteEndpointCalls()).toEqual([]);
  });
});

describe('an endpoint busy with something else (not IN_SERVICE) when a deploy moves it', () => {
  // Application Auto Scaling set 3 units; the template says 1, and did not change it.
  const move = (units = '1') => asEndpoint(updateEvent(ENDPOINT, props({ ModelArn: NEW_COPY, DesiredInferenceUnits: units }), props()));
  const updates = () => comprehend.commandCalls(UpdateEndpointCommand).map(call => call.args[0].input);

  test('UpdateEndpoint refused with ResourceUnavailableException while the scaler updates it is left to isComplete, which waits for IN_SERVICE, asks again, and never sends the units', async () => {
    // The scaler's own update runs: DescribeEndpoint says UPDATING.
    endpointIs(ENDPOINT, EndpointStatus.UPDATING, { DesiredInferenceUnits: 3 });
    comprehend.on(UpdateEndpointCommand).rejectsOnce(unavailable()).resolves({});

    const { answer, waiter } = await start(move());
    expect(answer.PhysicalResourceId).toBe(ENDPOINT);
    expect(updates()).toHaveLength(1);

    at(15);
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(updates()).toHaveLength(1);

    at(30);
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE, { DesiredInferenceUnits: 3 });
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

    at(60);
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE, { ModelArn: NEW_COPY, DesiredModelArn: NEW_COPY, DesiredInferenceUnits: 3 });
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: true, Data: { EndpointArn: ENDPOINT } });

    expect(updates()).toEqual(Array(2).fill({ EndpointArn: ENDPOINT, DesiredModelArn: NEW_COPY }));
  });

  test('units the template changed are sent, over the scaler\'s', async () => {
    endpointIs(ENDPOINT, EndpointStatus.UPDATING, { DesiredInferenceUnits: 3 });
    comprehend.on(UpdateEndpointCommand).rejectsOnce(unavailable()).resolves({});

    const { waiter } = await start(move('2'));
    at(15);
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE, { DesiredInferenceUnits: 3 });
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });

    expect(updates()).toEqual(Array(2).fill({ EndpointArn: ENDPOINT, DesiredModelArn: NEW_COPY, DesiredInferenceUnits: 2 }));
  });

  test('still busy at the deadline: the update fails, saying CloudFormation\'s hour is nearly over', async () => {
    endpointIs(ENDPOINT, EndpointStatus.UPDATING);
    comprehend.on(UpdateEndpointCommand).rejects(unavailable());

    const { waiter } = await start(move());
    at(MAX_TIMEOUT_SECONDS + 1);

    await expect(isComplete(waiter)).rejects.toThrow(/tickets-live is still UPDATING, and CloudFormation's hour is nearly over/);
  });

  test('ResourceUnavailableException from an endpoint IN_SERVICE fails at once: waiting would not change the endpoint', async () => {
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE);
    comprehend.on(UpdateEndpointCommand).rejects(unavailable());

    await expect(onEvent(move())).rejects.toThrow('Endpoint is not IN_SERVICE');
    expect(updates()).toHaveLength(1);
  });

  test('an UpdateEndpoint refused for another reason still fails the update', async () => {
    endpointIs(ENDPOINT, EndpointStatus.IN_SERVICE);
    comprehend.on(UpdateEndpointCommand).rejects(new InvalidRequestException({ ...metadata, message: 'The model is not TRAINED' }));

    await expect(onEvent(move())).rejects.toThrow('The model is not TRAINED');
  });
});

test('a Create\'s waiter of this file\'s kind carries the record onEvent read', async () => {
  comprehend.on(CreateEndpointCommand).resolves({ EndpointArn: ENDPOINT });

  const { answer } = await start(asEndpoint(createEvent(props())));

  expect(answer.Data).toMatchObject({ ...recordData() });
});
