// `npx projen contract:aws`: the contract tests against two AWS accounts (docs/contract-aws.md). It refuses to start
// without both profiles and the opt-in, prints what it will create and cost first, makes the fixtures, runs every
// contract test with CONTRACT_TARGET=aws, then sweeps what carries the run's name and tag and tears down its fixtures
// (also after a failure, or a first Ctrl-C; a second Ctrl-C leaves everything for --cleanup-only), and writes the
// report. Only environment and plan are loaded before the opt-in check: the refusal needs no SDK.
// The AWS path has not been run yet: what is tested without AWS is in run-contract.test.ts.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CONFIRM_VALUE, ENV, RUN_DIR, readEnvironment } from './environment';
import { costLines, newRunId, planLines, sourceNames } from './plan';

const COMMAND = 'npx projen contract:aws';
const REPO = path.join(__dirname, '..', '..', '..');

export interface Options {
  readonly removeSource: boolean;
  readonly cleanupOnly: boolean;
}

const USAGE = `Usage: ${COMMAND} [--keep-source (the default) | --remove-source] [--cleanup-only]`;

/** The options, or why they are not understood. */
function parseArgs(argv: readonly string[]): Options | string {
  let removeSource = false;
  let cleanupOnly = false;
  for (const arg of argv) {
    switch (arg) {
      case '--keep-source':
        removeSource = false;
        break;
      case '--remove-source':
        removeSource = true;
        break;
      case '--cleanup-only':
        cleanupOnly = true;
        break;
      default:
        return `${COMMAND}: unknown argument '${arg}'. ${USAGE}`;
    }
  }
  return { removeSource, cleanupOnly };
}

const out = (line = '') => process.stdout.write(line + '\n');
const err = (line: string) => process.stderr.write(line + '\n');

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    err(options);
    return 2;
  }
  const { environment, refusal, confirmed } = readEnvironment(COMMAND);
  if (!environment) {
    err(refusal!);
    return 2;
  }
  if (options.cleanupOnly) {
    for (const line of cleanupOnlyLines(environment, options)) {
      out(line);
    }
    if (!confirmed) {
      err(`${COMMAND} --cleanup-only stops here: set ${ENV.confirm}=${CONFIRM_VALUE} to let it reach the two accounts. Nothing was deleted.`);
      return 2;
    }
  } else {
    for (const line of [...planLines(environment, options), '', ...costLines()]) {
      out(line);
    }
    out();
    if (!confirmed) {
      err(refusal!);
      return 2;
    }
  }
  return run(environment, options);
}

/** What --cleanup-only does, printed before its opt-in check. */
export function cleanupOnlyLines(environment: { region: string; importerProfile: string; sharerProfile: string }, options: Options): string[] {
  return [
    `${COMMAND} --cleanup-only deletes, in ${environment.region}, what previous runs left: in the importer account ` +
      `(${environment.importerProfile}) the endpoints, classifiers, stacks and roles named contract-…-RUNID and tagged contract-aws=RUNID, ` +
      `in the sharer account (${environment.sharerProfile}) the classifiers so named and tagged, and the source's resource policy` +
      `${options.removeSource ? ', and the source itself, its bucket and training role, if tagged contract-aws=source (--remove-source)' : ''}. ` +
      'It lists what it finds first; what is named so but not tagged so is left, and named. It runs no test.',
    '  - It sweeps every run, one still in progress too: only a run whose fixtures stack is still being created or updated ' +
      '(CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS) is told apart ("in progress, left"); a run whose tests are going is swept. ' +
      'Do not run it beside another run of contract:aws.',
    '  - The source\'s resource policy is deleted whole (unless a run is in progress): that also removes statements this tool ' +
      'did not write, such as those of a sharer-side stack of integ:aws left deployed in the sharer account (redeploying it puts them back).',
  ];
}

/** From here on the run reaches AWS: the SDK is loaded now. */
async function run(environment: NonNullable<ReturnType<typeof readEnvironment>['environment']>, options: Options): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fixtures: typeof import('./fixtures') = require('./fixtures');
  let interrupts = 0;
  // Ctrl-C. jest runs in a process group of its own (runTests), so the terminal's SIGINT reaches only this process. The
  // first stops the tests: jest's process group is killed (a test's own cleanups, target.close() in a finally, would not
  // run on a signal either, so none is waited for), then the sweep and the teardown delete what the run made, found by
  // its name and tag: endpoints first, each until gone, then the copies once they have stopped, then the fixtures. The second leaves
  // everything as it is, for --cleanup-only.
  let tests: ChildProcess | undefined;
  const stopTests = (signal: NodeJS.Signals) => {
    if (tests?.pid !== undefined && tests.exitCode === null && tests.signalCode === null) {
      try {
        process.kill(-tests.pid, signal);
      } catch {
        // Already gone.
      }
    }
  };
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) {
      err(`\n${COMMAND}: interrupted: stopping the tests, then deleting what this run made (Ctrl-C again to leave it; ` +
        `then run ${COMMAND} --cleanup-only)`);
      stopTests('SIGTERM');
      setTimeout(() => stopTests('SIGKILL'), 10_000).unref();
    } else {
      stopTests('SIGKILL');
      err(`${COMMAND}: left as it is: run ${COMMAND} --cleanup-only to delete what is left`);
      process.exit(130);
    }
  });
  const wait = { log: (line: string) => out(`  ${line}`), interrupted: () => interrupts > 0 };

  let accounts: Awaited<ReturnType<typeof fixtures.openAccounts>>;
  try {
    accounts = await fixtures.openAccounts(environment);
  } catch (error) {
    err(error instanceof fixtures.RefusalError ? error.message : `${COMMAND}: could not resolve the two accounts: ${String(error)}. Nothing was created.`);
    return 2;
  }
  out(`Sharer account ${accounts.sharer.accountId}, importer account ${accounts.importer.accountId} (${accounts.sharer.partition}).`);

  if (options.cleanupOnly) {
    out('What is named after a run (contract-…-RUNID), and whether it is deleted (it carries that run\'s contract-aws tag) or left:');
    const failures = await fixtures.sweep(accounts, undefined, wait);
    if (options.removeSource) {
      failures.push(...await fixtures.removeSource(accounts.sharer, wait.log));
    }
    return finish(failures);
  }

  fs.mkdirSync(RUN_DIR, { recursive: true });
  const runId = newRunId();
  const teardown = new fixtures.Teardown();
  const observationsFile = path.join(RUN_DIR, 'observations.jsonl');
  const fixturesFile = path.join(RUN_DIR, 'fixtures.json');
  fs.writeFileSync(observationsFile, '');
  let testsExit: number | undefined;
  const failures: string[] = [];
  try {
    out(`Run ${runId}: making the fixtures`);
    const made = await fixtures.ensureFixtures(environment, accounts, runId, teardown, wait);
    fs.writeFileSync(fixturesFile, JSON.stringify(made, null, 2) + '\n');
    if (interrupts === 0) {
      out(`Run ${runId}: the contract tests (fixtures in ${path.relative(REPO, fixturesFile)})`);
      testsExit = await runTests(fixturesFile, observationsFile, child => {
        tests = child;
      });
    }
  } catch (error) {
    failures.push(`the run: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    out(`Run ${runId}: deleting what it made`);
    // The sweep first: the run's key and its two roles (the teardown's stack) must outlive the keyed copies and the
    // endpoints that use them, which the sweep deletes first (it deletes the fixtures stack too, after them; the
    // teardown then finds it gone, or deletes it if the sweep stopped early).
    failures.push(...await fixtures.sweep(accounts, runId, { ...wait, interrupted: () => interrupts > 1 }));
    failures.push(...await teardown.run(wait.log));
    if (options.removeSource) {
      failures.push(...await fixtures.removeSource(accounts.sharer, wait.log));
    } else {
      const source = sourceNames(accounts.sharer.accountId, environment.region);
      out(`Kept for the next run, which reuses it by name: the classifier ${source.classifier}, s3://${source.bucket} and the role ` +
        `${source.trainingRole} in ${accounts.sharer.accountId} (${environment.region}); the classifier bills model management ` +
        `monthly. To remove them: ${COMMAND} --cleanup-only --remove-source`);
    }
  }

  /* eslint-disable @typescript-eslint/no-require-imports */
  const { readRegister }: typeof import('../register') = require('../register');
  const { readObservations, renderReport }: typeof import('./report') = require('./report');
  /* eslint-enable @typescript-eslint/no-require-imports */
  let rows: ReturnType<typeof readRegister> = [];
  try {
    rows = readRegister();
  } catch (error) {
    failures.push(`the register could not be read, so the report lists no row: ${error instanceof Error ? error.message : String(error)}`);
  }
  const report = renderReport(rows, readObservations(observationsFile), new Date().toISOString().slice(0, 10));
  const reportFile = path.join(RUN_DIR, 'report.md');
  fs.writeFileSync(reportFile, report.markdown);
  out(`Report: ${path.relative(REPO, reportFile)}: ${report.counts.held} held, ${report.counts.differs} differ, ` +
    `${report.counts['could not run']} could not run (the tests exited ${testsExit ?? 'without running'})`);
  const code = finish(failures);
  return code !== 0 || report.counts.differs > 0 || report.counts['could not run'] > 0 || testsExit !== 0 ? 1 : 0;
}

function finish(failures: readonly string[]): number {
  if (failures.length === 0) {
    return 0;
  }
  err(`${COMMAND}: ${failures.length} step(s) failed; what they name may be left (${COMMAND} --cleanup-only tries again):`);
  for (const failure of failures) {
    err(`  - ${failure}`);
  }
  return 1;
}

/**
 * Every contract test, in band, against AWS; resolves with jest's exit code. jest runs detached, in a process group of
 * its own, which the SIGINT handler stops (see there).
 *
 * jest's options. No --testTimeout: each test sets its own (assumption.ts: its awsTimeoutMinutes, the observation's
 * budget, plus 60 minutes for its cleanups). No --bail: the tests are independent, and one failing says nothing of the
 * next. No --forceExit: it would end the process only once the last test is done, and cut short cleanups still running.
 *
 * A check that outlives its budget: assumption.ts abandons its observation and goes on to target.close() in the same
 * test; the abandoned observation's next wait, and its next call through any client the AWS target handed out, throw
 * (observation.ts, aws-target.ts), so it makes nothing more and does not share or unshare the source beside the next
 * test. A call already sent when it was abandoned still completes: what it made is deleted by a cleanup it registers
 * (run at once, after close()) or, failing that, by the sweep, by name and tag. Should the cleanups also pass their 60
 * minutes, jest fails the test and starts the next while they go on; the next test may then see the source unshared
 * under it (reported as differing or not run). None of this has run on AWS.
 */
function runTests(fixturesFile: string, observationsFile: string, spawned: (child: ChildProcess) => void): Promise<number> {
  return new Promise(resolve => {
    const child = spawn('npx', ['jest', '--runInBand', '--coverage=false', '--testPathPatterns', 'test/contract/.*\\.contract\\.test\\.ts$'], {
      cwd: REPO,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, CONTRACT_TARGET: 'aws', CONTRACT_AWS_FIXTURES: fixturesFile, CONTRACT_REPORT_FILE: observationsFile },
    });
    spawned(child);
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => process.exit(code), error => {
    err(`${COMMAND}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  });
}
