// What every lifecycle scenario needs: accounts, shared source models, the emulator, the clock and a driver.
import { randomUUID } from 'crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { App, Stack } from 'aws-cdk-lib';
import { ImportedComprehendModel, ImportedComprehendModelProps } from '../../src';
import { ComprehendEmulator } from '../support/comprehend-emulator';
import { DeployDriver, DeployDriverOptions } from '../support/deploy-driver';
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
  /**
   * The cancelled requests of every driver made here run on until they end, then the emulator stops and the clock is
   * restored (which fails when a handler was left asleep).
   */
  settleAll(): Promise<void>;
  /** A fresh definition of an importer stack (the same name again is an update of the same stack). */
  stack(models: Record<string, Partial<ImportedComprehendModelProps>>, account?: string, stackName?: string): Stack;
  /**
   * What `account` (the importer by default) holds now, sorted: each copy with its status, each endpoint with its
   * status and the copy it serves (`document-classifier-endpoint/NAME IN_SERVICE on document-classifier/…`).
   */
  leftInAccount(account?: string): string[];
  /**
   * The changes IAM refused (mutating Comprehend calls answered AccessDeniedException): a handler that tried to change
   * what does not carry its stack's ownership tag shows here.
   */
  refusedChanges(): string[];
  /**
   * The status of the stack `driver` deploys, as CloudFormation answers DescribeStacks (by its stack id) to the account
   * that owns it: CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, DELETE_COMPLETE once deleted, and so on.
   */
  stackStatus(driver: DeployDriver, account?: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** The Comprehend calls that change something, which IAM allows only on what carries the stack's ownership tag. */
const MUTATING = /^(ImportModel|CreateEndpoint|UpdateEndpoint|Delete|StopTraining|TagResource|UntagResource)/;

/**
 * Starts the emulator with the sharer's models (shared with the importer unless told otherwise) and a clock
 * that tests move.
 */
export async function startHarness(seed = 7, shareWithImporter = true, options: { recordCalls?: boolean } = {}): Promise<Harness> {
  const { log, info, warn } = console;
  // The handlers log every request and every call they make (INFO, WARN); the outcomes say what matters here.
  console.log = console.info = console.warn = () => undefined;
  const clock = new VirtualClock().install();
  const emulator = await ComprehendEmulator.start({ accessKeys: ACCESS_KEYS, now: () => clock.now(), deleteMs: 30_000, seed, ...options });
  for (const arn of [SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, OTHER_SOURCE_CLASSIFIER, SOURCE_RECOGNIZER]) {
    emulator.addTrainedModel(arn, { sharedWith: shareWithImporter ? [`arn:aws:iam::${IMPORTER}:root`] : undefined });
  }
  const drivers: DeployDriver[] = [];
  // IAM enforced: each handler role calls with a key of its own, under the template's policies; the handlers read their
  // resources' records from the emulator too.
  const newDriver = (driverOptions: Omit<DeployDriverOptions, 'endpoint' | 'clock' | 'iam' | 'records'>) => {
    const driver = new DeployDriver({ endpoint: emulator.endpoint, clock, iam: emulator, records: emulator, ...driverOptions });
    drivers.push(driver);
    return driver;
  };
  const settleAll = async () => {
    for (const driver of drivers) {
      await driver.settle();
    }
  };
  const leftInAccount = (account = IMPORTER) => [
    ...emulator.modelsOf(account).map(m => `${m.arn.split(':').pop()} ${emulator.statusOf(m)}`),
    ...emulator.endpointsOf(account).map(e => `${e.arn.split(':').pop()} ${e.status} on ${e.modelArn.split(':').pop()}`),
  ].sort();
  const refusedChanges = () => emulator.calls
    .filter(c => c.service === 'comprehend' && MUTATING.test(c.operation) && c.outcome === 'AccessDeniedException')
    .map(c => `${c.operation} ${JSON.stringify(c.input)}`);
  const stackStatus = async (driver: DeployDriver, account = IMPORTER) => {
    const cloudFormation = new CloudFormationClient({
      endpoint: emulator.endpoint,
      region: driver.stackId.split(':')[3],
      credentials: { accessKeyId: KEY_OF[account], secretAccessKey: 'emulator-secret' },
      maxAttempts: 1,
    });
    try {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: driver.stackId }));
      return Stacks?.[0]?.StackStatus;
    } finally {
      cloudFormation.destroy();
    }
  };
  return {
    leftInAccount,
    refusedChanges,
    stackStatus,
    emulator,
    clock,
    driver: (account = IMPORTER, stackExports = {}, onPoll) => newDriver({ accessKeyId: KEY_OF[account], exports: stackExports, onPoll }),
    stackSetInstance: (account, region = REGION) => newDriver({
      accessKeyId: KEY_OF[account],
      instance: { account, region, stackName: `StackSet-model-copy-${randomUUID()}` },
    }),
    settleAll,
    stack: (models, account = IMPORTER, stackName = 'Importer') => {
      const stack = new Stack(new App(), stackName, { env: { account, region: REGION } });
      for (const [id, props] of Object.entries(models)) {
        new ImportedComprehendModel(stack, id, { sourceModelArn: SOURCE_CLASSIFIER, ...props });
      }
      return stack;
    },
    stop: async () => {
      try {
        // A cancelled request's waiter left polling would act after the test, and a handler left asleep fails restore().
        await settleAll();
      } finally {
        await emulator.stop();
        // Before restore(), which throws when a handler was left asleep: the rest of the file logs again either way.
        Object.assign(console, { log, info, warn });
        clock.restore();
      }
    },
  };
}
