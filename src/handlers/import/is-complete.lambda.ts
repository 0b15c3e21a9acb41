// isComplete: polled by the provider until the copy is usable (or gone, for a delete), within the model's timeout.
import { ModelStatus } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceIsCompleteEvent, CdkCustomResourceIsCompleteResponse } from 'aws-lambda';
import { DeadlineData, isPast, readDeadline } from './deadline';
import { requestDeletion, startImportWhenPossible } from './import-lifecycle';
import { CreateImport, DeleteImport, ImportRequest, readImportRequest, sameCopy, UpdateImport } from './import-request';
import { describeModel } from './model-client';
import {
  ATTRIBUTE_MODEL_ARN,
  ATTRIBUTE_MODEL_NAME,
  ATTRIBUTE_STATUS,
  ATTRIBUTE_VERSION_NAME,
  ImportProperties,
} from '../../contract/import-properties';
import { parseModelArn } from '../../contract/model-arn';
import { describeError, isTransient } from '../common/comprehend';

/** Statuses on the way to a usable copy. */
const IMPORTING: readonly string[] = [ModelStatus.SUBMITTED, ModelStatus.TRAINING];
/** Statuses of a usable copy. */
const USABLE: readonly string[] = [ModelStatus.TRAINED, ModelStatus.TRAINED_WITH_WARNING];
/** Statuses from which a model cannot be deleted yet: wait for a terminal one. */
const NOT_DELETABLE_YET: readonly string[] = [ModelStatus.SUBMITTED, ModelStatus.TRAINING, ModelStatus.STOP_REQUESTED, ModelStatus.DELETING];

type Response = CdkCustomResourceIsCompleteResponse;
/** Not complete yet, or a failure when the model's deadline has passed. */
type WaitFor = (what: string) => Response;

export async function handler(event: CdkCustomResourceIsCompleteEvent<ImportProperties, DeadlineData>): Promise<Response> {
  const request = readImportRequest(event);
  const deadline = readDeadline(event.Data);
  const waitFor: WaitFor = what => {
    if (isPast(deadline)) {
      throw new Error(
        `${event.LogicalResourceId}: ${what}, and the timeout has passed. ` +
        'Raise the timeout prop (at most 55 minutes), or look at the model in the Comprehend console.',
      );
    }
    return { IsComplete: false };
  };

  try {
    return request.requestType === 'Delete'
      ? await isDeleted(request, waitFor)
      : await isUsable(request, event.PhysicalResourceId!, waitFor);
  } catch (error) {
    if (isTransient(error)) {
      return waitFor(`Comprehend is still failing or throttling (${describeError(error)})`);
    }
    throw error;
  }
}

async function isUsable(request: CreateImport | UpdateImport, physicalResourceId: string, waitFor: WaitFor): Promise<Response> {
  const { spec } = request;
  const model = await describeModel(spec.source.modelType, physicalResourceId);
  if (!model) {
    // onEvent was throttled before ImportModel went through (or the copy is not visible yet): start it now.
    await startImportWhenPossible(spec);
    return waitFor(`${physicalResourceId} has not appeared yet`);
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
  if (isNewCopy(request)) {
    // CloudFormation rolls back to the old copy and forgets this one: do not leave it behind.
    await requestDeletion(spec.source.modelType, model.arn).catch(error => console.log(`Could not delete ${model.arn}: ${describeError(error)}`));
  }
  throw new Error(
    `Import of ${spec.sourceModelArn} into ${model.arn} ended in status ${model.status}: ` +
    `${model.message ?? 'Comprehend gave no message'}`,
  );
}

/** Whether this is an update that imported a copy of its own, rather than keeping (or returning to) the current one. */
function isNewCopy(request: ImportRequest): boolean {
  return request.requestType === 'Update' && (!request.previous || !sameCopy(request.previous, request.spec));
}

async function isDeleted({ physicalResourceId, modelType, retain }: DeleteImport, waitFor: WaitFor): Promise<Response> {
  if (!modelType || retain) {
    return { IsComplete: true };
  }
  const model = await describeModel(modelType, physicalResourceId);
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
