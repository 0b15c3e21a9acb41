// Handler side: whether CloudFormation still waits for the request a handler serves. When another resource of the stack
// fails, CloudFormation cancels the requests still in progress and rolls back, but the Provider framework's waiter of a
// cancelled request keeps polling isComplete, and an onEvent asleep in its import slot wakes up later: either would undo
// the rollback (import a copy the rollback found absent, move an endpoint back to a copy the stack no longer records).
//
// The source of truth is CloudFormation's own record of the resource (DescribeStackResource on the event's own stack):
// onEvent reads it when the request begins, and every mutating Comprehend call of the request, each attempt of it, is
// preceded by reading it again. CloudFormation changes a resource's record only when it moves on (the answer, a
// cancellation, the rollback's or the next operation's request), so an unchanged record proves the request current. A
// marker on the copy could not: when onEvent's ImportModel was deferred (throttled), there is no copy to mark.
import { AsyncLocalStorage } from 'async_hooks';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ClockRetryStrategy, mutationAttempts } from './clock';
import { describeError, isTransient, MAX_ATTEMPTS } from './comprehend';

/** The CloudFormation client of the handlers: the same retries, on the same clock, as Comprehend's. */
export const cloudFormation = new CloudFormationClient({ maxAttempts: MAX_ATTEMPTS, retryStrategy: new ClockRetryStrategy(MAX_ATTEMPTS) });

/** The request the handler serves: its stack, its resource, and its kind. */
export interface RequestIdentity {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestType: string;
}

/**
 * The statuses in which CloudFormation waits for a Create or an Update (ResourceStatus of botocore's CloudFormation
 * model, 1.44.18): a rollback's Update may show as an update or a rollback in progress. A Delete is not checked
 * (readRequestRecord).
 */
const IN_PROGRESS: Record<string, readonly string[] | undefined> = {
  Create: ['CREATE_IN_PROGRESS'],
  Update: ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'],
};

/**
 * The stack status while CloudFormation rolls an update back (the StackStatus enum of botocore's CloudFormation model).
 * That a resource's own record shows UPDATE_IN_PROGRESS for the rollback's Update as for a forward one, so that only the
 * stack's status tells them apart, is the project's understanding, not documented by CloudFormation (unverified on AWS;
 * docs/aws-assumptions.md, rollback-update-record).
 */
const UPDATE_ROLLBACK_IN_PROGRESS = 'UPDATE_ROLLBACK_IN_PROGRESS';

/**
 * Whether the stack `stackId` is rolling an update back now (DescribeStacks on the event's own stack): the properties
 * of its Updates are then those of the template before, which the handlers checked when it was deployed, while the
 * functions' environment may still be the failed template's (if CloudFormation rolls the dependents back first, as
 * the project assumes without a documented source: docs/aws-assumptions.md, rollback-order). Throttling and server
 * errors are thrown as they are (the caller asks again at the next poll); any other failure to read it is thrown with
 * what to do.
 */
export async function isStackRollingBack(stackId: string): Promise<boolean> {
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
    return Stacks?.[0]?.StackStatus === UPDATE_ROLLBACK_IN_PROGRESS;
  } catch (error) {
    if (isTransient(error)) {
      throw error;
    }
    throw new Error(`could not read the stack's status (DescribeStacks on ${stackId}: ${describeError(error)}), which ` +
      'tells a rollback from a forward update; make sure no permissions boundary, SCP or RCP denies ' +
      'cloudformation:DescribeStacks on this stack to the provider\'s handler role');
  }
}

/** Thrown, and thrown again by every later mutating call of the invocation, once CloudFormation has moved on. */
export class RequestSuperseded extends Error {
  public readonly name = 'RequestSuperseded';
}

/** One invocation's proof of currency, and what it found. */
interface InvocationGuard {
  readonly prove: () => Promise<void>;
  superseded?: RequestSuperseded;
}

const invocationGuard = new AsyncLocalStorage<InvocationGuard>();

/**
 * CloudFormation's record of the resource now, as `STATUS@LAST_UPDATED` (an ISO timestamp with milliseconds), or
 * undefined when CloudFormation has no record of it (the resource left the stack, or the stack is gone: botocore's
 * CloudFormation model answers ValidationError for both).
 */
export async function readRecord(request: RequestIdentity): Promise<string | undefined> {
  try {
    const { StackResourceDetail: detail } = await cloudFormation.send(new DescribeStackResourceCommand({
      StackName: request.StackId,
      LogicalResourceId: request.LogicalResourceId,
    }));
    return `${detail?.ResourceStatus}@${detail?.LastUpdatedTimestamp?.toISOString()}`;
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError') {
      return undefined;
    }
    throw error;
  }
}

/**
 * The record onEvent reads when the request begins, which its waiter compares with. A Create or Update must have it,
 * showing a request of its kind in progress: without it, no waiter could tell a cancelled request from a current one,
 * so the request fails, having changed nothing, with what to do; with another status, CloudFormation has already moved
 * on (RequestSuperseded). A Delete goes on without it (its waiter then proves nothing, as before the record was kept):
 * failing it would leave the stack DELETE_FAILED, and CloudFormation waits for a Delete's answer before it moves on.
 */
export async function readRequestRecord(request: RequestIdentity): Promise<string | undefined> {
  let record: string | undefined;
  let problem: string;
  try {
    record = await readRecord(request);
    problem = `CloudFormation has no record of this resource in ${request.StackId}`;
  } catch (error) {
    problem = `could not read CloudFormation's record of this resource (DescribeStackResource on ${request.StackId}: ` +
      `${describeError(error)})`;
  }
  if (record !== undefined && (request.RequestType === 'Delete' || IN_PROGRESS[request.RequestType]?.includes(record.split('@')[0]))) {
    return record;
  }
  if (record !== undefined) {
    // CloudFormation invokes the provider asynchronously: a request Lambda ran late (retried, or queued behind the
    // account's concurrency) may start after CloudFormation cancelled it and rolled back.
    throw new RequestSuperseded(`${request.LogicalResourceId}: CloudFormation's record of this resource is ` +
      `${describeRecord(record)}, not a ${request.RequestType} in progress: CloudFormation has moved on from this request ` +
      '(it was cancelled, or it started late), so nothing was changed.');
  }
  if (request.RequestType === 'Delete') {
    console.log(`${problem}: the Delete goes on without proving that it is current`);
    return undefined;
  }
  throw new Error(`${request.LogicalResourceId}: ${problem}, which the handlers need to tell a current request from one ` +
    'CloudFormation has moved on from; nothing was changed. Deploy again; if it says AccessDenied, make sure no ' +
    'permissions boundary, SCP or RCP denies cloudformation:DescribeStackResource on this stack to the provider\'s handler role.');
}

/**
 * Runs one invocation's `work` so that every mutating call it makes (mutating(), below) first proves that CloudFormation's
 * record still is `record`. Without a record (a waiter started by a version of the handlers that kept none), nothing is
 * proven, as before. Once the proof fails, the invocation answers that it stops, whatever `work` did with the refusal.
 */
export async function guarded<T>(request: RequestIdentity, record: string | undefined, work: () => Promise<T>): Promise<T> {
  if (record === undefined) {
    // Nothing to prove: not even a guard of an invocation that led here.
    return invocationGuard.exit(work);
  }
  const guard: InvocationGuard = { prove: () => proveCurrent(request, record, guard) };
  let result: T | undefined;
  let failure: unknown;
  try {
    result = await invocationGuard.run(guard, work);
  } catch (error) {
    failure = error;
  }
  if (guard.superseded) {
    throw guard.superseded;
  }
  if (failure !== undefined) {
    throw failure;
  }
  return result!;
}

async function proveCurrent(request: RequestIdentity, record: string, guard: InvocationGuard): Promise<void> {
  if (guard.superseded) {
    throw guard.superseded;
  }
  let now: string | undefined;
  try {
    now = await readRecord(request);
  } catch (error) {
    if (isTransient(error)) {
      // Nothing proven, nothing changed: the caller treats it as any throttling, and asks again at the next poll.
      throw error;
    }
    throw new Error(`${request.LogicalResourceId}: could not read CloudFormation's record of this resource before ` +
      `changing anything (${describeError(error)}); nothing was changed.`);
  }
  if (now !== record) {
    guard.superseded = new RequestSuperseded(`${request.LogicalResourceId}: CloudFormation has moved on from this ` +
      `${request.RequestType} request: its record of the resource is ${now === undefined ? 'gone' : `now ${describeRecord(now)}`}, ` +
      `where it was ${describeRecord(record)} when the request began (a cancellation, a rollback, or a later operation). ` +
      'This handler stops here and changes nothing; the request CloudFormation waits for now does what is needed.');
    throw guard.superseded;
  }
}

function describeRecord(record: string): string {
  const [status, since] = record.split('@');
  return `${status} since ${since}`;
}

/**
 * Sends one mutating Comprehend call (ImportModel, CreateEndpoint, UpdateEndpoint, Delete*, StopTraining*, Tag*,
 * Untag*) of the invocation in progress: the proof before the first attempt, and before each retry of the SDK
 * (ClockRetryStrategy asks mutationAttempts for it), so no attempt leaves after CloudFormation has moved on.
 */
export async function mutating<T>(send: () => Promise<T>): Promise<T> {
  const guard = invocationGuard.getStore();
  if (!guard) {
    return send();
  }
  await outsideTheGuard(guard.prove);
  try {
    return await mutationAttempts.run({ beforeRetry: () => outsideTheGuard(guard.prove) }, send);
  } catch (error) {
    // The SDK answers a refused retry with the error of the last attempt: the refusal is the news.
    throw guard.superseded ?? error;
  }
}

/** The proof's own call, retried as any other, is no mutation of the request. */
function outsideTheGuard(prove: () => Promise<void>): Promise<void> {
  return mutationAttempts.exit(() => invocationGuard.exit(prove));
}
