// `npx projen contract:aws`: the contract tests against two AWS accounts (docs/contract-aws.md). It refuses to start
// without both profiles and the opt-in, prints what it will create and cost first, makes the fixtures, runs every
// contract test with CONTRACT_TARGET=aws, then tears down what the run made and sweeps what carries its name and tag
// (also after a failure, or a first Ctrl-C; a second Ctrl-C leaves everything for --cleanup-only), and writes the report. Only environment and plan are loaded before the opt-in check: the refusal needs no SDK.
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
export function parseArgs(argv: readonly string[]): Options | string {
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
    out(`${COMMAND} --cleanup-only deletes, in ${environment.region}, what a previous run left: in the importer account ` +
      `(${environment.importerProfile}) the endpoints, classifiers, stacks and roles named contract-…-RUNID and tagged contract-aws=RUNID, ` +
      `in the sharer account (${environment.sharerProfile}) the classifiers so named and tagged, and any resource policy left on the ` +
      `source${options.removeSource ? ', and the source itself, its bucket and training role, if tagged contract-aws=source (--remove-source)' : ''}. ` +
      'It lists what it finds first; what is named so but not tagged so is left, and named. It runs no test.');
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

/** From here on the run reaches AWS: the SDK is loaded now. */
async function run(environment: NonNullable<ReturnType<typeof readEnvironment>['environment']>, options: Options): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fixtures: typeof import('./fixtures') = require('./fixtures');
  let interrupts = 0;
  // Ctrl-C. jest runs in a process group of its own (runTests), so the terminal's SIGINT reaches only this process. The
  // first stops the tests: jest's process group is killed (a test's own cleanups, target.close() in a finally, would not
  // run on a signal either, so none is waited for), then the teardown and the sweep delete what the run made, found by
  // its name and tag: endpoints first, each until gone, then the copies once they have stopped. The second leaves
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
    failures.push(...await teardown.run(wait.log));
    failures.push(...await fixtures.sweep(accounts, runId, { ...wait, interrupted: () => interrupts > 1 }));
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
 * jest's options. No --testTimeout: each test's own (assumption()'s awsTimeoutMinutes) is the one that applies. No
 * --bail: the tests are independent, and one failing says nothing of the next. No --forceExit: when a test times out,
 * jest fails it and starts the next, but the timed-out test's promise is not cancelled: its polling goes on, and its
 * finally (target.close()) runs when it ends, deleting what it made. --forceExit would only end the process once the last
 * test is done, cutting those cleanups short (the sweep would delete what they left, by name and tag), and does nothing
 * about the overlap. The overlap's one shared state is the source's resource policy: every test that needs the share puts
 * it at its start (steps.ts shareSource), and a timed-out test's close() deletes it (unshareSource), which can remove it
 * in the middle of a later test, whose import is then refused and reported as differing or not run. The tests' own
 * deadlines (steps.ts: 40 min for an endpoint, 60 for an import) are meant to fail a test, and run its cleanups, before
 * jest's timeout; where a test's timeout is not above the waits it chains (the default hour against a 60-minute import
 * deadline), the overlap can happen: that risk is not removed here.
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
