// Many copies in one stack, deployed at once, optionally against a Comprehend that allows only a few requests per
// second per operation. Shared by the load test (which asserts) and bench/deploy-latency.ts (which records).
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { startHarness } from './harness';
import { IMPORT_SPREAD_ENV } from '../../src/contract/import-properties';
import { OTHER_SOURCE_CLASSIFIER, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, SOURCE_RECOGNIZER } from '../support/fixtures';

export interface LoadFigures {
  readonly models: number;
  /** The emulator's limit per operation; undefined when it did not throttle. */
  readonly maxPerSecond?: number;
  readonly status: string;
  readonly failures: string[];
  readonly trained: number;
  /** Requests per operation (Comprehend's, and CloudFormation's DescribeStackResource): all of them, and those answered OK. */
  readonly calls: Record<string, { readonly all: number; readonly ok: number }>;
  /**
   * Comprehend's requests answered as throttled: TooManyRequestsException, or the common ThrottlingException of the
   * operations whose model lists no throttling error (ListTagsForResource).
   */
  readonly throttled: number;
  /** Comprehend's requests, the throttled ones included: what the emulator's limit applies to. */
  readonly comprehendCalls: number;
  /**
   * CloudFormation's requests (DescribeStackResource on a copy's record, issue 32): the record each onEvent reads when
   * its request begins, and the proof before each attempt of a mutating call. The limit is Comprehend's: never throttled.
   */
  readonly cloudFormationCalls: number;
  readonly wallSeconds: number;
  /**
   * Virtual seconds CloudFormation would have waited: from the requests it sends (the first call a handler makes, its
   * read of CloudFormation's record since issue 32, which leaves out the driver's own synth) to the last answer.
   */
  readonly deploySeconds: number;
  /** Whether the imports spread their ImportModel calls over the stack's window, as the library deploys them. */
  readonly spread: boolean;
  /** From the first ImportModel Comprehend accepted to the last. */
  readonly importSpanSeconds: number;
  /** Copies for which Comprehend accepted more than one ImportModel: none, when no copy is imported twice. */
  readonly importedTwice: string[];
}

export interface LoadOptions {
  /** The emulator's limit per operation; undefined for none. */
  readonly maxPerSecond?: number;
  /**
   * false: every import calls ImportModel at once, as before issue 22 (the window set to 0 in the template), to
   * measure what the window changes.
   * @default true
   */
  readonly spread?: boolean;
}

export async function runLoad(models: number, { maxPerSecond, spread = true }: LoadOptions = {}): Promise<LoadFigures> {
  const h = await startHarness(11);
  try {
    if (maxPerSecond !== undefined) {
      h.emulator.faults['*'] = { maxPerSecond };
    }
    const sources = [SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, OTHER_SOURCE_CLASSIFIER, SOURCE_RECOGNIZER];
    const definitions = Object.fromEntries(Array.from({ length: models }, (_, i) => [`Model${i}`, { sourceModelArn: sources[i % sources.length] }]));
    const driver = h.driver();
    const stack = h.stack(definitions);
    if (!spread) {
      (stack.node.findChild('ComprehendProvider').node.findChild('OnEvent') as lambda.Function).addEnvironment(IMPORT_SPREAD_ENV, '0');
    }
    const started = performance.now();

    const result = await driver.deploy(stack);

    const comprehend = h.emulator.calls.filter(c => c.service === 'comprehend');
    const accepted = comprehend.filter(c => c.operation === 'ImportModel' && c.outcome === 'OK');
    const copyOf = (call: typeof accepted[number]) => `${call.input.ModelName}/${call.input.VersionName}`;
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
      throttled: comprehend.filter(c => c.outcome === 'TooManyRequestsException' || c.outcome === 'ThrottlingException').length,
      comprehendCalls: comprehend.length,
      cloudFormationCalls: h.emulator.calls.filter(c => c.service === 'cloudformation').length,
      wallSeconds: (performance.now() - started) / 1000,
      deploySeconds: (Math.max(...result.outcomes.map(o => o.answeredAt)) - Math.min(...h.emulator.calls.map(c => c.at))) / 1000,
      spread,
      importSpanSeconds: (Math.max(...accepted.map(c => c.at)) - Math.min(...accepted.map(c => c.at))) / 1000,
      importedTwice: [...new Set(accepted.map(copyOf))].filter(copy => accepted.filter(c => copyOf(c) === copy).length > 1),
    };
  } finally {
    await h.stop();
  }
}
