// onEvent of an imported model: starts an import, updates tags in place, or asks Comprehend to delete a copy.
// isComplete then waits for the outcome.
import { ResourceNotFoundException } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceResponse } from 'aws-lambda';
import { requestDeletion, startImportWhenPossible } from './import-lifecycle';
import { DeleteImport, ImportEvent, ImportSpec, readImportRequest, sameCopy } from './import-request';
import { describeModel } from './model-client';
import { USABLE } from './model-statuses';
import {
  DATA_KEEP,
  MAX_TIMEOUT_SECONDS,
  REMOVAL_POLICY_RETAIN,
  REMOVAL_POLICY_RETAIN_EXCEPT_ON_CREATE,
} from '../../contract/import-properties';
import { describeError, isTransient } from '../common/comprehend';
import { EventData, deadlineData } from '../common/event-data';
import { isRetryableTagError, reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceResponse<EventData>;

export async function onImportEvent(event: ImportEvent): Promise<Response> {
  const request = readImportRequest(event);
  switch (request.requestType) {
    case 'Create': {
      const { spec } = request;
      return { PhysicalResourceId: await startImportWhenPossible(spec), Data: deadlineData(spec.timeoutSeconds) };
    }
    case 'Update': {
      const { spec, previous, physicalResourceId } = request;
      if (previous && sameCopy(previous, spec) && previous.targetArn === physicalResourceId) {
        await updateTags(spec, previous);
        return { PhysicalResourceId: physicalResourceId, Data: deadlineData(spec.timeoutSeconds) };
      }
      // A new copy: CloudFormation deletes the old one once this update succeeds.
      return { PhysicalResourceId: await startImportWhenPossible(spec), Data: deadlineData(spec.timeoutSeconds) };
    }
    case 'Delete':
      return onDelete(request);
  }
}

/**
 * The only change that keeps the same copy. Throttling or a concurrent tag change leaves the rest to isComplete, which
 * reconciles the tags; a copy deleted out of band is imported again under the same name, as a create would.
 */
async function updateTags(spec: ImportSpec, previous: ImportSpec): Promise<void> {
  try {
    await reconcileTags(spec.targetArn, previous.tags, spec.tags);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      console.log(`${spec.targetArn} is gone: importing it again`);
      await startImportWhenPossible(spec);
    } else if (isRetryableTagError(error)) {
      console.log(`Tag changes deferred to the next poll: ${describeError(error)}`);
    } else {
      throw error;
    }
  }
}

async function onDelete({ physicalResourceId, modelType, removalPolicy, ownerTag }: DeleteImport): Promise<Response> {
  // No model ARN: a create that failed before Comprehend gave a model, so there is nothing to delete.
  if (!modelType || removalPolicy === REMOVAL_POLICY_RETAIN) {
    return { PhysicalResourceId: physicalResourceId };
  }
  // A copy still importing must finish before it can go, however short the model's own timeout is.
  const data = deadlineData(MAX_TIMEOUT_SECONDS);
  if (removalPolicy === REMOVAL_POLICY_RETAIN_EXCEPT_ON_CREATE) {
    let usable: boolean;
    try {
      usable = USABLE.includes((await describeModel(modelType, physicalResourceId))?.status ?? 'GONE');
    } catch (error) {
      if (isTransient(error)) {
        // isComplete looks itself.
        return { PhysicalResourceId: physicalResourceId, Data: data };
      }
      throw error;
    }
    if (usable) {
      // Its create succeeded: this is a stack deletion or a replacement, and the copy is retained.
      return { PhysicalResourceId: physicalResourceId, Data: { ...data, [DATA_KEEP]: 'true' } };
    }
    await requestDeletion(modelType, physicalResourceId, ownerTag);
    return { PhysicalResourceId: physicalResourceId, Data: { ...data, [DATA_KEEP]: 'false' } };
  }
  // Gone already, still importing (a cancelled create) or throttled: isComplete finishes the job.
  await requestDeletion(modelType, physicalResourceId, ownerTag);
  return { PhysicalResourceId: physicalResourceId, Data: data };
}
