// `npx projen integ:aws`: the integration apps (test/*.integ.ts) deployed for real with the CDK CLI, their
// integ-tests-alpha assertions read from the assertion stacks' outputs, then updated (-c integUpdate=RUNID) and
// destroyed, with checks of what each step left in the accounts. CI keeps running them in snapshot mode
// (integ:*:assert); this command never writes test/*.integ.snapshot. Same environment and opt-in as contract:aws.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { AwsContractEnvironment } from './environment';
import { readEnvironment, RUN_DIR } from './environment';
import * as plan from './integ-plan';
import type { IntegApp, IntegStep, RecordedResource, TaggedResource } from './integ-plan';
import { newRunId } from './plan';
import { OWNER_TAG_KEY } from '../../../src/contract/import-properties';
import { stackOwnerPrefix } from '../../../src/handlers/common/ownership';

const COMMAND = 'npx projen integ:aws';
const ROOT = path.join(__dirname, '..', '..', '..');

/** One step's outcome, a row of the report. */
export interface StepOutcome {
  readonly app: string;
  readonly step: string;
  readonly outcome: 'passed' | 'failed' | 'could not run';
  readonly saw: string;
}

/** What the command does before it touches AWS, and what it prints: the run's apps and environment, or its exit code. */
export interface Prelude {
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Set when the command stops here. */
  readonly exitCode?: number;
  readonly run?: { readonly environment: AwsContractEnvironment; readonly apps: readonly IntegApp[] };
}

/**
 * The refusals, in this order: app names that are no app's (before anything else, the fixtures' training of the
 * source included), then the environment's (the profiles); then the plan and its cost, always, and the opt-in's.
 */
export function prelude(args: readonly string[], env: NodeJS.ProcessEnv): Prelude {
  const { apps, refusal: unknownApps } = plan.selectApps(args);
  if (unknownApps) {
    return { stdout: [], stderr: [unknownApps], exitCode: 2 };
  }
  const { environment, refusal, confirmed } = readEnvironment(COMMAND, env);
  if (!environment) {
    return { stdout: [], stderr: [refusal ?? 'no environment'], exitCode: 2 };
  }
  const placeholder = { sharerAccount: 'SHARER_ACCOUNT', importerAccount: 'IMPORTER_ACCOUNT', sourceModelArn: 'SOURCE', ...plan.optionalInputs(env) };
  const stdout = [plan.integPlanLines(environment, placeholder, apps).join('\n')];
  return confirmed ? { stdout, stderr: [], run: { environment, apps } } : { stdout, stderr: [refusal ?? 'not confirmed'], exitCode: 2 };
}

async function main(): Promise<number> {
  // The refusals come first, before anything heavy is loaded.
  const { stdout, stderr, exitCode, run } = prelude(process.argv.slice(2), process.env);
  stdout.forEach(text => console.log(text));
  stderr.forEach(text => console.error(text));
  if (exitCode !== undefined || !run) {
    return exitCode ?? 2;
  }
  const interrupts = new Interrupts({
    log: text => console.error(text),
    exit: code => process.exit(code),
    kill: (pid, signal) => process.kill(pid, signal),
  });
  process.on('SIGINT', () => interrupts.signal());
  const outcomes = await runIntegApps(run.environment, run.apps, interrupts);
  const report = reportMarkdown(outcomes);
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.writeFileSync(path.join(RUN_DIR, 'integ-report.md'), report);
  console.log(report);
  console.log(`Report: ${path.join(RUN_DIR, 'integ-report.md')}`);
  if (interrupts.mayBeLeft().length > 0) {
    console.error(leftMessage('A destroy did not see every stack gone.', interrupts.mayBeLeft()));
  }
  return outcomes.some(o => o.outcome === 'failed') ? 1 : 0;
}

/** An app whose stacks may exist because this run deployed them, and how to destroy them by hand. */
export interface MayBeLeft {
  readonly app: IntegApp;
  /** Where: the account's side, its profile and the Region. */
  readonly where: string;
  readonly destroyCommand: string;
}

/**
 * Ctrl-C. The CDK CLI runs in its own process group (runCdk), so the terminal's Ctrl-C reaches this process only. The
 * first sets `interrupted`: the cdk step in progress finishes, nothing more is deployed or updated, and what the run
 * deployed is destroyed. The second stops the cdk step in progress (CloudFormation carries on with the stack operation
 * it began) and exits with 130, saying which stacks may be left and the command that destroys each.
 */
export class Interrupts {
  private count = 0;
  private child?: { readonly pid?: number };
  private readonly left = new Map<string, MayBeLeft>();

  constructor(private readonly io: {
    readonly log: (text: string) => void;
    readonly exit: (code: number) => void;
    readonly kill: (pid: number, signal: NodeJS.Signals) => void;
    readonly pid?: number;
  }) {}

  get interrupted(): boolean {
    return this.count > 0;
  }

  /** The cdk process now running (or none). */
  running(child: { readonly pid?: number } | undefined): void {
    this.child = child;
  }

  /** From the start of the app's deploy, its stacks may exist... */
  deploying(left: MayBeLeft): void {
    this.left.set(left.app.name, left);
  }

  /** ...until a destroy saw every one of them gone. */
  destroyed(app: IntegApp): void {
    this.left.delete(app.name);
  }

  /** What may be left, in the order deployed. */
  mayBeLeft(): MayBeLeft[] {
    return [...this.left.values()];
  }

  signal(): void {
    this.count++;
    const pid = this.io.pid ?? process.pid;
    if (this.count === 1) {
      this.io.log('[integ:aws] Ctrl-C: the cdk step in progress finishes, nothing more is deployed or updated, and what this run ' +
        `deployed is destroyed. Ctrl-C again (or kill -INT ${pid}) to stop at once, leaving what is deployed.`);
      return;
    }
    if (this.child?.pid !== undefined) {
      try {
        // Its own process group (detached): the CLI and the app it runs.
        this.io.kill(-this.child.pid, 'SIGINT');
      } catch {
        // It has just ended.
      }
    }
    this.io.log(leftMessage('Stopped. The cdk step in progress was stopped; CloudFormation carries on with any stack operation it had begun.',
      this.mayBeLeft()));
    this.io.exit(130);
  }
}

/** Which stacks of the run may be left, after `heading`, and the command that destroys each. */
export function leftMessage(heading: string, left: readonly MayBeLeft[]): string {
  if (left.length === 0) {
    return `[integ:aws] ${heading} No stack of this run may be left: none was deployed, or a destroy saw each gone.`;
  }
  return [
    `[integ:aws] ${heading} These stacks of this run may be left (billable while they stand); to destroy them, from any directory:`,
    ...left.flatMap(l => [`  - ${plan.appStacks(l.app).join(' and ')} (${l.where}):`, `      ${l.destroyCommand}`]),
  ].join('\n');
}

/** The report: each app and step, its outcome and what it saw. */
export function reportMarkdown(outcomes: readonly StepOutcome[], when = new Date()): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
  return [
    `# integ:aws report, ${when.toISOString()}`,
    '',
    '| App | Step | Outcome | Saw |',
    '| --- | --- | --- | --- |',
    ...outcomes.map(o => `| ${o.app} | ${o.step} | ${o.outcome} | ${cell(o.saw)} |`),
    '',
  ].join('\n');
}

/** The project's CDK CLI. */
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');

/**
 * Runs the CDK CLI (`command`, the project's by default) in the repository's root, in a process group of its own
 * (detached), so that a Ctrl-C in the terminal does not stop it in the middle of a deploy or destroy: Interrupts
 * decides. Its output goes to `log`; `running` hears of the child, then of its end. Resolves with the exit code.
 */
export function runCdk(args: readonly string[], log: string, env: NodeJS.ProcessEnv,
  running: (child: ChildProcess | undefined) => void = () => {}, command = CDK): Promise<number> {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'a');
  return new Promise(resolve => {
    let ended = false;
    const end = (code: number, error?: Error) => {
      if (ended) {
        return;
      }
      ended = true;
      if (error) {
        fs.appendFileSync(out, `\n${error.stack ?? error.message}\n`);
      }
      fs.closeSync(out);
      running(undefined);
      resolve(code);
    };
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', out, out], detached: true });
    running(child);
    child.on('error', error => end(127, error));
    child.on('close', code => end(code ?? 1));
  });
}

/** What a step checks in the account: each line passed or not. */
interface Check {
  readonly ok: boolean;
  readonly saw: string;
}

const errorText = (error: unknown) => error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The step's outcome from the CLI's exit code and the checks of what it left. */
export function stepOutcome(app: string, step: string, exitCode: number, log: string, checks: readonly Check[]): StepOutcome {
  const cli = exitCode === 0 ? [] : [{ ok: false, saw: `cdk exited with ${exitCode} (see ${log})` }];
  const all = [...cli, ...checks];
  return { app, step, outcome: all.every(c => c.ok) ? 'passed' : 'failed', saw: all.map(c => `${c.ok ? '✓' : '✗'} ${c.saw}`).join('; ') };
}

/**
 * Deploys, updates and destroys each app in turn. sharer-side goes first and is destroyed last: its SharedModelPolicy
 * is what shares the fixtures' source with the importer, so the imports of that source run only when it deployed.
 */
async function runIntegApps(env: AwsContractEnvironment, apps: readonly IntegApp[], interrupts: Interrupts): Promise<StepOutcome[]> {
  // The SDK and the fixtures only now, after the opt-in (require: this project's module resolution wants dynamic
  // imports of relative paths with an extension, which ts-node's CommonJS would not find).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fixtures = require('./fixtures') as typeof import('./fixtures');
  const cfn = await import('@aws-sdk/client-cloudformation');
  const cmp = await import('@aws-sdk/client-comprehend');
  const cwl = await import('@aws-sdk/client-cloudwatch-logs');

  const interrupted = () => interrupts.interrupted;
  const log = (line: string) => console.log(`[integ:aws] ${line}`);
  const outcomes: StepOutcome[] = [];
  const record = (outcome: StepOutcome) => {
    outcomes.push(outcome);
    log(`${outcome.app} ${outcome.step}: ${outcome.outcome}: ${outcome.saw}`);
  };

  const accounts = await fixtures.openAccounts(env);
  const sourceModelArn = await fixtures.ensureSource(accounts.sharer, { log, interrupted });
  const runId = newRunId();
  const inputs = { sharerAccount: accounts.sharer.accountId, importerAccount: accounts.importer.accountId, sourceModelArn, ...plan.optionalInputs() };
  log(`run ${runId}: source ${sourceModelArn}; sharer ${inputs.sharerAccount}, importer ${inputs.importerAccount}`);

  const profileOf = (app: IntegApp) => app.side === 'sharer' ? env.sharerProfile : env.importerProfile;
  const regionOf = (app: IntegApp) => app.region ?? env.region;
  const clients = (app: IntegApp) => {
    const config = { profile: profileOf(app), region: regionOf(app), maxAttempts: 5 };
    return {
      cloudFormation: new cfn.CloudFormationClient(config),
      comprehend: new cmp.ComprehendClient(config),
      logs: new cwl.CloudWatchLogsClient(config),
    };
  };
  // The app command's ts-node is the project's (projen puts node_modules/.bin on PATH; so does this, if run otherwise).
  const cdkEnv = (app: IntegApp): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: [path.join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter),
    AWS_REGION: regionOf(app),
    AWS_DEFAULT_REGION: regionOf(app),
  });

  /** The stack's id and status, or undefined when there is none under the name (or id). */
  async function describeStack(app: IntegApp, stackName: string) {
    try {
      const stack = (await clients(app).cloudFormation.send(new cfn.DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
      return stack ? { id: stack.StackId!, status: stack.StackStatus!, reason: stack.StackStatusReason } : undefined;
    } catch (error) {
      if (/does not exist/.test(errorText(error))) {
        return undefined;
      }
      throw error;
    }
  }

  /** The physical ids of the stack's resources of `type` (the copy's and the endpoint's are their ARNs). */
  async function physicalIds(app: IntegApp, stackId: string, type: string): Promise<string[]> {
    const { StackResources } = await clients(app).cloudFormation.send(new cfn.DescribeStackResourcesCommand({ StackName: stackId }));
    return (StackResources ?? []).filter(r => r.ResourceType === type).map(r => r.PhysicalResourceId ?? '');
  }

  /** The stack's resources as CloudFormation records them (by the stack's id: also for a deleted stack, for 90 days). */
  async function recordedResources(app: IntegApp, stackId: string): Promise<RecordedResource[]> {
    const { StackResources } = await clients(app).cloudFormation.send(new cfn.DescribeStackResourcesCommand({ StackName: stackId }));
    return (StackResources ?? []).map(r => ({ type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId ?? '', status: r.ResourceStatus }));
  }

  /** Which of the log groups `names` still exist. */
  async function logGroupsStanding(app: IntegApp, names: readonly string[]): Promise<string[]> {
    const standing: string[] = [];
    for (const name of names) {
      const { logGroups } = await clients(app).logs.send(new cwl.DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      if ((logGroups ?? []).some(g => g.logGroupName === name)) {
        standing.push(name);
      }
    }
    return standing;
  }

  async function tagsOf(app: IntegApp, arn: string): Promise<Record<string, string>> {
    const { Tags } = await clients(app).comprehend.send(new cmp.ListTagsForResourceCommand({ ResourceArn: arn }));
    return Object.fromEntries((Tags ?? []).map(t => [t.Key!, t.Value ?? '']));
  }

  /** The importer's classifiers and endpoints in the app's Region, with their tags. */
  async function comprehendResources(app: IntegApp): Promise<TaggedResource[]> {
    const { comprehend } = clients(app);
    const found: Array<{ arn: string; status?: string }> = [];
    let token: string | undefined;
    do {
      const page = await comprehend.send(new cmp.ListDocumentClassifiersCommand({ NextToken: token }));
      found.push(...(page.DocumentClassifierPropertiesList ?? []).map(p => ({ arn: p.DocumentClassifierArn!, status: p.Status })));
      token = page.NextToken;
    } while (token);
    do {
      const page = await comprehend.send(new cmp.ListEndpointsCommand({ NextToken: token }));
      found.push(...(page.EndpointPropertiesList ?? []).map(p => ({ arn: p.EndpointArn!, status: p.Status })));
      token = page.NextToken;
    } while (token);
    const tagged = [];
    for (const resource of found) {
      tagged.push({ ...resource, tags: await tagsOf(app, resource.arn).catch(() => ({})) });
    }
    return tagged;
  }

  /** What an import app's deploy or update left: the copy (TRAINED) and endpoint (IN_SERVICE), owned by the stack. */
  async function importChecks(app: IntegApp, stackId: string, update: boolean, before?: { copies: string[] }): Promise<Check[]> {
    const { comprehend } = clients(app);
    const prefix = stackOwnerPrefix(stackId);
    const checks: Check[] = [];
    const copies = await physicalIds(app, stackId, 'Custom::ComprehendImportedModel');
    const endpoints = await physicalIds(app, stackId, 'Custom::ComprehendModelEndpoint');
    checks.push({ ok: copies.length === 1 && copies[0].startsWith('arn:'), saw: `copy ${copies.join(', ') || 'none'}` });
    if (before) {
      const kept = before.copies.join() === copies.join();
      checks.push({ ok: kept, saw: kept ? 'the update kept the copy' : `the update replaced the copy ${before.copies.join()}` });
    }
    for (const arn of copies.filter(a => a.startsWith('arn:'))) {
      const described = await comprehend.send(new cmp.DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn }));
      const status = described.DocumentClassifierProperties?.Status;
      checks.push({ ok: status === 'TRAINED' || status === 'TRAINED_WITH_WARNING', saw: `copy ${status}` });
      checks.push(...tagChecks('copy', await tagsOf(app, arn), prefix, update));
    }
    for (const arn of endpoints) {
      const status = (await comprehend.send(new cmp.DescribeEndpointCommand({ EndpointArn: arn }))).EndpointProperties?.Status;
      checks.push({ ok: status === 'IN_SERVICE', saw: `endpoint ${arn} ${status}` });
      checks.push(...tagChecks('endpoint', await tagsOf(app, arn), prefix, update));
    }
    return checks;
  }

  function tagChecks(what: string, tags: Record<string, string>, prefix: string, update: boolean): Check[] {
    const owner = tags[OWNER_TAG_KEY] ?? '';
    return [
      { ok: owner.startsWith(prefix), saw: `${what}'s ${OWNER_TAG_KEY} ${owner || 'missing'}` },
      ...update ? [{ ok: tags[plan.INTEG_UPDATE_TAG] === runId, saw: `${what}'s tag ${plan.INTEG_UPDATE_TAG}=${tags[plan.INTEG_UPDATE_TAG] ?? '(none)'}` }] : [],
    ];
  }

  /** The Sids of the source's resource-policy statements that name the importer account. */
  async function sharesOfImporter(): Promise<string[]> {
    try {
      const { ResourcePolicy } = await accounts.sharer.comprehend.send(new cmp.DescribeResourcePolicyCommand({ ResourceArn: sourceModelArn }));
      const statements = (JSON.parse(ResourcePolicy ?? '{}').Statement ?? []) as Array<{ Sid?: string }>;
      return statements.filter(s => JSON.stringify(s).includes(inputs.importerAccount)).map(s => s.Sid ?? '(no Sid)');
    } catch (error) {
      if (errorText(error).startsWith('ResourceNotFoundException')) {
        return [];
      }
      throw error;
    }
  }

  const assertionChecks = (outputsFile: string): Check[] => {
    if (!fs.existsSync(outputsFile)) {
      return [{ ok: false, saw: `no outputs file ${outputsFile}` }];
    }
    const results = plan.assertionResults(JSON.parse(fs.readFileSync(outputsFile, 'utf8')));
    return results.length === 0
      ? [{ ok: false, saw: 'no integ-tests-alpha assertion result among the outputs' }]
      : results.map(r => ({ ok: r.status === 'success', saw: `assertion ${r.output}: ${r.status}${r.message ? ` (${r.message})` : ''}` }));
  };

  /** Runs one step of the CLI, then `check` (whose failure is a failed check, not a crash). */
  async function step(app: IntegApp, name: IntegStep, context: Record<string, string>, check: () => Promise<Check[]>): Promise<StepOutcome> {
    const files = plan.stepFiles(app, name, RUN_DIR);
    const args = plan.cdkArgs(app, name, { profile: profileOf(app), context, runDir: RUN_DIR, updateValue: runId });
    log(`${app.name} ${name}: cdk ${args.join(' ')}`);
    const exitCode = await runCdk(args, files.log, cdkEnv(app), child => interrupts.running(child));
    const checks = await check().catch(error => [{ ok: false, saw: `could not check: ${errorText(error)}` }]);
    const outcome = stepOutcome(app.name, name, exitCode, files.log, checks);
    record(outcome);
    return outcome;
  }

  /** Deploy, update, destroy (always, once a deploy was tried); `between` runs while the app is deployed. */
  async function runApp(app: IntegApp, between: () => Promise<void> = async () => {}): Promise<boolean> {
    const { context, needs } = plan.appContext(app, inputs);
    if (!context) {
      record({ app: app.name, step: 'all', outcome: 'could not run', saw: `needs ${needs}` });
      return false;
    }
    const bootstrap = await describeStack(app, 'CDKToolkit').catch(() => undefined);
    if (!bootstrap) {
      record({
        app: app.name,
        step: 'all',
        outcome: 'could not run',
        saw: `the ${app.side} account is not bootstrapped in ${regionOf(app)} (or its CDKToolkit stack cannot be read): ` +
          `npx cdk bootstrap aws://${app.side === 'sharer' ? inputs.sharerAccount : inputs.importerAccount}/${regionOf(app)} --profile ${profileOf(app)}`,
      });
      return false;
    }
    // The destroy deletes every stack of the app ('**'): it must delete none this run did not create.
    const where = `${app.side} account, profile ${profileOf(app)}, ${regionOf(app)}`;
    const commandOptions = { profile: profileOf(app), context, runDir: RUN_DIR, updateValue: runId };
    const destroyByHand = plan.destroyCommand(app, commandOptions, regionOf(app), ROOT);
    for (const name of plan.appStacks(app)) {
      const existing = await describeStack(app, name).then(found => found?.status, error => `unreadable (${errorText(error)})`);
      if (existing) {
        record({
          app: app.name,
          step: 'all',
          outcome: 'could not run',
          saw: `a stack ${name} already exists (${existing}; ${where}), which this run did not create: it deploys and destroys ` +
            `nothing of the app. If a crashed run left it, destroy it first: ${destroyByHand}`,
        });
        return false;
      }
    }
    if (interrupted()) {
      record({ app: app.name, step: 'all', outcome: 'could not run', saw: 'interrupted (Ctrl-C) before its deploy' });
      return false;
    }
    let stackId: string | undefined;
    let deployed = false;
    const sharesBefore = app.name === 'sharer-side' ? await sharesOfImporter() : [];
    let ourShares: string[] = [];
    let copies: string[] = [];
    try {
      interrupts.deploying({ app, where, destroyCommand: destroyByHand });
      const deploy = await step(app, 'deploy', context, async () => {
        const stack = await describeStack(app, app.stack);
        stackId = stack?.id;
        const checks: Check[] = [{ ok: stack?.status === 'CREATE_COMPLETE', saw: `stack ${stack?.status ?? 'missing'}${stack?.reason ? ` (${stack.reason})` : ''}` }];
        checks.push(...assertionChecks(plan.stepFiles(app, 'deploy', RUN_DIR).outputs));
        if (stackId && app.name === 'sharer-side') {
          ourShares = (await sharesOfImporter()).filter(sid => !sharesBefore.includes(sid));
          checks.push({ ok: ourShares.length > 0, saw: `statements added to the source's policy for the importer: ${ourShares.join(', ') || 'none'}` });
        } else if (stackId) {
          copies = await physicalIds(app, stackId, 'Custom::ComprehendImportedModel');
          checks.push(...await importChecks(app, stackId, false));
        }
        return checks;
      });
      deployed = deploy.outcome === 'passed';
      if (deployed && interrupted()) {
        record({ app: app.name, step: 'update', outcome: 'could not run', saw: 'interrupted (Ctrl-C): not updated, destroyed' });
      } else if (deployed) {
        await step(app, 'update', context, async () => {
          const stack = await describeStack(app, stackId!);
          const checks: Check[] = [{ ok: stack?.status === 'UPDATE_COMPLETE', saw: `stack ${stack?.status ?? 'missing'}${stack?.reason ? ` (${stack.reason})` : ''}` }];
          checks.push(...assertionChecks(plan.stepFiles(app, 'update', RUN_DIR).outputs));
          if (app.name === 'sharer-side') {
            const now = await sharesOfImporter();
            checks.push({ ok: ourShares.every(sid => now.includes(sid)), saw: `the source's policy after the update: ${now.join(', ') || 'no statement for the importer'}` });
          } else {
            checks.push(...await importChecks(app, stackId!, true, { copies }));
          }
          return checks;
        });
        await between();
      }
    } finally {
      // Its keys and log groups, read before the destroy: checked after it (removalChecks).
      const beforeId = stackId ?? (await describeStack(app, app.stack).catch(() => undefined))?.id;
      const before = beforeId ? await recordedResources(app, beforeId).catch(() => undefined) : undefined;
      await step(app, 'destroy', context, async () => {
        const id = stackId ?? beforeId;
        const stack = id ? await describeStack(app, id) : undefined;
        const checks: Check[] = [{ ok: !stack || stack.status === 'DELETE_COMPLETE', saw: `stack ${stack?.status ?? 'gone'}${stack?.reason ? ` (${stack.reason})` : ''}` }];
        const assertions = await describeStack(app, app.assertionStack);
        checks.push({ ok: !assertions, saw: `assertion stack ${app.assertionStack} ${assertions?.status ?? 'gone'}` });
        if (checks.every(c => c.ok)) {
          interrupts.destroyed(app);
        }
        if (id && before) {
          const logGroups = before.filter(r => r.type === 'AWS::Logs::LogGroup').map(r => r.physicalId);
          checks.push(...plan.removalChecks(before, await recordedResources(app, id), await logGroupsStanding(app, logGroups)));
        } else if (id) {
          checks.push({ ok: false, saw: 'the stack\'s keys and log groups could not be read before the destroy: not checked' });
        }
        if (app.name === 'sharer-side') {
          const now = await sharesOfImporter();
          const left = ourShares.filter(sid => now.includes(sid));
          checks.push({ ok: left.length === 0, saw: left.length === 0 ? 'the stack\'s statements left the source\'s policy' : `still in the source's policy: ${left.join(', ')}` });
        } else if (id) {
          // No app retains a copy (every removal policy is the default DESTROY): nothing of the stack may stay.
          let left = plan.leftovers(await comprehendResources(app), OWNER_TAG_KEY, stackOwnerPrefix(id));
          for (let polls = 0; left.length > 0 && left.every(r => r.status === 'DELETING') && polls < 20; polls++) {
            // Not cut short by a Ctrl-C: the first lets the destroy finish, the second exits.
            await fixtures.sleep(30_000);
            left = plan.leftovers(await comprehendResources(app), OWNER_TAG_KEY, stackOwnerPrefix(id));
          }
          checks.push({
            ok: left.length === 0,
            saw: left.length === 0 ? `no model or endpoint tagged ${OWNER_TAG_KEY}=${stackOwnerPrefix(id)}…` : `left: ${left.map(r => `${r.arn} ${r.status}`).join(', ')}`,
          });
        }
        return checks;
      });
    }
    return deployed;
  }

  const sharerSide = apps.find(app => app.name === 'sharer-side');
  const imports = apps.filter(app => app !== sharerSide);
  const sharesTheSource = (app: IntegApp) => app.name === 'import-without-keys' || app.name === 'import-with-endpoint';
  const runImports = async (shared: boolean) => {
    for (const app of imports) {
      if (interrupted()) {
        record({ app: app.name, step: 'all', outcome: 'could not run', saw: 'interrupted (Ctrl-C)' });
      } else if (sharesTheSource(app) && !shared) {
        record({
          app: app.name,
          step: 'all',
          outcome: 'could not run',
          saw: `needs the source shared with the importer, which sharer-side's deploy does ${sharerSide ? '(it failed)' : '(not selected)'}`,
        });
      } else {
        await runApp(app);
      }
    }
  };
  if (sharerSide) {
    let ranImports = false;
    await runApp(sharerSide, async () => {
      ranImports = true;
      await runImports(true);
    });
    if (!ranImports) {
      await runImports(false);
    }
  } else {
    await runImports(false);
  }
  return outcomes;
}

if (require.main === module) {
  main().then(code => process.exit(code), error => {
    console.error(error);
    process.exit(1);
  });
}
