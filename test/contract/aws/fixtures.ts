// The AWS side's fixtures: the trained source classifier of the sharer (trained once, reused by name), the importer's
// key and its import and endpoint roles for the run, and the sweep that deletes what a run (or a crashed one) left,
// found by name and by this tool's tag (contract-aws): nothing without the tag is deleted or written to (but for the
// source's resource policy, which the sweep deletes whole: see sweep()).
// run-contract.ts and run-integ.ts load this module after their opt-in check (it loads the SDK clients), and the AWS
// target when it deletes a test's role. Nothing here has run against AWS yet (docs/contract-aws.md); what can be checked
// without AWS (the pure functions, and the sweep's steps against fake clients) run-contract.test.ts covers.
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, ListStacksCommand, StackStatus,
  waitUntilStackCreateComplete, waitUntilStackDeleteComplete,
} from '@aws-sdk/client-cloudformation';
import {
  ComprehendClient, CreateDocumentClassifierCommand, DeleteDocumentClassifierCommand, DeleteEndpointCommand,
  DeleteResourcePolicyCommand, DescribeDocumentClassifierCommand, DocumentClassifierProperties, EndpointProperties,
  ListDocumentClassifiersCommand, ListEndpointsCommand, ListTagsForResourceCommand, StopTrainingDocumentClassifierCommand,
} from '@aws-sdk/client-comprehend';
import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, IAMClient, ListRolePoliciesCommand,
  ListRolesCommand, ListRoleTagsCommand, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, GetBucketTaggingCommand, ListObjectsV2Command,
  PutBucketEncryptionCommand, PutBucketTaggingCommand, PutObjectCommand, PutPublicAccessBlockCommand, S3Client, BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { TERMINAL_STATUSES, USABLE_STATUSES } from '../steps';
import { SOURCE_TAG, TAG_KEY } from './environment';
import type { AwsContractEnvironment, AwsFixtures } from './environment';
import { RUN_NAME, TRAINING_SET, runNames, sourceNames } from './plan';
import { parseModelArn } from '../../../src/contract/model-arn';

export type Log = (line: string) => void;

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
 * dependencies; a stack also deletes its key and roles together): a customer managed key that schedules its deletion with
 * the minimum 7-day window when the stack is deleted, its alias, and two roles that Comprehend acting for the importer
 * may assume, with the statements of the library's two service roles (src/private/service-role.ts) on the run's key:
 * - the import role, importServiceRole's `ModelImportKeys`: kms:CreateGrant; kms:Decrypt and kms:GenerateDataKey with
 *   kms:ViaService s3.REGION.amazonaws.com;
 * - the endpoint role, endpointServiceRole's `ServedModelKey`: kms:Decrypt; kms:CreateGrant with kms:GrantIsForAWSResource.
 * Both trust comprehend.amazonaws.com with aws:SourceAccount, as the library's do. run-contract.test.ts compares them
 * with the roles the library synthesizes. Everything carries the run's contract-aws tag.
 */
export function importerStackTemplate(account: string, partition: string, region: string, runId: string): Record<string, unknown> {
  const names = runNames(runId);
  const key = { 'Fn::GetAtt': ['Key', 'Arn'] };
  const tags = [{ Key: TAG_KEY, Value: runId }];
  const role = (roleName: string, what: string, policyName: string, statements: unknown[]) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: roleName,
      Description: `contract:aws run ${runId}: the library's ${what} permissions on the run's key`,
      AssumeRolePolicyDocument: comprehendTrust(account),
      Policies: [{ PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      Tags: tags,
    },
  });
  return {
    Description: `contract:aws run ${runId}: a KMS key and the Comprehend import and endpoint roles on it (test/contract/aws/fixtures.ts)`,
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
          Tags: tags,
        },
      },
      Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: names.keyAlias, TargetKeyId: { Ref: 'Key' } } },
      ImportRole: role(names.importRole, 'import service-role', 'ModelImportKeys', [
        { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: key },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: key,
          Condition: { StringEquals: { 'kms:ViaService': [`s3.${region}.amazonaws.com`] } },
        },
      ]),
      EndpointRole: role(names.endpointRole, 'endpoint data-access-role', 'ServedModelKey', [
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key },
        { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: key, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      ]),
    },
    Outputs: {
      KeyArn: { Value: key },
      ImportRoleArn: { Value: { 'Fn::GetAtt': ['ImportRole', 'Arn'] } },
      EndpointRoleArn: { Value: { 'Fn::GetAtt': ['EndpointRole', 'Arn'] } },
    },
  };
}

/** Confused-deputy protection, as the library's service roles have it: only Comprehend acting for `account`. */
function comprehendTrust(account: string) {
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
async function openAccount(profile: string, region: string): Promise<Account> {
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

class InterruptedError extends Error {
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

/** The name of an SDK error (its exception's), or ''. Not steps.ts's errorName, which awaits a call. */
const awsErrorName = (error: unknown) => (error as { name?: string })?.name ?? '';
const ignore = (...names: string[]) => (error: unknown) => {
  if (!names.includes(awsErrorName(error))) {
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// The source: sharer account, kept between runs

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
const classifierName = (arn: string) => parseModelArn(arn)?.modelName ?? '';

/**
 * The trained source classifier version: reused if one is trained, waited for if one is training, else trained (v1, or
 * the next version after failed ones) from the generated set, with its bucket and role made first when missing.
 */
export async function ensureSource(sharer: Account, options: WaitOptions & { readonly deadlineMinutes?: number }): Promise<string> {
  const names = sourceNames(sharer.accountId, sharer.region);
  const versions = await classifierVersions(sharer.comprehend, names.classifier);
  // The tests put and delete the source's resource policy, and --remove-source deletes it: only a source of this tool's.
  for (const version of versions) {
    const tag = await comprehendTag(sharer.comprehend, version.DocumentClassifierArn!);
    if (tag !== SOURCE_TAG) {
      throw new NotOursError(`The classifier version ${version.DocumentClassifierArn} has no tag ${TAG_KEY}=${SOURCE_TAG} (its tag is ` +
        `${tag ?? 'absent'}), so this tool did not make it: the tests would put and delete its resource policy. If it is this ` +
        `tool's source, tag it (aws comprehend tag-resource --resource-arn ARN --tags Key=${TAG_KEY},Value=${SOURCE_TAG}); ` +
        `otherwise rename or delete the classifier ${names.classifier} yourself. Nothing of this run was created.`);
    }
  }
  const newest = (list: DocumentClassifierProperties[]) =>
    [...list].sort((a, b) => (b.SubmitTime?.getTime() ?? 0) - (a.SubmitTime?.getTime() ?? 0))[0];
  const trained = newest(versions.filter(v => USABLE_STATUSES.includes(v.Status ?? '')));
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
  const found = await bucketTag(sharer.s3, bucket);
  if (!found.exists) {
    await sharer.s3.send(new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: sharer.region === 'us-east-1' ? undefined : { LocationConstraint: sharer.region as BucketLocationConstraint },
    }));
    await sharer.s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: TAG_KEY, Value: SOURCE_TAG }] } }));
    log(`source: created s3://${bucket} (tagged ${TAG_KEY}=${SOURCE_TAG})`);
  } else if (found.tag !== SOURCE_TAG) {
    throw new NotOursError(`s3://${bucket} exists but has no tag ${TAG_KEY}=${SOURCE_TAG} (its tag is ${found.tag ?? 'absent'}), so this tool ` +
      'did not make it (or stopped between creating and tagging it): it neither writes to it nor deletes it. If it is this ' +
      `tool's training bucket, tag it: aws s3api put-bucket-tagging --bucket ${bucket} --tagging 'TagSet=[{Key=${TAG_KEY},Value=${SOURCE_TAG}}]' ` +
      '(this replaces its other tags); otherwise move what it holds and delete it yourself. Nothing of this run was created.');
  }
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

/** The training role, made (tagged) when missing; an existing one's policy is overwritten only if it carries the source's tag. */
export async function ensureTrainingRole(sharer: Account, log: Log): Promise<string> {
  const { bucket, trainingRole } = sourceNames(sharer.accountId, sharer.region);
  const existing = await sharer.iam.send(new GetRoleCommand({ RoleName: trainingRole })).catch(error => {
    ignore('NoSuchEntityException', 'NoSuchEntity')(error);
    return undefined;
  });
  if (existing) {
    const tag = await roleTag(sharer.iam, trainingRole);
    if (tag !== SOURCE_TAG) {
      throw new NotOursError(`The IAM role ${trainingRole} exists in ${sharer.accountId} but has no tag ${TAG_KEY}=${SOURCE_TAG} ` +
        `(its tag is ${tag ?? 'absent'}), so this tool did not make it: it does not overwrite its policy. If it is this tool's ` +
        `training role, tag it (aws iam tag-role --role-name ${trainingRole} --tags Key=${TAG_KEY},Value=${SOURCE_TAG}) and run ` +
        'again; otherwise delete or rename that role yourself. Nothing of this run was created.');
    }
  }
  const arn = existing?.Role?.Arn ?? (await sharer.iam.send(new CreateRoleCommand({
    RoleName: trainingRole,
    Description: 'contract:aws: lets Comprehend read the contract tests\' training set (test/contract/aws/fixtures.ts)',
    AssumeRolePolicyDocument: JSON.stringify(comprehendTrust(sharer.accountId)),
    Tags: [{ Key: TAG_KEY, Value: SOURCE_TAG }],
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
        Tags: [{ Key: TAG_KEY, Value: SOURCE_TAG }],
      }));
      options.log(`source: training ${created.DocumentClassifierArn} (tens of minutes; a later run reuses it)`);
      return created.DocumentClassifierArn!;
    } catch (error) {
      if (awsErrorName(error) !== 'ValidationException' || Date.now() > deadline) {
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
    if (USABLE_STATUSES.includes(status)) {
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

/**
 * --remove-source: every version of the source classifier, then its bucket (emptied) and training role, each only if it
 * carries the tag contract-aws=source (what does not is named among the failures and left).
 */
export async function removeSource(sharer: Account, log: Log): Promise<string[]> {
  const names = sourceNames(sharer.accountId, sharer.region);
  const failures: string[] = [];
  const tryStep = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      log(`removed ${what}`);
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const versions: OwnedVersion[] = [];
  for (const version of await classifierVersions(sharer.comprehend, names.classifier)) {
    const tag = await comprehendTag(sharer.comprehend, version.DocumentClassifierArn!);
    if (tag === SOURCE_TAG) {
      versions.push({ version, tag });
    } else {
      failures.push(`${version.DocumentClassifierArn}: left: its ${TAG_KEY} tag is ${tag ?? 'absent'}, not ${SOURCE_TAG}`);
    }
  }
  failures.push(...await deleteClassifiers(sharer, versions, { log, interrupted: () => false }));
  await tryStep(`s3://${names.bucket}`, async () => {
    const found = await bucketTag(sharer.s3, names.bucket);
    if (!found.exists) {
      return;
    }
    if (found.tag !== SOURCE_TAG) {
      throw new NotOursError(`left: its ${TAG_KEY} tag is ${found.tag ?? 'absent'}, not ${SOURCE_TAG}`);
    }
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
  await tryStep(`role ${names.trainingRole}`, () => deleteRole(sharer.iam, names.trainingRole, SOURCE_TAG).catch(ignore('NoSuchEntityException', 'NoSuchEntity')));
  return failures;
}

// ---------------------------------------------------------------------------------------------------------------
// The run's fixtures: importer account

/**
 * The run's key and its import and endpoint roles (one stack); its deletion is registered before the stack is waited for.
 * The stack is this run's: CreateStack fails on a name that exists, and the name carries the run's id.
 */
async function createRunFixtures(importer: Account, runId: string, teardown: Teardown, options: WaitOptions):
Promise<{ readonly keyArn: string; readonly importRoleArn: string; readonly endpointRoleArn: string }> {
  const { stack } = runNames(runId);
  await importer.cloudFormation.send(new CreateStackCommand({
    StackName: stack,
    TemplateBody: JSON.stringify(importerStackTemplate(importer.accountId, importer.partition, importer.region, runId)),
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    OnFailure: 'DELETE',
    Tags: [{ Key: TAG_KEY, Value: runId }],
  }));
  teardown.register(`delete stack ${stack} (the run's key, scheduled for deletion in 7 days, and its two roles)`, async () => {
    await importer.cloudFormation.send(new DeleteStackCommand({ StackName: stack }));
    await waitUntilStackDeleteComplete({ client: importer.cloudFormation, maxWaitTime: 900 }, { StackName: stack });
  });
  options.log(`importer: creating stack ${stack}`);
  await waitUntilStackCreateComplete({ client: importer.cloudFormation, maxWaitTime: 900 }, { StackName: stack });
  const outputs = (await importer.cloudFormation.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs ?? [];
  const output = (key: string) => outputs.find(o => o.OutputKey === key)?.OutputValue ?? '';
  return { keyArn: output('KeyArn'), importRoleArn: output('ImportRoleArn'), endpointRoleArn: output('EndpointRoleArn') };
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
    importerImportRoleArn: run.importRoleArn,
    importerEndpointRoleArn: run.endpointRoleArn,
    runId,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Ownership: this tool deletes, or writes to, only what carries its tag (TAG_KEY)

/** Why something is left as it is: it does not carry this tool's tag. */
class NotOursError extends Error {}

/** A contract-aws tag's value among `tags`; undefined when absent. */
const tagValue = (tags: ReadonlyArray<{ readonly Key?: string; readonly Value?: string }> | undefined) =>
  tags?.find(t => t.Key === TAG_KEY)?.Value;

async function comprehendTag(comprehend: ComprehendClient, arn: string): Promise<string | undefined> {
  return tagValue((await comprehend.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags);
}

async function roleTag(iam: IAMClient, roleName: string): Promise<string | undefined> {
  return tagValue((await iam.send(new ListRoleTagsCommand({ RoleName: roleName }))).Tags);
}

async function bucketTag(s3: S3Client, bucket: string): Promise<{ readonly exists: boolean; readonly tag?: string }> {
  try {
    return { exists: true, tag: tagValue((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet) };
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchBucket') {
      return { exists: false };
    }
    if (awsErrorName(error) === 'NoSuchTagSet') {
      return { exists: true };
    }
    throw error;
  }
}

/** A role's inline policies, then the role: only if its contract-aws tag is `tag`. */
async function deleteRole(iam: IAMClient, roleName: string, tag: string): Promise<void> {
  const found = await roleTag(iam, roleName);
  if (found !== tag) {
    throw new NotOursError(`role ${roleName} left: its ${TAG_KEY} tag is ${found ?? 'absent'}, not ${tag}`);
  }
  const policies = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const policy of policies.PolicyNames ?? []) {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policy }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}

/** A role of the tests' (clientWithPolicy), tagged with the run's id: its inline policy, then the role. */
export const deleteTestRole = (iam: IAMClient, roleName: string, runId: string) => deleteRole(iam, roleName, runId);

// ---------------------------------------------------------------------------------------------------------------
// The sweep: what the tests (or a crashed run) left, found by name and tag

/** How long the sweep waits for endpoints, and for classifiers to stop and to go. */
const SWEEP_ENDPOINTS_MINUTES = 40;
const SWEEP_CLASSIFIERS_MINUTES = 60;
const SWEEP_POLL_MS = 15_000;
/** The statuses in which an endpoint accepts DeleteEndpoint (a CREATING or UPDATING one answers ResourceInUseException). */
const ENDPOINT_DELETABLE = ['IN_SERVICE', 'FAILED'];

/** Something named like this tool's (`contract-…-RUNID`), with the contract-aws tag it carries. */
export interface Leftover {
  readonly kind: 'endpoint' | 'classifier' | 'stack' | 'role';
  readonly account: 'sharer' | 'importer';
  /** An ARN (endpoints, classifiers) or a name (stacks, roles). */
  readonly id: string;
  /** The run id in its name. */
  readonly runId: string;
  readonly tag?: string;
  /** A stack's status. */
  readonly status?: string;
}

/** The stack statuses of a run still making its fixtures (CreateStack, or an update of them). */
const STACK_IN_PROGRESS = ['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS'];

/**
 * The runs whose fixtures stack (runNames(RUNID).stack) is still being created or updated: --cleanup-only leaves what
 * they have, with the line it returns for each. A run whose fixtures are made and whose tests are running is not told
 * apart (its stack is CREATE_COMPLETE): docs/contract-aws.md says not to run --cleanup-only beside another run.
 */
export function runsInProgress(leftovers: readonly Leftover[]): Map<string, string> {
  return new Map(leftovers
    .filter(l => l.kind === 'stack' && l.id === runNames(l.runId).stack && STACK_IN_PROGRESS.includes(l.status ?? ''))
    .map(l => [l.runId, `run ${l.runId}: in progress (its fixtures stack ${l.id} is ${l.status}), left`]));
}

/** Whether the sweep may delete it: named after a run and tagged with that same run's id. */
export const isOurs = (leftover: Leftover) => leftover.tag === leftover.runId;

/** Lists what carries a run's name (`runId`'s, or every run's when undefined), with its tag; deletes nothing. */
async function findLeftovers(accounts: { sharer: Account; importer: Account }, runId: string | undefined): Promise<Leftover[]> {
  const { sharer, importer } = accounts;
  const runOf = (name: string) => {
    const match = RUN_NAME.exec(name);
    return match !== null && (runId === undefined || match[1] === runId) ? match[1] : undefined;
  };
  const found: Leftover[] = [];
  for (const endpoint of await listEndpoints(importer.comprehend)) {
    const run = runOf(endpoint.EndpointArn!.split('/').pop()!);
    if (run) {
      found.push({ kind: 'endpoint', account: 'importer', id: endpoint.EndpointArn!, runId: run, tag: await comprehendTag(importer.comprehend, endpoint.EndpointArn!) });
    }
  }
  for (const [which, account] of [['importer', importer], ['sharer', sharer]] as const) {
    for (const version of await classifierVersions(account.comprehend)) {
      const arn = version.DocumentClassifierArn!;
      const run = runOf(classifierName(arn));
      if (run) {
        found.push({ kind: 'classifier', account: which, id: arn, runId: run, tag: await comprehendTag(account.comprehend, arn) });
      }
    }
  }
  let NextToken: string | undefined;
  do {
    const page = await importer.cloudFormation.send(new ListStacksCommand({
      NextToken,
      StackStatusFilter: Object.values(StackStatus).filter(s => s !== StackStatus.DELETE_COMPLETE),
    }));
    for (const summary of page.StackSummaries ?? []) {
      const run = runOf(summary.StackName!);
      if (run) {
        const described = await importer.cloudFormation.send(new DescribeStacksCommand({ StackName: summary.StackId ?? summary.StackName }));
        const stack = described.Stacks?.[0];
        found.push({ kind: 'stack', account: 'importer', id: summary.StackName!, runId: run, tag: tagValue(stack?.Tags), status: stack?.StackStatus });
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  let Marker: string | undefined;
  do {
    const page = await importer.iam.send(new ListRolesCommand({ Marker }));
    for (const role of page.Roles ?? []) {
      const run = runOf(role.RoleName!);
      if (run) {
        found.push({ kind: 'role', account: 'importer', id: role.RoleName!, runId: run, tag: await roleTag(importer.iam, role.RoleName!) });
      }
    }
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return found;
}

/** One line per leftover: what the sweep deletes, and what it leaves (and why); `inProgress` as runsInProgress gives it. */
export function leftoverLines(leftovers: readonly Leftover[], inProgress: ReadonlyMap<string, string> = new Map()): string[] {
  const verdict = (l: Leftover) => !isOurs(l) ? `leave (its ${TAG_KEY} tag is ${l.tag ?? 'absent'}, not ${l.runId})`
    : inProgress.has(l.runId) ? `leave (run ${l.runId} is in progress)` : 'delete';
  return leftovers.map(l => `${verdict(l)}: ${l.kind} ${l.id} (${l.account})`);
}

async function listEndpoints(comprehend: ComprehendClient, filter?: { ModelArn: string }): Promise<EndpointProperties[]> {
  const all: EndpointProperties[] = [];
  let NextToken: string | undefined;
  do {
    const page = await comprehend.send(new ListEndpointsCommand({ NextToken, Filter: filter }));
    all.push(...page.EndpointPropertiesList ?? []);
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

const message = (error: unknown) => error instanceof Error ? error.message : String(error);
const RETRIED = ['ResourceInUseException', 'ThrottlingException', 'TooManyRequestsException'];

/**
 * Deletes `arns` (endpoints of the importer): DeleteEndpoint is sent when an endpoint is IN_SERVICE or FAILED, and again
 * on each round while it still is (a CREATING or UPDATING endpoint refuses it); an endpoint is reported deleted only once
 * the listing no longer has it. Returns what is still there at the deadline, or refused for good.
 */
export async function deleteEndpoints(comprehend: ComprehendClient, arns: readonly string[], options: WaitOptions,
  minutes = SWEEP_ENDPOINTS_MINUTES, pollMs = SWEEP_POLL_MS): Promise<string[]> {
  const failures: string[] = [];
  const pending = new Set(arns);
  const deadline = Date.now() + minutes * 60_000;
  while (pending.size > 0) {
    const listed = new Map((await listEndpoints(comprehend)).map(e => [e.EndpointArn!, e.Status ?? '']));
    for (const arn of [...pending]) {
      const status = listed.get(arn);
      if (status === undefined) {
        pending.delete(arn);
        options.log(`sweep: deleted ${arn}`);
      } else if (ENDPOINT_DELETABLE.includes(status)) {
        try {
          await comprehend.send(new DeleteEndpointCommand({ EndpointArn: arn }));
          options.log(`sweep: DeleteEndpoint ${arn} (was ${status}) accepted; waiting for it to go`);
        } catch (error) {
          if (awsErrorName(error) === 'ResourceNotFoundException') {
            continue;
          }
          if (!RETRIED.includes(awsErrorName(error))) {
            pending.delete(arn);
            failures.push(`endpoint ${arn}: DeleteEndpoint refused: ${awsErrorName(error)}: ${message(error)}`);
          } else {
            options.log(`sweep: DeleteEndpoint ${arn}: ${awsErrorName(error)}: asking again`);
          }
        }
      }
    }
    if (pending.size === 0) {
      break;
    }
    if (Date.now() > deadline) {
      failures.push(...[...pending].map(arn => `endpoint ${arn}: still there (${listed.get(arn)}) after ${minutes} minutes`));
      break;
    }
    options.log(`sweep: waiting for ${pending.size} endpoint(s) to go`);
    await sleep(pollMs, options.interrupted);
  }
  return failures;
}

/** A classifier's status, or undefined when it is gone. */
async function classifierStatus(comprehend: ComprehendClient, arn: string): Promise<string | undefined> {
  try {
    const answer = await comprehend.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn }));
    return answer.DocumentClassifierProperties?.Status ?? 'no Status';
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

/** A classifier version to delete, and its contract-aws tag (a run's id, or SOURCE_TAG): its owner. */
export interface OwnedVersion {
  readonly version: DocumentClassifierProperties;
  readonly tag: string;
}

/**
 * Deletes classifier versions of one account: stops those in training (or importing), waits for each to end (TRAINED,
 * TRAINED_WITH_WARNING, IN_ERROR or STOPPED), deletes the endpoints of `account` that serve one and carry the same
 * contract-aws tag as it, then deletes it and waits until it is gone. An endpoint serving it without that tag is not this
 * tool's (a user's endpoint on the source, say): it is left, named among the failures, and so is the version it serves.
 * Returns what failed or is still there at the deadline.
 */
export async function deleteClassifiers(account: Pick<Account, 'comprehend'>, owned: readonly OwnedVersion[],
  options: WaitOptions, minutes = SWEEP_CLASSIFIERS_MINUTES, pollMs = SWEEP_POLL_MS): Promise<string[]> {
  const failures: string[] = [];
  const comprehend = account.comprehend;
  const versions = owned.map(o => o.version);
  const tagOf = new Map(owned.map(o => [o.version.DocumentClassifierArn!, o.tag]));
  for (const version of versions) {
    if (IN_PROGRESS.includes(version.Status ?? '')) {
      await comprehend.send(new StopTrainingDocumentClassifierCommand({ DocumentClassifierArn: version.DocumentClassifierArn! }))
        .then(() => options.log(`sweep: stopping ${version.DocumentClassifierArn}`))
        .catch(error => options.log(`sweep: StopTrainingDocumentClassifier ${version.DocumentClassifierArn}: ${message(error)}`));
    }
  }
  const deadline = Date.now() + minutes * 60_000;
  const toDelete = new Set(versions.map(v => v.DocumentClassifierArn!));
  const asked = new Set<string>();
  while (toDelete.size > 0) {
    for (const arn of [...toDelete]) {
      const status = await classifierStatus(comprehend, arn);
      if (status === undefined) {
        toDelete.delete(arn);
        options.log(`sweep: deleted ${arn}`);
      } else if (TERMINAL_STATUSES.includes(status) && !asked.has(arn)) {
        // An endpoint serving it (one the name-based pass did not find) would make the deletion fail: those go first.
        const serving = (await listEndpoints(comprehend, { ModelArn: arn })).map(e => e.EndpointArn!);
        const ours: string[] = [];
        const notOurs: string[] = [];
        for (const endpoint of serving) {
          const tag = await comprehendTag(comprehend, endpoint);
          if (tag === tagOf.get(arn)) {
            ours.push(endpoint);
          } else {
            notOurs.push(`${endpoint} (its ${TAG_KEY} tag is ${tag ?? 'absent'}, not ${tagOf.get(arn)})`);
          }
        }
        const left = ours.length === 0 ? [] : await deleteEndpoints(comprehend, ours, options, SWEEP_ENDPOINTS_MINUTES, pollMs);
        if (notOurs.length > 0) {
          failures.push(`${arn}: not deleted: endpoints serving it that this tool did not make are left, as it is: ${notOurs.join('; ')}`);
        }
        if (left.length > 0) {
          failures.push(`${arn}: not deleted: endpoints serving it are left (${left.join('; ')})`);
        }
        if (notOurs.length > 0 || left.length > 0) {
          toDelete.delete(arn);
          continue;
        }
        try {
          await comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn }));
          asked.add(arn);
          options.log(`sweep: DeleteDocumentClassifier ${arn} (was ${status}) accepted; waiting for it to go`);
        } catch (error) {
          if (!RETRIED.includes(awsErrorName(error))) {
            toDelete.delete(arn);
            failures.push(`${arn}: DeleteDocumentClassifier refused: ${awsErrorName(error)}: ${message(error)}`);
          }
        }
      }
    }
    if (toDelete.size === 0) {
      break;
    }
    if (Date.now() > deadline) {
      failures.push(...[...toDelete].map(arn => `${arn}: still there after ${minutes} minutes (the next --cleanup-only tries again)`));
      break;
    }
    await sleep(pollMs, options.interrupted);
  }
  return failures;
}

/**
 * Deletes what carries a run's name and tag (`runId`'s; every run's with `runId` undefined, for --cleanup-only), after
 * listing it, and what it leaves: the importer's endpoints (each waited for until gone), then the classifiers of both
 * accounts (stopped and waited for first), the importer's stacks (the run's fixtures stack among them: its key and roles
 * go after the copies and endpoints that use them) and the roles left, then the resource policy of the source's versions
 * (tagged contract-aws=source). Something named like a run's but without that run's tag is left, and counted among the
 * failures, which it returns. With `runId` undefined, a run whose fixtures stack is still being created or updated
 * (runsInProgress) is left whole, and said so.
 *
 * The resource policy is deleted whole (Comprehend has no per-statement delete): that also removes statements this tool
 * did not write, such as those of a sharer-side integration stack (integ:aws) left deployed in the sharer account;
 * redeploying that stack puts them back. docs/contract-aws.md says so.
 */
export async function sweep(accounts: { sharer: Account; importer: Account }, runId: string | undefined, options: WaitOptions): Promise<string[]> {
  const { sharer, importer } = accounts;
  const failures: string[] = [];
  try {
    const leftovers = await findLeftovers(accounts, runId);
    const inProgress = runId === undefined ? runsInProgress(leftovers) : new Map<string, string>();
    options.log(leftovers.length === 0 ? 'sweep: nothing named after the run is left' : 'sweep: found, named after a run:');
    for (const line of leftoverLines(leftovers, inProgress)) {
      options.log(`  ${line}`);
    }
    for (const line of inProgress.values()) {
      options.log(`sweep: ${line}`);
    }
    failures.push(...leftovers.filter(l => !isOurs(l)).map(l => `${l.kind} ${l.id}: left: named like a run's, but its ${TAG_KEY} tag is ` +
      `${l.tag ?? 'absent'}, not ${l.runId}; delete it yourself if it is that run's`));
    const ours = leftovers.filter(l => isOurs(l) && !inProgress.has(l.runId));
    const of = (kind: Leftover['kind']) => ours.filter(l => l.kind === kind).map(l => l.id);

    failures.push(...await deleteEndpoints(importer.comprehend, of('endpoint'), options));
    for (const [which, account] of [['importer', importer], ['sharer', sharer]] as const) {
      const tags = new Map(ours.filter(l => l.kind === 'classifier' && l.account === which).map(l => [l.id, l.runId]));
      const versions = (await classifierVersions(account.comprehend)).filter(v => tags.has(v.DocumentClassifierArn!));
      const owned = versions.map(version => ({ version, tag: tags.get(version.DocumentClassifierArn!)! }));
      failures.push(...await deleteClassifiers(account, owned, options));
    }
    const tryStep = async (what: string, action: () => Promise<unknown>) => {
      try {
        await action();
        options.log(`sweep: deleted ${what}`);
      } catch (error) {
        failures.push(`${what}: ${message(error)}`);
      }
    };
    for (const stack of of('stack')) {
      await tryStep(`stack ${stack}`, async () => {
        await importer.cloudFormation.send(new DeleteStackCommand({ StackName: stack }));
        await waitUntilStackDeleteComplete({ client: importer.cloudFormation, maxWaitTime: 1800 }, { StackName: stack });
      });
    }
    // A stack deletes its own roles: only those still there are deleted here.
    for (const role of ours.filter(l => l.kind === 'role')) {
      await tryStep(`role ${role.id}`, () => deleteRole(importer.iam, role.id, role.runId).catch(ignore('NoSuchEntityException', 'NoSuchEntity')));
    }

    // The tests put and delete the source's resource-based policy: one left would keep sharing it with the importer.
    // Not while a run is in progress: its tests share the source.
    if (inProgress.size > 0) {
      options.log('sweep: the source\'s resource policy is left as it is, since a run is in progress');
      return failures;
    }
    const source = sourceNames(sharer.accountId, sharer.region);
    for (const version of await classifierVersions(sharer.comprehend, source.classifier)) {
      const arn = version.DocumentClassifierArn!;
      if (await comprehendTag(sharer.comprehend, arn) === SOURCE_TAG) {
        // Every statement goes, this tool's or not (see above).
        await sharer.comprehend.send(new DeleteResourcePolicyCommand({ ResourceArn: arn })).catch(ignore('ResourceNotFoundException'));
        options.log(`sweep: the resource policy of ${arn} is deleted (every statement of it)`);
      }
    }
  } catch (error) {
    failures.push(error instanceof InterruptedError ? 'the sweep was interrupted: what it had not deleted is left'
      : `the sweep stopped: ${message(error)}`);
  }
  return failures;
}
