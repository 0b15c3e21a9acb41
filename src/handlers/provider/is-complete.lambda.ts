// isComplete of the stack's one Comprehend provider: each resource type to its own lifecycle (see on-event.lambda.ts).
import type { CdkCustomResourceIsCompleteEvent, CdkCustomResourceIsCompleteResponse } from 'aws-lambda';
import { MODEL_ENDPOINT_RESOURCE_TYPE } from '../../contract/endpoint-properties';
import { IMPORTED_MODEL_RESOURCE_TYPE } from '../../contract/import-properties';
import { isEndpointComplete } from '../endpoint/is-complete';
import { isImportComplete } from '../import/is-complete';

export async function handler(event: CdkCustomResourceIsCompleteEvent<any, any>): Promise<CdkCustomResourceIsCompleteResponse> {
  switch (event.ResourceType) {
    case IMPORTED_MODEL_RESOURCE_TYPE: return isImportComplete(event);
    case MODEL_ENDPOINT_RESOURCE_TYPE: return isEndpointComplete(event);
    default: throw new Error(`This provider serves ${IMPORTED_MODEL_RESOURCE_TYPE} and ${MODEL_ENDPOINT_RESOURCE_TYPE}, not ${event.ResourceType}`);
  }
}
