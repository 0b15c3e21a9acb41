// Many copies in one stack, deployed at once, optionally against a Comprehend that allows only a few requests per
// second per operation. Shared by the load test (which asserts) and bench/deploy-latency.ts (which records).
import { startHarness } from './harness';
import { OTHER_SOURCE_CLASSIFIER, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, SOURCE_RECOGNIZER } from '../support/fixtures';

export interface LoadFigures {
  readonly models: number;
  /** The emulator's limit per operation; undefined when it did not throttle. */
  readonly maxPerSecond?: number;
  readonly status: string;
  readonly failures: string[];
  readonly trained: number;
  /** Requests per operation: all of them, and those answered OK. */
  readonly calls: Record<string, { readonly all: number; readonly ok: number }>;
  readonly throttled: number;
  readonly totalCalls: number;
  readonly wallSeconds: number;
  /** Virtual seconds CloudFormation would have waited. */
  readonly deploySeconds: number;
}

export async function runLoad(models: number, maxPerSecond?: number): Promise<LoadFigures> {
  const h = await startHarness(11);
  try {
    if (maxPerSecond !== undefined) {
      h.emulator.faults['*'] = { maxPerSecond };
    }
    const sources = [SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, OTHER_SOURCE_CLASSIFIER, SOURCE_RECOGNIZER];
    const definitions = Object.fromEntries(Array.from({ length: models }, (_, i) => [`Model${i}`, { sourceModelArn: sources[i % sources.length] }]));
    const driver = h.driver();
    const started = { real: performance.now(), virtual: h.clock.now() };

    const result = await driver.deploy(h.stack(definitions));

    const calls: Record<string, { all: number; ok: number }> = {};
    for (const call of h.emulator.calls) {
      const count = calls[call.operation] ??= { all: 0, ok: 0 };
      count.all++;
      count.ok += call.outcome === 'OK' ? 1 : 0;
    }
    return {
      models,
      maxPerSecond,
      status: result.status,
      failures: result.failures,
      trained: h.emulator.modelsOf('444455556666').filter(m => h.emulator.statusOf(m) === 'TRAINED').length,
      calls,
      throttled: h.emulator.calls.filter(c => c.outcome === 'TooManyRequestsException').length,
      totalCalls: h.emulator.calls.length,
      wallSeconds: (performance.now() - started.real) / 1000,
      deploySeconds: (h.clock.now() - started.virtual) / 1000,
    };
  } finally {
    await h.stop();
  }
}
