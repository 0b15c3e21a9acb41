// The assumptions register (docs/aws-assumptions.md) checked as data, in every build: each row is well formed, names
// files that exist and a contract test that checks it; every contract test checks a row; and no source line says that
// a behaviour of AWS is undocumented or assumed without naming, next to it, the row of the register that lists it and
// relies on that file, so such an assumption cannot be written without its row.
import * as fs from 'fs';
import * as path from 'path';
import { COLUMNS, readRegister, REGISTER_PATH, RegisterRow, STATUS } from './register';

const ROOT = path.join(__dirname, '..', '..');
const CONTRACT_DIR = path.join('test', 'contract');
const REGISTER_FILE = path.relative(ROOT, REGISTER_PATH).split(path.sep).join('/');

/** How a source line says that a behaviour it relies on is not fixed by any source. */
const UNDOCUMENTED = new RegExp([
  'not documented', 'undocumented', 'does not document', 'most likely', 'the project assumes', 'project\'s understanding',
  'is an assumption', 'unverified on AWS', 'no machine-readable',
  // "assum…" as the issue names it, but not a role that a service or a deployment assumes.
  'we assume', 'assumes that', 'assumed that', '(?:is|are) assumed', 'our assumption',
].join('|'), 'i');
/** How many lines before and after such a line may name its row (a comment or a paragraph around it). */
const CITATION_REACH = 4;
/** A contract test's declaration of the row it checks (assumption.ts): the id is its first argument, a string literal. */
const DECLARATION = /\bassumption\(\s*(['"`])([^'"`]*)\1/g;
/** A backticked token that names a file of the repository (the cells name them relative to its root). */
const PATH_LIKE = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*\.[a-z]+$/;

let rows: RegisterRow[] = [];
let parseError: unknown;
try {
  rows = readRegister();
} catch (error) {
  parseError = error;
}
const registerText = fs.readFileSync(REGISTER_PATH, 'utf8');

/** The backticked tokens of a cell. */
const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map(match => match[1]);

/** The files of the repository a cell names (its backticked tokens that look like paths). */
const pathsIn = (cell: string): string[] => backticked(cell).filter(token => PATH_LIKE.test(token));

const exists = (relative: string): boolean => fs.existsSync(path.join(ROOT, relative));

const read = (relative: string): string => fs.readFileSync(path.join(ROOT, relative), 'utf8');

/** The files below `dir` (relative to the root, with `/`) whose names end with `extension`; `deep` to go into folders. */
function filesIn(dir: string, extension: string, deep: boolean): string[] {
  if (!exists(dir)) {
    return [];
  }
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap(entry => {
    const relative = `${dir.split(path.sep).join('/')}/${entry.name}`;
    if (entry.isDirectory()) {
      return deep && entry.name !== 'node_modules' && !entry.name.startsWith('__snapshots__') ? filesIn(relative, extension, deep) : [];
    }
    return entry.name.endsWith(extension) ? [relative] : [];
  });
}

/** The ids a file declares contract tests for. */
const declaredIn = (text: string): string[] => [...text.matchAll(DECLARATION)].map(match => match[2]);

test('the register parses: its header is the columns in order, and every row has one cell per column', () => {
  expect(parseError).toBeUndefined();
  const header = registerText.split('\n').find(line => /^\|\s*Id\s*\|/.test(line));
  expect(header?.trim().replace(/^\||\|$/g, '').split('|').map(cell => cell.trim())).toEqual([...COLUMNS]);
  expect(rows.length).toBeGreaterThan(0);
});

test('row ids are unique and kebab-case', () => {
  const ids = rows.map(row => row.id);
  expect(ids.filter(id => !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id))).toEqual([]);
  expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
});

test('every status says who models the behaviour and what AWS said (STATUS)', () => {
  expect(rows.filter(row => !STATUS.test(row.status)).map(row => `${row.id}: "${row.status}"`)).toEqual([]);
});

test('every assumed answer is one non-empty backticked string, which the contract test compares byte for byte', () => {
  const malformed = rows.filter(row => row.assumed.trim() === ''
    || row.assumed !== row.assumed.trim()
    || row.assumed.includes('`')
    || !registerText.includes(`| \`${row.assumed}\` |`));
  expect(malformed.map(row => `${row.id}: ${row.assumed}`)).toEqual([]);
});

test('every "Relied on in" cell names at least one file, and every file it names exists', () => {
  const problems = rows.flatMap(row => {
    const paths = pathsIn(row.reliedOn);
    if (paths.length === 0) {
      return [`${row.id}: names no file in backticks`];
    }
    return paths.filter(file => !exists(file)).map(file => `${row.id}: ${file} does not exist`);
  });
  expect(problems).toEqual([]);
});

test('every row\'s contract test is a file under test/contract/ that declares the row\'s test', () => {
  const problems = rows.flatMap(row => {
    const files = backticked(row.contractTest);
    if (files.length !== 1 || !files[0].startsWith(`${CONTRACT_DIR.split(path.sep).join('/')}/`) || !files[0].endsWith('.ts')) {
      return [`${row.id}: the contract test cell "${row.contractTest}" must name one .ts file under test/contract/ in backticks`];
    }
    if (!exists(files[0])) {
      return [`${row.id}: ${files[0]} does not exist`];
    }
    return declaredIn(read(files[0])).includes(row.id) ? [] : [`${row.id}: ${files[0]} declares no contract test of this row (assumption with its id)`];
  });
  expect(problems).toEqual([]);
});

test('every contract test under test/contract/ checks a row of the register, in the file the row names', () => {
  const byId = new Map(rows.map(row => [row.id, row]));
  const problems = filesIn(CONTRACT_DIR, '.ts', true).flatMap(file => declaredIn(read(file)).flatMap(id => {
    const row = byId.get(id);
    if (!row) {
      return [`${file}: declares a contract test of "${id}", which is no row of ${REGISTER_FILE}`];
    }
    return backticked(row.contractTest).includes(file) ? [] : [`${file}: declares "${id}", whose row names ${row.contractTest}`];
  }));
  expect(problems).toEqual([]);
});

test('every source line that says a behaviour is undocumented or assumed names, near it, a row that relies on its file', () => {
  const sources = [
    ...filesIn('src', '.ts', true),
    // The register itself, and the page about running its tests against AWS (whose cost estimate says what AWS's
    // pricing page leaves open: no behaviour the library relies on).
    ...filesIn('docs', '.md', false).filter(file => file !== REGISTER_FILE && file !== 'docs/contract-aws.md'),
    'README.md',
    ...filesIn(path.join('test', 'support'), '.ts', false),
    ...filesIn(path.join('test', 'lifecycle'), '.ts', false),
  ];
  const saying = sources.flatMap(file => {
    const lines = read(file).split('\n');
    return lines.map((text, index) => ({ file, line: index + 1, text: text.trim(), near: lines.slice(Math.max(0, index - CITATION_REACH), index + CITATION_REACH + 1).join('\n') }))
      .filter(({ text }) => UNDOCUMENTED.test(text));
  });
  // The scan must see the lines it is about, or it would pass on a tree it cannot read.
  expect(saying.length).toBeGreaterThan(0);
  const cites = (near: string, row: RegisterRow) => new RegExp(`(^|[^a-z0-9-])${row.id}($|[^a-z0-9-])`).test(near);
  const offending = saying
    .filter(({ file, near }) => !rows.some(row => cites(near, row) && pathsIn(row.reliedOn).includes(file)))
    .map(({ file, line, text }) => `${file}:${line}: ${text} (name the row's id within ${CITATION_REACH} lines, and the file in its Relied on cell)`);
  expect(offending).toEqual([]);
});

test('the README links the register and says how to check it against AWS (npx projen contract:aws)', () => {
  const readme = read('README.md');
  expect({
    linksTheRegister: /\]\(docs\/aws-assumptions\.md(?:#[^)]*)?\)/.test(readme),
    mentionsContractAws: readme.includes('npx projen contract:aws'),
  }).toEqual({ linksTheRegister: true, mentionsContractAws: true });
});
