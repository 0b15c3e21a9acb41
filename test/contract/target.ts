// The other side of the contract tests: the project's emulator (the default, what every build runs) or two real AWS
// accounts (CONTRACT_TARGET=aws, which only `npx projen contract:aws` sets, after its opt-in check). The tests see
// this interface and the AWS SDK v3 clients it hands out, nothing else, so the same test code checks both sides.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ComprehendClient } from '@aws-sdk/client-comprehend';
import { openAwsTarget } from './aws/aws-target';
import { openEmulatorTarget } from './emulator-target';

/** One of the two accounts, as its full-rights caller (the profile's, or an unrestricted emulator key). */
export interface ContractAccount {
  readonly accountId: string;
  readonly comprehend: ComprehendClient;
}

/** An identity-based policy statement, as IAM's JSON. */
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** What is there only in real accounts: the tests of behaviours the emulator does not model use them. */
export interface AwsOnlyClients {
  /** The importer account's CloudWatch, for the idle endpoint's metric. */
  readonly importerCloudWatch: CloudWatchClient;
  /** The importer account's CloudFormation, for the rollback rows. */
  readonly importerCloudFormation: CloudFormationClient;
  /** The importer account's CloudWatch Logs, where the rollback rows' function writes what it saw. */
  readonly importerLogs: CloudWatchLogsClient;
  /** A customer managed key of the importer account made for the run. */
  readonly importerKeyArn: string;
  /** A role Comprehend may assume with exactly the library's import service-role permissions on that key (src/private/service-role.ts). */
  readonly importerImportRoleArn: string;
  /** A role Comprehend may assume with exactly the library's endpoint data-access-role permissions on that key. */
  readonly importerEndpointRoleArn: string;
}

export interface ContractTarget {
  readonly kind: 'emulator' | 'aws';
  readonly region: string;
  readonly partition: string;
  /** The account that trained the source model and shares it. */
  readonly sharer: ContractAccount;
  /** The account that imports it. */
  readonly importer: ContractAccount;
  /**
   * A trained document classifier version of the sharer, with evaluation metrics, under an AWS owned key. The tests put
   * and delete its resource-based policy (each test that needs a share makes it), and import it.
   */
  readonly sourceClassifierArn: string;
  /** Undefined on the emulator, which does not model CloudWatch, CloudFormation's rollbacks or KMS. */
  readonly awsOnly?: AwsOnlyClients;
  /**
   * A Comprehend client of the importer account whose caller has `statements` as its only identity-based policy (an
   * emulator key with that policy; on AWS a role made for the test, named after `purpose`, deleted by close()).
   */
  clientWithPolicy(purpose: string, statements: readonly Statement[]): Promise<ComprehendClient>;
  /** Lets `ms` pass: the emulator's clock moves on at once; on AWS it is real time. */
  wait(ms: number): Promise<void>;
  /** Now on the other side's clock (epoch milliseconds), to compare with the times it reports. */
  now(): number;
  /**
   * A name unique to this run for what a test creates, saying what it is: `contract-PURPOSE-RUN`, within `maxLength`
   * characters (63, a model's; an endpoint's is 40), shortened in PURPOSE so that the run's part stays whole.
   */
  name(purpose: string, maxLength?: number): string;
  /** A cleanup, run by close() in reverse order of registration, whether the test passed or not. */
  onClose(cleanup: () => Promise<void>): void;
  /** Runs every cleanup (each one's failure is collected and thrown at the end, after the others ran). */
  close(): Promise<void>;
}

/** The target CONTRACT_TARGET names: `emulator` (the default) or `aws`. */
export async function openTarget(): Promise<ContractTarget> {
  const kind = process.env.CONTRACT_TARGET ?? 'emulator';
  switch (kind) {
    case 'emulator':
      return openEmulatorTarget();
    case 'aws':
      return openAwsTarget();
    default:
      throw new Error(`CONTRACT_TARGET=${kind}: expected 'emulator' (the default) or 'aws' (which only npx projen contract:aws sets)`);
  }
}
