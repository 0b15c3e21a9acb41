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
  readonly importModelCalls: number;
  readonly describeCalls: number;
  /** The most Describe calls an import of this length should take: one at once, then one per interval. */
  readonly describeBound: number;
  readonly otherCalls: number;
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
      const calls = h.emulator.calls.filter(c => c.input.SourceModelArn === sources[i] || c.input.DocumentClassifierArn === copy.arn);
      const describeCalls = calls.filter(c => c.operation === 'DescribeDocumentClassifier').length;
      const importModelCalls = calls.filter(c => c.operation === 'ImportModel').length;
      return {
        importSeconds: seconds,
        detectedAfterSeconds: (outcome.answeredAt - trainedAt) / 1000,
        importModelCalls,
        describeCalls,
        describeBound: Math.ceil(seconds / QUERY_INTERVAL_SECONDS) + 1,
        otherCalls: calls.length - describeCalls - importModelCalls,
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
