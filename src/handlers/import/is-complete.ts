// isComplete of an imported model: polled by the provider until the copy is usable (or gone, for a delete), within the model's timeout.
import { ConcurrentModificationException, ModelStatus } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceIsCompleteEvent, CdkCustomResourceIsCompleteResponse } from 'aws-lambda';
import { requestDeletion, requireOwnCopy, startImportWhenPossible } from './import-lifecycle';
import { CreateImport, DeleteImport, readImportRequest, UpdateImport } from './import-request';
import { describeModel } from './model-client';
import { IMPORTING, NOT_DELETABLE_YET, USABLE } from './model-statuses';
import {
  ATTRIBUTE_MODEL_ARN,
  ATTRIBUTE_MODEL_NAME,
  ATTRIBUTE_STATUS,
  ATTRIBUTE_VERSION_NAME,
  DATA_KEEP,
  ImportProperties,
  REMOVAL_POLICY_RETAIN,
  REMOVAL_POLICY_RETAIN_EXCEPT_ON_CREATE,
} from '../../contract/import-properties';
import { parseModelArn } from '../../contract/model-arn';
import { describeError, isTransient } from '../common/comprehend';
import { EventData, isPast, readDeadline } from '../common/event-data';
import { reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceIsCompleteResponse;
/**
 * Not complete yet; or, once the model's deadline has passed, a failure, after `cleanUp` (which removes what this
 * request imported, so a failed import leaves nothing behind).
 */
type WaitFor = (what: string, cleanUp?: () => Promise<unknown>) => Promise<Response>;

export async function isImportComplete(event: CdkCustomResourceIsCompleteEvent<ImportProperties, EventData>): Promise<Response> {
  const request = readImportRequest(event);
  const deadline = readDeadline(event.Data);
  const waitFor: WaitFor = async (what, cleanUp) => {
    if (isPast(deadline)) {
      await cleanUp?.().catch(error => console.log(`Could not clean up: ${describeError(error)}`));
      throw new Error(
        `${event.LogicalResourceId}: ${what}, and the timeout has passed. ` +
        'Raise the timeout prop (at most 55 minutes), or look at the model in the Comprehend console.',
      );
    }
    return { IsComplete: false };
  };

  try {
    return request.requestType === 'Delete'
      ? await isDeleted(request, event.Data?.[DATA_KEEP], waitFor)
      : await isUsable(request, event.PhysicalResourceId!, waitFor);
  } catch (error) {
    if (isTransient(error) || error instanceof ConcurrentModificationException) {
      return waitFor(`Comprehend is still failing, throttling or busy (${describeError(error)})`);
    }
    throw error;
  }
}

async function isUsable(request: CreateImport | UpdateImport, physicalResourceId: string, waitFor: WaitFor): Promise<Response> {
  const { spec } = request;
  const modelType = spec.source.modelType;
  const model = await describeModel(modelType, physicalResourceId);
  if (!model) {
    // onEvent was throttled before ImportModel went through, the copy is not visible yet, or it was deleted out of
    // band: start it now.
    await startImportWhenPossible(spec);
    return waitFor(`${physicalResourceId} has not appeared yet`);
  }
  if (USABLE.includes(model.status)) {
    // onEvent may have left the import to a later poll, and found the name taken before the copy was visible: the
    // copy is this resource's only when it carries its ownership tag.
    await requireOwnCopy(spec, model.arn);
    if (request.requestType === 'Update') {
      // What a tags-only update could not finish in onEvent (throttling, a concurrent tag change); a no-op otherwise.
      await reconcileTags(model.arn, request.previous?.tags ?? [], spec.tags);
    }
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
  if (IMPORTING.includes(model.status) || model.status === ModelStatus.DELETING) {
    return waitFor(`${model.arn} is still ${model.status}`, () => requestDeletion(modelType, model.arn, spec.ownerTag));
  }
  // IN_ERROR or STOPPED. CloudFormation sends no Delete for a retained resource, and forgets a failed replacement on
  // rollback: whatever the removal policy, the handler deletes the failed copy itself.
  await requestDeletion(modelType, model.arn, spec.ownerTag).catch(error => console.log(`Could not delete ${model.arn}: ${describeError(error)}`));
  throw new Error(
    `Import of ${spec.sourceModelArn} into ${model.arn} ended in status ${model.status}: ` +
    `${model.message ?? 'Comprehend gave no message'}. The failed copy is being deleted.`,
  );
}

async function isDeleted(
  { physicalResourceId, modelType, removalPolicy, ownerTag }: DeleteImport,
  keep: string | undefined,
  waitFor: WaitFor,
): Promise<Response> {
  if (!modelType || removalPolicy === REMOVAL_POLICY_RETAIN || keep === 'true') {
    return { IsComplete: true };
  }
  const model = await describeModel(modelType, physicalResourceId);
  if (!model) {
    return { IsComplete: true };
  }
  if (removalPolicy === REMOVAL_POLICY_RETAIN_EXCEPT_ON_CREATE && keep === undefined && USABLE.includes(model.status)) {
    // onEvent could not tell; the copy is usable, so its create succeeded: retained.
    return { IsComplete: true };
  }
  if (NOT_DELETABLE_YET.includes(model.status)) {
    return waitFor(`${model.arn} is still ${model.status}`);
  }
  // A terminal state: the delete onEvent asked for was refused while the copy was still importing. Ask again.
  if (await requestDeletion(modelType, model.arn, ownerTag) === 'gone') {
    return { IsComplete: true };
  }
  return waitFor(`${model.arn} is being deleted (was ${model.status})`);
}
