// The report of a contract:aws run: one row per register row, with what the tests observed on AWS and the status a
// maintainer pastes into the register's Status column (docs/aws-assumptions.md). renderReport is pure.
import * as fs from 'fs';
import type { Observation } from '../assumption';
import type { RegisterRow } from '../register';

export type Outcome = Observation['outcome'];

export interface ReportRow {
  readonly id: string;
  readonly outcome: Outcome;
  readonly saw: string;
  readonly assumed: string;
  readonly statusToPaste: string;
  /** What else the test measured (durations, say), when it said. */
  readonly details?: string;
  /** Why the test's cleanup failed, when it did: what it made may still be there (the run's sweep tried again). */
  readonly cleanup?: string;
}

export interface Report {
  readonly rows: readonly ReportRow[];
  readonly counts: Readonly<Record<Outcome, number>>;
  /** Observations of ids the register does not have (a test of a row since removed or renamed). */
  readonly strays: readonly Observation[];
  readonly markdown: string;
}

/** The second part of a status: what AWS said, which a run replaces. */
const AWS_PART = /, (unverified|verified on AWS on \d{4}-\d{2}-\d{2}|differs on AWS on \d{4}-\d{2}-\d{2})$/;

/** The status to paste: who models the behaviour stays; what AWS said becomes this run's answer (unchanged if it could not run). */
export function statusToPaste(status: string, outcome: Outcome, date: string): string {
  if (outcome === 'could not run' || !AWS_PART.test(status)) {
    return status;
  }
  return status.replace(AWS_PART, outcome === 'held' ? `, verified on AWS on ${date}` : `, differs on AWS on ${date}`);
}

/** A cell: one line, no pipe, at most `max` characters (a stack trace keeps its first line; observations.jsonl has it all). */
function cell(text: string, max = 300): string {
  const line = text.split('\n')[0].replace(/\|/g, '\\|').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The report of `observations` against the register's `rows` on `date` (YYYY-MM-DD). A row with no observation could
 * not run ("no test ran"); a row observed more than once takes its last observation.
 */
export function renderReport(rows: readonly RegisterRow[], observations: readonly Observation[], date: string): Report {
  const last = new Map<string, Observation>();
  for (const o of observations) {
    last.set(o.id, o);
  }
  const reportRows: ReportRow[] = rows.map(row => {
    const o = last.get(row.id);
    const outcome: Outcome = o?.outcome ?? 'could not run';
    return {
      id: row.id,
      outcome,
      saw: o ? o.saw : 'no test ran',
      assumed: row.assumed,
      statusToPaste: statusToPaste(row.status, outcome, date),
      ...o?.details ? { details: o.details } : {},
      ...o?.cleanup ? { cleanup: o.cleanup } : {},
    };
  });
  const counts: Record<Outcome, number> = { 'held': 0, 'differs': 0, 'could not run': 0 };
  for (const r of reportRows) {
    counts[r.outcome]++;
  }
  const ids = new Set(rows.map(r => r.id));
  const strays = [...last.values()].filter(o => !ids.has(o.id));
  const cleanups = reportRows.filter(r => r.cleanup).length;
  const markdown = [
    `# contract:aws report, ${date}`,
    '',
    `${counts.held} held, ${counts.differs} differ, ${counts['could not run']} could not run, of ${rows.length} register rows` +
      `${cleanups > 0 ? `; the cleanup of ${cleanups} failed (see the Outcome column)` : ''}. ` +
      'Paste each row\'s last column into the Status column of docs/aws-assumptions.md; a row that differs also needs its ' +
      '"If AWS differs" column acted on.',
    '',
    '| Id | Outcome | What it saw | Assumed | Status to paste |',
    '|---|---|---|---|---|',
    ...reportRows.map(r => {
      const outcome = (r.outcome === 'could not run' ? `could not run: ${cell(r.saw, 120)}` : r.outcome) +
        (r.cleanup ? ` (cleanup failed: ${cell(r.cleanup, 200)})` : '');
      const saw = cell(r.saw) + (r.details ? ` (${cell(r.details, 200)})` : '');
      return `| \`${r.id}\` | ${outcome} | ${saw} | \`${cell(r.assumed)}\` | ${r.statusToPaste} |`;
    }),
    ...strays.length === 0 ? [] : [
      '',
      'Observed, but not in the register (a test of a row removed or renamed):',
      '',
      ...strays.map(o => `- \`${o.id}\`: ${o.outcome}${o.cleanup ? ` (cleanup failed: ${cell(o.cleanup, 200)})` : ''}: ${cell(o.saw)}`),
    ],
    '',
  ].join('\n');
  return { rows: reportRows, counts, strays, markdown };
}

/** The observations a run's tests appended (CONTRACT_REPORT_FILE, JSON lines); none when the file is missing. */
export function readObservations(file: string): Observation[] {
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs.readFileSync(file, 'utf8').split('\n').filter(line => line.trim() !== '').map(line => JSON.parse(line) as Observation);
}
