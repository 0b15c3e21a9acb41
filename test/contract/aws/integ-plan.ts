// What `npx projen integ:aws` deploys, with which CDK command lines, what it checks each step left, and what a run
// costs. Pure: no SDK, no CDK and no AWS call, so the command prints it before its opt-in check and the unit tests
// (run-integ.test.ts) read every command line without a network.
import * as path from 'path';
import type { AwsContractEnvironment } from './environment';
import { endpointUsd, HOURS_PER_MONTH, PRICES, PRICES_READ_ON, sourceNames, usd } from './plan';

/** The context key of the update step: its value becomes the tag INTEG_UPDATE_TAG (test/integ/integ-stacks.ts). */
export const INTEG_UPDATE_CONTEXT = 'integUpdate';
export const INTEG_UPDATE_TAG = 'integ-update';
/**
 * `-c integAws=true`, passed on every step: test/integ/integ-stacks.ts then gives the stacks' KMS keys and log groups
 * the removal policy DESTROY (the snapshots, synthesized without it, retain them), so that a destroy leaves neither.
 */
export const INTEG_AWS_CONTEXT = 'integAws';
/** The waiting period of those keys' deletion: KMS's minimum. */
export const INTEG_AWS_KEY_PENDING_DAYS = 7;
/** `-c keyedShares=false`: sharer-side without the shares of keyed/v1 and keyed/v2, models no account has. */
export const KEYED_SHARES_CONTEXT = 'keyedShares';

/** Inputs that the contract fixtures do not make: a maintainer who has them names them here. */
export const INTEG_ENV = {
  /** A classifier version of the sharer account encrypted with a customer managed key, shared with the importer. */
  encryptedSourceArn: 'CONTRACT_AWS_ENCRYPTED_SOURCE_ARN',
  /** That key's ARN; its key policy lets the importer account decrypt (kms:Decrypt, kms:CreateGrant… via Comprehend). */
  sourceKeyArn: 'CONTRACT_AWS_SOURCE_KEY_ARN',
  /** A trained classifier version of the sharer account in eu-west-1, shared with the importer. */
  euSourceArn: 'CONTRACT_AWS_EU_SOURCE_ARN',
} as const;

export type IntegAppName = 'sharer-side' | 'import-without-keys' | 'import-with-endpoint' | 'import-with-keys' | 'serve-anywhere';

export interface IntegApp {
  readonly name: IntegAppName;
  /** The stack under test. */
  readonly stack: string;
  /** Its integ-tests-alpha assertion stack (the app's other stack: see the snapshot's manifest.json). */
  readonly assertionStack: string;
  /** The account it deploys into. */
  readonly side: 'sharer' | 'importer';
  /** The Region it deploys into when it is not the run's. */
  readonly region?: string;
  /** What a deploy creates, for the plan. */
  readonly creates: string;
  /** Inference units it serves while it stands (1 IU is an endpoint's minimum). */
  readonly endpointUnits: number;
  /** Customer managed keys it creates. */
  readonly keys: number;
  /** Copies it imports. */
  readonly imports: number;
}

/** In the order the run takes them: sharer-side first, since its share of the source is what the imports import. */
export const INTEG_APPS: readonly IntegApp[] = [
  {
    name: 'sharer-side',
    stack: 'SharerSide',
    assertionStack: 'SharerSideTestDefaultTestDeployAssert604B1913',
    side: 'sharer',
    endpointUnits: 0,
    keys: 0,
    imports: 0,
    creates: 'the policy handler (Lambda, role, log group); a SharedModelPolicy that adds the importer\'s ImportModel statement ' +
      'to the source classifier\'s resource policy (without the keyed shares: -c keyedShares=false)',
  },
  {
    name: 'import-without-keys',
    stack: 'ImportWithoutKeys',
    assertionStack: 'ImportWithoutKeysTestDefaultTestDeployAssert53B2BD43',
    side: 'importer',
    endpointUnits: 0,
    keys: 0,
    imports: 1,
    creates: 'the import provider (Lambdas, Step Functions, roles, log groups) and a copy of the source under AWS owned keys',
  },
  {
    name: 'import-with-endpoint',
    stack: 'ImportWithEndpoint',
    assertionStack: 'ImportWithEndpointTestDefaultTestDeployAssert5B16BCB2',
    side: 'importer',
    endpointUnits: 1,
    keys: 0,
    imports: 1,
    creates: 'the provider, a copy of the source and an endpoint of 1 inference unit',
  },
  {
    name: 'import-with-keys',
    stack: 'ImportWithKeys',
    assertionStack: 'ImportWithKeysTestDefaultTestDeployAssertE91568CF',
    side: 'importer',
    endpointUnits: 0,
    keys: 1,
    imports: 1,
    creates: 'the provider, a KMS key, its service role and a copy of the encrypted source under that key',
  },
  {
    name: 'serve-anywhere',
    stack: 'ServeAnywhere',
    assertionStack: 'ServeAnywhereAssertions',
    side: 'importer',
    region: 'eu-west-1',
    endpointUnits: 1,
    keys: 1,
    imports: 1,
    creates: 'in eu-west-1: the provider, a KMS key, a copy under it, an endpoint of 1 inference unit auto scaled 1-4 on utilization',
  },
];

/** Every stack of the app, which its deploy creates and its destroy ('**') deletes. */
export const appStacks = (app: IntegApp): readonly string[] => [app.stack, app.assertionStack];

/**
 * The apps the command's arguments name (every app without arguments), or the names that are no app's and the
 * message that refuses them.
 */
export function selectApps(args: readonly string[]): { readonly apps: readonly IntegApp[]; readonly refusal?: string } {
  const unknown = args.filter(name => !INTEG_APPS.some(app => app.name === name));
  if (unknown.length > 0) {
    return {
      apps: [],
      refusal: `npx projen integ:aws: no integration app named ${unknown.map(n => `'${n}'`).join(', ')}; ` +
        `the apps are ${INTEG_APPS.map(app => app.name).join(', ')} (npx projen integ:aws -- NAME…, or none for all). Nothing was run.`,
    };
  }
  return { apps: INTEG_APPS.filter(app => args.length === 0 || args.includes(app.name)) };
}

/** What the run knows when it starts: the fixtures' source and accounts, and what the environment names. */
export interface IntegInputs {
  readonly sharerAccount: string;
  readonly importerAccount: string;
  /** The contract fixtures' source classifier version (AWS owned key). */
  readonly sourceModelArn: string;
  readonly encryptedSourceModelArn?: string;
  readonly sourceModelKeyArn?: string;
  readonly euSourceModelArn?: string;
}

/** The optional inputs of INTEG_ENV, from the environment. */
export function optionalInputs(env: NodeJS.ProcessEnv = process.env): Pick<IntegInputs, 'encryptedSourceModelArn' | 'sourceModelKeyArn' | 'euSourceModelArn'> {
  const read = (name: string) => env[name] || undefined;
  return {
    encryptedSourceModelArn: read(INTEG_ENV.encryptedSourceArn),
    sourceModelKeyArn: read(INTEG_ENV.sourceKeyArn),
    euSourceModelArn: read(INTEG_ENV.euSourceArn),
  };
}

/** The context keys the app reads (test/integ/integ-stacks.ts), or what it needs that the run does not have. */
export function appContext(app: IntegApp, inputs: IntegInputs): { readonly context?: Record<string, string>; readonly needs?: string } {
  switch (app.name) {
    case 'sharer-side':
      return { context: { sharedModelArn: inputs.sourceModelArn, importerAccount: inputs.importerAccount, [KEYED_SHARES_CONTEXT]: 'false' } };
    case 'import-without-keys':
    case 'import-with-endpoint':
      return { context: { sourceModelArn: inputs.sourceModelArn } };
    case 'import-with-keys':
      return inputs.encryptedSourceModelArn && inputs.sourceModelKeyArn
        ? { context: { encryptedSourceModelArn: inputs.encryptedSourceModelArn, sourceModelKeyArn: inputs.sourceModelKeyArn } }
        : {
          needs: 'a source encrypted with a customer managed key of the sharer account, shared with the importer account ' +
            `(its resource policy and its key policy): set ${INTEG_ENV.encryptedSourceArn} and ${INTEG_ENV.sourceKeyArn}`,
        };
    case 'serve-anywhere':
      return inputs.euSourceModelArn
        ? { context: { euSourceModelArn: inputs.euSourceModelArn } }
        : { needs: `a trained classifier version of the sharer account in eu-west-1, shared with the importer account: set ${INTEG_ENV.euSourceArn}` };
  }
}

export type IntegStep = 'deploy' | 'update' | 'destroy';

export interface CommandOptions {
  readonly profile: string;
  readonly context: Record<string, string>;
  /** Where the assemblies and outputs go: the run's directory, never test/*.integ.snapshot. */
  readonly runDir: string;
  /** The update step's value of INTEG_UPDATE_CONTEXT (the run's id). */
  readonly updateValue: string;
}

/** The app, as projen's integ tasks run it. */
const appCommand = (app: IntegApp) => `ts-node -P tsconfig.dev.json test/${app.name}.integ.ts`;

/** Where a step's cloud assembly and stack outputs go. */
export function stepFiles(app: IntegApp, step: IntegStep, runDir: string) {
  return {
    assembly: path.join(runDir, 'integ', `${app.name}.${step}.cdk.out`),
    outputs: path.join(runDir, 'integ', `${app.name}.${step}.outputs.json`),
    log: path.join(runDir, 'integ', `${app.name}.${step}.log`),
  };
}

/**
 * The CDK CLI's arguments (after `cdk`) for a step: every stack of the app ('**': the stack under test and its
 * assertion stack), under the side's profile, with the app's context and INTEG_AWS_CONTEXT. The update adds
 * INTEG_UPDATE_CONTEXT; the destroy synthesizes the update's app again (the stack names do not depend on the context).
 */
export function cdkArgs(app: IntegApp, step: IntegStep, options: CommandOptions): string[] {
  const files = stepFiles(app, step, options.runDir);
  const context = {
    ...options.context,
    [INTEG_AWS_CONTEXT]: 'true',
    ...step === 'deploy' ? {} : { [INTEG_UPDATE_CONTEXT]: options.updateValue },
  };
  const common = [
    '--app', appCommand(app),
    '--profile', options.profile,
    '--no-notices', '--no-version-reporting',
    ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    '-o', files.assembly,
  ];
  return step === 'destroy'
    ? ['destroy', ...common, '**', '--force']
    : ['deploy', ...common, '**', '--require-approval', 'never', '--outputs-file', files.outputs];
}

/** A word for a POSIX shell: as it is when it needs no quoting, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_\-./=:,@%+]+$/.test(word) ? word : `'${word.replace(/'/g, '\'\\\'\'')}'`;
}

/**
 * The shell command that destroys every stack of the app, as the run's destroy step would (for the stacks a run
 * stopped by a second Ctrl-C may leave): from the repository's root `root`, in `region`.
 */
export function destroyCommand(app: IntegApp, options: CommandOptions, region: string, root: string): string {
  const args = cdkArgs(app, 'destroy', options);
  return `cd ${shellWord(root)} && AWS_REGION=${region} AWS_DEFAULT_REGION=${region} npx cdk ${args.map(shellWord).join(' ')}`;
}

/** One integ-tests-alpha assertion's result, read from the assertion stack's `AssertionResults…` output. */
export interface AssertionResult {
  readonly stack: string;
  readonly output: string;
  readonly status: string;
  readonly message?: string;
}

/** The assertion results in a `--outputs-file` document ({ STACK: { OUTPUT: VALUE } }). */
export function assertionResults(outputs: Record<string, Record<string, string>>): AssertionResult[] {
  return Object.entries(outputs).flatMap(([stack, values]) => Object.entries(values)
    .filter(([output]) => output.startsWith('AssertionResults'))
    .map(([output, value]) => {
      try {
        const parsed = JSON.parse(value) as { status?: string; message?: string };
        return { stack, output, status: parsed.status ?? 'unknown', message: parsed.message };
      } catch {
        return { stack, output, status: 'unreadable', message: value };
      }
    }));
}

/** A Comprehend model or endpoint of the importer account and its tags. */
export interface TaggedResource {
  readonly arn: string;
  readonly status?: string;
  readonly tags: Record<string, string>;
}

/**
 * What a destroyed stack left: the models and endpoints whose ownership tag (`key`, OWNER_TAG_KEY) begins with the
 * stack instance's prefix (`STACK_NAME/STACK_GUID/`, stackOwnerPrefix), except those `retained` on purpose.
 */
export function leftovers(resources: readonly TaggedResource[], ownerTagKey: string, ownerPrefix: string, retained: readonly string[] = []):
TaggedResource[] {
  return resources.filter(r => (r.tags[ownerTagKey] ?? '').startsWith(ownerPrefix) && !retained.includes(r.arn));
}

/** A resource of a stack, as CloudFormation recorded it (DescribeStackResources by the stack's id, also once deleted). */
export interface RecordedResource {
  readonly type: string;
  readonly physicalId: string;
  readonly status?: string;
}

/**
 * What a destroy left of the stack's keys and log groups (`before`: the stack's resources read before its destroy):
 * each AWS::KMS::Key must be DELETE_COMPLETE in CloudFormation's record `after` (its deletion scheduled; DELETE_SKIPPED
 * is a retained key), each AWS::Logs::LogGroup among `before` absent from `logGroupsStanding`. A key's own state
 * (PendingDeletion) is not read: no KMS client is among the project's dev dependencies.
 */
export function removalChecks(before: readonly RecordedResource[], after: readonly RecordedResource[],
  logGroupsStanding: readonly string[]): Array<{ readonly ok: boolean; readonly saw: string }> {
  const keys = before.filter(r => r.type === 'AWS::KMS::Key').map(key => {
    const status = after.find(r => r.type === key.type && r.physicalId === key.physicalId)?.status ?? 'not in the record';
    return {
      ok: status === 'DELETE_COMPLETE',
      saw: `key ${key.physicalId}: ${status}${status === 'DELETE_COMPLETE' ? ' (its deletion scheduled; its key state not checked)' : ''}`,
    };
  });
  const logGroups = before.filter(r => r.type === 'AWS::Logs::LogGroup').map(group => {
    const standing = logGroupsStanding.includes(group.physicalId);
    return { ok: !standing, saw: `log group ${group.physicalId} ${standing ? 'still there' : 'gone'}` };
  });
  return [...keys, ...logGroups];
}

/** Assumed durations of a deploy, update and destroy, in minutes (low, high): nothing has run on AWS yet. */
const STANDING_MINUTES = [30, 60] as const;

/** The run's cost, by app, from the contract plan's prices; the source is the contract fixtures' (plan.ts). */
function integCostLines(apps: readonly IntegApp[]): string[] {
  const lines = apps.map(app => {
    const [low, high] = STANDING_MINUTES.map(minutes => (app.endpointUnits > 0 ? endpointUsd(minutes * 60, app.endpointUnits) : 0)
      + app.keys * PRICES.kmsKey.usd * (minutes / 60 / HOURS_PER_MONTH));
    const importHigh = app.imports * (15 / 60) * PRICES.training.usd + app.imports * PRICES.modelManagement.usd;
    return { app, low, high: high + importHigh };
  });
  const total = lines.reduce((t, l) => ({ low: t.low + l.low, high: t.high + l.high }), { low: 0, high: 0 });
  return [
    `Estimated cost (public prices read ${PRICES_READ_ON}, durations assumed: ${STANDING_MINUTES.join('-')} min from deploy to ` +
      'destroy; nothing of it has been measured on AWS):',
    ...lines.map(l => `  - ${l.app.name}: ${usd(l.low)}-${usd(l.high)}`),
    `  Total: ${usd(total.low)}-${usd(total.high)}, and the first run of the fixtures trains the source (see contract:aws's plan).`,
    `  Basis: endpoints ${PRICES.endpoint.text}; keys ${PRICES.kmsKey.text}, counted while their stack stands (-c ` +
      `${INTEG_AWS_CONTEXT}=true schedules their deletion on destroy, with the minimum ${INTEG_AWS_KEY_PENDING_DAYS}-day ` +
      'waiting period, not counted here); imports: low not billed, high billed as 15 min of training ' +
      `(${PRICES.training.text}) and a whole month of model management (${PRICES.modelManagement.text}) each.`,
  ];
}

/** What a run deploys, where, and what it costs; the apps it cannot run, and what they need. */
export function integPlanLines(env: AwsContractEnvironment, inputs: IntegInputs, apps: readonly IntegApp[] = INTEG_APPS): string[] {
  const runnable = apps.filter(app => appContext(app, inputs).context);
  const profile = (app: IntegApp) => app.side === 'sharer' ? env.sharerProfile : env.importerProfile;
  return [
    `Plan of npx projen integ:aws, in ${env.region} (serve-anywhere in eu-west-1):`,
    `  - the contract fixtures' source classifier ${sourceNames('SHARER_ACCOUNT', env.region).classifier} in the sharer account ` +
      `(profile ${env.sharerProfile}), trained once and reused, as contract:aws does`,
    ...apps.map(app => {
      const { needs } = appContext(app, inputs);
      return needs
        ? `  - ${app.name}: not run, it needs ${needs}`
        : `  - ${app.name} (stack ${app.stack} and its assertion stack ${app.assertionStack}, ${app.side} account, profile ${profile(app)}` +
          `${app.region ? `, ${app.region}` : ''}): ${app.creates}; deployed, updated (-c ${INTEG_UPDATE_CONTEXT}=RUNID tags it ` +
          `${INTEG_UPDATE_TAG}=RUNID), destroyed`;
    }),
    '  - the CDK CLI deploys with each profile: both accounts must be bootstrapped (cdk bootstrap) in the Regions used',
    '  - an app runs only when none of its stacks exists (this run destroys only stacks it created): otherwise it is ' +
      'reported "could not run", naming the stack',
    '  - Ctrl-C: the cdk step in progress finishes, nothing more is deployed or updated, and what the run deployed is ' +
      'destroyed; a second Ctrl-C stops at once and prints the stacks that may be left, with the cdk destroy command of each',
    `  - every step passes -c ${INTEG_AWS_CONTEXT}=true: the stacks' KMS keys and log groups get the removal policy DESTROY ` +
      `(the snapshots retain them), so the destroy schedules each key's deletion (${INTEG_AWS_KEY_PENDING_DAYS} days) and deletes ` +
      'each log group, and checks it: a key by CloudFormation\'s record (its key state is not read: no KMS client), a log group ' +
      'by CloudWatch Logs. Not deleted: the log groups Lambda makes itself for functions without one of their own (the ' +
      'assertion stacks\' function, /aws/lambda/NAME, in no template)',
    '  - assemblies, outputs and logs go to contract-aws/integ/; the committed test/*.integ.snapshot are not touched',
    ...integCostLines(runnable),
  ];
}
