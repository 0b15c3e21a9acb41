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
import { DATA_REQUEST, IMPORTED_MODEL_RESOURCE_TYPE } from '../../contract/import-properties';
import { logCalls, logEvent } from '../common/comprehend';
import { cloudFormation, guarded, readRequestRecord } from '../common/request-guard';
import { isEndpointComplete } from '../endpoint/is-complete';
import { onEndpointEvent } from '../endpoint/on-event';
import { isImportComplete } from '../import/is-complete';
import { onImportEvent } from '../import/on-event';

/**
 * The tests' hook: the clock every wait of these handlers goes through (the SDK's backoff, an import's place in the
 * stack's window), which the deploy driver sets to its virtual clock. Lambda calls only onEvent and isComplete.
 */
export { handlerClock } from '../common/clock';

// CloudFormation's DescribeStackResource calls (request-guard.ts) are logged as the Comprehend calls are.
logCalls(cloudFormation);

/**
 * Starts a request: reads CloudFormation's record of the resource first, which the request's every mutating call, and
 * its waiter's, proves unchanged (request-guard.ts), and hands it to isComplete in Data.
 */
export async function onEvent(event: CdkCustomResourceEvent<any>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CdkCustomResourceResponse> {
  logEvent(event);
  const start = route(event.ResourceType, {
    [IMPORTED_MODEL_RESOURCE_TYPE]: () => onImportEvent(event, context?.getRemainingTimeInMillis()),
    [MODEL_ENDPOINT_RESOURCE_TYPE]: () => onEndpointEvent(event),
  });
  const record = await readRequestRecord(event);
  const response = await guarded(event, record, start);
  return { ...response, Data: { ...response.Data, [DATA_REQUEST]: record } };
}

/** One poll of a request's waiter: nothing changes unless CloudFormation's record is still the one onEvent read. */
export async function isComplete(event: CdkCustomResourceIsCompleteEvent<any, any>): Promise<CdkCustomResourceIsCompleteResponse> {
  const poll = route(event.ResourceType, {
    [IMPORTED_MODEL_RESOURCE_TYPE]: () => isImportComplete(event),
    [MODEL_ENDPOINT_RESOURCE_TYPE]: () => isEndpointComplete(event),
  });
  return guarded(event, event.Data?.[DATA_REQUEST], poll);
}

function route<T>(resourceType: string, handlers: Record<string, () => Promise<T>>): () => Promise<T> {
  return handlers[resourceType] ?? fail(unknownType(resourceType));
}

function fail(error: Error): never {
  throw error;
}

function unknownType(resourceType: string): Error {
  return new Error(`This provider serves ${IMPORTED_MODEL_RESOURCE_TYPE} and ${MODEL_ENDPOINT_RESOURCE_TYPE}, not ${resourceType}`);
}
