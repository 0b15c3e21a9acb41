// onEvent: starts an import, updates tags in place, or asks Comprehend to delete a copy.
// isComplete then waits for the outcome.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { deadlineData } from './deadline';
import { importProperties, OnEventResponse } from './events';
import { requestDeletion, startImportWhenPossible, updateTags } from './import-lifecycle';
import { modelTypeOf, readDeletion, readImportSpec, readPreviousSpec, sameCopy } from './import-spec';
import { MAX_TIMEOUT_SECONDS } from '../shared/import-properties';

export async function handler(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  console.log(JSON.stringify({ ...event, ResponseURL: '...' }));
  switch (event.RequestType) {
    case 'Create': {
      const spec = readImportSpec(importProperties(event.ResourceProperties), event.StackId, event.LogicalResourceId);
      return { PhysicalResourceId: await startImportWhenPossible(spec), Data: deadlineData(spec.timeoutSeconds) };
    }
    case 'Update': {
      const spec = readImportSpec(importProperties(event.ResourceProperties), event.StackId, event.LogicalResourceId);
      const before = readPreviousSpec(importProperties(event.OldResourceProperties), event.StackId, event.LogicalResourceId);
      if (before && sameCopy(before, spec) && before.targetArn === event.PhysicalResourceId) {
        await updateTags(event.PhysicalResourceId, before.tags, spec.tags);
        return { PhysicalResourceId: event.PhysicalResourceId, Data: deadlineData(spec.timeoutSeconds) };
      }
      // A new copy: CloudFormation deletes the old one once this update succeeds.
      return { PhysicalResourceId: await startImportWhenPossible(spec), Data: deadlineData(spec.timeoutSeconds) };
    }
    case 'Delete':
      return onDelete(event.PhysicalResourceId, event.ResourceProperties);
  }
}

async function onDelete(
  physicalResourceId: string,
  properties: CloudFormationCustomResourceEvent['ResourceProperties'],
): Promise<OnEventResponse> {
  const modelType = modelTypeOf(physicalResourceId);
  // No model ARN: a create that failed before Comprehend gave a model, so there is nothing to delete.
  const deletion = readDeletion(importProperties(properties));
  if (!modelType || deletion.retain) {
    return { PhysicalResourceId: physicalResourceId };
  }
  // Gone already, still importing (a cancelled create) or throttled: isComplete finishes the job.
  await requestDeletion(modelType, physicalResourceId);
  // A copy still importing must finish before it can go, however short the model's own timeout is.
  return { PhysicalResourceId: physicalResourceId, Data: deadlineData(MAX_TIMEOUT_SECONDS) };
}
