// Handler side: the steps of the import lifecycle that both onEvent and isComplete take.
import {
  EndpointStatus,
  InvalidRequestException,
  ResourceInUseException,
  ResourceNotFoundException,
  ResourceUnavailableException,
  Tag,
} from '@aws-sdk/client-comprehend';
import { explainImportDenied } from './import-denied';
import { ImportSpec, sameKey } from './import-request';
import {
  activeJobsOf,
  deleteModel,
  describeModel,
  endpointsOf,
  importModel,
  JobUse,
  ModelDescription,
  stopImport,
} from './model-client';
import { MODEL_KEYS_ENV } from '../../contract/declared-resources';
import { OWNER_TAG_KEY } from '../../contract/import-properties';
import { MODEL_TYPES, ModelType } from '../../contract/model-types';
import { describeError, isTransient } from '../common/comprehend';
import { readDeclaredArns } from '../common/ownership';
import { ownerOf } from '../common/tagging';

/** Where an import stands once started: the copy's ARN, and the copy adopted instead, when it already existed. */
export interface StartedImport {
  readonly arn: string;
  /**
   * This resource's own copy, found under the name: a retried create, a rollback to the copy, or a return to a retained
   * one. Undefined when this call imported it (or left the import to a later poll).
   */
  readonly adopted?: ModelDescription;
  /** Whether Comprehend was still throttling, so the import was left to a later poll. */
  readonly deferred?: boolean;
  /**
   * Whether Comprehend said that no copy had the name before this call (it imported one, or the lookup found none): then
   * whatever appears under it later is this request's. False when that is not known (throttled).
   */
  readonly absentBefore: boolean;
}

/**
 * Starts the import, or adopts this resource's own copy under the name (it carries this resource's ownership tag): a
 * retried create, a rollback to the copy, or a return to a retained one. With `lookFirst` (an Update) the copy is looked
 * for first, so adopting it needs no ImportModel: a rollback runs under the new template's policy, whose ImportModel
 * statement may no longer name the old source (another sharer account), and the sharer may have retired the old
 * version's share. A Create runs under a policy that names its source, and a copy under its name is rare (a retried
 * create, a retained copy back): ImportModel first saves every import of a stack a call, when they all start at once.
 * Any other copy with the name and version fails the import, with what to change: the library never adopts, and so
 * never later deletes, a copy made by hand or by another stack.
 */
async function startImport(spec: ImportSpec, lookFirst: boolean): Promise<StartedImport> {
  const before = lookFirst ? await describeModel(spec.source.modelType, spec.targetArn) : undefined;
  if (before) {
    return adoptOwnCopy(spec, before);
  }
  requireDeclaredKey(spec);
  try {
    const arn = await importModel({
      sourceModelArn: spec.sourceModelArn,
      modelName: spec.modelName,
      versionName: spec.versionName,
      modelKmsKeyId: spec.modelKmsKeyId,
      dataAccessRoleArn: spec.dataAccessRoleArn,
      tags: [...spec.tags, spec.ownerTag],
    });
    return { arn, absentBefore: true };
  } catch (error) {
    if (isTransient(error)) {
      console.log(`ImportModel deferred to the next poll: ${describeError(error)}`);
      return { arn: spec.targetArn, deferred: true, absentBefore: lookFirst };
    }
    if (!(error instanceof ResourceInUseException)) {
      const denial = explainImportDenied(error, spec);
      throw denial ? new Error(denial) : error;
    }
  }
  // Another attempt of this request, or someone else, took the name since it was looked up.
  const existing = await describeModel(spec.source.modelType, spec.targetArn);
  if (!existing) {
    // The name is taken but the version is not visible yet: ask again at the next poll.
    return { arn: spec.targetArn, absentBefore: false };
  }
  return adoptOwnCopy(spec, existing);
}

/**
 * Fails, before ImportModel, when the copy would be encrypted with a key the app does not declare: ModelKmsKeyId must be
 * one of the modelKey ARNs in MODEL_KEYS_ENV, as sent (the handler role's `comprehend:ModelKmsKey` condition compares
 * the same value). An import without a key needs none. Only ImportModel is guarded: adopting this resource's own copy
 * (a rollback, a retried create) and deleting one never call it.
 */
function requireDeclaredKey(spec: ImportSpec): void {
  if (spec.modelKmsKeyId === undefined) {
    return;
  }
  const declared = readDeclaredArns(MODEL_KEYS_ENV);
  if (declared.arns.includes(spec.modelKmsKeyId)) {
    return;
  }
  throw new Error(
    `ModelKmsKeyId ${spec.modelKmsKeyId} of the import of ${spec.sourceModelArn} into ${spec.targetArn} is not a key the app ` +
    `declares: ${MODEL_KEYS_ENV} of the provider's functions lists ${declared.problem ? `nothing (${declared.problem})`
      : declared.arns.length === 0 ? 'none' : declared.arns.join(', ')}. Nothing was imported. Give the key as the import's modelKey (a key ARN), ` +
    'and deploy the app again.',
  );
}

/** Adopts `existing`, the copy under the name, when it is this resource's and what the properties ask for. */
async function adoptOwnCopy(spec: ImportSpec, existing: ModelDescription): Promise<StartedImport> {
  await requireOwnCopy(spec, spec.targetArn);
  // This resource's own copy: a retried create, or a rollback to it. With a fixed name, a replacement lands here too.
  const differences = [
    existing.sourceModelArn !== spec.sourceModelArn
      ? `it was imported from ${existing.sourceModelArn ?? 'no other account (trained here)'}, not ${spec.sourceModelArn}` : undefined,
    !sameKey(existing.modelKmsKeyId, spec.modelKmsKeyId)
      ? `it is encrypted with ${existing.modelKmsKeyId ?? 'an AWS owned key'}, not ${spec.modelKmsKeyId ?? 'an AWS owned key'}` : undefined,
    (existing.dataAccessRoleArn ?? undefined) !== spec.dataAccessRoleArn
      ? `its data access role is ${existing.dataAccessRoleArn ?? 'none'}, not ${spec.dataAccessRoleArn ?? 'none'}` : undefined,
  ].filter(d => d !== undefined);
  if (differences.length > 0) {
    throw new Error(
      `Model name "${spec.modelName}" version "${spec.versionName}" already exists in this account and Region ` +
      `(${spec.targetArn}) as this resource's current copy, but the new properties need another: ${differences.join('; ')}. ` +
      'Choose another versionName (or leave it unset so that each import gets its own).',
    );
  }
  return { arn: spec.targetArn, adopted: existing, absentBefore: false };
}

/**
 * Fails unless the copy at `arn` carries this resource's ownership tag. A copy made by hand or by another stack under
 * the same name is left as it is, and the message says what to change.
 */
export async function requireOwnCopy(spec: ImportSpec, arn: string): Promise<void> {
  checkOwnCopy(spec, arn, await ownerOf(arn));
}

/**
 * Fails, touching nothing, unless `owner` (the value of the copy's ownership tag, undefined when it has none) is this
 * resource's. Every change to a copy (tags, delete, stop) is preceded by this check in the same invocation.
 */
export function checkOwnCopy(spec: ImportSpec, arn: string, owner: string | undefined): void {
  if (owner !== spec.ownerTag.Value) {
    throw new Error(
      `Model name "${spec.modelName}" version "${spec.versionName}" already exists in this account and Region ` +
      `(${arn}), and this resource did not create it: ${owner === undefined
        ? `it has no ${OWNER_TAG_KEY} tag, so it was made by hand or by another tool`
        : `its ${OWNER_TAG_KEY} tag names ${owner}`}. It is left as it is. ` +
      'Choose another versionName (or leave it unset so that each import gets its own), or delete that version first ' +
      'if nobody needs it. If it is this resource\'s own copy and only its tag was removed, tag it again with ' +
      `${OWNER_TAG_KEY}=${spec.ownerTag.Value}.`,
    );
  }
}

/**
 * Starts the import (see startImport for `lookFirst`); when Comprehend is still throttling after the SDK's retries,
 * returns the ARN the copy will have and leaves the import to isComplete, which starts it when the copy is not there yet.
 */
export async function startImportWhenPossible(spec: ImportSpec, lookFirst: boolean): Promise<StartedImport> {
  try {
    return await startImport(spec, lookFirst);
  } catch (error) {
    if (isTransient(error)) {
      // Throttled while looking for the copy: what exists under the name is not known.
      console.log(`Import deferred to the next poll: ${describeError(error)}`);
      return { arn: spec.targetArn, deferred: true, absentBefore: false };
    }
    throw error;
  }
}

/**
 * Asks Comprehend to delete the copy, when it carries this resource's ownership tag. `gone` when there is nothing to
 * delete (or nothing of this resource's); `deleting` when Comprehend accepted the deletion; `pending` when the caller
 * should ask again later: the copy still importing, an endpoint moving to another model, or Comprehend throttling. An
 * endpoint that stays on the copy fails the deletion at once, naming the endpoints.
 */
export async function requestDeletion(modelType: ModelType, arn: string, ownerTag: Tag): Promise<'gone' | 'deleting' | 'pending'> {
  try {
    const owner = await ownerOf(arn);
    if (owner !== ownerTag.Value) {
      // Never delete what this resource did not create: a copy made by hand, or another stack's, under its name.
      console.log(`${arn} is not this resource's copy (its ${OWNER_TAG_KEY} tag is ${owner ?? 'absent'}): left as it is`);
      return 'gone';
    }
    await deleteModel(modelType, arn);
    return 'deleting';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return 'gone';
    }
    if (error instanceof ResourceInUseException) {
      await failIfUseStays(modelType, arn, error);
      return 'pending';
    }
    if (error instanceof ResourceUnavailableException || isTransient(error)) {
      return 'pending';
    }
    throw error;
  }
}

/**
 * Comprehend answers ResourceInUseException for a copy an endpoint uses, (botocore's documentation of
 * DeleteDocumentClassifier / DeleteEntityRecognizer) for one "an active inference job is using", and perhaps for one
 * still importing (which of its two errors it answers then is not documented: docs/aws-assumptions.md,
 * delete-while-importing).
 * Endpoints moving to another model (UPDATING, another DesiredModelArn) will let go of it; any other endpoint, and any
 * job, will not soon: the deletion fails at once, naming them, instead of waiting for the deadline.
 */
async function failIfUseStays(modelType: ModelType, arn: string, inUse: ResourceInUseException): Promise<void> {
  let staying: string[];
  let jobs: JobUse[] = [];
  try {
    staying = (await endpointsOf(arn))
      .filter(endpoint => !(endpoint.status === EndpointStatus.UPDATING && endpoint.desiredModelArn && endpoint.desiredModelArn !== arn))
      .map(endpoint => endpoint.arn);
    if (staying.length === 0) {
      jobs = await activeJobsOf(modelType, arn);
    }
  } catch (error) {
    if (isTransient(error)) {
      return;
    }
    throw error;
  }
  if (staying.length > 0) {
    throw new Error(
      `Cannot delete ${arn}: it is in use (${describeError(inUse)}) by ${staying.length === 1 ? 'the endpoint' : 'the endpoints'} ` +
      `${staying.join(', ')}. Move them to another model (UpdateEndpoint with DesiredModelArn) or delete them, then ` +
      'delete again; or set removalPolicy to RETAIN to keep this copy.',
    );
  }
  if (jobs.length > 0) {
    const named = jobs.map(job => `${job.arn ?? job.id}${job.name ? ` ("${job.name}")` : ''} ${job.status ?? ''}`.trim());
    throw new Error(
      `Cannot delete ${arn}: it is in use (${describeError(inUse)}) by the asynchronous ` +
      `${jobs.length === 1 ? 'job' : 'jobs'} ${named.join(', ')}. Wait for ${jobs.length === 1 ? 'it' : 'them'} to ` +
      `finish, or stop ${jobs.length === 1 ? 'it' : 'them'} (${MODEL_TYPES[modelType].stopJobAction}), then delete again; ` +
      'or set removalPolicy to RETAIN to keep this copy.',
    );
  }
}

/** What became of a request to stop an import: stopped, not this resource's copy, or no longer stoppable. */
export type StopOutcome =
  | { readonly outcome: 'stopped' }
  | { readonly outcome: 'not-own'; readonly owner?: string }
  /** Comprehend refused the stop (the import ended meanwhile): the copy as it is now, undefined when gone. */
  | { readonly outcome: 'ended'; readonly model?: ModelDescription; readonly reason: string };

/**
 * Stops the import of the copy, when it carries this resource's ownership tag (checked first, in this invocation).
 * botocore lists InvalidRequestException and ResourceNotFoundException for StopTraining*: the import completed, failed
 * or went away before it could be stopped; the copy is described again so the caller acts on what it is now.
 */
export async function stopOwnImport(modelType: ModelType, arn: string, ownerTag: Tag): Promise<StopOutcome> {
  let owner: string | undefined;
  try {
    owner = await ownerOf(arn);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return { outcome: 'ended', reason: describeError(error) };
    }
    throw error;
  }
  if (owner !== ownerTag.Value) {
    console.log(`${arn} is not this resource's copy (its ${OWNER_TAG_KEY} tag is ${owner ?? 'absent'}): not stopped`);
    return { outcome: 'not-own', owner };
  }
  try {
    await stopImport(modelType, arn);
    console.log(`Asked Comprehend to stop the import of ${arn}`);
    return { outcome: 'stopped' };
  } catch (error) {
    if (error instanceof InvalidRequestException || error instanceof ResourceNotFoundException) {
      console.log(`${arn} could not be stopped (${describeError(error)}): describing it again`);
      return { outcome: 'ended', model: await describeModel(modelType, arn), reason: describeError(error) };
    }
    throw error;
  }
}

