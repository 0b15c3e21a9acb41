// The rig itself: CloudFormation's records of the resources (served by the emulator as DescribeStackResource, through
// the real SDK client), cancellation and the rollback of what was cancelled, the cancelled waiters that poll on, and
// requests that start as soon as what they depend on is done. Each assertion holds whatever the handlers do with the
// records: the scenarios lean on what the driver plays, not on what the handlers decide.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { isThrottlingError } from '@smithy/core/retry';
import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCESS_KEYS, Harness, startHarness } from './harness';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelType } from '../../src';
import { IMPORT_SPREAD_ENV } from '../../src/contract/import-properties';
import { ComprehendEmulator, StackResourceRecord } from '../support/comprehend-emulator';
import { CancelledPollOrder, DeployDriver, Invocation } from '../support/deploy-driver';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2 } from '../support/fixtures';

jest.setTimeout(120_000);

const ACCOUNT_KEY = Object.entries(ACCESS_KEYS).find(([, account]) => account === IMPORTER)![0];
/** Known only at deploy time, and in another Region: the import's onEvent refuses it before any Comprehend call. */
const ELSEWHERE = { SharedModelArn: SOURCE_CLASSIFIER.replace(REGION, 'eu-west-1') };
type Models = Record<string, Partial<ImportedComprehendModelProps>>;
const FAILS_AT_ONCE = { sourceModelArn: Fn.importValue('SharedModelArn'), modelType: ModelType.DOCUMENT_CLASSIFIER };

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

/** A CloudFormation client of the emulator, signed with `accessKeyId`. */
function cloudFormation(accessKeyId = ACCOUNT_KEY, maxAttempts?: number): CloudFormationClient {
  return new CloudFormationClient({
    endpoint: h.emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId, secretAccessKey: 'emulator-secret' },
    maxAttempts,
  });
}

function describe_(stackName: string, logicalId: string, client = cloudFormation()) {
  return client.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
}

/** The logical id CDK gave the construct `id` of `stack`. */
function logicalIdOf(stack: Stack, id: string): string {
  return stack.getLogicalId((stack.node.findChild(id) as ImportedComprehendModel).node.defaultChild as any);
}

const statuses = (driver: DeployDriver, logicalId: string) =>
  driver.recordsOf(logicalId).map(r => r === undefined ? 'GONE' : `${r.resourceStatus}${r.resourceStatusReason === undefined ? '' : ` (${r.resourceStatusReason})`}`);

/**
 * Tickets fails at once in its onEvent; Invoices imports for ten minutes, so its Create is in progress when the failure
 * cancels it. `others` are more copies of the stack; `tickets` replaces the failing copy (failingLater()).
 */
function failingStack(
  invoices: Partial<ImportedComprehendModelProps> = {},
  others: Models = {},
  tickets: Partial<ImportedComprehendModelProps> = FAILS_AT_ONCE,
): Stack {
  h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: 10 * 60_000 });
  return h.stack({ ...others, Tickets: tickets, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER, ...invoices } });
}

/**
 * Tickets fails a minute in (its import ends IN_ERROR), so Invoices's onEvent has imported and its waiter polls when the
 * failure cancels it: a test about that waiter does not depend on how fast onEvent runs in real time (the driver's clock
 * follows real time while a handler works, and on a loaded machine a failure at once can cancel Invoices's onEvent
 * before its ImportModel, which then imports nothing and leaves no waiter).
 */
function failingLater(): Partial<ImportedComprehendModelProps> {
  h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { trainMs: 60_000, failWith: 'The training data of the source is invalid.' });
  return { sourceModelArn: SOURCE_CLASSIFIER };
}

describe('the emulator answers DescribeStackResource as CloudFormation does', () => {
  const STACK_ID = `arn:aws:cloudformation:${REGION}:${IMPORTER}:stack/Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333`;
  const RECORD: StackResourceRecord = {
    logicalResourceId: 'Tickets1234ABCD',
    physicalResourceId: 'arn:aws:comprehend:us-west-2:444455556666:document-classifier/tickets/version/x',
    resourceType: 'Custom::ComprehendImportedModel',
    resourceStatus: 'UPDATE_FAILED',
    resourceStatusReason: 'Resource update cancelled',
    lastUpdatedTimestamp: Date.UTC(2026, 11, 6, 10, 11, 12, 345),
  };

  test('by stack id or name: every member, the timestamp a Date with its milliseconds', async () => {
    h.emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, RECORD);

    for (const name of [STACK_ID, 'Importer']) {
      const { StackResourceDetail: detail } = await describe_(name, RECORD.logicalResourceId);
      expect(detail).toEqual({
        StackName: 'Importer',
        StackId: STACK_ID,
        LogicalResourceId: RECORD.logicalResourceId,
        PhysicalResourceId: RECORD.physicalResourceId,
        ResourceType: RECORD.resourceType,
        LastUpdatedTimestamp: new Date(RECORD.lastUpdatedTimestamp),
        ResourceStatus: 'UPDATE_FAILED',
        ResourceStatusReason: 'Resource update cancelled',
      });
      expect(detail!.LastUpdatedTimestamp!.toISOString()).toBe('2026-12-06T10:11:12.345Z');
    }
    expect(h.emulator.calls.map(c => `${c.service} ${c.operation} ${c.outcome}`)).toEqual([
      'cloudformation DescribeStackResource OK', 'cloudformation DescribeStackResource OK',
    ]);
    expect(h.emulator.count('DescribeStackResource')).toBe(2);
  });

  test('a missing stack or resource: ValidationError in CloudFormation\'s words; a deleted stack answers by its id only', async () => {
    h.emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, RECORD);

    await expect(describe_(STACK_ID.replace('Importer', 'Other'), 'X')).rejects.toMatchObject({
      name: 'ValidationError', message: `Stack with id ${STACK_ID.replace('Importer', 'Other')} does not exist`, $metadata: { httpStatusCode: 400 },
    });
    await expect(describe_('Importer', 'Nope')).rejects.toMatchObject({ name: 'ValidationError', message: 'Resource Nope does not exist for stack Importer' });
    h.emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, undefined);
    await expect(describe_(STACK_ID, RECORD.logicalResourceId)).rejects.toMatchObject({
      name: 'ValidationError', message: `Resource ${RECORD.logicalResourceId} does not exist for stack ${STACK_ID}`,
    });

    h.emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, { ...RECORD, resourceStatus: 'DELETE_COMPLETE', resourceStatusReason: undefined });
    h.emulator.deleteStack(STACK_ID);
    await expect(describe_('Importer', RECORD.logicalResourceId)).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id Importer does not exist' });
    const { StackResourceDetail: detail } = await describe_(STACK_ID, RECORD.logicalResourceId);
    expect(detail).toMatchObject({ ResourceStatus: 'DELETE_COMPLETE' });
    expect(detail).not.toHaveProperty('ResourceStatusReason');
  });

  test('IAM: a key with a policy is refused without cloudformation:DescribeStackResource on the stack, in IAM\'s words', async () => {
    h.emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, RECORD);
    const key = 'ASIAHANDLERROLE00001';
    h.emulator.addAccessKey(key, IMPORTER);
    const principal = `arn:aws:sts::${IMPORTER}:assumed-role/handler/handler`;
    h.emulator.setIdentityPolicy(key, [{ Effect: 'Allow', Action: 'comprehend:*', Resource: '*' }], principal);

    await expect(describe_(STACK_ID, RECORD.logicalResourceId, cloudFormation(key))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: ${principal} is not authorized to perform: cloudformation:DescribeStackResource on resource: ${STACK_ID} `
        + 'because no identity-based policy allows the cloudformation:DescribeStackResource action',
      $metadata: { httpStatusCode: 403 },
    });
    // Granted on another stack: still refused; on this one (by its ARN, asked by name too): answered.
    h.emulator.setIdentityPolicy(key, [{ Effect: 'Allow', Action: 'cloudformation:DescribeStackResource', Resource: STACK_ID.replace('Importer', 'Other') }], principal);
    await expect(describe_(STACK_ID, RECORD.logicalResourceId, cloudFormation(key))).rejects.toMatchObject({ name: 'AccessDenied' });
    h.emulator.setIdentityPolicy(key, [{ Effect: 'Allow', Action: 'cloudformation:DescribeStackResource', Resource: `arn:aws:cloudformation:${REGION}:${IMPORTER}:stack/Importer/*` }], principal);
    await expect(describe_('Importer', RECORD.logicalResourceId, cloudFormation(key))).resolves.toMatchObject({ StackResourceDetail: { ResourceStatus: 'UPDATE_FAILED' } });
    // The account's own key is unrestricted; an unknown key is not the account's.
    await expect(describe_(STACK_ID, RECORD.logicalResourceId)).resolves.toBeDefined();
    await expect(describe_(STACK_ID, RECORD.logicalResourceId, cloudFormation('AKIAUNKNOWN000000000'))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  test('failNext(\'DescribeStackResource\', \'Throttling\'): throttling as the SDK knows it, retried', async () => {
    h.emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, RECORD);
    h.emulator.failNext('DescribeStackResource', 'Throttling');

    const refused = await describe_(STACK_ID, RECORD.logicalResourceId, cloudFormation(ACCOUNT_KEY, 1)).catch(error => error);
    expect(refused).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    expect(isThrottlingError(refused)).toBe(true);
    h.emulator.failNext('DescribeStackResource', 'Throttling');
    const answer = await describe_(STACK_ID, RECORD.logicalResourceId);

    expect(answer.$metadata.attempts).toBe(2);
    expect(h.emulator.calls.map(c => c.outcome)).toEqual(['Throttling', 'Throttling', 'OK']);
  });

  test('the answers written for the check against botocore\'s Comprehend model are Comprehend\'s only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-calls-'));
    const before = process.env.COMPREHEND_EMULATOR_CALLS_DIR;
    process.env.COMPREHEND_EMULATOR_CALLS_DIR = dir;
    try {
      const emulator = await ComprehendEmulator.start({ accessKeys: ACCESS_KEYS, now: () => h.clock.now() });
      emulator.setStackResourceRecord(STACK_ID, RECORD.logicalResourceId, RECORD);
      const client = new CloudFormationClient({ endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: ACCOUNT_KEY, secretAccessKey: 's' } });
      await client.send(new DescribeStackResourceCommand({ StackName: STACK_ID, LogicalResourceId: RECORD.logicalResourceId }));
      await emulator.stop();

      const [file] = fs.readdirSync(dir);
      const written = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      expect(written.answers).toEqual([]);
      expect(written.operations).not.toContain('DescribeStackResource');
    } finally {
      process.env.COMPREHEND_EMULATOR_CALLS_DIR = before;
      if (before === undefined) {
        delete process.env.COMPREHEND_EMULATOR_CALLS_DIR;
      }
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('the driver keeps CloudFormation\'s records', () => {
  test('a create: IN_PROGRESS, unchanged at every poll, then COMPLETE; the handlers\' environment names the emulator', async () => {
    const seen: string[] = [];
    let driver!: DeployDriver;
    let logicalId = '';
    driver = h.driver(IMPORTER, {}, () => {
      const record = h.emulator.stackResourceRecord(driver.stackId, logicalId);
      seen.push(`${record?.resourceStatus}@${record?.lastUpdatedTimestamp}`);
    });
    const stack = h.stack({ Tickets: {} });
    logicalId = logicalIdOf(stack, 'Tickets');

    const result = await driver.deploy(stack);

    expect(result.status).toBe('COMPLETE');
    const [inProgress, complete] = driver.recordsOf(logicalId);
    expect(statuses(driver, logicalId)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(inProgress).toMatchObject({ resourceType: 'Custom::ComprehendImportedModel', physicalResourceId: undefined });
    expect(complete).toMatchObject({ physicalResourceId: result.outcomes[0].physicalResourceId });
    expect(complete!.lastUpdatedTimestamp).toBeGreaterThan(inProgress!.lastUpdatedTimestamp);
    // The request's record does not change while the request is in progress (the last poll answers it).
    expect(new Set(seen.slice(0, -1))).toEqual(new Set([`CREATE_IN_PROGRESS@${inProgress!.lastUpdatedTimestamp}`]));
    expect(process.env.AWS_ENDPOINT_URL_CLOUDFORMATION).toBe(h.emulator.endpoint);
    const { StackResourceDetail: detail } = await describe_(driver.stackId, logicalId);
    expect(detail).toMatchObject({ ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date(complete!.lastUpdatedTimestamp) });
  });

  test('a resource removed by an update has no record once the update is done; a deleted stack\'s records are DELETE_COMPLETE', async () => {
    const driver = h.driver();
    const both = h.stack({ Tickets: {}, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } });
    const [tickets, invoices] = [logicalIdOf(both, 'Tickets'), logicalIdOf(both, 'Invoices')];
    await driver.deploy(both);

    const update = await driver.deploy(h.stack({ Tickets: {} }));

    expect(update.status).toBe('COMPLETE');
    expect(statuses(driver, invoices)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'GONE']);
    await expect(describe_(driver.stackId, invoices)).rejects.toMatchObject({ name: 'ValidationError' });

    const destroyed = await driver.destroy();

    expect(destroyed.status).toBe('COMPLETE');
    expect(statuses(driver, tickets)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    await expect(describe_(driver.stackId, tickets)).resolves.toMatchObject({ StackResourceDetail: { ResourceStatus: 'DELETE_COMPLETE' } });
    await expect(describe_('Importer', tickets)).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id Importer does not exist' });
  });

  test('startCreates(): the creates it sends are cancelled', async () => {
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { trainMs: 10 * 60_000 });
    const driver = h.driver();
    const stack = h.stack({ Tickets: {} });

    await driver.startCreates(stack);

    expect(statuses(driver, logicalIdOf(stack, 'Tickets'))).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED (Resource creation cancelled)']);
    expect((await driver.destroy()).status).toBe('COMPLETE');
    expect(statuses(driver, logicalIdOf(stack, 'Tickets')).slice(2)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  });
});

describe('a failure cancels the requests in progress', () => {
  test('a cancelled Create: CREATE_FAILED, then a Delete with a physical id CloudFormation made up', async () => {
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const stack = failingStack();
    const [tickets, invoices] = [logicalIdOf(stack, 'Tickets'), logicalIdOf(stack, 'Invoices')];

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${tickets}: .*is in Region eu-west-1`))]);
    expect(result.cancelled).toEqual([{ logicalId: invoices, requestType: 'Create' }]);
    expect(statuses(driver, invoices)).toEqual([
      'CREATE_IN_PROGRESS', 'CREATE_FAILED (Resource creation cancelled)', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE',
    ]);
    const records = driver.recordsOf(invoices) as StackResourceRecord[];
    const madeUp = new RegExp(`^Importer-${invoices}-[A-Z0-9]{12}$`);
    expect(records[2].physicalResourceId).toMatch(madeUp);
    expect(records[3].physicalResourceId).toBe(records[2].physicalResourceId);
    records.slice(1).forEach((record, i) => expect(record.lastUpdatedTimestamp).toBeGreaterThan(records[i].lastUpdatedTimestamp));
    // The Delete the rollback sent: the made-up id, and the Create's properties.
    const [deleteEvent] = driver.invocations.filter(i => i.logicalId === invoices && i.requestType === 'Delete' && i.handler === 'onEvent').map(i => i.event);
    const createEvent = driver.invocations.find(i => i.logicalId === invoices && i.requestType === 'Create')!.event;
    expect(deleteEvent).toMatchObject({ PhysicalResourceId: records[2].physicalResourceId, ResourceProperties: createEvent.ResourceProperties });
    // A Create whose onEvent failed keeps the framework's placeholder, whose Delete the framework answers itself.
    expect(statuses(driver, tickets)).toEqual([
      'CREATE_IN_PROGRESS', expect.stringMatching(/^CREATE_FAILED \(.*eu-west-1/), 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE',
    ]);
    expect(driver.recordOf(tickets)!.physicalResourceId).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    expect(driver.invocations.filter(i => i.logicalId === tickets).map(i => `${i.requestType} ${i.handler}`)).toEqual(['Create onEvent']);

    // What the handlers read, through the SDK: the stack failed to create, so its records stay, DELETE_COMPLETE.
    const { StackResourceDetail: detail } = await describe_(driver.stackId, invoices);
    expect(detail).toMatchObject({
      StackName: 'Importer',
      ResourceStatus: 'DELETE_COMPLETE',
      PhysicalResourceId: records[3].physicalResourceId,
      LastUpdatedTimestamp: new Date(records[3].lastUpdatedTimestamp),
    });
  });

  test('a cancelled Update: UPDATE_FAILED, then the rollback\'s Update with the old physical id and properties', async () => {
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const before = h.stack({ Tickets: {} });
    const tickets = logicalIdOf(before, 'Tickets');
    await driver.deploy(before);
    const v1 = driver.resources.get(tickets)!;
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER_V2, { trainMs: 10 * 60_000 });

    const result = await driver.deploy(h.stack({ Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2 }, Invoices: FAILS_AT_ONCE }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.cancelled).toEqual([{ logicalId: tickets, requestType: 'Update' }]);
    expect(statuses(driver, tickets).slice(2)).toEqual([
      'UPDATE_IN_PROGRESS', 'UPDATE_FAILED (Resource update cancelled)', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE',
    ]);
    expect(new Set(driver.recordsOf(tickets).slice(2).map(r => r!.physicalResourceId))).toEqual(new Set([v1.physicalResourceId]));
    const updates = driver.invocations.filter(i => i.logicalId === tickets && i.requestType === 'Update' && i.handler === 'onEvent').map(i => i.event);
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({
      PhysicalResourceId: v1.physicalResourceId,
      ResourceProperties: { SourceModelArn: SOURCE_CLASSIFIER },
      OldResourceProperties: { SourceModelArn: SOURCE_CLASSIFIER_V2 },
    });
    expect(driver.resources.get(tickets)).toEqual(v1);
  });

  test('a request never started is left alone: an endpoint on the cancelled copy', async () => {
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const stack = failingStack();
    const endpoint = (stack.node.findChild('Invoices') as ImportedComprehendModel).addEndpoint('Live', { endpointName: 'invoices-live' });
    const endpointId = stack.getLogicalId(endpoint.node.defaultChild as any);

    const result = await driver.deploy(stack);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(driver.recordsOf(endpointId)).toEqual([]);
    expect(driver.invocations.filter(i => i.logicalId === endpointId)).toEqual([]);
  });

  test('a cancelled waiter polls on after the rollback, and settle() runs it to its end', async () => {
    // Retained, the cancelled create gets no Delete: its waiter alone acts on the import, for ten minutes. An update of
    // a stack that exists, so that its rollback keeps the handler role's policy (a failed create removes it).
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const base = { Base: { sourceModelArn: SOURCE_CLASSIFIER_V2 } };
    await driver.deploy(h.stack(base));
    const stack = failingStack({ removalPolicy: RemovalPolicy.RETAIN }, base, failingLater());
    const invoices = logicalIdOf(stack, 'Invoices');

    const result = await driver.deploy(stack);
    const rolledBackAt = Math.max(...result.outcomes.map(o => o.answeredAt));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(statuses(driver, invoices)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED (Resource creation cancelled)', 'DELETE_SKIPPED', 'GONE']);
    expect(driver.inProgressCancelled).toEqual([`${invoices} Create`]);
    expect(driver.cancelledOutcomes).toEqual([]);

    const [ended] = await driver.settle();

    expect(driver.inProgressCancelled).toEqual([]);
    expect(ended).toMatchObject({ logicalId: invoices, requestType: 'Create' });
    expect(ended.answeredAt).toBeGreaterThan(rolledBackAt);
    const polls = driver.invocations.filter(i => i.logicalId === invoices && i.handler === 'isComplete' && i.cancelled);
    expect(polls.filter(i => i.startedAt > rolledBackAt).length).toBeGreaterThan(1);
    expect(polls.every(i => i.endedAt !== undefined)).toBe(true);
    // Its record did not move: CloudFormation no longer waited for it.
    expect(statuses(driver, invoices)).toHaveLength(4);
  });

  test('a cancelled waiter is polled during the next operation of the stack too: its deletion', async () => {
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const base = { Base: { sourceModelArn: SOURCE_CLASSIFIER_V2 } };
    await driver.deploy(h.stack(base));
    const stack = failingStack({ removalPolicy: RemovalPolicy.RETAIN }, base, failingLater());
    const invoices = logicalIdOf(stack, 'Invoices');
    await driver.deploy(stack);
    // The premise: Invoices's cancelled Create still has a waiter polling when the stack is deleted.
    expect(driver.inProgressCancelled).toEqual([`${invoices} Create`]);
    const destroyFrom = h.clock.now();

    const destroyed = await driver.destroy();
    const destroyedAt = Math.max(...destroyed.outcomes.map(o => o.answeredAt));

    expect(destroyed.status).toBe('COMPLETE');
    // The copy's deletion takes its waiter 30 s and more: the cancelled waiter polled meanwhile, at its own interval.
    const during = driver.invocations.filter(i => i.logicalId === invoices && i.cancelled
      && i.startedAt >= destroyFrom && i.startedAt <= destroyedAt);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(driver.inProgressCancelled).toEqual([`${invoices} Create`]);
    await driver.settle();
    expect(driver.inProgressCancelled).toEqual([]);
  });

  test('an onEvent cancelled in the middle (asleep in its import slot) runs to its end, and its answer is discarded', async () => {
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const slow = { sourceModelArn: OTHER_SOURCE_CLASSIFIER };
    const stack = failingStack({}, { Orders: slow, Refunds: slow });
    // A ten-minute window of imports: each import's onEvent sleeps for its place in it before ImportModel.
    (stack.node.findChild('ComprehendProvider').node.findChild('OnEvent') as lambda.Function).addEnvironment(IMPORT_SPREAD_ENV, '600');

    const result = await driver.deploy(stack);
    const cancelledAt = driver.recordsOf(result.cancelled[0].logicalId)[1]!.lastUpdatedTimestamp;
    const asleep = driver.invocations.filter(i => i.handler === 'onEvent' && i.requestType === 'Create' && i.endedAt === undefined);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.cancelled).toHaveLength(3);
    expect(asleep.length).toBeGreaterThan(0);
    asleep.forEach(invocation => expect(invocation.startedAt).toBeLessThan(cancelledAt));
    await driver.settle();
    asleep.forEach(invocation => expect(invocation.endedAt).toBeGreaterThan(cancelledAt));
    expect(driver.cancelledOutcomes.map(o => o.logicalId)).toEqual(expect.arrayContaining(asleep.map(i => i.logicalId)));
    // Their records stay what the rollback made them: CloudFormation no longer waited for them.
    for (const { logicalId } of result.cancelled) {
      expect(statuses(driver, logicalId)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED (Resource creation cancelled)', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    }
  });

  test.each<[CancelledPollOrder, string]>([
    ['beforeRollback', 'the cancelled waiter\'s next poll ends before the rollback\'s first onEvent starts'],
    ['afterRollbackOnEvent', 'the rollback\'s onEvent calls end before the cancelled waiter polls again'],
  ])('cancelledPolls %s: %s', async order => {
    const driver = h.driver(IMPORTER, ELSEWHERE);
    const stack = failingStack();
    const invoices = logicalIdOf(stack, 'Invoices');

    const result = await driver.deploy(stack, { cancelledPolls: order });
    await driver.settle();

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const cancelledAt = driver.recordsOf(invoices)[1]!.lastUpdatedTimestamp;
    const isRollback = (i: Invocation) => !i.cancelled && i.startedAt >= cancelledAt;
    const rollbackOnEvents = driver.invocations.filter(i => isRollback(i) && i.handler === 'onEvent');
    const nextPoll = driver.invocations.find(i => i.logicalId === invoices && i.handler === 'isComplete' && i.cancelled)!;
    expect(rollbackOnEvents.map(i => `${i.logicalId} ${i.requestType}`)).toEqual([`${invoices} Delete`]);
    if (order === 'beforeRollback') {
      expect(nextPoll.endedAt).toBeLessThanOrEqual(rollbackOnEvents[0].startedAt);
      expect(driver.invocations.indexOf(nextPoll)).toBeLessThan(driver.invocations.indexOf(rollbackOnEvents[0]));
    } else {
      expect(rollbackOnEvents[0].endedAt).toBeLessThanOrEqual(nextPoll.startedAt);
      expect(driver.invocations.indexOf(rollbackOnEvents[0])).toBeLessThan(driver.invocations.indexOf(nextPoll));
    }
    expect(driver.inProgressCancelled).toEqual([]);
  });
});

test('a request starts as soon as what it depends on is done: an endpoint on copy A while copy B still imports', async () => {
  h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: 10 * 60_000 });
  const stack = h.stack({ Tickets: {}, Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } });
  const endpoint = (stack.node.findChild('Tickets') as ImportedComprehendModel).addEndpoint('Live', { endpointName: 'tickets-live' });
  const [tickets, invoices, live] = [logicalIdOf(stack, 'Tickets'), logicalIdOf(stack, 'Invoices'), stack.getLogicalId(endpoint.node.defaultChild as any)];
  const driver = h.driver();

  const result = await driver.deploy(stack);

  expect(result.status).toBe('COMPLETE');
  const at = (logicalId: string, status: string) => driver.recordsOf(logicalId).find(r => r?.resourceStatus === status)!.lastUpdatedTimestamp;
  expect(at(live, 'CREATE_IN_PROGRESS')).toBeGreaterThanOrEqual(at(tickets, 'CREATE_COMPLETE'));
  expect(at(live, 'CREATE_COMPLETE')).toBeLessThan(at(invoices, 'CREATE_COMPLETE'));
  expect(result.outcomes.map(o => o.logicalId)).toEqual([tickets, live, invoices]);
});
