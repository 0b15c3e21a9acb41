// onEvent of an endpoint: creates it, moves or resizes it in place, or asks Comprehend to delete it.
// isComplete then waits until it is IN_SERVICE as asked (or gone).
import type { CdkCustomResourceResponse } from 'aws-lambda';
import { describeEndpoint } from './endpoint-client';
import {
  checkOwnEndpoint,
  createWhenPossible,
  pendingChanges,
  requestEndpointDeletion,
  requireOwnEndpoint,
  updateWhenPossible,
} from './endpoint-lifecycle';
import { EndpointEvent, EndpointSpec, failedRenameOf, readEndpointRequest } from './endpoint-request';
import { DATA_FAILED_REPLACEMENT, MAX_TIMEOUT_SECONDS } from '../../contract/import-properties';
import { describeError, isTransient } from '../common/comprehend';
import { deadlineData, EventData } from '../common/event-data';
import { isRetryableTagError, reconcileTags } from '../common/tagging';

type Response = CdkCustomResourceResponse<EventData & { readonly [DATA_FAILED_REPLACEMENT]?: string }>;

export async function onEndpointEvent(event: EndpointEvent): Promise<Response> {
  const request = readEndpointRequest(event);
  // Creating, moving and deleting an endpoint take minutes; CloudFormation gives a custom resource an hour.
  const Data = deadlineData(MAX_TIMEOUT_SECONDS);
  switch (request.requestType) {
    case 'Create':
      return { PhysicalResourceId: await createWhenPossible(request.spec), Data };
    case 'Update': {
      const { spec, previous, physicalResourceId } = request;
      if (physicalResourceId !== spec.endpointArn) {
        // A new name (create-only, as in CloudFormation's endpoint types) is a new endpoint; CloudFormation then deletes the old one.
        return { PhysicalResourceId: await createWhenPossible(spec), Data };
      }
      await changeInPlace(spec, previous);
      const leftover = failedRenameOf(request);
      if (!leftover) {
        return { PhysicalResourceId: physicalResourceId, Data };
      }
      // The rollback of a rename that failed or was cancelled: the endpoint under the new name goes (isComplete waits).
      await requestEndpointDeletion(leftover, spec.ownerTag)
        .catch(error => console.log(`Could not delete ${leftover} yet: ${describeError(error)}`));
      return { PhysicalResourceId: physicalResourceId, Data: { ...Data, [DATA_FAILED_REPLACEMENT]: leftover } };
    }
    case 'Delete':
      // A physical id CloudFormation made up (a cancelled Create): the endpoint that Create would have made, by its name.
      if (request.endpointArn) {
        await requestEndpointDeletion(request.endpointArn, request.ownerTag);
      }
      return { PhysicalResourceId: request.physicalResourceId, Data };
  }
}

/**
 * The same endpoint, changed in place: another model (the endpoint keeps serving the old one until the new one is
 * ready), other units, other tags. What Comprehend cannot take now (throttling, an update still running) isComplete
 * asks again; an endpoint deleted out of band is created again under its name. An endpoint under the name that is not
 * this resource's (re-created by hand, or its ownership tag removed) fails the update before anything is changed.
 */
async function changeInPlace(spec: EndpointSpec, previous: EndpointSpec | undefined): Promise<void> {
  try {
    const endpoint = await describeEndpoint(spec.endpointArn);
    if (!endpoint) {
      console.log(`${spec.endpointArn} is gone: creating it again`);
      await createWhenPossible(spec);
      return;
    }
    await requireOwnEndpoint(spec);
    const changes = pendingChanges(spec, previous, endpoint);
    if (changes) {
      await updateWhenPossible(spec, spec.endpointArn, changes);
    }
    await reconcileTags(spec.endpointArn, previous?.tags ?? [], spec.tags, owner => checkOwnEndpoint(spec, owner));
  } catch (error) {
    if (isTransient(error) || isRetryableTagError(error)) {
      console.log(`Endpoint changes deferred to the next poll: ${describeError(error)}`);
      return;
    }
    throw error;
  }
}
