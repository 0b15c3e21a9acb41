// onEvent of the stack's one Comprehend provider. Imported models and endpoints share the provider, so the Provider
// framework's fixed cost (its functions and waiter) is paid once per stack; each resource type has its own lifecycle.
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { MODEL_ENDPOINT_RESOURCE_TYPE } from '../../contract/endpoint-properties';
import { IMPORTED_MODEL_RESOURCE_TYPE } from '../../contract/import-properties';
import { logEvent } from '../common/comprehend';
import { onEndpointEvent } from '../endpoint/on-event';
import { onImportEvent } from '../import/on-event';

export async function handler(event: CdkCustomResourceEvent<any>): Promise<CdkCustomResourceResponse> {
  logEvent(event);
  switch (event.ResourceType) {
    case IMPORTED_MODEL_RESOURCE_TYPE: return onImportEvent(event);
    case MODEL_ENDPOINT_RESOURCE_TYPE: return onEndpointEvent(event);
    default: throw new Error(`This provider serves ${IMPORTED_MODEL_RESOURCE_TYPE} and ${MODEL_ENDPOINT_RESOURCE_TYPE}, not ${event.ResourceType}`);
  }
}
