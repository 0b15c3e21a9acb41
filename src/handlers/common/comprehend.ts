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

/** The middleware stack of an SDK client (ComprehendClient's, or another AWS SDK v3 client's of the same release). */
type MiddlewareStack = Pick<ComprehendClient['middlewareStack'], 'add'>;

/**
 * Logs each call of `client` in one line, once it is over: the service, the operation and its outcome (`ok`, or the
 * error's name), with the attempts when the SDK retried; never the request or the response (names, ARNs, tags,
 * policies stay out of the logs). A middleware of the initialize step, outside the SDK's retries, so one call is one
 * line whatever its attempts. An outcome is logged with console.info, an error with console.warn: Lambda's JSON log
 * format gives them the levels INFO and WARN, which the functions' application log level filters.
 */
export function logCalls(client: { readonly middlewareStack: MiddlewareStack }): void {
  client.middlewareStack.add((next, context) => async args => {
    const call = `${context.clientName?.replace(/Client$/, '')} ${context.commandName?.replace(/Command$/, '')}`;
    try {
      const result = await next(args);
      console.info(`${call}: ok${retried(result.output)}`);
      return result;
    } catch (error) {
      console.warn(`${call}: ${error instanceof Error ? error.name : 'failed'}${retried(error)}`);
      throw error;
    }
  }, { step: 'initialize', name: 'logCalls', override: true });
}

/** `, N attempts` for an output or error of a call the SDK retried (its $metadata.attempts, set by the retry middleware). */
function retried(outcome: unknown): string {
  const attempts = (outcome as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  return attempts !== undefined && attempts > 1 ? `, ${attempts} attempts` : '';
}

logCalls(comprehend);

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

/** What of a CloudFormation event a person needs to follow the request; the rest (properties, URLs) is not logged. */
export interface LoggedEvent {
  readonly RequestType: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
}

/**
 * Logs the request an event is, in one line: its type, the resource's logical id and type, and its physical id (none
 * on a Create). Nothing else of the event: its properties (model, key and role ARNs, importer accounts) and its
 * presigned response URL stay out of the logs.
 */
export function logEvent(event: LoggedEvent): void {
  console.info(`${event.RequestType} ${event.LogicalResourceId} (${event.ResourceType}), physical id ${event.PhysicalResourceId ?? 'none yet'}`);
}
