// The contract tests' default target: the project's Comprehend emulator on loopback, with two accounts and a trained,
// unshared classifier in the sharer's. Its clock moves only when a test waits, so an import's minutes take none.
import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { ContractTarget, Statement } from './target';
import { NAME_MAX_LENGTH } from '../../src/contract/model-arn';
import { ComprehendEmulator } from '../support/comprehend-emulator';

const REGION = 'us-west-2';
const SHARER = '111122223333';
const IMPORTER = '444455556666';
const SHARER_KEY = 'contract-sharer';
const IMPORTER_KEY = 'contract-importer';

/** What the source classifier reports, as a classifier trained on a tiny set might. */
const SOURCE_METRICS = {
  Accuracy: 0.9, Precision: 0.88, Recall: 0.87, F1Score: 0.875, MicroPrecision: 0.9, MicroRecall: 0.9, MicroF1Score: 0.9, HammingLoss: 0.1,
};

export async function openEmulatorTarget(): Promise<ContractTarget> {
  let now = Date.parse('2026-06-01T00:00:00.000Z');
  const emulator = await ComprehendEmulator.start({ accessKeys: { [SHARER_KEY]: SHARER, [IMPORTER_KEY]: IMPORTER }, now: () => now });
  const sourceClassifierArn = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/contract-source/version/v1`;
  emulator.addTrainedModel(sourceClassifierArn, { evaluationMetrics: SOURCE_METRICS });
  // No retries: a contract test sees the service's first answer.
  const client = (accessKeyId: string) => new ComprehendClient({
    endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey: 'emulator-secret' }, maxAttempts: 1,
  });
  const cleanups: Array<() => Promise<void>> = [];
  let policies = 0;
  return {
    kind: 'emulator',
    region: REGION,
    partition: 'aws',
    sharer: { accountId: SHARER, comprehend: client(SHARER_KEY) },
    importer: { accountId: IMPORTER, comprehend: client(IMPORTER_KEY) },
    sourceClassifierArn,
    async clientWithPolicy(purpose: string, statements: readonly Statement[]) {
      const key = `contract-${purpose}-${++policies}`;
      emulator.addAccessKey(key, IMPORTER);
      emulator.setIdentityPolicy(key, statements as any, `arn:aws:sts::${IMPORTER}:assumed-role/contract-${purpose}/contract`);
      return client(key);
    },
    async wait(ms: number) {
      now += ms;
    },
    now: () => now,
    name: (purpose: string, maxLength = NAME_MAX_LENGTH) => `contract-${purpose}`.slice(0, maxLength),
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
    async close() {
      const failures: unknown[] = [];
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch(error => failures.push(error));
      }
      await emulator.stop();
      if (failures.length > 0) {
        throw new AggregateError(failures, `${failures.length} cleanup(s) failed`);
      }
    },
  };
}
