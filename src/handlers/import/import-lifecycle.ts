// Handler side: the steps of the import lifecycle that both onEvent and isComplete take.
import {
  ResourceInUseException,
  ResourceNotFoundException,
  ResourceUnavailableException,
  Tag,
} from '@aws-sdk/client-comprehend';
import { ImportSpec, sameKey } from './import-request';
import { deleteModel, describeModel, importModel, tagModel, untagModel } from './model-client';
import { ModelType } from '../../contract/model-types';
import { describeError, isTransient } from '../common/comprehend';

/**
 * Starts the import, or adopts the copy a previous attempt of this same import already started.
 * Returns the copy's ARN. A name and version taken by another import fail with what to change.
 */
export async function startImport(spec: ImportSpec): Promise<string> {
  try {
    return await importModel({
      sourceModelArn: spec.sourceModelArn,
      modelName: spec.modelName,
      versionName: spec.versionName,
      modelKmsKeyId: spec.modelKmsKeyId,
      dataAccessRoleArn: spec.dataAccessRoleArn,
      tags: spec.tags,
    });
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) {
      throw error;
    }
  }
  const existing = await describeModel(spec.source.modelType, spec.targetArn);
  if (!existing) {
    // The name is taken but the version is not visible yet: ask again at the next poll.
    return spec.targetArn;
  }
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
      `(${spec.targetArn}), but it is not this import: ${differences.join('; ')}. ` +
      'Choose another versionName (or leave it unset so that each import gets its own), or delete that version first.',
    );
  }
  return spec.targetArn;
}

/**
 * Starts the import; when Comprehend is still throttling after the SDK's retries, returns the ARN the copy
 * will have and leaves the import to isComplete, which starts it when the copy is not there yet.
 */
export async function startImportWhenPossible(spec: ImportSpec): Promise<string> {
  try {
    return await startImport(spec);
  } catch (error) {
    if (isTransient(error)) {
      console.log(`ImportModel deferred to the next poll: ${describeError(error)}`);
      return spec.targetArn;
    }
    throw error;
  }
}

/** Brings the copy's tags from `before` to `after`: the only change that keeps the same copy. */
export async function updateTags(arn: string, before: readonly Tag[], after: readonly Tag[]): Promise<void> {
  const wanted = new Map(after.map(t => [t.Key, t.Value]));
  const removed = before.filter(t => !wanted.has(t.Key)).map(t => t.Key!);
  const had = new Map(before.map(t => [t.Key, t.Value]));
  const changed = after.filter(t => had.get(t.Key) !== t.Value);
  if (removed.length > 0) {
    await untagModel(arn, removed);
  }
  if (changed.length > 0) {
    await tagModel(arn, changed);
  }
}

/**
 * Asks Comprehend to delete the copy. `gone` when there is nothing to delete; `pending` when the caller
 * should look again later (deletion started, the copy still importing, or Comprehend throttling).
 */
export async function requestDeletion(modelType: ModelType, arn: string): Promise<'gone' | 'pending'> {
  try {
    await deleteModel(modelType, arn);
    return 'pending';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return 'gone';
    }
    if (error instanceof ResourceInUseException) {
      throw new Error(
        `Cannot delete ${arn}: it is in use (${describeError(error)}). ` +
        'Delete the endpoints and stop the jobs that use this model version first, or set removalPolicy to RETAIN.',
      );
    }
    if (error instanceof ResourceUnavailableException || isTransient(error)) {
      return 'pending';
    }
    throw error;
  }
}
