// The stack's one Comprehend provider: onEvent and isComplete, two functions of one asset. Imported models and
// endpoints share the provider, so the Provider framework's fixed cost (its functions and waiter) is paid once per
// stack; each resource type has its own lifecycle.
import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
  Context,
} from 'aws-lambda';
import { MODEL_ENDPOINT_RESOURCE_TYPE } from '../../contract/endpoint-properties';
import { IMPORTED_MODEL_RESOURCE_TYPE } from '../../contract/import-properties';
import { logEvent } from '../common/comprehend';
import { isEndpointComplete } from '../endpoint/is-complete';
import { onEndpointEvent } from '../endpoint/on-event';
import { isImportComplete } from '../import/is-complete';
import { onImportEvent } from '../import/on-event';

/**
 * The tests' hook: the clock every wait of these handlers goes through (the SDK's backoff, an import's place in the
 * stack's window), which the deploy driver sets to its virtual clock. Lambda calls only onEvent and isComplete.
 */
export { handlerClock } from '../common/clock';

export async function onEvent(event: CdkCustomResourceEvent<any>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CdkCustomResourceResponse> {
  logEvent(event);
  switch (event.ResourceType) {
    case IMPORTED_MODEL_RESOURCE_TYPE: return onImportEvent(event, context?.getRemainingTimeInMillis());
    case MODEL_ENDPOINT_RESOURCE_TYPE: return onEndpointEvent(event);
    default: throw unknownType(event.ResourceType);
  }
}

export async function isComplete(event: CdkCustomResourceIsCompleteEvent<any, any>): Promise<CdkCustomResourceIsCompleteResponse> {
  switch (event.ResourceType) {
    case IMPORTED_MODEL_RESOURCE_TYPE: return isImportComplete(event);
    case MODEL_ENDPOINT_RESOURCE_TYPE: return isEndpointComplete(event);
    default: throw unknownType(event.ResourceType);
  }
}

function unknownType(resourceType: string): Error {
  return new Error(`This provider serves ${IMPORTED_MODEL_RESOURCE_TYPE} and ${MODEL_ENDPOINT_RESOURCE_TYPE}, not ${resourceType}`);
}
