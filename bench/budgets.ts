// The standing budgets of budgets.json, measured and compared: `npx projen budgets` (CI's last step). Sizes and memory
// fail when over their budget (or over an exception's allowance); timings are printed beside their budgets and never
// fail, because a shared 2-core machine is noisy.
//
// Usage: budgets.ts [--test-command MEASURE.json] [--ci-timings TIMINGS.tsv]
//   --test-command: what bench/measure-command.js wrote for the README's test command (its time and peak memory);
//   --ci-timings: one line per CI step, `step<TAB>seconds`, as .ci/run writes them.
import * as fs from 'fs';
import * as path from 'path';
import { assetTotal, measureAssets } from './asset-cost';
import { measurePackage } from './package-size';

const ROOT = path.join(__dirname, '..');

export interface Budgets {
  readonly readme: { readonly maxLines: number };
  readonly npmPackage: { readonly maxUnpackedBytes: number };
  readonly importerHandlerAssets: { readonly maxZippedBytes: number };
  readonly testCommand: { readonly maxSeconds: number; readonly maxPeakMemoryMB: number };
  readonly ci: { readonly maxSeconds: number; readonly steps: Readonly<Record<string, number>> };
  /** Budgets a change had to exceed: `budget` is the path of the budget (`readme.maxLines`), `allowed` the new ceiling. */
  readonly exceptions: ReadonlyArray<{ readonly budget: string; readonly allowed: number; readonly why: string }>;
}

export const BUDGETS: Budgets = JSON.parse(fs.readFileSync(path.join(ROOT, 'budgets.json'), 'utf8'));

/** One figure against its budget. */
export interface BudgetCheck {
  readonly what: string;
  /** The budget's path in budgets.json. */
  readonly budget: string;
  readonly figure: number;
  readonly max: number;
  readonly unit: string;
  /** Timings are compared, never failed on. */
  readonly timing: boolean;
}

/** Whether a check fails: a size or memory over its budget, or over the allowance of an exception to it. */
export function fails(check: BudgetCheck): boolean {
  return !check.timing && check.figure > ceiling(check);
}

function ceiling(check: BudgetCheck): number {
  return BUDGETS.exceptions.find(e => e.budget === check.budget)?.allowed ?? check.max;
}

/** The budgets measured from the working tree: the README, the npm package and the importer's handler assets. */
export function measureSizes(): BudgetCheck[] {
  const readmeLines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
  return [
    { what: 'README.md lines', budget: 'readme.maxLines', figure: readmeLines, max: BUDGETS.readme.maxLines, unit: 'lines', timing: false },
    {
      what: 'npm package, unpacked',
      budget: 'npmPackage.maxUnpackedBytes',
      figure: measurePackage().unpackedBytes,
      max: BUDGETS.npmPackage.maxUnpackedBytes,
      unit: 'bytes',
      timing: false,
    },
    {
      what: 'library handler assets of an importer stack, zipped',
      budget: 'importerHandlerAssets.maxZippedBytes',
      figure: assetTotal(measureAssets(), 'importer', 'zippedBytes', 'library'),
      max: BUDGETS.importerHandlerAssets.maxZippedBytes,
      unit: 'bytes',
      timing: false,
    },
  ];
}

/** The README's test command, as bench/measure-command.js measured it. */
export function testCommandChecks(measureFile: string): BudgetCheck[] {
  const measured: { seconds: number; peakMemoryMB: number } = JSON.parse(fs.readFileSync(measureFile, 'utf8'));
  return [
    {
      what: 'test command, wall time',
      budget: 'testCommand.maxSeconds',
      figure: measured.seconds,
      max: BUDGETS.testCommand.maxSeconds,
      unit: 's',
      timing: true,
    },
    {
      what: 'test command, peak memory of its processes',
      budget: 'testCommand.maxPeakMemoryMB',
      figure: measured.peakMemoryMB,
      max: BUDGETS.testCommand.maxPeakMemoryMB,
      unit: 'MB',
      timing: false,
    },
  ];
}

/** Each CI step and the total, from .ci/run's timings. */
export function ciChecks(timingsFile: string): BudgetCheck[] {
  const steps = fs.readFileSync(timingsFile, 'utf8').trim().split('\n').filter(line => line.length > 0).map(line => {
    const [step, seconds] = line.split('\t');
    return { step, seconds: Number(seconds) };
  });
  const total = steps.reduce((sum, s) => sum + s.seconds, 0);
  return [
    ...steps.map(({ step, seconds }) => ({
      what: `CI step ${step}`,
      budget: `ci.steps.${step}`,
      figure: seconds,
      // A step without a budget is shown as over a budget of 0: give it one.
      max: BUDGETS.ci.steps[step] ?? 0,
      unit: 's',
      timing: true,
    })),
    { what: 'CI in all (the steps above)', budget: 'ci.maxSeconds', figure: total, max: BUDGETS.ci.maxSeconds, unit: 's', timing: true },
  ];
}

/** The checks as a table, one line each. */
export function renderChecks(checks: BudgetCheck[]): string {
  const lines = checks.map(check => {
    const exception = BUDGETS.exceptions.find(e => e.budget === check.budget);
    const over = check.figure > check.max;
    const verdict = !over ? 'within'
      : check.timing ? `over by ${percentOver(check.figure, check.max)} (a timing: compared, not failed on)`
        : exception && check.figure <= exception.allowed ? `over by ${percentOver(check.figure, check.max)}, within the exception's ${format(exception.allowed, check.unit)}: ${exception.why}`
          : `OVER by ${percentOver(check.figure, check.max)}: FAILS`;
    return `${check.what.padEnd(52)} ${format(check.figure, check.unit).padStart(16)}  budget ${format(check.max, check.unit).padStart(16)}  ${verdict}`;
  });
  return lines.join('\n');
}

function format(value: number, unit: string): string {
  return `${value.toLocaleString('en-US')} ${unit}`;
}

function percentOver(figure: number, max: number): string {
  return max === 0 ? 'all of it (no budget)' : `${Math.round((figure / max - 1) * 100)} %`;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

if (require.main === module) {
  const testCommand = option('--test-command');
  const ciTimings = option('--ci-timings');
  const checks = [
    ...measureSizes(),
    ...testCommand ? testCommandChecks(testCommand) : [],
    ...ciTimings ? ciChecks(ciTimings) : [],
  ];
  process.stdout.write(`${renderChecks(checks)}\n`);
  if (testCommand) {
    // Who held the memory at the test command's peak, for whoever must bring it down.
    const held: string[] = JSON.parse(fs.readFileSync(testCommand, 'utf8')).peakProcesses ?? [];
    process.stdout.write(held.map(line => `  at the peak: ${line}\n`).join(''));
  }
  const failed = checks.filter(fails);
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} budget${failed.length === 1 ? '' : 's'} exceeded: ${failed.map(c => `${c.what} is ` +
      `${format(c.figure, c.unit)}, budget ${format(ceiling(c), c.unit)}`).join('; ')}. Bring it back under, or change ` +
      'budgets.json with the reason (CONTRIBUTING.md: the standing budgets).\n');
    process.exit(1);
  }
}
