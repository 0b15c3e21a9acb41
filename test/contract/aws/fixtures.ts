// The AWS side's fixtures: the trained source classifier of the sharer (trained once, reused by name), the importer's
// key and data access role for the run, and the sweep that deletes what a run (or a crashed one) left, found by name.
// Only run-contract.ts and run-integ.ts load this module, after their opt-in check: it loads the SDK clients.
// Nothing here has run against AWS yet (docs/contract-aws.md); what can be checked without AWS is in the pure
// functions (trainingDocuments, importerStackTemplate, Teardown), which run-contract.test.ts covers.
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, ListStacksCommand, StackStatus,
  waitUntilStackCreateComplete, waitUntilStackDeleteComplete,
} from '@aws-sdk/client-cloudformation';
import {
  ComprehendClient, CreateDocumentClassifierCommand, DeleteDocumentClassifierCommand, DeleteEndpointCommand,
  DeleteResourcePolicyCommand, DocumentClassifierProperties, ListDocumentClassifiersCommand, ListEndpointsCommand,
  StopTrainingDocumentClassifierCommand,
} from '@aws-sdk/client-comprehend';
import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, IAMClient, ListRolePoliciesCommand,
  ListRolesCommand, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutBucketEncryptionCommand,
  PutObjectCommand, PutPublicAccessBlockCommand, S3Client, BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsContractEnvironment, AwsFixtures } from './environment';
import { RUN_NAME, TRAINING_SET, runNames, sourceNames } from './plan';

export type Log = (line: string) => void;

/** The tag every resource this tool makes carries: the run's id, or `source` for the kept source's resources. */
export const TAG_KEY = 'contract-aws';

// ---------------------------------------------------------------------------------------------------------------
// Pure parts (tested here, without AWS)

/**
 * The training set: TRAINING_SET.documentsPerLabel distinct one-line documents for each of its two labels, as
 * Comprehend's multi-class CSV (`LABEL,document`, no header). See TRAINING_SET for where the minimum comes from.
 */
export function trainingDocuments(): string {
  const places = ['Lisbon', 'Oslo', 'Denver', 'Osaka', 'Nairobi', 'Lima', 'Perth', 'Quebec'];
  const skies = ['heavy rain', 'light snow', 'clear skies', 'thick fog', 'strong gusts', 'hail', 'drizzle', 'a heat wave',
    'thunderstorms', 'freezing rain'];
  const teams = ['the Harbor Hawks', 'the Valley Wolves', 'the City Comets', 'the River Rangers', 'the Mountain Bears',
    'the Coast Sharks', 'the Desert Foxes', 'the Forest Owls'];
  const plays = ['won the final in extra time', 'scored twice in the second half', 'lost the derby on penalties',
    'signed a new goalkeeper', 'drew at home after a late equalizer', 'topped the league table', 'sacked their coach',
    'broke the attendance record', 'beat the champions away', 'lost their captain to injury'];
  const [weather, sports] = TRAINING_SET.labels;
  const lines: string[] = [];
  for (let i = 0; i < TRAINING_SET.documentsPerLabel; i++) {
    const a = i % places.length;
    const b = Math.floor(i / places.length) % skies.length;
    lines.push(`${weather},"The forecast for ${places[a]} calls for ${skies[b]} tomorrow, with temperatures around ${5 + (i % 20)} degrees."`);
    lines.push(`${sports},"Last night ${teams[a]} ${plays[b]}, and the fans celebrated until midnight after match ${i + 1}."`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The importer's fixtures for one run, as one CloudFormation stack (no KMS client is among the project's dev
 * dependencies; a stack also deletes its key and role together): a customer managed key that schedules its deletion with
 * the minimum 7-day window when the stack is deleted, its alias, and a data access role that Comprehend acting for the
 * importer may assume. The role's permissions mirror the library's service roles (src/private/service-role.ts): the
 * import's (kms:CreateGrant; kms:Decrypt and kms:GenerateDataKey with kms:ViaService s3.REGION.amazonaws.com) and the
 * endpoint's (kms:Decrypt; kms:CreateGrant with kms:GrantIsForAWSResource), so that the tests see what the library's
 * roles would be allowed.
 */
export function importerStackTemplate(account: string, partition: string, region: string, runId: string): Record<string, unknown> {
  const names = runNames(runId);
  const key = { 'Fn::GetAtt': ['Key', 'Arn'] };
  return {
    Description: `contract:aws run ${runId}: a KMS key and a Comprehend data access role on it (test/contract/aws/fixtures.ts)`,
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: {
          Description: `contract:aws run ${runId}: the importer's customer managed key`,
          PendingWindowInDays: 7,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [{ Sid: 'TheAccountsIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
          },
        },
      },
      Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: names.keyAlias, TargetKeyId: { Ref: 'Key' } } },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: names.dataAccessRole,
          Description: `contract:aws run ${runId}: the library's import and endpoint service-role permissions on the run's key`,
          AssumeRolePolicyDocument: comprehendTrust(account),
          Policies: [
            {
              PolicyName: 'ModelImportKeys',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: key },
                  {
                    Effect: 'Allow',
                    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                    Resource: key,
                    Condition: { StringEquals: { 'kms:ViaService': [`s3.${region}.amazonaws.com`] } },
                  },
                ],
              },
            },
            {
              PolicyName: 'ServedModelKey',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key },
                  { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: key, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
                ],
              },
            },
          ],
        },
      },
    },
    Outputs: {
      KeyArn: { Value: key },
      RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
    },
  };
}

/** Confused-deputy protection, as the library's service roles have it: only Comprehend acting for `account`. */
export function comprehendTrust(account: string) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'comprehend.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    }],
  };
}

/**
 * What to undo, in reverse order of registration: each step that creates something registers its undo before the next
 * step, so that a failure midway, or an interrupt, tears down what was made. run() runs each undo once, collects the
 * failures and goes on.
 */
export class Teardown {
  private readonly steps: Array<{ readonly what: string; readonly undo: () => Promise<void> }> = [];

  register(what: string, undo: () => Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** What is still to undo, in the order run() would undo it. */
  get pending(): string[] {
    return this.steps.map(s => s.what).reverse();
  }

  /** Undoes everything registered; returns what failed, with why. */
  async run(log: Log): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      log(`teardown: ${step.what}`);
      try {
        await step.undo();
      } catch (error) {
        failures.push(`${step.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return failures;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts

export interface Account {
  readonly profile: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  readonly comprehend: ComprehendClient;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly cloudFormation: CloudFormationClient;
}

/** One profile's clients (credentials from the shared config and credentials files), with the SDK's retries. */
export async function openAccount(profile: string, region: string): Promise<Account> {
  const config = { profile, region, maxAttempts: 3 };
  const identity = await new STSClient(config).send(new GetCallerIdentityCommand({}));
  return {
    profile,
    region,
    accountId: identity.Account!,
    partition: identity.Arn!.split(':')[1],
    comprehend: new ComprehendClient(config),
    iam: new IAMClient(config),
    s3: new S3Client(config),
    cloudFormation: new CloudFormationClient(config),
  };
}

/** Both accounts; refuses (throws) when the two profiles are the same account or in two partitions. */
export async function openAccounts(env: AwsContractEnvironment): Promise<{ sharer: Account; importer: Account }> {
  const [sharer, importer] = await Promise.all([openAccount(env.sharerProfile, env.region), openAccount(env.importerProfile, env.region)]);
  if (sharer.accountId === importer.accountId) {
    throw new RefusalError(`The profiles ${env.sharerProfile} and ${env.importerProfile} are both account ${sharer.accountId}: ` +
      'the contract tests need two accounts, since an import copies a model from another account. Nothing was created.');
  }
  if (sharer.partition !== importer.partition) {
    throw new RefusalError(`The sharer's account is in ${sharer.partition} and the importer's in ${importer.partition}: ` +
      'an import stays within one partition. Nothing was created.');
  }
  return { sharer, importer };
}

/** Why the command stops before it creates anything (exit 2, like the environment's refusals). */
export class RefusalError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Waiting

export interface WaitOptions {
  readonly log: Log;
  /** Set by the command's SIGINT handler: a wait stops at once. */
  readonly interrupted: () => boolean;
}

export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
  }
}

/** Sleeps `ms`, waking each second to see whether the run was interrupted. */
export async function sleep(ms: number, interrupted: () => boolean = () => false): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (interrupted()) {
      throw new InterruptedError();
    }
    await new Promise(resolve => setTimeout(resolve, Math.min(1000, until - Date.now())));
  }
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';
const ignore = (...names: string[]) => (error: unknown) => {
  if (!names.includes(errorName(error))) {
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// The source: sharer account, kept between runs

const TRAINED = ['TRAINED', 'TRAINED_WITH_WARNING'];
const IN_PROGRESS = ['SUBMITTED', 'TRAINING'];

async function classifierVersions(comprehend: ComprehendClient, name?: string): Promise<DocumentClassifierProperties[]> {
  const all: DocumentClassifierProperties[] = [];
  let NextToken: string | undefined;
  do {
    const Filter = name ? { DocumentClassifierName: name } : undefined;
    const page = await comprehend.send(new ListDocumentClassifiersCommand({ Filter, NextToken }));
    all.push(...page.DocumentClassifierPropertiesList ?? []);
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

/** The name of a classifier from its ARN (…:document-classifier/NAME or …/NAME/version/VERSION). */
export const classifierName = (arn: string) => arn.split(':document-classifier/')[1]?.split('/')[0] ?? '';

/**
 * The trained source classifier version: reused if one is trained, waited for if one is training, else trained (v1, or
 * the next version after failed ones) from the generated set, with its bucket and role made first when missing.
 */
export async function ensureSource(sharer: Account, options: WaitOptions & { readonly deadlineMinutes?: number }): Promise<string> {
  const names = sourceNames(sharer.accountId, sharer.region);
  const versions = await classifierVersions(sharer.comprehend, names.classifier);
  const newest = (list: DocumentClassifierProperties[]) =>
    [...list].sort((a, b) => (b.SubmitTime?.getTime() ?? 0) - (a.SubmitTime?.getTime() ?? 0))[0];
  const trained = newest(versions.filter(v => TRAINED.includes(v.Status ?? '')));
  if (trained) {
    options.log(`source: reusing ${trained.DocumentClassifierArn} (${trained.Status})`);
    return trained.DocumentClassifierArn!;
  }
  const training = newest(versions.filter(v => IN_PROGRESS.includes(v.Status ?? '')));
  if (training) {
    options.log(`source: ${training.DocumentClassifierArn} is ${training.Status}: waiting for it`);
    return waitTrained(sharer.comprehend, training.DocumentClassifierArn!, options);
  }
  const numbers = versions.map(v => Number(/^v(\d+)$/.exec(v.VersionName ?? '')?.[1] ?? 0));
  const version = `v${Math.max(0, ...numbers) + 1}`;
  if (versions.length > 0) {
    options.log(`source: no version is trained (${versions.map(v => `${v.VersionName} ${v.Status}`).join(', ')}): training ${version}`);
  }
  await ensureTrainingBucket(sharer, options.log);
  const roleArn = await ensureTrainingRole(sharer, options.log);
  const arn = await createClassifier(sharer, roleArn, version, options);
  return waitTrained(sharer.comprehend, arn, options);
}

async function ensureTrainingBucket(sharer: Account, log: Log): Promise<void> {
  const { bucket, trainingKey } = sourceNames(sharer.accountId, sharer.region);
  await sharer.s3.send(new CreateBucketCommand({
    Bucket: bucket,
    CreateBucketConfiguration: sharer.region === 'us-east-1' ? undefined : { LocationConstraint: sharer.region as BucketLocationConstraint },
  })).then(() => log(`source: created s3://${bucket}`), ignore('BucketAlreadyOwnedByYou'));
  await sharer.s3.send(new PutPublicAccessBlockCommand({
    Bucket: bucket,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }));
  await sharer.s3.send(new PutBucketEncryptionCommand({
    Bucket: bucket,
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
  }));
  await sharer.s3.send(new PutObjectCommand({ Bucket: bucket, Key: trainingKey, Body: trainingDocuments(), ContentType: 'text/csv' }));
  log(`source: uploaded s3://${bucket}/${trainingKey}`);
}

async function ensureTrainingRole(sharer: Account, log: Log): Promise<string> {
  const { bucket, trainingRole } = sourceNames(sharer.accountId, sharer.region);
  const existing = await sharer.iam.send(new GetRoleCommand({ RoleName: trainingRole })).catch(error => {
    ignore('NoSuchEntityException', 'NoSuchEntity')(error);
    return undefined;
  });
  const arn = existing?.Role?.Arn ?? (await sharer.iam.send(new CreateRoleCommand({
    RoleName: trainingRole,
    Description: 'contract:aws: lets Comprehend read the contract tests\' training set (test/contract/aws/fixtures.ts)',
    AssumeRolePolicyDocument: JSON.stringify(comprehendTrust(sharer.accountId)),
    Tags: [{ Key: TAG_KEY, Value: 'source' }],
  }))).Role!.Arn!;
  await sharer.iam.send(new PutRolePolicyCommand({
    RoleName: trainingRole,
    PolicyName: 'ReadTrainingSet',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:${sharer.partition}:s3:::${bucket}/*` },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:${sharer.partition}:s3:::${bucket}` },
      ],
    }),
  }));
  log(`source: ${existing ? 'reusing' : 'created'} role ${arn}`);
  return arn;
}

async function createClassifier(sharer: Account, roleArn: string, version: string, options: WaitOptions): Promise<string> {
  const { bucket, trainingKey, classifier } = sourceNames(sharer.accountId, sharer.region);
  // A role IAM has just made may not be assumable yet (propagation, ~10-15 s): Comprehend then answers a validation error.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const created = await sharer.comprehend.send(new CreateDocumentClassifierCommand({
        DocumentClassifierName: classifier,
        VersionName: version,
        DataAccessRoleArn: roleArn,
        LanguageCode: 'en',
        Mode: 'MULTI_CLASS',
        InputDataConfig: { DataFormat: 'COMPREHEND_CSV', S3Uri: `s3://${bucket}/${trainingKey}` },
        Tags: [{ Key: TAG_KEY, Value: 'source' }],
      }));
      options.log(`source: training ${created.DocumentClassifierArn} (tens of minutes; a later run reuses it)`);
      return created.DocumentClassifierArn!;
    } catch (error) {
      if (errorName(error) !== 'ValidationException' || Date.now() > deadline) {
        throw error;
      }
      options.log(`source: CreateDocumentClassifier: ${(error as Error).message}: retrying (IAM propagation)`);
      await sleep(10_000, options.interrupted);
    }
  }
}

async function waitTrained(comprehend: ComprehendClient, arn: string, options: WaitOptions & { readonly deadlineMinutes?: number }): Promise<string> {
  const deadline = Date.now() + (options.deadlineMinutes ?? 180) * 60_000;
  for (;;) {
    const version = (await classifierVersions(comprehend, classifierName(arn))).find(v => v.DocumentClassifierArn === arn);
    const status = version?.Status ?? 'missing';
    if (TRAINED.includes(status)) {
      options.log(`source: ${arn} is ${status}`);
      return arn;
    }
    if (!IN_PROGRESS.includes(status)) {
      throw new Error(`the source ${arn} is ${status}${version?.Message ? `: ${version.Message}` : ''} (the next run trains a new version)`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the source ${arn} is still ${status} after ${options.deadlineMinutes ?? 180} minutes: the next run waits for it`);
    }
    options.log(`source: ${status}, waiting (checks every minute)`);
    await sleep(60_000, options.interrupted);
  }
}

/** --remove-source: every version of the source classifier, then its bucket (emptied) and training role. */
export async function removeSource(sharer: Account, log: Log): Promise<string[]> {
  const names = sourceNames(sharer.accountId, sharer.region);
  const failures: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      log(`removed ${what}`);
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (const version of await classifierVersions(sharer.comprehend, names.classifier)) {
    const arn = version.DocumentClassifierArn!;
    if (IN_PROGRESS.includes(version.Status ?? '')) {
      await sharer.comprehend.send(new StopTrainingDocumentClassifierCommand({ DocumentClassifierArn: arn })).catch(() => undefined);
    }
    await attempt(arn, () => sharer.comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })));
  }
  await attempt(`s3://${names.bucket}`, async () => {
    for (;;) {
      const listed = await sharer.s3.send(new ListObjectsV2Command({ Bucket: names.bucket }));
      const objects = (listed.Contents ?? []).map(o => ({ Key: o.Key! }));
      if (objects.length === 0) {
        break;
      }
      await sharer.s3.send(new DeleteObjectsCommand({ Bucket: names.bucket, Delete: { Objects: objects } }));
    }
    await sharer.s3.send(new DeleteBucketCommand({ Bucket: names.bucket }));
  });
  await attempt(`role ${names.trainingRole}`, () => deleteRole(sharer.iam, names.trainingRole));
  return failures;
}

// ---------------------------------------------------------------------------------------------------------------
// The run's fixtures: importer account

/** The run's key and data access role (one stack); its deletion is registered before the stack is waited for. */
export async function createRunFixtures(importer: Account, runId: string, teardown: Teardown, options: WaitOptions):
Promise<{ readonly keyArn: string; readonly roleArn: string }> {
  const { stack } = runNames(runId);
  await importer.cloudFormation.send(new CreateStackCommand({
    StackName: stack,
    TemplateBody: JSON.stringify(importerStackTemplate(importer.accountId, importer.partition, importer.region, runId)),
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    OnFailure: 'DELETE',
    Tags: [{ Key: TAG_KEY, Value: runId }],
  }));
  teardown.register(`delete stack ${stack} (the run's key, scheduled for deletion in 7 days, and data access role)`, async () => {
    await importer.cloudFormation.send(new DeleteStackCommand({ StackName: stack }));
    await waitUntilStackDeleteComplete({ client: importer.cloudFormation, maxWaitTime: 900 }, { StackName: stack });
  });
  options.log(`importer: creating stack ${stack}`);
  await waitUntilStackCreateComplete({ client: importer.cloudFormation, maxWaitTime: 900 }, { StackName: stack });
  const outputs = (await importer.cloudFormation.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs ?? [];
  const output = (key: string) => outputs.find(o => o.OutputKey === key)?.OutputValue ?? '';
  return { keyArn: output('KeyArn'), roleArn: output('RoleArn') };
}

/** Everything the tests need, made or found: the AWS target reads it from RUN_DIR/fixtures.json. */
export async function ensureFixtures(env: AwsContractEnvironment, accounts: { sharer: Account; importer: Account }, runId: string,
  teardown: Teardown, options: WaitOptions): Promise<AwsFixtures> {
  // The source first: it takes the longest, is kept, and when it fails nothing of the run's has been made yet.
  const sourceClassifierArn = await ensureSource(accounts.sharer, options);
  const run = await createRunFixtures(accounts.importer, runId, teardown, options);
  return {
    region: env.region,
    partition: accounts.sharer.partition,
    sharerAccount: accounts.sharer.accountId,
    importerAccount: accounts.importer.accountId,
    sharerProfile: env.sharerProfile,
    importerProfile: env.importerProfile,
    sourceClassifierArn,
    importerKeyArn: run.keyArn,
    importerDataAccessRoleArn: run.roleArn,
    runId,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The sweep: what the tests (or a crashed run) left, found by name

async function deleteRole(iam: IAMClient, roleName: string): Promise<void> {
  const policies = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const policy of policies.PolicyNames ?? []) {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policy }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}

/** A role of the tests' (clientWithPolicy): its inline policy, then the role. */
export const deleteTestRole = deleteRole;

/**
 * Deletes what carries a run's name (`contract-…-RUNID`; every run's with `runId` undefined, for --cleanup-only): the
 * importer's endpoints (waited for, since a model in use cannot go), classifiers and stacks, then the roles left, the
 * sharer's classifiers, and the resource policies left on the source's versions. Returns what failed.
 */
export async function sweep(accounts: { sharer: Account; importer: Account }, runId: string | undefined, options: WaitOptions): Promise<string[]> {
  const { sharer, importer } = accounts;
  const ours = (name: string) => {
    const match = RUN_NAME.exec(name);
    return match !== null && (runId === undefined || match[1] === runId);
  };
  const failures: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      options.log(`sweep: deleted ${what}`);
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const endpoints = async () => {
    const arns: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await importer.comprehend.send(new ListEndpointsCommand({ NextToken }));
      arns.push(...(page.EndpointPropertiesList ?? []).map(e => e.EndpointArn!).filter(arn => ours(arn.split('/').pop()!)));
      NextToken = page.NextToken;
    } while (NextToken);
    return arns;
  };
  for (const arn of await endpoints()) {
    await attempt(arn, () => importer.comprehend.send(new DeleteEndpointCommand({ EndpointArn: arn })).catch(ignore('ResourceInUseException')));
  }
  const until = Date.now() + 30 * 60_000;
  while ((await endpoints()).length > 0 && Date.now() < until) {
    options.log('sweep: waiting for endpoints to be deleted');
    await sleep(30_000, options.interrupted);
  }

  for (const account of [importer, sharer]) {
    for (const version of await classifierVersions(account.comprehend)) {
      const arn = version.DocumentClassifierArn!;
      if (!ours(classifierName(arn)) || version.Status === 'DELETING') {
        continue;
      }
      if (IN_PROGRESS.includes(version.Status ?? '')) {
        await account.comprehend.send(new StopTrainingDocumentClassifierCommand({ DocumentClassifierArn: arn })).catch(() => undefined);
      }
      await attempt(arn, () => account.comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })));
    }
  }

  const stacks: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await importer.cloudFormation.send(new ListStacksCommand({
      NextToken,
      StackStatusFilter: Object.values(StackStatus).filter(s => s !== StackStatus.DELETE_COMPLETE),
    }));
    stacks.push(...(page.StackSummaries ?? []).map(s => s.StackName!).filter(ours));
    NextToken = page.NextToken;
  } while (NextToken);
  for (const stack of stacks) {
    await attempt(`stack ${stack}`, async () => {
      await importer.cloudFormation.send(new DeleteStackCommand({ StackName: stack }));
      await waitUntilStackDeleteComplete({ client: importer.cloudFormation, maxWaitTime: 1800 }, { StackName: stack });
    });
  }

  let Marker: string | undefined;
  const roles: string[] = [];
  do {
    const page = await importer.iam.send(new ListRolesCommand({ Marker }));
    roles.push(...(page.Roles ?? []).map(r => r.RoleName!).filter(ours));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  for (const role of roles) {
    await attempt(`role ${role}`, () => deleteRole(importer.iam, role));
  }

  // The tests put and delete the source's resource-based policy: one left would keep sharing it with the importer.
  const source = sourceNames(sharer.accountId, sharer.region);
  for (const version of await classifierVersions(sharer.comprehend, source.classifier)) {
    await sharer.comprehend.send(new DeleteResourcePolicyCommand({ ResourceArn: version.DocumentClassifierArn! }))
      .catch(ignore('ResourceNotFoundException'));
  }
  return failures;
}
