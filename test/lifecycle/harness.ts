// What every lifecycle scenario needs: accounts, shared source models, the emulator, the clock and a driver.
import { randomUUID } from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { ImportedComprehendModel, ImportedComprehendModelProps } from '../../src';
import { ComprehendEmulator } from '../support/comprehend-emulator';
import { DeployDriver } from '../support/deploy-driver';
import {
  IMPORTER,
  OTHER_SOURCE_CLASSIFIER,
  REGION,
  SHARER,
  SOURCE_CLASSIFIER,
  SOURCE_CLASSIFIER_V2,
  SOURCE_RECOGNIZER,
  STRANGER,
} from '../support/fixtures';
import { VirtualClock } from '../support/virtual-clock';

export const ACCESS_KEYS: Record<string, string> = {
  AKIASHARER00000000000: SHARER,
  AKIAIMPORTER000000000: IMPORTER,
  AKIASTRANGER000000000: STRANGER,
};
const KEY_OF = Object.fromEntries(Object.entries(ACCESS_KEYS).map(([key, account]) => [account, key]));

export interface Harness {
  readonly emulator: ComprehendEmulator;
  readonly clock: VirtualClock;
  /** A driver deploying as `account`, with the stack exports it may import; `onPoll` looks at every round of polls. */
  driver(account?: string, stackExports?: Record<string, string>, onPoll?: () => void): DeployDriver;
  /**
   * A driver deploying an environment-agnostic template as one stack instance of a StackSet does: in `account` and
   * `region`, its stack named `StackSet-NAME-UUID`. Each call is a new stack (a new StackId), as a failed instance's
   * stack created again is.
   */
  stackSetInstance(account: string, region?: string): DeployDriver;
  /** A fresh definition of an importer stack (the same name again is an update of the same stack). */
  stack(models: Record<string, Partial<ImportedComprehendModelProps>>, account?: string, stackName?: string): Stack;
  stop(): Promise<void>;
}

/**
 * Starts the emulator with the sharer's models (shared with the importer unless told otherwise) and a clock
 * that tests move.
 */
export async function startHarness(seed = 7, shareWithImporter = true, options: { recordCalls?: boolean } = {}): Promise<Harness> {
  const log = console.log;
  // The handlers log every event they receive; the outcomes say what matters here.
  console.log = () => undefined;
  const clock = new VirtualClock().install();
  const emulator = await ComprehendEmulator.start({ accessKeys: ACCESS_KEYS, now: () => clock.now(), deleteMs: 30_000, seed, ...options });
  for (const arn of [SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, OTHER_SOURCE_CLASSIFIER, SOURCE_RECOGNIZER]) {
    emulator.addTrainedModel(arn, { sharedWith: shareWithImporter ? [`arn:aws:iam::${IMPORTER}:root`] : undefined });
  }
  return {
    emulator,
    clock,
    driver: (account = IMPORTER, stackExports = {}, onPoll) =>
      // IAM enforced: each handler role calls with a key of its own, under the template's policies.
      new DeployDriver({ endpoint: emulator.endpoint, accessKeyId: KEY_OF[account], clock, exports: stackExports, onPoll, iam: emulator }),
    stackSetInstance: (account, region = REGION) => new DeployDriver({
      endpoint: emulator.endpoint,
      accessKeyId: KEY_OF[account],
      clock,
      iam: emulator,
      instance: { account, region, stackName: `StackSet-model-copy-${randomUUID()}` },
    }),
    stack: (models, account = IMPORTER, stackName = 'Importer') => {
      const stack = new Stack(new App(), stackName, { env: { account, region: REGION } });
      for (const [id, props] of Object.entries(models)) {
        new ImportedComprehendModel(stack, id, { sourceModelArn: SOURCE_CLASSIFIER, ...props });
      }
      return stack;
    },
    stop: async () => {
      await emulator.stop();
      // Before restore(), which throws when a handler was left asleep: the rest of the file logs again either way.
      console.log = log;
      clock.restore();
    },
  };
}
