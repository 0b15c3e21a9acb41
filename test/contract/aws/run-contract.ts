// `npx projen contract:aws`: the contract tests against two AWS accounts (docs/contract-aws.md). It refuses to start
// without both profiles and the opt-in, prints what it will create and cost first, makes the fixtures, runs every
// contract test with CONTRACT_TARGET=aws, always tears down what the run made (also on a failure or Ctrl-C), and writes
// the report. Only environment and plan are loaded before the opt-in check: the refusal needs no SDK.
// The AWS path has not been run yet: what is tested without AWS is in run-contract.test.ts.
import { spawn } from 'child_process';
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
      `(${environment.importerProfile}) the endpoints, classifiers, stacks and roles named contract-…-RUNID, in the sharer account ` +
      `(${environment.sharerProfile}) the classifiers so named and any resource policy left on the source` +
      `${options.removeSource ? ', and the source itself, its bucket and training role (--remove-source)' : ''}. It runs no test.`);
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
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) {
      err(`\n${COMMAND}: interrupted: stopping, then deleting what this run made (Ctrl-C again to leave it; ` +
        `then run ${COMMAND} --cleanup-only)`);
    } else {
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
      testsExit = await runTests(fixturesFile, observationsFile);
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

/** Every contract test, in band, against AWS; resolves with jest's exit code. */
function runTests(fixturesFile: string, observationsFile: string): Promise<number> {
  return new Promise(resolve => {
    const child = spawn('npx', ['jest', '--runInBand', '--coverage=false', '--testPathPatterns', 'test/contract/.*\\.contract\\.test\\.ts$'], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, CONTRACT_TARGET: 'aws', CONTRACT_AWS_FIXTURES: fixturesFile, CONTRACT_REPORT_FILE: observationsFile },
    });
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
