// Steps the Comprehend contract tests share: sharing the source, importing a copy, creating an endpoint, each with the
// cleanup that removes it registered at once, and polling on the target's clock. Only the SDK's commands and the target
// are used, so the same steps run against the emulator and against AWS. Deadlines count the time waited, not the wall
// clock: on the emulator waiting takes no time at all.
import {
  ComprehendClient,
  CreateEndpointCommand,
  CreateEndpointCommandInput,
  DeleteDocumentClassifierCommand,
  DeleteEndpointCommand,
  DeleteResourcePolicyCommand,
  DescribeDocumentClassifierCommand,
  DescribeEndpointCommand,
  DocumentClassifierProperties,
  ImportModelCommand,
  ImportModelCommandInput,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-comprehend';
import { ContractTarget } from './target';
import { ENDPOINT_NAME_MAX_LENGTH } from '../../src/contract/endpoint-properties';
import { parseModelArn } from '../../src/contract/model-arn';
import { MODEL_TYPES, ModelType } from '../../src/contract/model-types';

/** How often an import (or a deletion) is looked at, and for how long at most: imports take minutes on AWS. */
export const IMPORT_POLL_MS = 5_000;
export const IMPORT_DEADLINE_MS = 60 * 60_000;
/** How often an endpoint is looked at, and for how long at most. */
const ENDPOINT_POLL_MS = 15_000;
const ENDPOINT_DEADLINE_MS = 40 * 60_000;

/** The statuses an import ends in: only then can a copy be deleted. */
export const TERMINAL_STATUSES: readonly string[] = ['TRAINED', 'TRAINED_WITH_WARNING', 'IN_ERROR', 'STOPPED'];
/** The statuses of a usable copy. */
export const USABLE_STATUSES: readonly string[] = ['TRAINED', 'TRAINED_WITH_WARNING'];
/** What the steps call a model or endpoint that Describe no longer finds. */
export const GONE = 'GONE';

/** How a call ended: 'accepted' with its answer, or the error's name and message (and the error itself). */
export interface Outcome<T> {
  readonly name: string;
  readonly message: string;
  readonly value?: T;
  readonly error?: unknown;
}

export async function attempt<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { name: 'accepted', message: '', value: await promise };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { name: e.name, message: e.message, error };
  }
}

/** The name of the error the call answered, or 'accepted'. */
export async function errorName(promise: Promise<unknown>): Promise<string> {
  return (await attempt(promise)).name;
}

/** An outcome in a few words, for a report that says what was seen instead of the assumed answer. */
export function said(outcome: Outcome<unknown>): string {
  return outcome.message ? `${outcome.name}: ${outcome.message.slice(0, 200)}` : outcome.name;
}

/** The call's answer; a ResourceNotFoundException is undefined (what a cleanup looks for). */
async function unlessNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

/**
 * Reads `read` every `intervalMs` until `done` holds, or throws after `deadlineMs`, on the target's clock (on the
 * emulator waiting takes no real time; on AWS the calls' own time counts too).
 */
export async function poll<T>(
  target: ContractTarget, intervalMs: number, deadlineMs: number, what: string, read: () => Promise<T>, done: (state: T) => boolean,
): Promise<T> {
  const deadline = target.now() + deadlineMs;
  for (;;) {
    const state = await read();
    if (done(state)) {
      return state;
    }
    if (target.now() >= deadline) {
      throw new PollDeadline(`${what} is still ${JSON.stringify(state)} after ${deadlineMs / 60_000} minutes`);
    }
    await target.wait(intervalMs);
  }
}

/** What poll() throws at its deadline, told apart from the calls' own errors. */
export class PollDeadline extends Error {
  public readonly name = 'PollDeadline';
}

// ---- The source's share (the sharer's resource-based policy) ----

/** The resource-based policy that lets the importer account import the source. */
export function sharePolicy(target: ContractTarget, sid = 'ContractShare'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: sid,
      Effect: 'Allow',
      Principal: { AWS: target.importer.accountId },
      Action: 'comprehend:ImportModel',
      Resource: target.sourceClassifierArn,
    }],
  });
}

/**
 * Registers the removal of the source's policy, whatever a test puts there: the source is shared by every test, and a
 * share left behind would let the next run's "without share" test import. Registered before the put, which may fail.
 */
export function removeSourcePolicyOnClose(target: ContractTarget): void {
  target.onClose(() => unshareSource(target));
}

/**
 * How long a change to the source's policy is given to take effect. Resource-based policies, like IAM's, are eventually
 * consistent, and the tests run one after the other on one source: without it, an import right after a share (or after
 * the previous test's unshare) could see the policy before, and a row would say "differs" or "could not run" for it.
 * AWS documents no bound; on the emulator waiting takes no time.
 */
export const POLICY_SETTLE_MS = 30_000;

/** Shares the source with the importer (the sharer's PutResourcePolicy), and lets it settle; removed when the test closes. */
export async function shareSource(target: ContractTarget): Promise<void> {
  removeSourcePolicyOnClose(target);
  await target.sharer.comprehend.send(new PutResourcePolicyCommand({ ResourceArn: target.sourceClassifierArn, ResourcePolicy: sharePolicy(target) }));
  await target.wait(POLICY_SETTLE_MS);
}

/** Removes the source's policy, if it has one, and lets that settle. */
export async function unshareSource(target: ContractTarget): Promise<void> {
  await unlessNotFound(target.sharer.comprehend.send(new DeleteResourcePolicyCommand({ ResourceArn: target.sourceClassifierArn })));
  await target.wait(POLICY_SETTLE_MS);
}

// ---- Copies (the importer's models) ----

/**
 * Imports the source into the importer account as the model `target.name(purpose)` (with `client`, the importer's
 * full-rights client unless a test restricts it), registers the copy's deletion, and returns its ARN.
 */
export async function importCopy(
  target: ContractTarget, purpose: string, extra: Partial<ImportModelCommandInput> = {}, client = target.importer.comprehend,
): Promise<string> {
  const answer = await client.send(new ImportModelCommand({ SourceModelArn: target.sourceClassifierArn, ModelName: target.name(purpose), ...extra }));
  const arn = answer.ModelArn;
  if (!arn) {
    throw new Error(`ImportModel answered no ModelArn: ${JSON.stringify(answer)}`);
  }
  target.onClose(() => deleteCopy(target, arn));
  return arn;
}

/** A copy's properties, as `client` describes it. */
export async function describeModel(client: ComprehendClient, arn: string): Promise<DocumentClassifierProperties> {
  const answer = await client.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn }));
  return answer.DocumentClassifierProperties ?? {};
}

/** A model's status, or GONE when Describe does not find it. */
export async function modelStatus(client: ComprehendClient, arn: string): Promise<string> {
  const properties = await unlessNotFound(describeModel(client, arn));
  return properties === undefined ? GONE : properties.Status ?? 'no Status';
}

/** Waits until the model is in one of `until`; throws when it ends (or goes) otherwise, or at the deadline. */
export async function waitForModel(target: ContractTarget, client: ComprehendClient, arn: string, until: readonly string[]): Promise<string> {
  const status = await poll(target, IMPORT_POLL_MS, IMPORT_DEADLINE_MS, arn, () => modelStatus(client, arn),
    s => until.includes(s) || s === GONE || TERMINAL_STATUSES.includes(s));
  if (!until.includes(status)) {
    throw new Error(`${arn} is ${status}; the test waited for ${until.join(' or ')}`);
  }
  return status;
}

/**
 * Deletes a copy, and waits until it is gone. A copy still importing cannot be deleted, so this first waits for the
 * import to end; one already deleting is only waited for.
 */
async function deleteCopy(target: ContractTarget, arn: string): Promise<void> {
  const client = target.importer.comprehend;
  const status = await poll(target, IMPORT_POLL_MS, IMPORT_DEADLINE_MS, `copy ${arn}`, () => modelStatus(client, arn),
    s => s === GONE || s === 'DELETING' || TERMINAL_STATUSES.includes(s));
  if (status !== GONE && status !== 'DELETING') {
    await unlessNotFound(client.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })));
  }
  await poll(target, IMPORT_POLL_MS, IMPORT_DEADLINE_MS, `deleted copy ${arn}`, () => modelStatus(client, arn), s => s === GONE);
}

// ---- Endpoints (the importer's, on its copies) ----

/** `target.name(purpose)` within an endpoint name's 40 characters. */
function endpointName(target: ContractTarget, purpose: string): string {
  // Shortened in the purpose: the run's part stays whole, so that a sweep by the run's name finds the endpoint.
  return target.name(purpose, ENDPOINT_NAME_MAX_LENGTH);
}

/**
 * Creates an endpoint of one inference unit (each minute of it costs money on AWS) serving `modelArn`, and registers its
 * deletion (by the importer's full client). Registered after the model's, it runs before it: a model cannot be deleted while an endpoint serves it.
 */
export async function createEndpoint(
  target: ContractTarget, purpose: string, modelArn: string, extra: Partial<CreateEndpointCommandInput> = {}, client = target.importer.comprehend,
): Promise<string> {
  // The endpoint's ARN is known before it is asked for, so its deletion is registered first: a CreateEndpoint that
  // fails on the way back (a timeout, an abandoned test) may still have made it.
  const name = endpointName(target, purpose);
  const modelType = parseModelArn(modelArn)?.modelType ?? ModelType.DOCUMENT_CLASSIFIER;
  const expected = `arn:${target.partition}:comprehend:${target.region}:${target.importer.accountId}:${MODEL_TYPES[modelType].endpointResource}/${name}`;
  target.onClose(() => deleteEndpoint(target, expected));
  const answer = await client.send(new CreateEndpointCommand({ EndpointName: name, ModelArn: modelArn, DesiredInferenceUnits: 1, ...extra }));
  if (answer.EndpointArn !== expected) {
    throw new Error(`CreateEndpoint answered ${answer.EndpointArn ?? 'no EndpointArn'}, not ${expected}`);
  }
  return expected;
}

/** An endpoint's status, or GONE when Describe does not find it. */
export async function endpointStatus(target: ContractTarget, arn: string): Promise<string> {
  const answer = await unlessNotFound(target.importer.comprehend.send(new DescribeEndpointCommand({ EndpointArn: arn })));
  return answer === undefined ? GONE : answer.EndpointProperties?.Status ?? 'no Status';
}

/** Waits until the endpoint has settled (neither CREATING nor UPDATING), and returns its status. */
export async function waitSettled(target: ContractTarget, arn: string): Promise<string> {
  return poll(target, ENDPOINT_POLL_MS, ENDPOINT_DEADLINE_MS, arn, () => endpointStatus(target, arn), s => s !== 'CREATING' && s !== 'UPDATING');
}

/** Waits until the endpoint is IN_SERVICE; throws when it fails or goes, or at the deadline. */
export async function waitInService(target: ContractTarget, arn: string): Promise<void> {
  const status = await waitSettled(target, arn);
  if (status !== 'IN_SERVICE') {
    throw new Error(`${arn} is ${status}; the test waited for IN_SERVICE`);
  }
}

/**
 * Waits until the endpoint shows UPDATING after an UpdateEndpoint (Describe may lag behind the call), for at most a
 * minute; returns its status then.
 */
export async function waitUpdating(target: ContractTarget, arn: string): Promise<string> {
  return poll(target, 5_000, 60_000, arn, () => endpointStatus(target, arn), s => s === 'UPDATING').catch(async error => {
    if (error instanceof PollDeadline) {
      return endpointStatus(target, arn);
    }
    throw error;
  });
}

/** A shared import of the source (with `extra`, a key say), waited for until it is usable. */
export async function trainedCopy(target: ContractTarget, purpose: string, extra: Partial<ImportModelCommandInput> = {}): Promise<string> {
  await shareSource(target);
  const arn = await importCopy(target, purpose, extra);
  await waitForModel(target, target.importer.comprehend, arn, USABLE_STATUSES);
  return arn;
}

/** The time a contract test that waits for an import (and its deletion) may take on AWS. */
export const WAITS_FOR_IMPORT = { awsTimeoutMinutes: 150 };
/** The time one that also waits for an endpoint may take. */
export const WAITS_FOR_ENDPOINT = { awsTimeoutMinutes: 240 };

/** Deletes an endpoint once it may be (not while CREATING or UPDATING), and waits until it is gone. */
async function deleteEndpoint(target: ContractTarget, arn: string): Promise<void> {
  const status = await poll(target, ENDPOINT_POLL_MS, ENDPOINT_DEADLINE_MS, `endpoint ${arn}`, () => endpointStatus(target, arn),
    s => s !== 'CREATING' && s !== 'UPDATING');
  if (status !== GONE && status !== 'DELETING') {
    await unlessNotFound(target.importer.comprehend.send(new DeleteEndpointCommand({ EndpointArn: arn })));
  }
  await poll(target, ENDPOINT_POLL_MS, ENDPOINT_DEADLINE_MS, `deleted endpoint ${arn}`, () => endpointStatus(target, arn), s => s === GONE);
}
