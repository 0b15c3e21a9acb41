// The handlers' clock (issue 31): the SDK's retries of the handlers' Comprehend client wait on it, with the SDK's own
// decisions (which errors, how many attempts, the retry quota) and backoff. Through the handlers' real client against
// the emulator, on the tests' virtual clock.
import { ComprehendClient, ListEndpointsCommand } from '@aws-sdk/client-comprehend';
import { INITIAL_RETRY_TOKENS, MAXIMUM_RETRY_DELAY, Retry, StandardRetryStrategy } from '@smithy/core/retry';
import type * as ClockModule from '../../../src/handlers/common/clock';
import type * as ComprehendModule from '../../../src/handlers/common/comprehend';
import { ComprehendEmulator } from '../../support/comprehend-emulator';
import { IMPORTER, REGION, silenceHandlerLogs } from '../../support/fixtures';
import { VirtualClock } from '../../support/virtual-clock';

const ACCESS_KEY = 'AKIACLOCKTEST0000000';

let clock: VirtualClock;
let emulator: ComprehendEmulator;
/** A fresh copy of the handlers' modules, as a new Lambda instance loads them: its own client and retry quota. */
let handlers: { comprehend: typeof ComprehendModule; clock: typeof ClockModule };
/** What the handlers asked their clock to sleep, and when (virtual epoch milliseconds). */
let sleeps: Array<{ ms: number; at: number }>;

beforeEach(async () => {
  clock = new VirtualClock().install();
  emulator = await ComprehendEmulator.start({ accessKeys: { [ACCESS_KEY]: IMPORTER }, now: () => clock.now(), recordCalls: false });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_COMPREHEND: emulator.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'emulator-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  jest.isolateModules(() => {
    handlers = {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry, as a new Lambda instance
      comprehend: require('../../../src/handlers/common/comprehend'),
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same registry: the client's clock
      clock: require('../../../src/handlers/common/clock'),
    };
  });
  sleeps = [];
  silenceHandlerLogs();
  handlers.clock.handlerClock.sleep = ms => {
    sleeps.push({ ms, at: clock.now() });
    return clock.sleep(ms);
  };
});

afterEach(async () => {
  jest.restoreAllMocks();
  await emulator.stop();
  clock.restore();
});

/** The jitter draws of the SDK's backoff, in order (its only use of Math.random). */
function drawJitter(draws: number[]): void {
  const random = jest.spyOn(Math, 'random');
  draws.forEach(draw => random.mockReturnValueOnce(draw));
}

/** The SDK's backoff before retry `retries` (0 for the first retry): full jitter over base × 2^retries, capped. */
const sdkBackoff = (base: number, draw: number, retries: number) => Math.floor(draw * Math.min(base * 2 ** retries, MAXIMUM_RETRY_DELAY));

const listEndpoints = () => handlers.comprehend.comprehend.send(new ListEndpointsCommand({}));

test('throttled 7 times: the 8th attempt answers, after 7 waits on the handlers\' clock of the SDK\'s throttling backoff', async () => {
  const draws = [0.9, 0.1, 0.5, 0.99, 0.3, 0.7, 0.95];
  drawJitter(draws);
  emulator.failNext('ListEndpoints', 'ThrottlingException', 7);
  const started = { real: performance.now(), virtual: clock.now() };

  const output = await listEndpoints();

  const expected = draws.map((draw, retries) => sdkBackoff(Retry.throttlingDelay(), draw, retries));
  expect(sleeps.map(s => s.ms)).toEqual(expected);
  expect(output.$metadata).toMatchObject({ attempts: handlers.comprehend.MAX_ATTEMPTS, totalRetryDelay: expected.reduce((a, b) => a + b) });
  const calls = emulator.calls.filter(c => c.operation === 'ListEndpoints');
  expect(calls.map(c => c.outcome)).toEqual([...Array(7).fill('ThrottlingException'), 'OK']);
  // Each attempt after the one before plus its wait, on the clock the emulator answers by...
  for (let i = 1; i < calls.length; i++) {
    expect(calls[i].at - calls[i - 1].at).toBeGreaterThanOrEqual(expected[i - 1]);
  }
  expect(clock.now() - started.virtual).toBeGreaterThanOrEqual(expected.reduce((a, b) => a + b));
  // ...which took none of the 49 s in real time.
  expect(performance.now() - started.real).toBeLessThan(5_000);
});

test('throttled 8 times: the SDK\'s 8 attempts are spent, the throttling error is the answer, after 7 waits', async () => {
  emulator.failNext('ListEndpoints', 'ThrottlingException', 8);

  const error = await listEndpoints().catch(e => e);

  expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 8 } });
  expect(emulator.count('ListEndpoints')).toBe(8);
  expect(sleeps).toHaveLength(7);
  sleeps.forEach((s, retries) => expect(s.ms).toBeLessThan(Math.min(Retry.throttlingDelay() * 2 ** retries, MAXIMUM_RETRY_DELAY)));
});

test('a transient server error waits the SDK\'s base delay, not the throttling one', async () => {
  const draws = [0.8, 0.6];
  drawJitter(draws);
  emulator.failNext('ListEndpoints', 'InternalServerException', 2);

  const output = await listEndpoints();

  expect(output.$metadata.attempts).toBe(3);
  expect(sleeps.map(s => s.ms)).toEqual(draws.map((draw, retries) => sdkBackoff(Retry.delay(), draw, retries)));
});

test.each(['ValidationException', 'AccessDeniedException'])('%s is not retried: one attempt, no wait', async error => {
  emulator.failNext('ListEndpoints', error);

  await expect(listEndpoints()).rejects.toMatchObject({ name: error, $metadata: { attempts: 1 } });

  expect(emulator.count('ListEndpoints')).toBe(1);
  expect(sleeps).toEqual([]);
});

test('the SDK\'s retry quota, shared by the client\'s calls: spent, a throttled call is no longer retried', async () => {
  // Each call throttled on every attempt spends 7 retries of the throttling cost from the quota.
  const perCall = 7 * Retry.throttlingCost();
  const fullCalls = Math.floor(INITIAL_RETRY_TOKENS / perCall);
  const attempts: number[] = [];
  for (let i = 0; i <= fullCalls; i++) {
    emulator.failNext('ListEndpoints', 'ThrottlingException', 8);
    attempts.push(await listEndpoints().catch(e => e.$metadata.attempts));
  }

  const left = INITIAL_RETRY_TOKENS - fullCalls * perCall;
  expect(attempts).toEqual([...Array(fullCalls).fill(8), 1 + Math.floor(left / Retry.throttlingCost())]);
  expect(sleeps).toHaveLength(fullCalls * 7 + Math.floor(left / Retry.throttlingCost()));
});

test('without a test\'s clock, the handlers sleep in real time', async () => {
  let realClock!: typeof ClockModule;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module: the clock as Lambda loads it
    realClock = require('../../../src/handlers/common/clock');
  });
  const started = performance.now();

  await realClock.handlerClock.sleep(40);

  expect(performance.now() - started).toBeGreaterThanOrEqual(35);
});

describe('ClockRetryStrategy beside the SDK\'s own StandardRetryStrategy', () => {
  type Token = Awaited<ReturnType<StandardRetryStrategy['acquireInitialRetryToken']>>;
  type ErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];
  type Strategy = Pick<StandardRetryStrategy, 'acquireInitialRetryToken' | 'refreshRetryTokenForRetry' | 'recordSuccess' | 'getCapacity'>;
  /** One failed attempt (its error type, Retry-After ms from now if any, the jitter draw), or a success ending a call. */
  type Step = { readonly errorType: ErrorInfo['errorType']; readonly hintMs?: number; readonly draw: number } | 'success';
  /** What a strategy did at one step: all of it is compared. */
  interface StepRecord {
    readonly decision: 'retry' | 'throw' | 'success';
    /** The waits it made (the reference's setTimeout, the ClockRetryStrategy's handlerClock.sleep), above 0 ms. */
    readonly waits: number[];
    readonly draws: number;
    readonly retryCount?: number;
    readonly retryDelay?: number;
    readonly retryCost?: number;
    readonly acquisitionDelay?: number;
    readonly capacity: number;
  }

  /** What `new ComprehendClient({ maxAttempts: 8 })` resolves its retryStrategy to, as @smithy/core/retry does it. */
  async function sdkStrategy(maxAttempts: number): Promise<StandardRetryStrategy> {
    // resolveRetryConfig (middleware-retry/configurations.js), called by the client with no defaults: in standard mode,
    // new StandardRetryStrategy({ maxAttempts, baseDelay: defaultBaseDelay }), defaultBaseDelay being Retry.delay().
    const reference = new StandardRetryStrategy({ maxAttempts, baseDelay: Retry.delay() });
    const client = new ComprehendClient({ maxAttempts, region: REGION, retryMode: 'standard' });
    const resolved = await client.config.retryStrategy();
    client.destroy();
    // The same construction: class, mode, base delay, quota and backoff; only the maxAttempts provider closures differ.
    expect(resolved).toBeInstanceOf(StandardRetryStrategy);
    expect(resolved).toEqual({ ...reference, maxAttemptsProvider: expect.any(Function) });
    await expect((resolved as StandardRetryStrategy).maxAttempts()).resolves.toBe(maxAttempts);
    return reference;
  }

  /** A fixed sequence of failures across several calls: every error type, with and without Retry-After hints. */
  function steps(): Step[] {
    const handPicked: Step[] = [
      // Retry-After 3 s ahead, beyond a throttling backoff of 1 s at most: the hint wins.
      { errorType: 'THROTTLING', hintMs: 3_000, draw: 0.4 },
      // Retry-After a minute ahead: capped at the backoff + 5 s.
      { errorType: 'THROTTLING', hintMs: 60_000, draw: 0.7 },
      // Retry-After in the past: the backoff.
      { errorType: 'TRANSIENT', hintMs: -2_000, draw: 0.9 },
      // Retry-After shorter than the backoff: the backoff.
      { errorType: 'THROTTLING', hintMs: 100, draw: 0.99 },
      { errorType: 'TRANSIENT', hintMs: 4_000, draw: 0.25 },
      { errorType: 'TRANSIENT', draw: 0 },
      // Not retried, hint or not.
      { errorType: 'SERVER_ERROR', hintMs: 2_000, draw: 0.5 },
      { errorType: 'CLIENT_ERROR', draw: 0.5 },
      { errorType: 'TRANSIENT', hintMs: 120_000, draw: 0.6 },
      'success',
      // A call spending its 8 attempts: the 8th failure is not retried.
      ...Array.from({ length: 8 }, (_, i): Step => ({ errorType: i % 2 ? 'TRANSIENT' : 'THROTTLING', hintMs: i % 3 ? 2_500 : undefined, draw: (i + 1) / 9 })),
    ];
    // Then a long pseudo-random run (fixed seed), long enough to spend the retry quota.
    let seed = 31;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const types: Array<ErrorInfo['errorType']> = ['THROTTLING', 'TRANSIENT', 'TRANSIENT', 'TRANSIENT', 'SERVER_ERROR', 'CLIENT_ERROR'];
    const hints = [undefined, undefined, 1_500, 4_500, 7_000, 90_000];
    const generated = Array.from({ length: 160 }, (): Step => next() < 0.06
      ? 'success'
      : { errorType: types[Math.floor(next() * types.length)], hintMs: hints[Math.floor(next() * hints.length)], draw: next() });
    return [...handPicked, ...generated];
  }

  test('the same decisions, delays (Retry-After included), retry counts and quota, with the same jitter draws', async () => {
    const maxAttempts = handlers.comprehend.MAX_ATTEMPTS;
    expect(maxAttempts).toBe(8);
    const reference = await sdkStrategy(maxAttempts);
    const ours = new handlers.clock.ClockRetryStrategy(maxAttempts);
    // The hint arithmetic reads Date.now(): it stands still but where a step moves it.
    let now = 1_750_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    let draw = 0;
    const random = jest.spyOn(Math, 'random').mockImplementation(() => draw);
    const realSetTimeout = global.setTimeout;
    const slept: number[] = [];
    handlers.clock.handlerClock.sleep = async ms => {
      slept.push(ms);
    };

    /** One step with one strategy; `waits` collects the waits it made meanwhile. */
    async function act(strategy: Strategy, token: Token, step: Step, waits: () => number[]): Promise<{ record: StepRecord; token?: Token }> {
      const drawsBefore = random.mock.calls.length;
      if (step === 'success') {
        strategy.recordSuccess(token);
        return { record: { decision: 'success', waits: waits(), draws: 0, capacity: strategy.getCapacity() } };
      }
      draw = step.draw;
      const errorInfo: ErrorInfo = {
        errorType: step.errorType,
        ...(step.hintMs === undefined ? {} : { retryAfterHint: new Date(now + step.hintMs) }),
      };
      const next = await strategy.refreshRetryTokenForRetry(token, errorInfo).catch((error: Error) => error);
      const draws = random.mock.calls.length - drawsBefore;
      if (next instanceof Error) {
        expect(next.message).toBe('No retry token available');
        return { record: { decision: 'throw', waits: waits(), draws, capacity: strategy.getCapacity() } };
      }
      return {
        token: next,
        record: {
          decision: 'retry',
          waits: waits(),
          draws,
          retryCount: next.getRetryCount(),
          retryDelay: next.getRetryDelay(),
          retryCost: next.getRetryCost(),
          acquisitionDelay: (next as { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay,
          capacity: strategy.getCapacity(),
        },
      };
    }

    const records: Array<{ step: Step; reference: StepRecord; ours: StepRecord }> = [];
    let tokens = { reference: await reference.acquireInitialRetryToken('comprehend'), ours: await ours.acquireInitialRetryToken('comprehend') };
    for (const step of steps()) {
      // The reference sleeps its delay itself, with the global setTimeout: captured, and ended at once, for its call only.
      const timeouts: number[] = [];
      const timeout = jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
        timeouts.push(ms ?? 0);
        callback();
        return realSetTimeout(() => undefined, 0);
      }) as typeof setTimeout);
      let theirs: Awaited<ReturnType<typeof act>>;
      try {
        theirs = await act(reference, tokens.reference, step, () => timeouts.filter(ms => ms > 0));
      } finally {
        timeout.mockRestore();
      }
      slept.length = 0;
      const mine = await act(ours, tokens.ours, step, () => [...slept]);
      records.push({ step, reference: theirs.record, ours: mine.record });
      if (theirs.token && mine.token) {
        tokens = { reference: theirs.token, ours: mine.token };
      } else {
        // The call is over (answered, or its error thrown): the next one starts.
        tokens = { reference: await reference.acquireInitialRetryToken('comprehend'), ours: await ours.acquireInitialRetryToken('comprehend') };
      }
      now += 1_000;
    }

    expect(records.map(r => ({ step: r.step, ...r.ours }))).toEqual(records.map(r => ({ step: r.step, ...r.reference })));
    // The sequence went where it was meant to: Retry-After lengthening a delay, and capped; every type retried or not;
    // the quota spent down to refusing a retry.
    const retried = records.filter(r => r.reference.decision === 'retry');
    expect(retried.some(r => r.step !== 'success' && r.step.hintMs === 3_000 && r.reference.acquisitionDelay! >= 2_000)).toBe(true);
    expect(retried.some(r => r.step !== 'success' && r.step.hintMs === 60_000 && r.reference.acquisitionDelay! > 5_000
      && r.reference.acquisitionDelay! < 10_000)).toBe(true);
    expect(new Set(retried.map(r => r.step !== 'success' && r.step.errorType))).toEqual(new Set(['THROTTLING', 'TRANSIENT']));
    expect(records.filter(r => r.step !== 'success' && r.step.errorType === 'SERVER_ERROR').map(r => r.reference.decision)).not.toContain('retry');
    expect(Math.min(...records.map(r => r.reference.capacity))).toBeLessThan(Retry.cost());
    expect(records.filter(r => r.reference.decision === 'success').length).toBeGreaterThan(3);
  });
});

describe('the tests\' virtual clock refuses what would silently change a scenario', () => {
  let own: VirtualClock;
  beforeEach(() => {
    own = new VirtualClock();
  });

  test('outside a driver, a sleep with no owner moves the clock on by itself', async () => {
    const started = own.now();
    await own.sleep(60_000);
    expect(own.now() - started).toBeGreaterThanOrEqual(60_000);
    own.restore();
  });

  test('while a driver runs handlers, a sleep with no owner is a lost async context: it rejects, and the driver throws', async () => {
    const driving = own.drive(async () => {
      // As a handler whose promise chain left its invocation's context, and that swallows the rejection.
      await own.sleep(1_000).catch(() => undefined);
      await new Promise(resolve => setImmediate(resolve));
    });
    await expect(driving).rejects.toThrow(/has no owner while a driver runs handlers: the handler invocation's async context was lost/);
    own.restore();
  });

  test('an invocation sleeping twice at once is refused', async () => {
    const invocation = {};
    const first = own.run(invocation, () => own.sleep(1_000));
    await expect(own.run(invocation, () => own.sleep(2_000))).rejects.toThrow(/sleeps .* while it already sleeps/);
    expect(() => own.check()).toThrow(/waits must be sequential/);
    own.advance(1_000);
    await first;
    own.restore();
  });

  test('restore() with sleepers left fails, saying how many and when they wake', () => {
    void own.run({}, () => own.sleep(5_000));
    expect(() => own.restore()).toThrow(/restore\(\): 1 sleeper\(s\) never woken, waking at \S+Z \(an invocation\)/);
  });
});
