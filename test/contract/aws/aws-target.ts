// The contract tests' target in two real AWS accounts (CONTRACT_TARGET=aws, set by `npx projen contract:aws`, which
// made the fixtures this reads from CONTRACT_AWS_FIXTURES). Not run against AWS yet (docs/contract-aws.md).
import { AsyncResource } from 'async_hooks';
import * as fs from 'fs';
import { stopIfAbandoned } from '../observation';
import type { AwsOnlyClients, ContractTarget, Statement } from '../target';
import { TAG_KEY } from './environment';
import type { AwsFixtures } from './environment';
import { runScopedName } from './plan';
import { NAME_MAX_LENGTH } from '../../../src/contract/model-arn';

/** How long IAM may take before a new role can be assumed (usually 10-15 s). */
const ASSUME_ROLE_PROPAGATION_MS = 60_000;
/**
 * How long to wait once AssumeRole has succeeded. IAM is eventually consistent: STS accepting the role shows that the role
 * and its trust policy have reached STS, not that its inline policy has reached Comprehend's authorization. A call made
 * at once could be denied by a policy that allows it (or allowed by one not yet in force), and the row would then be
 * reported "differs" falsely. AWS documents no bound; 15 s is the usual propagation delay, waited once per role.
 */
const POLICY_PROPAGATION_MS = 15_000;

/** The part of an SDK v3 client's middleware stack used here: a step that sees each command's input and output. */
interface InitializeStack {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<{ output: Record<string, unknown> }>,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<{ output: Record<string, unknown> }>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** The commands that create what the tests make, and the field of the answer that names it. */
const CREATES: Readonly<Record<string, string>> = { ImportModelCommand: 'ModelArn', CreateEndpointCommand: 'EndpointArn' };

/**
 * Every client the target hands out refuses to send anything for an observation its test gave up on
 * (observation.ts): the middleware runs first, before the request is built or signed. Cleanups run outside any
 * observation (close(), or the scope the target was opened in), so it never stops them.
 */
export function stopWhenAbandoned<C extends { middlewareStack: unknown }>(client: C): C {
  (client.middlewareStack as InitializeStack).add(next => async args => {
    stopIfAbandoned();
    return next(args);
  }, { step: 'initialize', name: 'contractAwsStopIfAbandoned' });
  return client;
}

/** Sleeps `ms`, refusing to start or go on (after it) for an observation its test gave up on. */
export async function observedSleep(ms: number): Promise<void> {
  stopIfAbandoned();
  await new Promise(resolve => setTimeout(resolve, ms));
  stopIfAbandoned();
}

/**
 * The target's cleanups, and the copies and endpoints made by restricted clients (clientWithPolicy), which are tagged
 * with the run's tag when close() begins. They are not tagged as they are made: a test that reads the tags of what it
 * made (tags-applied-at-creation) must see what the call under test wrote, not a write of the target's. Tagged before
 * the cleanups run, they carry the tag should a cleanup fail, and the sweep finds them.
 *
 * close() runs the cleanups in reverse order of registration, those registered while it runs included (each after
 * the ones still waiting); once it has ended, onClose runs a cleanup at once (an observation its test gave up on may
 * still register one), in `outside`: the scope the target was opened in, out of any observation, so that its calls are
 * not refused. Its failure is written to stderr (no one is left to report it to; the sweep tries again by name).
 */
export class Cleanups {
  private readonly pending: Array<() => Promise<void>> = [];
  private readonly untagged: string[] = [];
  private closed = false;

  constructor(
    private readonly tag: (arn: string) => Promise<void>,
    private readonly outside: AsyncResource = new AsyncResource('contract-aws-cleanups'),
    private readonly warn: (line: string) => void = line => process.stderr.write(line + '\n'),
  ) {}

  /** Registers `cleanup`; after close(), runs it at once (and the returned promise ends with it). */
  onClose(cleanup: () => Promise<void>): Promise<void> {
    if (!this.closed) {
      this.pending.push(cleanup);
      return Promise.resolve();
    }
    return this.outside.runInAsyncScope(() => cleanup().catch(error =>
      this.warn(`contract:aws: a cleanup registered after the test closed failed (the sweep tries again): ${String(error)}`)));
  }

  /** A copy or endpoint a restricted client made: tagged when close() begins (at once, after it). */
  created(arn: string): Promise<void> {
    if (!this.closed) {
      this.untagged.push(arn);
      return Promise.resolve();
    }
    return this.outside.runInAsyncScope(() => this.tagged(arn));
  }

  private async tagged(arn: string): Promise<void> {
    await this.tag(arn).catch(error => this.warn(`contract:aws: could not tag ${arn} with the run's ${TAG_KEY} tag ` +
      `(if its cleanup fails, the sweep leaves it): ${String(error)}`));
  }

  async close(): Promise<void> {
    const failures: unknown[] = [];
    // Tagging first, also of what a cleanup's wait lets a late call make; neither step throws.
    for (;;) {
      const arn = this.untagged.shift();
      if (arn !== undefined) {
        await this.tagged(arn);
        continue;
      }
      const cleanup = this.pending.pop();
      if (!cleanup) {
        break;
      }
      await cleanup().catch(error => failures.push(error));
    }
    this.closed = true;
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} cleanup(s) failed (the run's sweep tries again by name)`);
    }
  }
}

function readFixtures(env: NodeJS.ProcessEnv = process.env): AwsFixtures {
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
  const { CloudWatchLogsClient }: typeof import('@aws-sdk/client-cloudwatch-logs') = require('@aws-sdk/client-cloudwatch-logs');
  const { ComprehendClient, TagResourceCommand }: typeof import('@aws-sdk/client-comprehend') = require('@aws-sdk/client-comprehend');
  const { CreateRoleCommand, IAMClient, PutRolePolicyCommand }: typeof import('@aws-sdk/client-iam') = require('@aws-sdk/client-iam');
  const { AssumeRoleCommand, STSClient }: typeof import('@aws-sdk/client-sts') = require('@aws-sdk/client-sts');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { region, partition, runId } = fixtures;
  // Comprehend without retries: a contract test sees the service's first answer (a throttling or a conflict is what
  // some rows are about; the SDK's retries would hide it). The other clients are the fixtures' plumbing: 3 attempts.
  const comprehend = (profile: string) => stopWhenAbandoned(new ComprehendClient({ profile, region, maxAttempts: 1 }));
  const plumbing = { profile: fixtures.importerProfile, region, maxAttempts: 3 };
  // clientWithPolicy's IAM and STS calls are refused for an abandoned observation too (its role's deletion, a cleanup,
  // runs outside any observation).
  const iam = stopWhenAbandoned(new IAMClient(plumbing));
  const sts = stopWhenAbandoned(new STSClient(plumbing));
  const tagger = new ComprehendClient(plumbing);
  const runTag = { Key: TAG_KEY, Value: runId };

  // Ownership: what the tests make in the importer account carries contract-aws=RUNID, so that the sweep (and
  // --cleanup-only) may delete it. The importer's full client adds the tag to the request; a client restricted to a
  // test's policy (which may deny comprehend:TagResource, or allow only the call under test) is left as it is, and the
  // copy or endpoint it made is tagged by the full rights when the test closes (Cleanups; best effort: untagged, the
  // sweep leaves it and says so).
  const cleanups = new Cleanups(async arn => {
    await tagger.send(new TagResourceCommand({ ResourceArn: arn, Tags: [runTag] }));
  });
  type Tagged = { Tags?: Array<{ Key?: string; Value?: string }> };
  const tagInRequest = (client: { middlewareStack: unknown }, commands: readonly string[]) =>
    (client.middlewareStack as InitializeStack).add((next, context) => async args => {
      const input = args.input as Tagged;
      if (commands.includes(context.commandName ?? '') && !(input.Tags ?? []).some(t => t.Key === TAG_KEY)) {
        args = { ...args, input: { ...input, Tags: [...input.Tags ?? [], runTag] } };
      }
      return next(args);
    }, { step: 'initialize', name: 'contractAwsRunTag' });
  const recordCreated = (client: { middlewareStack: unknown }) =>
    (client.middlewareStack as InitializeStack).add((next, context) => async args => {
      const result = await next(args);
      const field = CREATES[context.commandName ?? ''];
      const arn = field ? result.output[field] : undefined;
      if (typeof arn === 'string') {
        await cleanups.created(arn);
      }
      return result;
    }, { step: 'initialize', name: 'contractAwsRecordCreated' });
  const importerComprehend = comprehend(fixtures.importerProfile);
  tagInRequest(importerComprehend, Object.keys(CREATES));
  // Made when a test first reads awsOnly (only the AWS-only rows do), then kept. The getter reads this closure, not
  // `this`: assumption.ts hands tests Object.create(target), through which it runs with `this` the wrapper.
  let awsOnly: AwsOnlyClients | undefined;
  const onClose = (cleanup: () => Promise<void>) => cleanups.onClose(cleanup);

  return {
    kind: 'aws',
    region,
    partition,
    sharer: { accountId: fixtures.sharerAccount, comprehend: comprehend(fixtures.sharerProfile) },
    importer: { accountId: fixtures.importerAccount, comprehend: importerComprehend },
    sourceClassifierArn: fixtures.sourceClassifierArn,
    get awsOnly(): AwsOnlyClients {
      if (!awsOnly) {
        const importerCloudFormation = stopWhenAbandoned(new CloudFormationClient(plumbing));
        // The stacks the tests create carry the run's tag (CloudFormation passes it on to their resources).
        tagInRequest(importerCloudFormation, ['CreateStackCommand']);
        awsOnly = {
          importerCloudWatch: stopWhenAbandoned(new CloudWatchClient(plumbing)),
          importerCloudFormation,
          importerLogs: stopWhenAbandoned(new CloudWatchLogsClient(plumbing)),
          importerKeyArn: fixtures.importerKeyArn,
          importerImportRoleArn: fixtures.importerImportRoleArn,
          importerEndpointRoleArn: fixtures.importerEndpointRoleArn,
        };
      }
      return awsOnly;
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
        Tags: [runTag],
      }));
      // Registered before the next call: a failure from here on still deletes the role (at once, if the test has closed).
      await onClose(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { deleteTestRole }: typeof import('./fixtures') = require('./fixtures');
        await deleteTestRole(iam, roleName, runId);
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
          await observedSleep(POLICY_PROPAGATION_MS);
          const restricted = stopWhenAbandoned(new ComprehendClient({
            region,
            maxAttempts: 1,
            credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration },
          }));
          recordCreated(restricted);
          return restricted;
        } catch (error) {
          if ((error as { name?: string }).name !== 'AccessDenied' || Date.now() > deadline) {
            throw error;
          }
          // IAM's propagation: the new role (or its trust policy) is not yet visible to STS.
          await observedSleep(3000);
        }
      }
    },
    async wait(ms: number) {
      await observedSleep(ms);
    },
    now: () => Date.now(),
    name: (purpose: string, maxLength = NAME_MAX_LENGTH) => runScopedName(purpose, runId, maxLength),
    onClose,
    close: () => cleanups.close(),
  };
}
