// Handler side: what each model status means for the lifecycle (ModelStatus of botocore's Comprehend model).
import { ModelStatus } from '@aws-sdk/client-comprehend';

/** Statuses on the way to an end: wait. */
export const IMPORTING: readonly string[] = [ModelStatus.SUBMITTED, ModelStatus.TRAINING, ModelStatus.STOP_REQUESTED];
/** Statuses of a usable copy. */
export const USABLE: readonly string[] = [ModelStatus.TRAINED, ModelStatus.TRAINED_WITH_WARNING];
/** Statuses from which a model cannot be deleted yet: wait for a terminal one. */
export const NOT_DELETABLE_YET: readonly string[] = [...IMPORTING, ModelStatus.DELETING];
