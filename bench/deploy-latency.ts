// Deploy latency and API economy: the bundled handlers, driven as CloudFormation and the Provider framework drive
// them, against the Comprehend emulator, on the driver's virtual clock (the handlers' own waits too, issue 31).
import { QUERY_INTERVAL_SECONDS } from '../src/contract/import-properties';
import { startHarness } from '../test/lifecycle/harness';
import { LoadFigures, LoadOptions, runLoad } from '../test/lifecycle/load-scenario';
import { IMPORTER, REGION, SHARER } from '../test/support/fixtures';

export interface ImportReadiness {
  /** How long Comprehend takes from ImportModel to TRAINED. */
  readonly importSeconds: number;
  /** From the copy reaching TRAINED to isComplete answering that it is done. */
  readonly detectedAfterSeconds: number;
  /** Describe calls of the copy before its ImportModel: an Update's lookup of the name (issue 32); a Create makes none. */
  readonly lookupCalls: number;
  readonly importModelCalls: number;
  /** Describe calls of the copy after its ImportModel: its waiter's. */
  readonly describeCalls: number;
  /** The most Describe calls a waiter should make on an import of this length: one at once, then one per interval. */
  readonly describeBound: number;
  /** Comprehend's other calls on the copy (ListTagsForResource, the ownership check once it is usable). */
  readonly otherCalls: number;
  /**
   * CloudFormation's calls on the resource's record (DescribeStackResource, issue 32): the read when onEvent begins the
   * request, and the proof before each ImportModel attempt.
   */
  readonly cloudFormationCalls: number;
}

export interface Readiness {
  readonly intervalSeconds: number;
  readonly imports: ImportReadiness[];
}

/** One stack with an import per duration, each from a source of its own, deployed at once without throttling. */
export async function measureReadiness(importSeconds: number[]): Promise<Readiness> {
  const h = await startHarness(13);
  try {
    const sources = importSeconds.map((seconds, i) => {
      const arn = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/bench-${i}/version/v1`;
      h.emulator.addTrainedModel(arn, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
      h.emulator.importBehaviour.set(arn, { submitMs: 5_000, trainMs: seconds * 1000 - 5_000 });
      return arn;
    });
    const models = Object.fromEntries(sources.map((arn, i) => [`Model${i}`, { sourceModelArn: arn }]));
    const result = await h.driver().deploy(h.stack(models));
    if (result.status !== 'COMPLETE') {
      throw new Error(`the readiness deploy failed: ${result.failures.join('; ')}`);
    }
    const imports = importSeconds.map((seconds, i): ImportReadiness => {
      const outcome = result.outcomes.find(o => o.logicalId.startsWith(`Model${i}`) && o.requestType === 'Create')!;
      const copy = h.emulator.model(outcome.physicalResourceId!)!;
      const trainedAt = copy.submittedAt + copy.submitMs + copy.trainMs;
      // In the order they were answered: the ImportModel of the source, and every call naming the copy.
      const calls = h.emulator.calls.filter(c => c.service === 'comprehend'
        && (c.input.SourceModelArn === sources[i] || c.input.DocumentClassifierArn === copy.arn || c.input.ResourceArn === copy.arn));
      const imported = calls.findIndex(c => c.operation === 'ImportModel');
      const describes = calls.map((c, index) => ({ c, index })).filter(({ c }) => c.operation === 'DescribeDocumentClassifier');
      const lookupCalls = describes.filter(({ index }) => index < imported).length;
      const describeCalls = describes.length - lookupCalls;
      const importModelCalls = calls.filter(c => c.operation === 'ImportModel').length;
      return {
        importSeconds: seconds,
        detectedAfterSeconds: (outcome.answeredAt - trainedAt) / 1000,
        lookupCalls,
        importModelCalls,
        describeCalls,
        describeBound: Math.ceil(seconds / QUERY_INTERVAL_SECONDS) + 1,
        otherCalls: calls.length - describes.length - importModelCalls,
        cloudFormationCalls: h.emulator.calls.filter(c => c.service === 'cloudformation' && c.input.LogicalResourceId === outcome.logicalId).length,
      };
    });
    return { intervalSeconds: QUERY_INTERVAL_SECONDS, imports };
  } finally {
    await h.stop();
  }
}

/**
 * Many imports in one stack at once, optionally against a Comprehend limited to `maxPerSecond` per operation, and
 * optionally without the stack's window for ImportModel (every import calling it at once, as before issue 22).
 */
export async function measureBulkDeploy(models: number, options: LoadOptions = {}): Promise<LoadFigures> {
  const figures = await runLoad(models, options);
  if (figures.status !== 'COMPLETE' || figures.trained !== models) {
    throw new Error(`the ${models}-model deploy failed: ${figures.failures.join('; ')}`);
  }
  return figures;
}
