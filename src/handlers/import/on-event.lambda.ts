// onEvent: starts an import, updates tags in place, or asks Comprehend to delete a copy.
// isComplete then waits for the outcome.
import type { CdkCustomResourceResponse } from 'aws-lambda';
import { DeadlineData, deadlineData } from './deadline';
import { requestDeletion, startImportWhenPossible, updateTags } from './import-lifecycle';
import { DeleteImport, ImportEvent, readImportRequest, sameCopy } from './import-request';
import { MAX_TIMEOUT_SECONDS } from '../../contract/import-properties';
import { logEvent } from '../common/comprehend';

export async function handler(event: ImportEvent): Promise<CdkCustomResourceResponse<DeadlineData>> {
  logEvent(event);
  const request = readImportRequest(event);
  switch (request.requestType) {
    case 'Create': {
      const { spec } = request;
      return { PhysicalResourceId: await startImportWhenPossible(spec), Data: deadlineData(spec.timeoutSeconds) };
    }
    case 'Update': {
      const { spec, previous, physicalResourceId } = request;
      if (previous && sameCopy(previous, spec) && previous.targetArn === physicalResourceId) {
        await updateTags(physicalResourceId, previous.tags, spec.tags);
        return { PhysicalResourceId: physicalResourceId, Data: deadlineData(spec.timeoutSeconds) };
      }
      // A new copy: CloudFormation deletes the old one once this update succeeds.
      return { PhysicalResourceId: await startImportWhenPossible(spec), Data: deadlineData(spec.timeoutSeconds) };
    }
    case 'Delete':
      return onDelete(request);
  }
}

async function onDelete({ physicalResourceId, modelType, retain }: DeleteImport): Promise<CdkCustomResourceResponse<DeadlineData>> {
  // No model ARN: a create that failed before Comprehend gave a model, so there is nothing to delete.
  if (!modelType || retain) {
    return { PhysicalResourceId: physicalResourceId };
  }
  // Gone already, still importing (a cancelled create) or throttled: isComplete finishes the job.
  await requestDeletion(modelType, physicalResourceId);
  // A copy still importing must finish before it can go, however short the model's own timeout is.
  return { PhysicalResourceId: physicalResourceId, Data: deadlineData(MAX_TIMEOUT_SECONDS) };
}
