// The handlers' clock (issue 31): the SDK's retries of the handlers' Comprehend client wait on it, with the SDK's own
// decisions (which errors, how many attempts, the retry quota) and backoff. Through the handlers' real client against
// the emulator, on the tests' virtual clock.
import { ListEndpointsCommand } from '@aws-sdk/client-comprehend';
import { INITIAL_RETRY_TOKENS, MAXIMUM_RETRY_DELAY, Retry } from '@smithy/core/retry';
import type * as ClockModule from '../../../src/handlers/common/clock';
import type * as ComprehendModule from '../../../src/handlers/common/comprehend';
import { ComprehendEmulator } from '../../support/comprehend-emulator';
import { IMPORTER, REGION } from '../../support/fixtures';
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
