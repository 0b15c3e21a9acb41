// Handler side: what each model status means for the lifecycle (ModelStatus of botocore's Comprehend model, 1.44.8:
// SUBMITTED, TRAINING, DELETING, STOP_REQUESTED, STOPPED, IN_ERROR, TRAINED, TRAINED_WITH_WARNING). A status outside
// these lists (one added to the API later, or none) is waited on and never acted upon.
import { ModelStatus } from '@aws-sdk/client-comprehend';

/** Statuses of an import still running, which StopTraining* can stop (botocore: "If the training job state is TRAINING"). */
export const STOPPABLE: readonly string[] = [ModelStatus.SUBMITTED, ModelStatus.TRAINING];
/** Statuses on the way to an end: wait. */
export const IMPORTING: readonly string[] = [...STOPPABLE, ModelStatus.STOP_REQUESTED];
/** Statuses of a usable copy. */
export const USABLE: readonly string[] = [ModelStatus.TRAINED, ModelStatus.TRAINED_WITH_WARNING];
/** Statuses of a failed import: the only ones whose copy the handler deletes on its own. */
export const FAILED: readonly string[] = [ModelStatus.IN_ERROR, ModelStatus.STOPPED];
/** Statuses from which a model cannot be deleted yet: wait for a terminal one. */
export const NOT_DELETABLE_YET: readonly string[] = [...IMPORTING, ModelStatus.DELETING];

/** Whether the lifecycle knows what `status` means; any other is logged and waited on. */
export function isKnownStatus(status: string): boolean {
  return [...NOT_DELETABLE_YET, ...USABLE, ...FAILED].includes(status);
}
