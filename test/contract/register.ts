// The assumptions register (docs/aws-assumptions.md), read as data: the contract tests take each row's assumed answer
// from it, so the emulator cannot answer otherwise without the row changing too.
import * as fs from 'fs';
import * as path from 'path';

export const REGISTER_PATH = path.join(__dirname, '..', '..', 'docs', 'aws-assumptions.md');

/** The register's columns, in order. */
export const COLUMNS = [
  'Id', 'Behaviour the library relies on', 'Assumed answer', 'Relied on in', 'Source', 'If AWS differs', 'Status', 'Contract test',
] as const;

export interface RegisterRow {
  readonly id: string;
  readonly behaviour: string;
  /** What the contract test must observe, without its backticks: the emulator's answer, and the library's assumption. */
  readonly assumed: string;
  readonly reliedOn: string;
  readonly source: string;
  readonly ifDifferent: string;
  /**
   * Who models it (`emulated`: the emulator over HTTP; `emulated by the deploy driver`; `not emulated`), then what AWS
   * said: `unverified`, `verified on AWS on DATE` or `differs on AWS on DATE` (a maintainer's edit after contract:aws).
   */
  readonly status: string;
  readonly contractTest: string;
}

/** A row's status: who models the behaviour, then what AWS said (a run of contract:aws moves the second part). */
export const STATUS = /^(emulated|emulated by the deploy driver|not emulated), (unverified|verified on AWS on \d{4}-\d{2}-\d{2}|differs on AWS on \d{4}-\d{2}-\d{2})$/;

/** Whether the emulator answers the row's behaviour over HTTP, so that its contract test runs against it in every build. */
export function emulatedOverHttp(row: RegisterRow): boolean {
  return row.status.startsWith('emulated, ');
}

/** Splits a table line into its cells (no cell of the register holds a `|`). */
function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map(cell => cell.trim());
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

/** Every row of the register, in its order; throws when a row is malformed, naming it. */
export function readRegister(text = fs.readFileSync(REGISTER_PATH, 'utf8')): RegisterRow[] {
  return text.split('\n').filter(line => /^\|\s*`[a-z0-9-]+`\s*\|/.test(line)).map(line => {
    const c = cells(line);
    if (c.length !== COLUMNS.length) {
      throw new Error(`${REGISTER_PATH}: the row ${c[0]} has ${c.length} cells; expected ${COLUMNS.length} (${COLUMNS.join(', ')})`);
    }
    const [id, behaviour, assumed, reliedOn, source, ifDifferent, status, contractTest] = c;
    return { id: unquote(id), behaviour, assumed: unquote(assumed), reliedOn, source, ifDifferent, status, contractTest };
  });
}

/** The row `id`; throws, naming the register, when there is none. */
export function registerRow(id: string): RegisterRow {
  const row = readRegister().find(r => r.id === id);
  if (!row) {
    throw new Error(`${REGISTER_PATH} has no row \`${id}\`: a contract test checks a behaviour the register lists`);
  }
  return row;
}
