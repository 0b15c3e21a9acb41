// isComplete of an endpoint: polled by the provider until the endpoint is IN_SERVICE on the model and units asked for
// (or gone, for a delete).
import { ConcurrentModificationException, EndpointStatus } from '@aws-sdk/client-comprehend';
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
import { CreateEndpoint, EndpointRequest, isEndpointArn, readEndpointRequest, UpdateEndpoint } from './endpoint-request';
import { ATTRIBUTE_ENDPOINT_ARN, EndpointProperties } from '../../contract/endpoint-properties';
import { describeError, isTransient } from '../common/comprehend';
import { EventData, isPast, readDeadline } from '../common/event-data';
import { reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceIsCompleteResponse;
/** Not complete yet; or, once the deadline has passed, a failure after `cleanUp`. */
type WaitFor = (what: string, cleanUp?: () => Promise<unknown>) => Promise<Response>;

export async function isEndpointComplete(event: CdkCustomResourceIsCompleteEvent<EndpointProperties, EventData>): Promise<Response> {
  const request: EndpointRequest = readEndpointRequest(event);
  const deadline = readDeadline(event.Data);
  const waitFor: WaitFor = async (what, cleanUp) => {
    if (isPast(deadline)) {
      await cleanUp?.().catch(error => console.log(`Could not clean up: ${describeError(error)}`));
      throw new Error(`${event.LogicalResourceId}: ${what}, and CloudFormation's hour is nearly over. Look at the endpoint in the Comprehend console.`);
    }
    return { IsComplete: false };
  };

  try {
    if (request.requestType === 'Delete') {
      // The placeholder of a failed create is no endpoint at all.
      const endpoint = isEndpointArn(request.physicalResourceId) ? await describeEndpoint(request.physicalResourceId) : undefined;
      if (!endpoint) {
        return { IsComplete: true };
      }
      if (endpoint.status === EndpointStatus.DELETING) {
        return await waitFor(`${endpoint.arn} is still DELETING`);
      }
      // Not started yet (it was still creating or updating, or Comprehend throttled): ask again.
      if (await requestEndpointDeletion(endpoint.arn, request.ownerTag) === 'gone') {
        return { IsComplete: true };
      }
      return await waitFor(`${endpoint.arn} is being deleted (was ${endpoint.status})`);
    }
    return await isInService(request, waitFor);
  } catch (error) {
    if (isTransient(error) || error instanceof ConcurrentModificationException) {
      return waitFor(`Comprehend is still failing, throttling or busy (${describeError(error)})`);
    }
    throw error;
  }
}

async function isInService(request: CreateEndpoint | UpdateEndpoint, waitFor: WaitFor): Promise<Response> {
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
    await updateWhenPossible(endpoint.arn, changes);
    return waitFor(`${endpoint.arn} is not yet updated`, cleanUp);
  }
  if (endpoint.modelArn !== spec.modelArn) {
    return waitFor(`${endpoint.arn} is still moving to ${spec.modelArn}`, cleanUp);
  }
  if (request.requestType === 'Update') {
    await reconcileTags(endpoint.arn, previous?.tags ?? [], spec.tags, owner => checkOwnEndpoint(spec, owner));
  }
  return { IsComplete: true, Data: { [ATTRIBUTE_ENDPOINT_ARN]: endpoint.arn } };
}
