// onEvent of an imported model: starts an import, updates tags in place, or asks Comprehend to delete a copy.
// isComplete then waits for the outcome.
import { ResourceNotFoundException } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceResponse } from 'aws-lambda';
import { checkOwnCopy, requestDeletion, StartedImport, startImportWhenPossible } from './import-lifecycle';
import { DeleteImport, failedReplacementOf, ImportEvent, ImportEventData, ImportSpec, readImportRequest, sameCopy } from './import-request';
import { waitForImportSlot } from './import-slot';
import { USABLE } from './model-statuses';
import { DATA_FAILED_REPLACEMENT, DATA_NEW_COPY, DATA_REPLACED_COPY, MAX_TIMEOUT_SECONDS } from '../../contract/import-properties';
import { describeError } from '../common/comprehend';
import { deadlineData } from '../common/event-data';
import { isRetryableTagError, reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceResponse<ImportEventData>;

/** `remainingMs`: what Lambda leaves this invocation (context.getRemainingTimeInMillis()), which bounds the wait. */
export async function onImportEvent(event: ImportEvent, remainingMs?: number): Promise<Response> {
  const request = readImportRequest(event);
  switch (request.requestType) {
    case 'Create': {
      const { spec } = request;
      // A Create is never a rollback (that is a Delete): isComplete judges its copy whatever this finds, but never
      // deletes a usable copy found under the name (a retained copy the resource returns to). The deadline counts from
      // the request, not from the import's place in the window, so it stays within CloudFormation's hour.
      const deadline = deadlineData(spec.timeoutSeconds);
      await waitForImportSlot(spec.ownerTag.Value!, remainingMs);
      const started = await startImportWhenPossible(spec, false);
      return { PhysicalResourceId: started.arn, Data: { ...deadline, [DATA_NEW_COPY]: newCopy(started) } };
    }
    case 'Update': {
      const { spec, previous, physicalResourceId } = request;
      if (previous && sameCopy(previous, spec) && previous.targetArn === physicalResourceId) {
        await updateTags(spec, previous);
        return { PhysicalResourceId: physicalResourceId, Data: deadlineData(spec.timeoutSeconds) };
      }
      // A new copy: CloudFormation deletes the old one once this update succeeds. Or the rollback to the old copy,
      // which removes the copy of a failed replacement (isComplete waits for it): that one returns to a copy that
      // exists, so it takes no place in the window.
      const deadline = deadlineData(spec.timeoutSeconds);
      const leftover = failedReplacementOf(request);
      if (!leftover) {
        await waitForImportSlot(spec.ownerTag.Value!, remainingMs);
      }
      // Looked for first: a rollback's copy is adopted without ImportModel, under the new template's policy.
      const started = await startImportWhenPossible(spec, true);
      if (leftover) {
        await requestDeletion(spec.source.modelType, leftover, spec.ownerTag)
          .catch(error => console.log(`Could not delete ${leftover} yet: ${describeError(error)}`));
      }
      const replaced = spec.qualityGate?.noWorseThanReplaced && physicalResourceId !== started.arn ? physicalResourceId : undefined;
      return {
        PhysicalResourceId: started.arn,
        Data: {
          ...deadline,
          // A rollback finds its own copy under the name, so the gate never judges it (gateData).
          ...leftover ? { [DATA_FAILED_REPLACEMENT]: leftover } : gateData(started, replaced),
        },
      };
    }
    case 'Delete':
      return onDelete(request);
  }
}

/**
 * What isComplete needs to judge the copy of an Update. A copy this event imports (or finds still importing) is new. A
 * usable copy of this resource's found under the name is not: that is a rollback to the copy (after a replacement, or
 * one that failed) or a return to a retained copy, which the gate judged when it was imported; judging it again could
 * fail, and delete, the very copy a rollback returns to. When Comprehend throttled ImportModel, what exists is unknown
 * here: isComplete decides by when Comprehend says the copy was submitted. A Create is never a rollback: isComplete
 * judges its copy whatever this finds.
 */
function gateData(started: StartedImport, replaced?: string): Partial<ImportEventData> {
  const copy = newCopy(started);
  if (copy === 'adopted') {
    return {};
  }
  return replaced ? { [DATA_NEW_COPY]: copy, [DATA_REPLACED_COPY]: replaced } : { [DATA_NEW_COPY]: copy };
}

/**
 * Whether the copy is this request's (see DATA_NEW_COPY): 'adopted' for this resource's usable copy found under the
 * name, 'true' when Comprehend said the name was free before the import (ImportModel answered, or an Update's lookup
 * found nothing before ImportModel was throttled), 'unknown' when Comprehend throttled before anything was known.
 */
function newCopy(started: StartedImport): 'adopted' | 'true' | 'unknown' {
  if (started.adopted && USABLE.includes(started.adopted.status)) {
    return 'adopted';
  }
  return started.deferred && !started.absentBefore ? 'unknown' : 'true';
}

/**
 * The only change that keeps the same copy. Throttling or a concurrent tag change leaves the rest to isComplete, which
 * reconciles the tags; a copy deleted out of band is imported again under the same name, as a create would. A copy
 * under the name that is not this resource's (re-created by hand, or its ownership tag removed) fails the update before
 * any tag is changed.
 */
async function updateTags(spec: ImportSpec, previous: ImportSpec): Promise<void> {
  try {
    await reconcileTags(spec.targetArn, previous.tags, spec.tags, owner => checkOwnCopy(spec, spec.targetArn, owner));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      console.log(`${spec.targetArn} is gone: importing it again`);
      await startImportWhenPossible(spec, false);
    } else if (isRetryableTagError(error)) {
      console.log(`Tag changes deferred to the next poll: ${describeError(error)}`);
    } else {
      throw error;
    }
  }
}

/**
 * Delete means delete: CloudFormation decides when to send a Delete (DeletionPolicy, UpdateReplacePolicy), and every
 * Delete that arrives deletes the copy, when it carries this resource's ownership tag. A Delete whose physical id
 * CloudFormation made up (the Create was cancelled) deletes the copy that Create would have made, found by its name.
 */
async function onDelete({ physicalResourceId, copyArn, modelType, ownerTag }: DeleteImport): Promise<Response> {
  // The properties do not read: the Create failed on them, before any call to Comprehend.
  if (!copyArn || !modelType) {
    return { PhysicalResourceId: physicalResourceId };
  }
  // Gone already, still importing (a cancelled or timed-out create) or throttled: isComplete finishes the job. A copy
  // still importing must end before it can go, however short the model's own timeout is.
  await requestDeletion(modelType, copyArn, ownerTag);
  return { PhysicalResourceId: physicalResourceId, Data: deadlineData(MAX_TIMEOUT_SECONDS) };
}
