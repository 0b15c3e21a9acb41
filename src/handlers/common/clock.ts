// Handler side: every wait of the handlers goes through one clock, `handlerClock`: an import's place in the stack's
// window (import-slot.ts) and the SDK's backoff between the attempts of a call (ClockRetryStrategy, below). In Lambda
// it is the real clock (timers/promises). The bundles export it (provider/index.ts, policy/index.ts) as the tests'
// hook: the deploy driver replaces its sleep with its virtual clock's, so a handler's wait takes no real time there.
// A handler invocation's waits are sequential: it never sleeps while another of its sleeps or one of its own calls is in
// flight (its calls go one after another, and the SDK sleeps between the attempts of one call), which the driver relies
// on to tell that an invocation with a pending sleep does nothing else; keep it so (no Promise.all of calls).
import { AsyncLocalStorage } from 'async_hooks';
import { setTimeout as realSleep } from 'timers/promises';
import { StandardRetryStrategy } from '@smithy/core/retry';

export interface HandlerClock {
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The handlers' clock: the real one unless a test replaced `sleep`. */
export const handlerClock: HandlerClock = {
  sleep: ms => realSleep(ms),
};

/**
 * The mutating call in progress (request-guard.ts's mutating()), whose request is proven current before each retry: a
 * retry may leave long after the first attempt, when CloudFormation has moved on.
 */
export const mutationAttempts = new AsyncLocalStorage<{ readonly beforeRetry: () => Promise<void> }>();

type StandardRetryStrategyV2 = Pick<StandardRetryStrategy, 'acquireInitialRetryToken' | 'refreshRetryTokenForRetry' | 'recordSuccess'>;
type RetryToken = Awaited<ReturnType<StandardRetryStrategy['refreshRetryTokenForRetry']>>;
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];
type RetryBackoff = NonNullable<ConstructorParameters<typeof StandardRetryStrategy>[0]['backoff']>;

/**
 * The SDK's standard retries (what a ComprehendClient built with `maxAttempts` alone uses), waiting on `handlerClock`.
 *
 * In @smithy/core 3.41 (@smithy/core/retry: util-retry/StandardRetryStrategy.js and middleware-retry/retryMiddleware.js)
 * the retry middleware asks the strategy's refreshRetryTokenForRetry for a token after each failed attempt, and sleeps
 * the token's getRetryDelay() with the global setTimeout when it is above 0. StandardRetryStrategy decides there whether
 * to retry (the error's type, the attempts left, the retry quota) and takes the retry's cost from the quota, computes
 * the delay with its backoff (exponential with full jitter, capped, from a base that depends on the error type),
 * lengthened to a Retry-After hint (at most 5 s beyond the backoff), sleeps it itself with the global setTimeout, and
 * returns a token of delay 0 whose $retryLog.acquisitionDelay is the delay (the middleware adds it to
 * $metadata.totalRetryDelay). RetryStrategyV2 (@smithy/types) allows either: "delay internally and return a token with
 * 0 delay, OR do not sleep and return a token with the desired delay duration".
 *
 * This strategy keeps a StandardRetryStrategy for every decision, with the SDK's own backoff object, but hands that
 * strategy a delay of 0 (so its own sleep is a setTimeout of 0) and the Retry-After hint is applied here, with the
 * same formula; it then sleeps the delay on `handlerClock` and returns the standard strategy's token (delay 0) with
 * the delay in its $retryLog. The one difference: a long-poll operation refused for lack of quota backs off before
 * the error in the standard strategy; Comprehend has no long-poll operation.
 */
export class ClockRetryStrategy implements StandardRetryStrategyV2 {
  /** Read by @aws-sdk/core's user-agent features (check-features.js): the same as the standard strategy's. */
  public readonly mode: string;
  private readonly standard: StandardRetryStrategy;
  /** The delay the standard strategy's backoff computed for the refresh in progress: refreshes of one client overlap. */
  private readonly computed = new AsyncLocalStorage<{ delayMs: number }>();

  constructor(maxAttempts: number) {
    const sdkBackoff = SdkBackoff.of();
    const computed = this.computed;
    this.standard = new StandardRetryStrategy({
      maxAttempts,
      backoff: {
        // Called together with computeNextBackoffDelay, in the same synchronous step of a refresh.
        setDelayBase: delay => sdkBackoff.setDelayBase(delay),
        computeNextBackoffDelay: retries => {
          const pending = computed.getStore();
          if (pending) {
            pending.delayMs = sdkBackoff.computeNextBackoffDelay(retries);
          }
          return 0;
        },
      },
    });
    this.mode = this.standard.mode;
  }

  public acquireInitialRetryToken(retryTokenScope: string): Promise<RetryToken> {
    return this.standard.acquireInitialRetryToken(retryTokenScope);
  }

  public async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const { retryAfterHint, ...withoutHint } = errorInfo;
    const pending = { delayMs: 0 };
    // Throws, as the standard strategy does, when the call is not to be retried: then nothing waits.
    const next = await this.computed.run(pending, () => this.standard.refreshRetryTokenForRetry(token, withoutHint));
    const backoff = pending.delayMs;
    const delayMs = retryAfterHint instanceof Date
      ? Math.max(backoff, Math.min(retryAfterHint.getTime() - Date.now(), backoff + 5_000))
      : backoff;
    if (delayMs > 0) {
      await handlerClock.sleep(delayMs);
    }
    // Throws when the request is no longer current: the SDK then gives up, answering the last attempt's error.
    await mutationAttempts.getStore()?.beforeRetry();
    next.$retryLog = { ...next.$retryLog, acquisitionDelay: delayMs };
    return next;
  }

  public recordSuccess(token: RetryToken): void {
    this.standard.recordSuccess(token);
  }

  /** The retry quota left: it drops with each retry and refills with each success. */
  public getCapacity(): number {
    return this.standard.getCapacity();
  }
}

/**
 * Reaches the backoff a StandardRetryStrategy makes for itself (a DefaultRetryBackoffStrategy, which @smithy/core/retry
 * does not export): the SDK's exponential backoff with full jitter, not a copy of it.
 */
class SdkBackoff extends StandardRetryStrategy {
  public static of(): RetryBackoff {
    return new SdkBackoff(1).retryBackoffStrategy;
  }
}
