// Handler side: the Comprehend client every handler uses, and how its errors are classified.
import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { ClockRetryStrategy } from './clock';

/** The SDK's attempts at each call: the first and 7 retries. */
export const MAX_ATTEMPTS = 8;

/**
 * The client of one handler. The SDK retries throttling and 5xx with exponential backoff and jitter; give it room
 * to, since one provider serves every resource of a stack and they all start at once. Its standard retries, waiting
 * on the handlers' clock (clock.ts); `maxAttempts` also goes in the amz-sdk-request header, as the SDK sends it.
 */
export const comprehend = new ComprehendClient({ maxAttempts: MAX_ATTEMPTS, retryStrategy: new ClockRetryStrategy(MAX_ATTEMPTS) });

/**
 * Whether `error` is passing, by the SDK's own classification: throttling, a transient fault or a server error that
 * outlived the SDK's retries. The lifecycle asks again at the next poll instead of failing the deployment.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

/** Comprehend's own words for an error: its name and message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Logs an event the handler received, without its presigned response URL. */
export function logEvent(event: { readonly ResponseURL?: string }): void {
  console.log(JSON.stringify({ ...event, ResponseURL: '...' }));
}
