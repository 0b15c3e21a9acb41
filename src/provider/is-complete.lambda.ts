// isComplete: polled by the provider until the copy is usable (or gone, for a delete), within the model's timeout.
import { isPast, readDeadline } from './deadline';
import { importProperties, IsCompleteEvent, IsCompleteResponse } from './events';
import { requestDeletion, startImportWhenPossible } from './import-lifecycle';
import { ImportSpec, modelTypeOf, readDeletion, readImportSpec, readPreviousSpec, sameCopy } from './import-spec';
import { describeError, describeModel, isTransient } from './model-client';
import { ATTRIBUTE_MODEL_ARN, ATTRIBUTE_MODEL_NAME, ATTRIBUTE_STATUS, ATTRIBUTE_VERSION_NAME } from '../shared/import-properties';
import { parseModelArn } from '../shared/model-arn';

/** Statuses on the way to a usable copy. */
const IMPORTING = ['SUBMITTED', 'TRAINING'];
/** Statuses of a usable copy. */
const USABLE = ['TRAINED', 'TRAINED_WITH_WARNING'];
/** Statuses from which a model cannot be deleted yet: wait for a terminal one. */
const NOT_DELETABLE_YET = ['SUBMITTED', 'TRAINING', 'STOP_REQUESTED', 'DELETING'];

export async function handler(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const deadline = readDeadline(event.Data);
  const waitFor = (what: string): IsCompleteResponse => {
    if (isPast(deadline)) {
      throw new Error(
        `${event.LogicalResourceId}: ${what}, and the timeout has passed. ` +
        'Raise the timeout prop (at most 55 minutes), or look at the model in the Comprehend console.',
      );
    }
    return { IsComplete: false };
  };

  try {
    return event.RequestType === 'Delete'
      ? await isDeleted(event, waitFor)
      : await isUsable(event, waitFor);
  } catch (error) {
    if (isTransient(error)) {
      return waitFor(`Comprehend is still failing or throttling (${describeError(error)})`);
    }
    throw error;
  }
}

async function isUsable(event: IsCompleteEvent, waitFor: (what: string) => IsCompleteResponse): Promise<IsCompleteResponse> {
  const spec = readImportSpec(importProperties(event.ResourceProperties), event.StackId, event.LogicalResourceId);
  const model = await describeModel(spec.source.modelType, event.PhysicalResourceId);
  if (!model) {
    // onEvent was throttled before ImportModel went through (or the copy is not visible yet): start it now.
    await startImportWhenPossible(spec);
    return waitFor(`${event.PhysicalResourceId} has not appeared yet`);
  }
  if (USABLE.includes(model.status)) {
    const parts = parseModelArn(model.arn);
    return {
      IsComplete: true,
      Data: {
        [ATTRIBUTE_MODEL_ARN]: model.arn,
        [ATTRIBUTE_MODEL_NAME]: parts?.modelName ?? spec.modelName,
        [ATTRIBUTE_VERSION_NAME]: parts?.versionName ?? spec.versionName,
        [ATTRIBUTE_STATUS]: model.status,
      },
    };
  }
  if (IMPORTING.includes(model.status)) {
    return waitFor(`${model.arn} is still ${model.status}`);
  }
  if (isNewCopy(event, spec)) {
    // CloudFormation rolls back to the old copy and forgets this one: do not leave it behind.
    await requestDeletion(spec.source.modelType, model.arn).catch(error => console.log(`Could not delete ${model.arn}: ${describeError(error)}`));
  }
  throw new Error(
    `Import of ${spec.sourceModelArn} into ${model.arn} ended in status ${model.status}: ` +
    `${model.message ?? 'Comprehend gave no message'}`,
  );
}

/** Whether this is an update that imported a copy of its own, rather than keeping (or returning to) the current one. */
function isNewCopy(event: IsCompleteEvent, spec: ImportSpec): boolean {
  if (event.RequestType !== 'Update') {
    return false;
  }
  const before = readPreviousSpec(importProperties(event.OldResourceProperties), event.StackId, event.LogicalResourceId);
  return !before || !sameCopy(before, spec);
}

async function isDeleted(event: IsCompleteEvent, waitFor: (what: string) => IsCompleteResponse): Promise<IsCompleteResponse> {
  const modelType = modelTypeOf(event.PhysicalResourceId);
  if (!modelType || readDeletion(importProperties(event.ResourceProperties)).retain) {
    return { IsComplete: true };
  }
  const model = await describeModel(modelType, event.PhysicalResourceId);
  if (!model) {
    return { IsComplete: true };
  }
  if (NOT_DELETABLE_YET.includes(model.status)) {
    return waitFor(`${model.arn} is still ${model.status}`);
  }
  // A terminal state: the delete onEvent asked for was refused while the copy was still importing. Ask again.
  if (await requestDeletion(modelType, model.arn) === 'gone') {
    return { IsComplete: true };
  }
  return waitFor(`${model.arn} is being deleted (was ${model.status})`);
}
