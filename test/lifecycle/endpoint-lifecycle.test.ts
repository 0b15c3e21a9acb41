// Serving the copy end to end, offline: an import and its endpoint in one stack, the bundled handlers, and Comprehend
// played by the emulator. The endpoint is the provider's custom resource in every Region: eu-west-1 (which never had
// CloudFormation's own endpoint types) and us-west-2 (which has them) alike.
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Harness, startHarness } from './harness';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelEndpoint, ModelEndpointOptions } from '../../src';
import { MODEL_ENDPOINT_RESOURCE_TYPE } from '../../src/contract/endpoint-properties';
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
  expect((served.node.defaultChild as any).cfnResourceType).toBe(MODEL_ENDPOINT_RESOURCE_TYPE);
  return stack;
}

const endpointArn = (region = CUSTOM_REGION) => `arn:aws:comprehend:${region}:${IMPORTER}:document-classifier-endpoint/tickets-live`;
const copiesNow = () => h.emulator.modelsOf(IMPORTER).map(m => ({ arn: m.arn, status: h.emulator.statusOf(m), source: m.sourceModelArn }));
const operations = (...names: string[]) => h.emulator.calls.filter(c => names.includes(c.operation) && c.outcome === 'OK').map(c => c.operation);

test('endpoint, create: IN_SERVICE on the copy when CloudFormation is told, marked as the stack\'s', async () => {
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

test('endpoint, units update: the same endpoint resized in place, the copy untouched', async () => {
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
  ['eu-west-1', CUSTOM_REGION],
  ['us-west-2', REGION],
])('upgrade without downtime, in %s', (_, region) => {
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

test('endpoint, delete: the endpoint goes first, then the copy; nothing is left', async () => {
  const driver = h.driver();
  await driver.deploy(servingStack({}));

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType}`)).toEqual(['TicketsLive Delete', 'Tickets Delete']);
  expect(h.emulator.endpointNow(endpointArn())).toBeUndefined();
  expect(copiesNow()).toEqual([]);
});

test('endpoint, deleted while CREATING (a cancelled create): waited for, then deleted, and the copy too', async () => {
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

test('endpoint under throttling: create, update and delete all go through', async () => {
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

/**
 * The stack 'Serving' in us-west-2 with the copy 'Tickets' served by addEndpoint('Live') under its default name; with
 * `modelKey`, the copy is encrypted with a key of the stack; without `env`, the stack is env-agnostic.
 */
function defaultNamed({ modelKey = false, env = true }: { modelKey?: boolean; env?: boolean } = {}): { stack: Stack; endpoint: ModelEndpoint } {
  const stack = new Stack(new App(), 'Serving', env ? { env: { account: IMPORTER, region: REGION } } : undefined);
  const copy = new ImportedComprehendModel(stack, 'Tickets', {
    sourceModelArn: SOURCE_CLASSIFIER,
    modelKey: modelKey ? new kms.Key(stack, 'ModelKey') : undefined,
  });
  return { stack, endpoint: copy.addEndpoint('Live') };
}

/**
 * An env-agnostic stack as CloudFormation deploys it to `account` and `region`: its template is unchanged, and its
 * pseudo parameters (AWS::AccountId, AWS::Region), which the driver takes from the stack, resolve to them.
 */
function deployedTo(stack: Stack, account: string, region: string): Stack {
  return new Proxy(stack, { get: (target, name) => name === 'account' ? account : name === 'region' ? region : Reflect.get(target, name) });
}

/** The logical id, type and physical id of the endpoint resources the driver holds. */
function endpointResourcesOf(driver: ReturnType<Harness['driver']>): Array<[string, string]> {
  return [...driver.resources].filter(([, r]) => 'EndpointName' in r.properties).map(([id, r]) => [id, r.physicalResourceId]);
}

describe('changes that leave the same endpoint serving', () => {
  test('modelKey added to a served classifier in us-west-2: a new copy, the same endpoint moved to it with the library\'s role', async () => {
    const v1 = defaultNamed();
    const name = v1.endpoint.endpointName;
    const arn = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/${name}`;
    const serving: string[] = [];
    const lookAtEndpoint = () => {
      const endpoint = h.emulator.endpointNow(arn);
      const model = endpoint && h.emulator.model(endpoint.modelArn);
      // Serving: IN_SERVICE, or UPDATING while Comprehend moves it (it answers with its current model meanwhile).
      serving.push(`${endpoint?.status === 'UPDATING' ? 'IN_SERVICE' : endpoint?.status} on ${model ? h.emulator.statusOf(model) : 'no model'}`);
    };
    const driver = h.driver(IMPORTER, {}, lookAtEndpoint);
    expect((await driver.deploy(v1.stack)).failures).toEqual([]);
    const [old] = copiesNow();
    const before = endpointResourcesOf(driver);
    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'IN_SERVICE', modelArn: old.arn, dataAccessRoleArn: undefined });
    serving.length = 0;

    const v2 = defaultNamed({ modelKey: true });
    const result = await driver.deploy(v2.stack);

    expect(result.failures).toEqual([]);
    expect(result.status).toBe('COMPLETE');
    expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType} ${o.status}`))
      .toEqual(['Tickets Update SUCCESS', 'TicketsLive Update SUCCESS', 'Tickets Delete SUCCESS']);
    // Serving at every poll, through the import of the new copy and the move.
    expect(serving.length).toBeGreaterThan(ENDPOINT_UPDATE_MS / 15_000);
    expect(new Set(serving)).toEqual(new Set(['IN_SERVICE on TRAINED']));
    // The same endpoint: logical id, name and physical id; created once, never deleted.
    expect(v2.endpoint.endpointName).toBe(name);
    expect(endpointResourcesOf(driver)).toEqual(before);
    expect(before).toEqual([[expect.stringMatching(/^TicketsLive[0-9A-F]{8}$/), arn]]);
    expect(operations('CreateEndpoint', 'DeleteEndpoint')).toEqual(['CreateEndpoint']);
    // It serves the new copy, under the key, with the role the library made for the endpoint (not the import's).
    const [now] = copiesNow();
    expect(copiesNow()).toEqual([expect.objectContaining({ source: SOURCE_CLASSIFIER, status: 'TRAINED' })]);
    expect(now.arn).not.toEqual(old.arn);
    expect(h.emulator.model(now.arn)!.modelKmsKeyId).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${IMPORTER}:key/`));
    const roleId = v2.stack.getLogicalId(v2.endpoint.dataAccessRole!.node.defaultChild as any);
    expect(roleId).toMatch(/^ComprehendEndpointServiceRole/);
    const role = h.emulator.endpointNow(arn)!.dataAccessRoleArn!;
    expect(role).toMatch(new RegExp(`^arn:aws:iam::${IMPORTER}:role/cdk-comprehend-model-import/[0-9a-f-]{36}/Serving-${roleId}-`));
    expect(role).not.toEqual(h.emulator.model(now.arn)!.dataAccessRoleArn);
    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'IN_SERVICE', modelArn: now.arn, dataAccessRoleArn: role });
    expect(h.emulator.calls.filter(c => c.operation === 'UpdateEndpoint' && c.outcome === 'OK').map(c => c.input))
      .toEqual([{ EndpointArn: arn, DesiredModelArn: now.arn, DesiredDataAccessRoleArn: role }]);
    // The old copy is gone, and no copy is left behind.
    expect(h.emulator.model(old.arn)).toBeUndefined();
    expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.outcome === 'OK').map(c => c.input.DocumentClassifierArn))
      .toEqual([old.arn]);
  });

  test('an env-agnostic stack given its environment: the update completes and the endpoint is not replaced', async () => {
    const agnostic = defaultNamed({ env: false });
    const driver = h.driver();
    const created = await driver.deploy(deployedTo(agnostic.stack, IMPORTER, REGION));
    expect(created.failures).toEqual([]);
    const before = endpointResourcesOf(driver);
    const arn = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/${agnostic.endpoint.endpointName}`;
    expect(before).toEqual([[expect.stringMatching(/^TicketsLive[0-9A-F]{8}$/), arn]]);
    const [copy] = copiesNow();

    const located = defaultNamed();
    const result = await driver.deploy(located.stack);

    expect(result.failures).toEqual([]);
    expect(result.status).toBe('COMPLETE');
    expect(located.endpoint.endpointName).toBe(agnostic.endpoint.endpointName);
    expect(endpointResourcesOf(driver)).toEqual(before);
    // Nothing the endpoint's resource is made of changed: no Create, no Delete, no Update of it.
    expect(result.outcomes.filter(o => o.logicalId === before[0][0])).toEqual([]);
    expect(result.outcomes.filter(o => o.requestType !== 'Update')).toEqual([]);
    expect(operations('CreateEndpoint', 'UpdateEndpoint', 'DeleteEndpoint')).toEqual(['CreateEndpoint']);
    expect(h.emulator.endpointNow(arn)).toMatchObject({ status: 'IN_SERVICE', modelArn: copy.arn });
    expect(copiesNow()).toEqual([copy]);
  });
});
