// A contract test: one behaviour of the register, observed through the SDK on whichever target CONTRACT_TARGET names,
// and compared with the row's assumed answer. On the emulator a difference fails the build (the emulator and the
// register must change together); on AWS it is what the report says "differs" about.
import * as fs from 'fs';
import { runObservation, stopIfAbandoned } from './observation';
import { emulatedOverHttp, registerRow } from './register';
import { ContractTarget, openTarget } from './target';

/** One line of the report file (CONTRACT_REPORT_FILE, JSON lines) that contract:aws turns into its report. */
export interface Observation {
  readonly id: string;
  readonly target: string;
  readonly outcome: 'held' | 'differs' | 'could not run';
  /** What the test observed, or why it could not run. */
  readonly saw: string;
  readonly assumed: string;
  readonly seconds: number;
  /** What else the test measured, for the report only (an import's durations, say). */
  readonly details?: string;
  /** Why the test's cleanup failed, when it did: what it made may still be there. */
  readonly cleanup?: string;
}

/** What a contract test observed: `answer` is compared with the row; `details` only reported. */
export interface Seen {
  readonly answer: string;
  readonly details?: string;
}

export interface AssumptionOptions {
  /** How long the check may take against AWS (imports and endpoints take minutes). @default 60 */
  readonly awsTimeoutMinutes?: number;
}

/** How long a test's cleanups may take against AWS after its check (waiting out an import, deleting an endpoint). */
const CLEANUP_MINUTES = 60;

/**
 * `target`, whose wait() rejects inside an observation its test gave up on (the AWS target's clients refuse too), so
 * that it cannot import or share beside the next test.
 */
function stoppable(target: ContractTarget): ContractTarget {
  // The target as prototype, not spread: its lazy members (the AWS-only clients) stay lazy.
  const view: ContractTarget = Object.create(target);
  return Object.assign(view, {
    async wait(ms: number) {
      stopIfAbandoned();
      await target.wait(ms);
    },
  });
}

function record(observation: Observation): void {
  const file = process.env.CONTRACT_REPORT_FILE;
  if (file) {
    fs.appendFileSync(file, JSON.stringify(observation) + '\n');
  }
}

/**
 * Declares the contract test of the register's row `id`: `observe` does what the row describes against the target and
 * returns what it saw, in the words of the row's assumed answer. Rows the emulator does not answer over HTTP (their
 * status says so) run only against AWS, and are skipped, by name, elsewhere.
 */
export function assumption(id: string, observe: (target: ContractTarget) => Promise<string | Seen>, options: AssumptionOptions = {}): void {
  const row = registerRow(id);
  const kind = process.env.CONTRACT_TARGET ?? 'emulator';
  const runs = kind === 'aws' || emulatedOverHttp(row);
  const declare = runs ? test : test.skip;
  const title = `${id}: ${row.assumed}${runs ? '' : ' (AWS only: the emulator does not model it)'}`;
  // On the emulator jest's own timeout is the bound: nothing there outlives a test.
  const budgetMs = kind === 'aws' ? (options.awsTimeoutMinutes ?? 60) * 60_000 : undefined;
  declare(title, async () => {
    const started = Date.now();
    const target = stoppable(await openTarget());
    const observation = runObservation(() => observe(target));
    let seen: Seen | undefined;
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const observed = await Promise.race([
        observation.result,
        ...budgetMs === undefined ? [] : [new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            observation.abandon();
            reject(new Error(`${id}: the check took longer than ${budgetMs / 60_000} minutes; it was stopped at its next wait`));
          }, budgetMs);
        })],
      ]);
      seen = typeof observed === 'string' ? { answer: observed } : observed;
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
    }
    // Whatever the test made goes, pass or fail; the observation says when it could not.
    let cleanup: string | undefined;
    try {
      await target.close();
    } catch (error) {
      cleanup = explain(error);
    }
    const base = { id, target: target.kind, assumed: row.assumed, seconds: Math.round((Date.now() - started) / 1000), cleanup };
    if (seen === undefined) {
      record({ ...base, outcome: 'could not run', saw: explain(failure) });
      throw failure;
    }
    record({ ...base, outcome: seen.answer === row.assumed ? 'held' : 'differs', saw: seen.answer, details: seen.details });
    expect(seen.answer).toBe(row.assumed);
    if (cleanup !== undefined) {
      throw new Error(`${id}: the cleanup failed, and what the test made may still be there: ${cleanup}`);
    }
  }, budgetMs === undefined ? undefined : budgetMs + CLEANUP_MINUTES * 60_000);
}

function explain(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}
