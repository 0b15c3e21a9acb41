// Why this file exists: three rows of the assumptions register (docs/aws-assumptions.md), `rollback-update-record`,
// `rollback-order` and `record-steady-while-waiting`, are not answered by the HTTP emulator but by the project's CloudFormation deploy driver
// (test/support/deploy-driver.ts, rollBack()), which sets the records and the stack status the emulator answers with and
// decides when the provider's functions come back. Their contract tests (aws-only.contract.test.ts) run on AWS only, so
// nothing tied the driver to the register: rollBack() could show another record, or roll the functions back first, and
// no test would fail. Here the driver is the emulator of these rows, and each test compares what it shows with the
// row's assumed answer, as assumption() does for the HTTP emulator's rows: a change to either must change the other.
//
// One real rollback, run once for all three rows (lifecycle harness: the bundled handlers, IAM enforced, the virtual clock):
// an endpoint serving a model the app names (fromModelArn) is moved to a copy of the stack, and a sibling import fails
// once the endpoint serves the copy, so the rollback's Update moves the endpoint back to a model the failed template's
// functions no longer declare. That is the case both rows are relied on for: the handler reads its own record
// (DescribeStackResource), finds the model undeclared in its functions' environment, and reads the stack's status
// (DescribeStacks) to let the move through.
//
// How each is observed, without changing the driver: `rollback-update-record` from the answers the handler itself got
// (the emulator's `calls`: DescribeStackResource of the endpoint, DescribeStacks of the stack) while the driver's
// invocations of the rollback's Update (the event that brings the template before's properties back) ran;
// `rollback-order` from the functions as each record read of the endpoint found them (an emulator onNext hook: the
// SERVABLE_MODEL_ARNS process.env holds for the invocation in flight, and the handler role's policy in force), forward
// and in the rollback, and the policy once the rollback is done. Were the functions rolled back first, the handler would
// find the model declared and read no stack status: the first test then says so rather than a status.
// `record-steady-while-waiting` from the records the copy's Create read, from its onEvent through its waiter's polls.
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { registerRow } from './register';
import { ImportedComprehendModel, ModelEndpoint } from '../../src';
import { SERVABLE_MODELS_ENV } from '../../src/contract/declared-resources';
import { Harness, startHarness } from '../lifecycle/harness';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SOURCE_CLASSIFIER } from '../support/fixtures';

jest.setTimeout(60_000);

/** A model of the importer account made by hand, which the first template names through fromModelArn(). */
const HANDMADE = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/handmade/version/v1`;
/** The sibling's import fails this long into the update: after the endpoint's move to the copy has completed. */
const SIBLING_FAILS_AFTER_MS = 240_000;

/** What the functions were at one of the handlers' DescribeStackResource calls: caught just before the emulator handles it. */
interface FunctionsAt {
  /** The index the call takes in the emulator's `calls`. */
  readonly callIndex: number;
  /** The functions' SERVABLE_MODEL_ARNS, as process.env holds it for the handler invocation in flight. */
  readonly servable: string | undefined;
  /** The handler role's policy in force (JSON). */
  readonly policy: string;
}

/** What the one rollback showed, for both rows. */
interface Reading {
  readonly recordSaw: string;
  readonly order: string;
  readonly whileWaiting: string;
}

let h: Harness | undefined;
let run: Promise<Reading> | undefined;

afterAll(async () => {
  await h?.stop();
});

/** The rollback, run by the first test that needs it (either, run alone, runs it). */
function reading(): Promise<Reading> {
  run ??= rollBack();
  return run;
}

async function rollBack(): Promise<Reading> {
  h = await startHarness();
  const harness = h;
  harness.emulator.addTrainedModel(HANDMADE);
  harness.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, {
    trainMs: SIBLING_FAILS_AFTER_MS - 10_000, failWith: 'The model artifacts could not be decrypted',
  });
  const driver = harness.driver();
  const definition = (build: (stack: Stack) => void) => {
    const stack = new Stack(new App(), 'Importer', { env: { account: IMPORTER, region: REGION } });
    build(stack);
    return stack;
  };
  let live!: ModelEndpoint;
  let tickets!: ImportedComprehendModel;
  const v1 = definition(stack => {
    live = new ModelEndpoint(stack, 'Live', { model: ImportedComprehendModel.fromModelArn(stack, 'Handmade', HANDMADE), endpointName: 'tickets-live' });
  });
  const liveId = Stack.of(live).getLogicalId(live.node.defaultChild as CfnElement);
  const created = await driver.deploy(v1);
  if (created.status !== 'COMPLETE') {
    throw new Error(`the first deploy ended ${created.status}: ${created.failures.join('; ')}`);
  }
  const key = driver.accessKeyOf('ComprehendProviderHandlerRole');
  const policyNow = () => JSON.stringify(harness.emulator.identityPolicy(key) ?? []);
  const policyBefore = policyNow();
  const propertiesBefore = JSON.stringify(driver.resources.get(liveId)!.properties);
  const servableBefore = JSON.stringify([HANDMADE]);

  // Every DescribeStackResource of the update to come (each request reads its record as it begins, and again before
  // each change), caught just before the emulator handles it, while the handler invocation that makes it is in flight.
  const caught: FunctionsAt[] = [];
  const watch = () => harness.emulator.onNext('DescribeStackResource', () => {
    caught.push({ callIndex: harness.emulator.calls.length, servable: process.env[SERVABLE_MODELS_ENV], policy: policyNow() });
    watch();
  });
  watch();
  const v2 = definition(stack => {
    tickets = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: SOURCE_CLASSIFIER });
    new ModelEndpoint(stack, 'Live', { model: tickets, endpointName: 'tickets-live' });
    new ImportedComprehendModel(stack, 'Invoices', { sourceModelArn: OTHER_SOURCE_CLASSIFIER });
  });
  const result = await driver.deploy(v2);
  const policyAfter = policyNow();
  await driver.settle();
  // The rollback may fail (ROLLBACK_FAILED) when the driver shows what the handler does not accept: the rows say so.
  if (result.status === 'COMPLETE' || result.cancelled.length > 0) {
    throw new Error(`the update ended ${result.status} (cancelled: ${result.cancelled.length}), not a rollback of a failed `
      + `sibling with nothing cancelled: ${result.failures.join('; ')}`);
  }

  // The endpoint's Updates: the forward one, and the rollback's, whose event brings the template before's properties back.
  const updates = driver.invocations.filter(i => i.logicalId === liveId && i.requestType === 'Update');
  const isRollback = (event: any) => JSON.stringify(event.ResourceProperties) === propertiesBefore && event.OldResourceProperties !== undefined;
  /** The calls the handlers made while `invocations` ran, with their index in the emulator's `calls`. */
  const callsWhile = (invocations: typeof updates) => {
    const from = Math.min(...invocations.map(i => i.startedAt));
    const to = Math.max(...invocations.map(i => i.endedAt ?? Infinity));
    return harness.emulator.calls.map((call, index) => ({ call, index }))
      .filter(({ call }) => call.accessKeyId === key && call.at >= from && call.at <= to);
  };
  const forwardCalls = callsWhile(updates.filter(i => !isRollback(i.event)));
  const duringRollback = callsWhile(updates.filter(i => isRollback(i.event)));
  const distinct = (values: Array<string | undefined>) => [...new Set(values.map(v => v ?? 'none'))].join('/');

  // rollback-update-record: the answers the handler itself got while it served the rollback's Update.
  const records = duringRollback
    .filter(({ call }) => call.operation === 'DescribeStackResource' && call.input.LogicalResourceId === liveId && call.outcome === 'OK')
    .map(({ call }) => call.output.StackResourceDetail.ResourceStatus as string);
  const stackStatuses = duringRollback
    .filter(({ call }) => call.operation === 'DescribeStacks' && call.input.StackName === driver.stackId && call.outcome === 'OK')
    .map(({ call }) => call.output.Stacks[0].StackStatus as string);
  const recordSaw = `${records.length > 0 ? distinct(records) : 'no record read'}, stack ${stackStatuses.length > 0
    ? distinct(stackStatuses) : 'status not read (the handler asked no DescribeStacks during the rollback\'s Update)'}`;

  // rollback-order: the functions (their environment, their role's policy) at the endpoint's own record reads, forward
  // and in the rollback.
  const ownReads = (calls: typeof duringRollback) => caught.filter(at => calls.some(({ call, index }) => index === at.callIndex
    && call.input.LogicalResourceId === liveId));
  const forward = ownReads(forwardCalls)[0];
  const back = ownReads(duringRollback);

  // record-steady-while-waiting: the copy's record (status and timestamp) at each read of its Create, from onEvent
  // through every poll of its waiter, until it answered.
  const ticketsId = Stack.of(tickets).getLogicalId(tickets.node.defaultChild as CfnElement);
  const creates = driver.invocations.filter(i => i.logicalId === ticketsId && i.requestType === 'Create');
  const waitingRecords = callsWhile(creates)
    .filter(({ call }) => call.operation === 'DescribeStackResource' && call.input.LogicalResourceId === ticketsId && call.outcome === 'OK')
    .map(({ call }) => `${call.output.StackResourceDetail.ResourceStatus}@${call.output.StackResourceDetail.LastUpdatedTimestamp}`);
  const whileWaiting = waitingRecords.length < 2 ? `${waitingRecords.length} record read(s) while the Create waited`
    : new Set(waitingRecords).size === 1 ? 'unchanged while the request waits' : `changed while waiting: ${distinctOf(waitingRecords)}`;
  return { recordSaw, order: orderOf(servableBefore, policyBefore, forward, back, policyAfter), whileWaiting };
}

/**
 * The order the driver rolled back in, in the row's words: the functions as the endpoint's rollback found them (the
 * failed template's, or the template before's), and the role's policy once the rollback was done. Only the policy is
 * looked at afterwards: the driver puts the old policies back after the rollback's requests, but leaves the functions'
 * environment the failed template's until its next deploy() (nothing in rollBack() restores it).
 */
function orderOf(servableBefore: string, policyBefore: string, forward: FunctionsAt | undefined, back: FunctionsAt[], policyAfter: string): string {
  if (!forward) {
    return 'the endpoint\'s forward Update read no record, so the failed template\'s functions are unknown';
  }
  if (forward.servable === servableBefore || forward.policy === policyBefore) {
    return 'the two templates\' functions cannot be told apart (same environment or same role policy)';
  }
  if (back.length === 0) {
    return 'the driver sent no rollback Update of the endpoint (or its handler read no record)';
  }
  const which = (value: string | undefined, before: string, failed: string | undefined) =>
    value === before ? 'the template before\'s' : value === failed ? 'the failed template\'s' : `neither template's (${value})`;
  const environment = distinctOf(back.map(b => which(b.servable, servableBefore, forward.servable)));
  const policy = distinctOf(back.map(b => which(b.policy, policyBefore, forward.policy)));
  const afterwards = which(policyAfter, policyBefore, forward.policy);
  const failed = 'the failed template\'s';
  const before = 'the template before\'s';
  if (environment === failed && policy === failed && afterwards === before) {
    return 'dependents before their functions';
  }
  if (environment === before && policy === before) {
    return 'functions before their dependents';
  }
  return `the dependents rolled back with ${environment} environment and ${policy} role policy, and the role policy was ${afterwards} after the rollback`;
}

function distinctOf(values: string[]): string {
  return [...new Set(values)].join(' then ');
}

test(`rollback-update-record: ${registerRow('rollback-update-record').assumed} (the deploy driver's rollback)`, async () => {
  const observed = (await reading()).recordSaw;

  expect(observed).toBe(registerRow('rollback-update-record').assumed);
});

test(`rollback-order: ${registerRow('rollback-order').assumed} (the deploy driver's rollback)`, async () => {
  const observed = (await reading()).order;

  expect(observed).toBe(registerRow('rollback-order').assumed);
});

test(`record-steady-while-waiting: ${registerRow('record-steady-while-waiting').assumed} (the deploy driver's waits)`, async () => {
  const observed = (await reading()).whileWaiting;

  expect(observed).toBe(registerRow('record-steady-while-waiting').assumed);
});
