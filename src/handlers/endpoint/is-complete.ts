// isComplete of an endpoint: polled by the provider until the endpoint is IN_SERVICE on the model and units asked for
// (or gone, for a delete).
import { ConcurrentModificationException, EndpointStatus, Tag } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceIsCompleteEvent, CdkCustomResourceIsCompleteResponse } from 'aws-lambda';
import { describeEndpoint } from './endpoint-client';
import {
  checkOwnEndpoint,
  createWhenPossible,
  pendingChanges,
  requestEndpointDeletion,
  requireOwnEndpoint,
  updateWhenPossible,
} from './endpoint-lifecycle';
import { CreateEndpoint, EndpointRequest, readEndpointRequest, UpdateEndpoint } from './endpoint-request';
import { ATTRIBUTE_ENDPOINT_ARN, EndpointProperties } from '../../contract/endpoint-properties';
import { DATA_FAILED_REPLACEMENT, MAX_TIMEOUT_SECONDS, SETTLE_SECONDS } from '../../contract/import-properties';
import { describeError, isTransient } from '../common/comprehend';
import { EventData, isPast, readDeadline } from '../common/event-data';
import { RequestSuperseded } from '../common/request-guard';
import { reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceIsCompleteResponse;
/** What onEvent tells isComplete: the deadline, and in the rollback of a failed rename the endpoint it left. */
type EndpointEventData = EventData & { readonly [DATA_FAILED_REPLACEMENT]?: string };
/** Not complete yet; or, once the deadline has passed, a failure after `cleanUp`. */
type WaitFor = (what: string, cleanUp?: () => Promise<unknown>) => Promise<Response>;

export async function isEndpointComplete(event: CdkCustomResourceIsCompleteEvent<EndpointProperties, EndpointEventData>): Promise<Response> {
  const request: EndpointRequest = readEndpointRequest(event);
  const deadline = readDeadline(event.Data);
  const waitFor: WaitFor = async (what, cleanUp) => {
    if (isPast(deadline)) {
      await cleanUp?.().catch(error => console.log(`Could not clean up: ${describeError(error)}`));
      throw new Error(`${event.LogicalResourceId}: ${what}, and CloudFormation's hour is nearly over. Look at the endpoint in the Comprehend console.`);
    }
    return { IsComplete: false };
  };

  // What a cancelled request sent just before CloudFormation moved on may still land: a cleanup of what it may have made
  // that finds nothing looks again until SETTLE_SECONDS after its request began.
  const settled = isPast(deadline === undefined ? 0 : deadline - (MAX_TIMEOUT_SECONDS - SETTLE_SECONDS) * 1000);
  try {
    if (request.requestType === 'Delete') {
      if (!request.endpointArn) {
        // The properties do not read: the Create failed on them, before any call to Comprehend.
        return { IsComplete: true };
      }
      const gone = await advanceDeletion(request.endpointArn, request.ownerTag, waitFor);
      return gone === true ? { IsComplete: !request.derived || settled } : gone;
    }
    return await isInService(request, event.Data, settled, waitFor);
  } catch (error) {
    if (isTransient(error) || error instanceof ConcurrentModificationException) {
      return waitFor(`Comprehend is still failing, throttling or busy (${describeError(error)})`);
    }
    throw error;
  }
}

/**
 * One step of deleting the endpoint at `arn`, when it carries `ownerTag`: true once it is gone (or is not this
 * resource's), otherwise what to answer (waiting, or failing at the deadline).
 */
async function advanceDeletion(arn: string, ownerTag: Tag, waitFor: WaitFor): Promise<true | Response> {
  const endpoint = await describeEndpoint(arn);
  if (!endpoint) {
    return true;
  }
  if (endpoint.status === EndpointStatus.DELETING) {
    return waitFor(`${endpoint.arn} is still DELETING`);
  }
  // Not started yet (it was still creating or updating, or Comprehend throttled): ask again.
  if (await requestEndpointDeletion(endpoint.arn, ownerTag) === 'gone') {
    return true;
  }
  return waitFor(`${endpoint.arn} is being deleted (was ${endpoint.status})`);
}

async function isInService(request: CreateEndpoint | UpdateEndpoint, data: Partial<EndpointEventData> | undefined, settled: boolean,
  waitFor: WaitFor): Promise<Response> {
  const { spec } = request;
  const previous = request.requestType === 'Update' ? request.previous : undefined;
  // A failed or timed-out create removes its endpoint; an update leaves it to CloudFormation's rollback.
  const ownCreate = request.requestType === 'Create' || request.physicalResourceId !== spec.endpointArn;
  const cleanUp = ownCreate ? () => requestEndpointDeletion(spec.endpointArn, spec.ownerTag) : undefined;
  const endpoint = await describeEndpoint(spec.endpointArn);
  if (!endpoint) {
    // onEvent was throttled before CreateEndpoint went through, or the endpoint was deleted out of band.
    await createWhenPossible(spec);
    return waitFor(`${spec.endpointArn} has not appeared yet`, cleanUp);
  }
  if (endpoint.status === EndpointStatus.FAILED) {
    await cleanUp?.().catch(error => console.log(`Could not delete ${endpoint.arn}: ${describeError(error)}`));
    throw new Error(
      `Endpoint ${endpoint.arn} serving ${spec.modelArn} is FAILED: ${endpoint.message ?? 'Comprehend gave no message'}.` +
      (cleanUp ? ' The failed endpoint is being deleted.' : ''),
    );
  }
  if (endpoint.status !== EndpointStatus.IN_SERVICE) {
    return waitFor(`${endpoint.arn} is still ${endpoint.status}`, cleanUp);
  }
  // The name may have been taken by someone else while onEvent was throttled: the endpoint is this resource's only
  // when it carries its ownership tag, and nothing else is changed.
  await requireOwnEndpoint(spec);
  const changes = pendingChanges(spec, previous, endpoint);
  if (changes) {
    // What onEvent could not ask for (throttling, an update still running then).
    await updateWhenPossible(spec, endpoint.arn, changes);
    return waitFor(`${endpoint.arn} is not yet updated`, cleanUp);
  }
  if (endpoint.modelArn !== spec.modelArn) {
    return waitFor(`${endpoint.arn} is still moving to ${spec.modelArn}`, cleanUp);
  }
  if (request.requestType === 'Update') {
    await reconcileTags(endpoint.arn, previous?.tags ?? [], spec.tags, owner => checkOwnEndpoint(spec, owner));
  }
  const leftover = data?.[DATA_FAILED_REPLACEMENT];
  if (leftover && !(await isLeftoverGone(leftover, spec.ownerTag, settled, isPast(readDeadline(data)), waitFor))) {
    return { IsComplete: false };
  }
  return { IsComplete: true, Data: { [ATTRIBUTE_ENDPOINT_ARN]: endpoint.arn } };
}

/**
 * One step of removing the endpoint a failed or cancelled rename left (named by onEvent, see failedRenameOf): true once
 * it is gone and the request has settled, or once the deadline has passed. Best effort: a rollback that failed on it
 * would leave the stack UPDATE_ROLLBACK_FAILED, so what cannot be removed is logged and left.
 */
async function isLeftoverGone(arn: string, ownerTag: Tag, settled: boolean, timedOut: boolean, waitFor: WaitFor): Promise<boolean> {
  try {
    const step = await advanceDeletion(arn, ownerTag, waitFor);
    return step === true && settled;
  } catch (error) {
    if (error instanceof RequestSuperseded) {
      throw error;
    }
    if (isTransient(error) && !timedOut) {
      return false;
    }
    console.log(`Could not delete ${arn}, the endpoint of the failed rename: ${describeError(error)}; delete it by hand`);
    return true;
  }
}
