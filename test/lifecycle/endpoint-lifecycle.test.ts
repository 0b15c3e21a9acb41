// Serving the copy end to end, offline: an import and its endpoint in one stack, the bundled handlers, the native
// endpoint types run as CloudFormation runs them, and Comprehend played by the emulator. eu-west-1 has no native
// endpoint type, so an endpoint there is the provider's custom resource; us-west-2 has both types.
import { App, Stack } from 'aws-cdk-lib';
import { Harness, startHarness } from './harness';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelEndpointOptions } from '../../src';
import { OWNER_TAG_KEY } from '../../src/contract/import-properties';
import { ENDPOINT_UPDATE_MS } from '../support/comprehend-emulator';
import { IMPORTER, REGION, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2 } from '../support/fixtures';

jest.setTimeout(120_000);

const CUSTOM_REGION = 'eu-west-1';
const inRegion = (arn: string, region: string) => arn.replace(`:${REGION}:`, `:${region}:`);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  for (const arn of [SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2]) {
    h.emulator.addTrainedModel(inRegion(arn, CUSTOM_REGION), { sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
  }
});
afterEach(async () => {
  await h.stop();
});

interface Serving {
  readonly region?: string;
  readonly source?: string;
  readonly model?: Partial<ImportedComprehendModelProps>;
  readonly endpoint?: ModelEndpointOptions;
}

/** An importer stack that imports the sharer's classifier and serves it. */
function servingStack({ region = CUSTOM_REGION, source = SOURCE_CLASSIFIER, model = {}, endpoint = {} }: Serving): Stack {
  const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region } });
  const copy = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: inRegion(source, region), ...model });
  const served = copy.addEndpoint('Live', { endpointName: 'tickets-live', ...endpoint });
  expect(served.isNative).toBe(region !== CUSTOM_REGION);
  return stack;
}

const endpointArn = (region = CUSTOM_REGION) => `arn:aws:comprehend:${region}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const copiesNow = () => h.emulator.modelsOf(IMPORTER).map(m => ({ arn: m.arn, status: h.emulator.statusOf(m), source: m.sourceModelArn }));
const operations = (...names: string[]) => h.emulator.calls.filter(c => names.includes(c.operation) && c.outcome === 'OK').map(c => c.operation);

test('custom endpoint, create: IN_SERVICE on the copy when CloudFormation is told, marked as the stack\'s', async () => {
  const result = await h.driver().deploy(servingStack({ endpoint: { tags: { team: 'nlp' } } }));

  expect(result.failures).toEqual([]);
  const [copy] = copiesNow();
  const endpoint = h.emulator.endpointNow(endpointArn())!;
  expect(endpoint).toMatchObject({ status: 'IN_SERVICE', modelArn: copy.arn, units: 1 });
  expect(Object.fromEntries(endpoint.tags)).toEqual({
    team: 'nlp',
    [OWNER_TAG_KEY]: expect.stringMatching(/^Serving\/[0-9a-f-]{36}\/TicketsLive[0-9A-F]{8}$/),
  });
  // The model first, then the endpoint on it; the endpoint's ARN is its attribute.
  expect(result.outcomes.map(o => o.logicalId)).toEqual([expect.stringMatching(/^Tickets/), expect.stringMatching(/^TicketsLive/)]);
  expect(result.outcomes[1].data).toMatchObject({ EndpointArn: endpointArn() });
  expect(operations('CreateEndpoint', 'UpdateEndpoint')).toEqual(['CreateEndpoint']);
});

test('custom endpoint, units update: the same endpoint resized in place, the copy untouched', async () => {
  const driver = h.driver();
  await driver.deploy(servingStack({}));
  const [copy] = copiesNow();

  const result = await driver.deploy(servingStack({ endpoint: { desiredInferenceUnits: 3 } }));

  expect(result.failures).toEqual([]);
  expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType}`)).toEqual(['TicketsLive Update']);
  expect(h.emulator.endpointNow(endpointArn())).toMatchObject({ status: 'IN_SERVICE', modelArn: copy.arn, units: 3 });
  expect(h.emulator.calls.filter(c => c.operation === 'UpdateEndpoint').map(c => c.input)).toEqual([
    { EndpointArn: endpointArn(), DesiredInferenceUnits: 3 },
  ]);
  expect(copiesNow()).toEqual([copy]);
  expect(h.emulator.count('ImportModel')).toBe(1);
});

test('a deploy keeps the inference units an auto scaler set, unless desiredInferenceUnits changes', async () => {
  const driver = h.driver();
  await driver.deploy(servingStack({ endpoint: { desiredInferenceUnits: 2 } }));
  // Application Auto Scaling moves the endpoint to 5 units.
  h.emulator.scaleEndpoint(endpointArn(), 5);

  // Tags and a new model version: both change the endpoint resource, neither touches its units.
  const result = await driver.deploy(servingStack({ source: SOURCE_CLASSIFIER_V2, endpoint: { desiredInferenceUnits: 2, tags: { team: 'nlp' } } }));

  expect(result.failures).toEqual([]);
  expect(h.emulator.calls.filter(c => c.operation === 'UpdateEndpoint').map(c => Object.keys(c.input).sort()))
    .toEqual([['DesiredModelArn', 'EndpointArn']]);
  expect(h.emulator.endpointNow(endpointArn())).toMatchObject({ status: 'IN_SERVICE', units: 5 });

  // A new desiredInferenceUnits is the user's word: it is sent.
  const resized = await driver.deploy(servingStack({ source: SOURCE_CLASSIFIER_V2, endpoint: { desiredInferenceUnits: 3, tags: { team: 'nlp' } } }));
  expect(resized.failures).toEqual([]);
  expect(h.emulator.endpointNow(endpointArn())).toMatchObject({ status: 'IN_SERVICE', units: 3 });
});

describe.each([
  ['custom endpoint (eu-west-1)', CUSTOM_REGION],
  ['native endpoint (us-west-2)', REGION],
])('upgrade without downtime, %s', (_, region) => {
  test('a new source version: imported, the same endpoint moved to it in place, only then the old copy deleted', async () => {
    const serving: string[] = [];
    const lookAtEndpoint = () => {
      const endpoint = h.emulator.endpointNow(endpointArn(region));
      const model = endpoint && h.emulator.model(endpoint.modelArn);
      // Serving: IN_SERVICE, or UPDATING while Comprehend moves it (it answers with its current model meanwhile).
      serving.push(`${endpoint?.status === 'UPDATING' ? 'IN_SERVICE' : endpoint?.status} on ${model ? h.emulator.statusOf(model) : 'no model'}`);
    };
    const driver = h.driver(IMPORTER, {}, lookAtEndpoint);
    await driver.deploy(servingStack({ region }));
    const [old] = copiesNow();
    serving.length = 0;

    const result = await driver.deploy(servingStack({ region, source: SOURCE_CLASSIFIER_V2 }));

    expect(result.failures).toEqual([]);
    expect(result.status).toBe('COMPLETE');
    // CloudFormation's order: the new copy, the endpoint moved to it, then the cleanup deletes the old copy.
    expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType}`))
      .toEqual(['Tickets Update', 'TicketsLive Update', 'Tickets Delete']);
    expect(serving.length).toBeGreaterThan(ENDPOINT_UPDATE_MS / 15_000);
    expect(new Set(serving)).toEqual(new Set(['IN_SERVICE on TRAINED']));
    const [now] = copiesNow();
    expect(copiesNow()).toEqual([expect.objectContaining({ source: inRegion(SOURCE_CLASSIFIER_V2, region), status: 'TRAINED' })]);
    expect(now.arn).not.toEqual(old.arn);
    expect(h.emulator.endpointNow(endpointArn(region))).toMatchObject({ status: 'IN_SERVICE', modelArn: now.arn });
    expect(operations('CreateEndpoint', 'UpdateEndpoint', 'DeleteEndpoint', 'DeleteDocumentClassifier'))
      .toEqual(['CreateEndpoint', 'UpdateEndpoint', 'DeleteDocumentClassifier']);
  });

  test('the new import fails: the endpoint keeps serving the old copy, and no new copy is left', async () => {
    const driver = h.driver();
    await driver.deploy(servingStack({ region }));
    const [old] = copiesNow();
    h.emulator.importBehaviour.set(inRegion(SOURCE_CLASSIFIER_V2, region), { failWith: 'The model artifacts could not be decrypted' });

    const result = await driver.deploy(servingStack({ region, source: SOURCE_CLASSIFIER_V2 }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0]).toMatch(/ended in status IN_ERROR: The model artifacts could not be decrypted/);
    // The handler deletes the failed copy itself (CloudFormation never learnt of it), and the rollback sees it gone.
    expect(copiesNow()).toEqual([old]);
    expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.input.DocumentClassifierArn === old.arn)).toEqual([]);
    expect(h.emulator.endpointNow(endpointArn(region))).toMatchObject({ status: 'IN_SERVICE', modelArn: old.arn });
    expect(h.emulator.count('UpdateEndpoint')).toBe(0);
  });
});

test('custom endpoint, delete: the endpoint goes first, then the copy; nothing is left', async () => {
  const driver = h.driver();
  await driver.deploy(servingStack({}));

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType}`)).toEqual(['TicketsLive Delete', 'Tickets Delete']);
  expect(h.emulator.endpointNow(endpointArn())).toBeUndefined();
  expect(copiesNow()).toEqual([]);
});

test('custom endpoint, deleted while CREATING (a cancelled create): waited for, then deleted, and the copy too', async () => {
  const driver = h.driver();
  await driver.deploy(modelOnly());
  // The endpoint's create is sent, and the deployment is cancelled while Comprehend still creates it.
  await driver.startCreates(servingStack({}));
  expect(h.emulator.endpointNow(endpointArn())).toMatchObject({ status: 'CREATING' });

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  expect(h.emulator.calls.filter(c => c.operation === 'DeleteEndpoint').map(c => c.outcome)[0]).toBe('ResourceInUseException');
  expect(h.emulator.endpointNow(endpointArn())).toBeUndefined();
  expect(copiesNow()).toEqual([]);
});

test('custom endpoint under throttling: create, update and delete all go through', async () => {
  h.emulator.faults['*'] = { throttleRate: 0.3 };
  const driver = h.driver();

  const created = await driver.deploy(servingStack({}));
  const updated = await driver.deploy(servingStack({ endpoint: { desiredInferenceUnits: 2, tags: { team: 'nlp' } } }));
  const destroyed = await driver.destroy();

  expect([created.failures, updated.failures, destroyed.failures]).toEqual([[], [], []]);
  expect(h.emulator.calls.filter(c => c.outcome === 'TooManyRequestsException' || c.outcome === 'ThrottlingException').length).toBeGreaterThan(10);
  expect(h.emulator.endpointNow(endpointArn())).toBeUndefined();
  expect(copiesNow()).toEqual([]);
});

test('an endpoint of that name made by hand is never adopted, changed or deleted', async () => {
  const driver = h.driver();
  await driver.deploy(modelOnly());
  const [copy] = copiesNow();
  const theirs = h.emulator.addEndpoint(endpointArn(), copy.arn);
  theirs.tags.set('owner', 'ana');

  const result = await driver.deploy(servingStack({}));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(/Endpoint name "tickets-live" is already taken .* this resource did not create it: it has no cdk-comprehend-model-import:owner tag.*Choose another endpointName/);
  expect(h.emulator.endpointNow(endpointArn())).toMatchObject({ status: 'IN_SERVICE', modelArn: copy.arn });
  expect(h.emulator.count('DeleteEndpoint') + h.emulator.count('UpdateEndpoint')).toBe(0);
});

/** The serving stack before its endpoint was added. */
function modelOnly(): Stack {
  const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region: CUSTOM_REGION } });
  new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: inRegion(SOURCE_CLASSIFIER, CUSTOM_REGION) });
  return stack;
}
