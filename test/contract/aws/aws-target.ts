// The contract tests' target in two real AWS accounts (CONTRACT_TARGET=aws, set by `npx projen contract:aws`, which
// made the fixtures this reads from CONTRACT_AWS_FIXTURES). Not run against AWS yet (docs/contract-aws.md).
import * as fs from 'fs';
import type { ContractTarget, Statement } from '../target';
import type { AwsFixtures } from './environment';
import { runScopedName } from './plan';

/** How long IAM may take before a new role can be assumed (usually 10-15 s). */
const ASSUME_ROLE_PROPAGATION_MS = 60_000;

export function readFixtures(env: NodeJS.ProcessEnv = process.env): AwsFixtures {
  const file = env.CONTRACT_AWS_FIXTURES;
  if (!file) {
    throw new Error('CONTRACT_TARGET=aws needs CONTRACT_AWS_FIXTURES, the fixtures a run made: run the contract tests against AWS ' +
      'through npx projen contract:aws (docs/contract-aws.md), not with jest directly');
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as AwsFixtures;
}

export async function openAwsTarget(): Promise<ContractTarget> {
  const fixtures = readFixtures();
  // Loaded here, not at the top: target.ts imports this module in every build, which needs none of them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { CloudFormationClient }: typeof import('@aws-sdk/client-cloudformation') = require('@aws-sdk/client-cloudformation');
  const { CloudWatchClient }: typeof import('@aws-sdk/client-cloudwatch') = require('@aws-sdk/client-cloudwatch');
  const { ComprehendClient }: typeof import('@aws-sdk/client-comprehend') = require('@aws-sdk/client-comprehend');
  const { CreateRoleCommand, IAMClient, PutRolePolicyCommand }: typeof import('@aws-sdk/client-iam') = require('@aws-sdk/client-iam');
  const { AssumeRoleCommand, STSClient }: typeof import('@aws-sdk/client-sts') = require('@aws-sdk/client-sts');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { region, partition, runId } = fixtures;
  // Comprehend without retries: a contract test sees the service's first answer (a throttling or a conflict is what
  // some rows are about; the SDK's retries would hide it). The other clients are the fixtures' plumbing: 3 attempts.
  const comprehend = (profile: string) => new ComprehendClient({ profile, region, maxAttempts: 1 });
  const plumbing = { profile: fixtures.importerProfile, region, maxAttempts: 3 };
  const iam = new IAMClient(plumbing);
  const sts = new STSClient(plumbing);
  const cleanups: Array<() => Promise<void>> = [];
  const onClose = (cleanup: () => Promise<void>) => {
    cleanups.push(cleanup);
  };

  return {
    kind: 'aws',
    region,
    partition,
    sharer: { accountId: fixtures.sharerAccount, comprehend: comprehend(fixtures.sharerProfile) },
    importer: { accountId: fixtures.importerAccount, comprehend: comprehend(fixtures.importerProfile) },
    sourceClassifierArn: fixtures.sourceClassifierArn,
    awsOnly: {
      importerCloudWatch: new CloudWatchClient(plumbing),
      importerCloudFormation: new CloudFormationClient(plumbing),
      importerKeyArn: fixtures.importerKeyArn,
      importerDataAccessRoleArn: fixtures.importerDataAccessRoleArn,
    },
    async clientWithPolicy(purpose: string, statements: readonly Statement[]) {
      // A suffix of its own: two tests of one run may ask for the same purpose, and a role not yet deleted keeps its name.
      const roleName = runScopedName(`${purpose}-${Math.random().toString(36).slice(2, 6)}`, runId, 64);
      const role = await iam.send(new CreateRoleCommand({
        RoleName: roleName,
        Description: `contract:aws run ${runId}: a caller whose only identity-based policy is the test's`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${fixtures.importerAccount}:root` }, Action: 'sts:AssumeRole' }],
        }),
        Tags: [{ Key: 'contract-aws', Value: runId }],
      }));
      // Registered before the next call: a failure from here on still deletes the role.
      onClose(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { deleteTestRole }: typeof import('./fixtures') = require('./fixtures');
        await deleteTestRole(iam, roleName);
      });
      await iam.send(new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'TheTestsPolicy',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }));
      const deadline = Date.now() + ASSUME_ROLE_PROPAGATION_MS;
      for (;;) {
        try {
          const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'contract', DurationSeconds: 3600 }));
          const c = assumed.Credentials!;
          return new ComprehendClient({
            region,
            maxAttempts: 1,
            credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration },
          });
        } catch (error) {
          if ((error as { name?: string }).name !== 'AccessDenied' || Date.now() > deadline) {
            throw error;
          }
          // IAM's propagation: the new role (or its trust policy) is not yet visible to STS.
          await new Promise(resolve => setTimeout(resolve, 3000));
        }
      }
    },
    async wait(ms: number) {
      await new Promise(resolve => setTimeout(resolve, ms));
    },
    now: () => Date.now(),
    name: (purpose: string) => runScopedName(purpose, runId),
    onClose,
    async close() {
      const failures: unknown[] = [];
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch(error => failures.push(error));
      }
      cleanups.length = 0;
      if (failures.length > 0) {
        throw new AggregateError(failures, `${failures.length} cleanup(s) failed (the run's sweep tries again by name)`);
      }
    },
  };
}
