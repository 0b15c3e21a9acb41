// isComplete of an imported model: polled by the provider until the copy is usable (or gone, for a delete), within the model's timeout.
import { ConcurrentModificationException, ModelStatus, Tag } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceIsCompleteEvent, CdkCustomResourceIsCompleteResponse } from 'aws-lambda';
import { checkOwnCopy, requestDeletion, requireOwnCopy, startImportWhenPossible, StopOutcome, stopOwnImport } from './import-lifecycle';
import { CreateImport, DeleteImport, ImportEventData, readImportRequest, UpdateImport } from './import-request';
import { describeModel, EvaluationMetrics, ModelDescription } from './model-client';
import { FAILED, isKnownStatus, STOPPABLE, USABLE } from './model-statuses';
import { GateVerdict, judgeCopy } from './quality-gate';
import { METRIC_NOT_REPORTED, metricAttribute, metricsOf } from '../../contract/evaluation-metrics';
import {
  ATTRIBUTE_MODEL_ARN,
  ATTRIBUTE_MODEL_NAME,
  ATTRIBUTE_STATUS,
  ATTRIBUTE_VERSION_NAME,
  DATA_FAILED_REPLACEMENT,
  DATA_NEW_COPY,
  DATA_REPLACED_COPY,
  ImportProperties,
  INTERNAL_DATA,
  MAX_TIMEOUT_SECONDS,
  OWNER_TAG_KEY,
  SETTLE_SECONDS,
  STOP_GRACE_SECONDS,
} from '../../contract/import-properties';
import { parseModelArn } from '../../contract/model-arn';
import { MODEL_TYPES, ModelType } from '../../contract/model-types';
import { describeError, isTransient } from '../common/comprehend';
import { isPast, readDeadline } from '../common/event-data';
import { reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceIsCompleteResponse;
const NOT_YET: Response = { IsComplete: false };

/** One poll: the request, whether its deadline has passed, and the words that fail it then. */
interface Poll {
  readonly logicalId: string;
  /**
   * What onEvent said about the copy: whether it is new (judged by the quality gate), the copy it replaces, and the copy
   * a failed replacement left.
   */
  readonly data?: Partial<ImportEventData>;
  readonly timedOut: boolean;
  /** Whether the time to stop and delete an import past its deadline has passed too. */
  readonly pastGrace: boolean;
  /**
   * Until when (epoch milliseconds) a cleanup of what a cancelled request may have made looks again when it finds
   * nothing (SETTLE_SECONDS after the request began).
   */
  readonly settledAt: number;
  /** The failure at the deadline: `what` is still the case, followed by `advice`. */
  fail(what: string, advice: string): Error;
}

/**
 * How far Comprehend's clock may be behind the handler's when it stamps SubmitTime. A copy a rollback returns to was
 * submitted at least one import earlier (minutes), far more than this.
 */
const SUBMIT_CLOCK_SKEW_MS = 60_000;
/** The longest gate failure message, of the 4,096 bytes CloudFormation accepts for a custom resource's whole answer. */
const MAX_GATE_MESSAGE = 1_500;

/** What a create or update that runs out of time says: the import's own timeout is the user's to raise. */
const RAISE_TIMEOUT = 'Raise the timeout prop (at most 55 minutes), or look at the model in the Comprehend console.';
/**
 * What a delete that runs out of time says. A delete is given CloudFormation's hour, whatever the timeout prop, so
 * raising it would change nothing.
 */
const DELETE_BY_HAND = 'The copy is left as it is: look at it in the Comprehend console, and once it is in a final state ' +
  'delete the stack (or retry the rollback) again.';

export async function isImportComplete(event: CdkCustomResourceIsCompleteEvent<ImportProperties, ImportEventData>): Promise<Response> {
  const request = readImportRequest(event);
  const deadline = readDeadline(event.Data);
  const timedOut = isPast(deadline);
  const timeoutSeconds = request.requestType === 'Delete' ? MAX_TIMEOUT_SECONDS : request.spec.timeoutSeconds;
  const poll: Poll = {
    logicalId: event.LogicalResourceId,
    data: event.Data,
    timedOut,
    pastGrace: isPast(deadline === undefined ? undefined : deadline + STOP_GRACE_SECONDS * 1000),
    settledAt: deadline === undefined ? 0 : deadline - (timeoutSeconds - SETTLE_SECONDS) * 1000,
    fail: (what, advice) => new Error(`${event.LogicalResourceId}: ${what}, and ${request.requestType === 'Delete'
      ? 'CloudFormation\'s hour is nearly over' : 'the timeout has passed'}. ${advice}`),
  };

  try {
    return request.requestType === 'Delete'
      ? await isDeleted(request, poll)
      : await isUsable(request, event.PhysicalResourceId!, poll);
  } catch (error) {
    if (isTransient(error) || error instanceof ConcurrentModificationException) {
      const what = `Comprehend is still failing, throttling or busy (${describeError(error)})`;
      if (timedOut) {
        throw poll.fail(what, request.requestType === 'Delete' ? DELETE_BY_HAND : RAISE_TIMEOUT);
      }
      return NOT_YET;
    }
    throw error;
  }
}

async function isUsable(request: CreateImport | UpdateImport, physicalResourceId: string, poll: Poll): Promise<Response> {
  const { spec } = request;
  const model = await describeModel(spec.source.modelType, physicalResourceId);
  if (!model) {
    // onEvent was throttled before ImportModel went through, the copy is not visible yet, or it was deleted out of
    // band: start it now.
    await startImportWhenPossible(spec, false);
    if (poll.timedOut) {
      throw poll.fail(`${physicalResourceId} has not appeared yet`, RAISE_TIMEOUT);
    }
    return NOT_YET;
  }
  return settle(request, model, poll, true);
}

/** What the copy's status means for a create or update; `mayStop` once per poll, so a stop refused is not retried. */
async function settle(request: CreateImport | UpdateImport, model: ModelDescription, poll: Poll, mayStop: boolean): Promise<Response> {
  const { spec } = request;
  const modelType = spec.source.modelType;
  if (USABLE.includes(model.status)) {
    if (request.requestType === 'Update') {
      // What a tags-only update could not finish in onEvent (throttling, a concurrent tag change); a no-op otherwise.
      // The ownership check reads the same ListTagsForResource answer, before any tag changes.
      await reconcileTags(model.arn, request.previous?.tags ?? [], spec.tags, owner => checkOwnCopy(spec, model.arn, owner));
    } else {
      // onEvent may have left the import to a later poll, and found the name taken before the copy was visible: the
      // copy is this resource's only when it carries its ownership tag.
      await requireOwnCopy(spec, model.arn);
    }
    if (!(await passesQualityGate(request, model, poll))) {
      return NOT_YET;
    }
    const leftover = poll.data?.[DATA_FAILED_REPLACEMENT];
    if (leftover && !(await isLeftoverGone(modelType, leftover, spec.ownerTag, poll))) {
      return NOT_YET;
    }
    const parts = parseModelArn(model.arn);
    return {
      IsComplete: true,
      Data: {
        // The framework merges onEvent's Data into the answer and cannot drop a key: emptied, what onEvent told
        // isComplete (a replaced copy's ARN, say) does not linger in the resource's attributes.
        ...Object.fromEntries(INTERNAL_DATA.map(key => [key, ''])),
        [ATTRIBUTE_MODEL_ARN]: model.arn,
        [ATTRIBUTE_MODEL_NAME]: parts?.modelName ?? spec.modelName,
        [ATTRIBUTE_VERSION_NAME]: parts?.versionName ?? spec.versionName,
        [ATTRIBUTE_STATUS]: model.status,
        ...metricAttributes(modelType, model.evaluationMetrics),
      },
    };
  }
  if (FAILED.includes(model.status)) {
    // IN_ERROR or STOPPED, and only these. CloudFormation sends no Delete for a retained resource, and forgets a failed
    // replacement on rollback: whatever the removal policy, the handler deletes the failed copy itself.
    await requestDeletion(modelType, model.arn, spec.ownerTag).catch(error => console.log(`Could not delete ${model.arn}: ${describeError(error)}`));
    throw new Error(
      `Import of ${spec.sourceModelArn} into ${model.arn} ended in status ${model.status}: ` +
      `${model.message ?? 'Comprehend gave no message'}. The failed copy is being deleted.` +
      (poll.timedOut ? ` The import did not finish within the timeout, so it was stopped. ${RAISE_TIMEOUT}` : ''),
    );
  }
  if (!isKnownStatus(model.status)) {
    // A status added to the API later, or none: never a reason to delete the copy, which may be the one in use.
    console.log(`${model.arn} is in status ${model.status}, which this handler does not know: waiting`);
  }
  if (!poll.timedOut) {
    return NOT_YET;
  }
  const still = `${model.arn} is still ${model.status}`;
  if (STOPPABLE.includes(model.status) && mayStop) {
    const stop = await stopOwnImport(modelType, model.arn, spec.ownerTag);
    if (stop.outcome === 'ended' && stop.model) {
      // It ended before it could be stopped: TRAINED counts, IN_ERROR or STOPPED is deleted.
      return settle(request, stop.model, poll, false);
    }
    if (stop.outcome === 'stopped' && !poll.pastGrace) {
      // Waited on until STOPPED, then deleted here (the branch above): CloudFormation sends a retained copy no Delete.
      return NOT_YET;
    }
    throw poll.fail(still, `${explainStop(stop, modelType)} ${RAISE_TIMEOUT}`);
  }
  if (model.status === ModelStatus.STOP_REQUESTED) {
    if (!poll.pastGrace) {
      return NOT_YET;
    }
    throw poll.fail(still, `The import is being stopped; CloudFormation's rollback deletes the copy once it is STOPPED. ${RAISE_TIMEOUT}`);
  }
  if (!isKnownStatus(model.status)) {
    throw poll.fail(still, `This handler does not know that status, so the copy is left as it is. ${RAISE_TIMEOUT}`);
  }
  throw poll.fail(still, RAISE_TIMEOUT);
}

/**
 * Judges a new copy by the quality gate, once it is usable: true when it passes (or is not judged). A copy that fails is
 * deleted (whatever the removal policy: it is a failed create or replacement, which CloudFormation forgets or, when
 * retained, never deletes), and the import fails once Comprehend has accepted the deletion, so CloudFormation rolls back
 * and the copy it would have replaced keeps serving. Until then (throttling), false: the next poll judges it again.
 */
async function passesQualityGate(request: CreateImport | UpdateImport, model: ModelDescription, poll: Poll): Promise<boolean> {
  const { spec } = request;
  const gate = spec.qualityGate;
  if (!gate || !isJudged(request, model, poll)) {
    return true;
  }
  const modelType = spec.source.modelType;
  const replacedArn = poll.data?.[DATA_REPLACED_COPY];
  const replaced = replacedArn && parseModelArn(replacedArn)?.modelType === modelType
    ? { arn: replacedArn, metrics: (await describeModel(modelType, replacedArn))?.evaluationMetrics }
    : undefined;
  const verdict = judgeCopy(gate, modelType, model.evaluationMetrics, replaced);
  if (verdict.passed) {
    console.log(`${model.arn} passes the quality gate: ${verdict.checks.join('; ')}`);
    return true;
  }
  const failure = describeGateFailure(poll.logicalId, model.arn, spec.sourceModelArn, verdict);
  if (!isMadeByThisRequest(request, model, poll)) {
    // A usable copy of this resource's that was there before the request (retained when the resource left the stack),
    // or one of which that is not known: the user's to keep, whatever the gate says now.
    throw new Error(`${failure} It is this resource's own copy from before this deployment (retained when the resource ` +
      'left the stack), or Comprehend\'s answers could not tell, so it is left as it is; CloudFormation\'s rollback decides ' +
      'what becomes of it (its removal policy). Change qualityGate, or give the import another versionName for a new copy.');
  }
  let deletion: string;
  try {
    deletion = await requestDeletion(modelType, model.arn, spec.ownerTag);
  } catch (error) {
    deletion = `not deleted (${describeError(error)})`;
  }
  if (deletion === 'pending' && !poll.timedOut) {
    console.log(`${model.arn} fails the quality gate; its deletion is asked for again at the next poll`);
    return false;
  }
  const fate = deletion === 'deleting' || deletion === 'gone' ? 'The copy is being deleted, so CloudFormation rolls back'
    : `The copy could ${deletion === 'pending' ? 'not be deleted before the timeout' : `not be deleted: ${deletion}`}; delete it by hand. ` +
      'CloudFormation rolls back';
  throw new Error(`${failure} ${fate}${replaced ? ` and ${replaced.arn} keeps serving` : ''}. Share a better model version, or change qualityGate.`);
}

/**
 * What failed, with every check, each metric with its value and its bound; only the failed ones when that would be long.
 * The framework sends the message with its stack trace as the Reason of a response CloudFormation refuses over 4,096
 * bytes, which also holds the stack's and the resource's ids and the Data: a reason lost to that limit explains nothing.
 */
function describeGateFailure(logicalId: string, arn: string, source: string, verdict: GateVerdict): string {
  const intro = `${logicalId}: the copy ${arn} of ${source} does not pass the quality gate: `;
  const full = `${intro}${verdict.checks.join('; ')}.`;
  return full.length <= MAX_GATE_MESSAGE ? full : `${intro}${verdict.failures.join('; ')} (the checks it passes are left out for length).`;
}

/**
 * Whether the gate judges the copy. A Create's always: it is never a rollback (a copy it did not make is judged, never
 * deleted). An Update's when onEvent imported it (a replacement), never when onEvent found this resource's usable copy
 * under the name (a rollback to it): judging the copy a rollback returns to could delete it. When Comprehend throttled
 * onEvent's lookup, a rollback finds the copy it returns to only here: it is judged only if made by this request.
 */
function isJudged(request: CreateImport | UpdateImport, model: ModelDescription, poll: Poll): boolean {
  if (request.requestType === 'Create') {
    return true;
  }
  return poll.data?.[DATA_NEW_COPY] !== undefined && isMadeByThisRequest(request, model, poll);
}

/**
 * Whether this request made the copy, so that the gate may delete it: when onEvent found the name free ('true'), never
 * when it found this resource's usable copy there ('adopted'). Otherwise (Comprehend throttled onEvent's lookup) only if
 * Comprehend says the copy was submitted during this request; without a SubmitTime it is not, and the log says so:
 * safety of the copy first.
 */
function isMadeByThisRequest(request: CreateImport | UpdateImport, model: ModelDescription, poll: Poll): boolean {
  const newCopy = poll.data?.[DATA_NEW_COPY];
  if (newCopy === 'true' || newCopy === 'adopted') {
    return newCopy === 'true';
  }
  const deadline = readDeadline(poll.data);
  if (model.submitTime === undefined || deadline === undefined) {
    console.log(`${model.arn}: Comprehend gave no SubmitTime, so whether this request imported it is unknown; taken as not`);
    return false;
  }
  const eventStart = deadline - request.spec.timeoutSeconds * 1000;
  return model.submitTime.getTime() >= eventStart - SUBMIT_CLOCK_SKEW_MS;
}

/** The copy's metrics as attributes: each metric of its type, `none` when Comprehend does not report it. */
function metricAttributes(modelType: ModelType, metrics: EvaluationMetrics | undefined): Record<string, string> {
  return Object.fromEntries(metricsOf(modelType).map(metric => [metricAttribute(metric), String(metrics?.[metric] ?? METRIC_NOT_REPORTED)]));
}

/**
 * One step of removing the copy a failed replacement left (named by onEvent, see failedReplacementOf): true once it is gone, or once the
 * deadline has passed. Best effort: a rollback that failed on it would leave the stack UPDATE_ROLLBACK_FAILED, so what
 * cannot be removed is logged and left.
 */
async function isLeftoverGone(modelType: ModelType, arn: string, ownerTag: Tag, poll: Poll): Promise<boolean> {
  try {
    const step = await advanceDeletion(modelType, arn, ownerTag);
    if (step.gone) {
      // The replacement's waiter, cancelled, may have sent an ImportModel just before: look again, for a while.
      return isPast(poll.settledAt);
    }
    if (!poll.timedOut) {
      return false;
    }
    console.log(`${step.what}: the copy of the failed replacement is left; delete it by hand`);
  } catch (error) {
    if (isTransient(error) && !poll.timedOut) {
      return false;
    }
    console.log(`Could not delete ${arn}, the copy of the failed replacement: ${describeError(error)}; delete it by hand`);
  }
  return true;
}

/** What the stop at the deadline did, for the message. */
function explainStop(stop: StopOutcome, modelType: ModelType): string {
  switch (stop.outcome) {
    case 'stopped':
      // A failed create's rollback sends its Delete; a failed replacement's rollback removes it (failedReplacementOf).
      return `The import was stopped (${MODEL_TYPES[modelType].stopAction}): the copy turns STOP_REQUESTED, then STOPPED, ` +
        'and CloudFormation\'s rollback deletes it.';
    case 'not-own':
      return `The copy is not this resource's (its ${OWNER_TAG_KEY} tag is ${stop.owner ?? 'absent'}), so it was neither stopped nor deleted.`;
    case 'ended':
      return `The import could not be stopped (${stop.reason}), and the copy is gone.`;
  }
}

/** Where a deletion stands after one step: gone (or not this resource's), or still to wait for. */
type DeletionStep = { readonly gone: true } | { readonly gone: false; readonly what: string; readonly unknownStatus?: boolean };

/**
 * Delete means delete: a copy that is usable or failed is deleted; one still importing is stopped first (it cannot be
 * deleted before it ends, and an import can take hours); one being stopped or deleted is waited on. A status the handler
 * does not know is waited on, and never deleted. Every stop and delete is preceded by the ownership check.
 */
async function advanceDeletion(modelType: ModelType, arn: string, ownerTag: Tag): Promise<DeletionStep> {
  const model = await describeModel(modelType, arn);
  if (!model) {
    return { gone: true };
  }
  if (STOPPABLE.includes(model.status)) {
    const stop = await stopOwnImport(modelType, model.arn, ownerTag);
    if (stop.outcome === 'not-own') {
      // Never stop or delete what this resource did not create.
      return { gone: true };
    }
    return { gone: false, what: `${model.arn} is still ${model.status}${stop.outcome === 'stopped' ? ' (asked to stop)' : ''}` };
  }
  if (model.status === ModelStatus.STOP_REQUESTED || model.status === ModelStatus.DELETING) {
    return { gone: false, what: `${model.arn} is still ${model.status}` };
  }
  if (!isKnownStatus(model.status)) {
    console.log(`${model.arn} is in status ${model.status}, which this handler does not know: waiting`);
    return { gone: false, what: `${model.arn} is still ${model.status}`, unknownStatus: true };
  }
  // Usable or failed: ask for the deletion (again, when onEvent's was refused while the copy was still importing).
  if (await requestDeletion(modelType, model.arn, ownerTag) === 'gone') {
    return { gone: true };
  }
  return { gone: false, what: `${model.arn} is being deleted (was ${model.status})` };
}

async function isDeleted({ copyArn, modelType, derived, ownerTag }: DeleteImport, poll: Poll): Promise<Response> {
  if (!copyArn || !modelType) {
    return { IsComplete: true };
  }
  const step = await advanceDeletion(modelType, copyArn, ownerTag);
  if (step.gone) {
    // What a cancelled Create sent just before CloudFormation moved on may land still: look again, for a while.
    return derived && !isPast(poll.settledAt) ? NOT_YET : { IsComplete: true };
  }
  if (poll.timedOut) {
    throw poll.fail(step.what, step.unknownStatus
      ? `This handler does not know that status, so it did not ask Comprehend to delete the copy again. ${DELETE_BY_HAND}`
      : DELETE_BY_HAND);
  }
  return NOT_YET;
}
