// What the README promises a newcomer that no compiler checks (its TypeScript snippets are compiled by jsii-rosetta):
// the Python snippet is the example CI runs, every synth warning has its row, and every npx that installs has -y.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The files below `dir` whose names end with one of `extensions`, skipping generated and installed trees. */
function filesUnder(dir: string, extensions: string[]): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap(entry => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return ['node_modules', 'cdk.out', '__snapshots__'].some(skip => entry.name.startsWith(skip)) ? [] : filesUnder(relative, extensions);
    }
    return extensions.some(extension => entry.name.endsWith(extension)) ? [relative] : [];
  });
}

test('the README\'s Python snippet is taken from examples/python/app.py, which CI runs, line by line and in order', () => {
  const blocks = [...README.matchAll(/```python\n([\s\S]*?)```/g)].map(match => match[1]);
  expect(blocks.length).toBeGreaterThan(0);
  const example = fs.readFileSync(path.join(ROOT, 'examples', 'python', 'app.py'), 'utf8').split('\n').map(line => line.trim());
  for (const block of blocks) {
    let at = 0;
    for (const line of block.split('\n').map(l => l.trim()).filter(l => l !== '')) {
      const found = example.indexOf(line, at);
      expect({ line, found: found >= 0 }).toEqual({ line, found: true });
      at = found + 1;
    }
  }
});

test('every synth warning the library can give has its id in the README\'s troubleshooting', () => {
  const ids = new Set(filesUnder('src', ['.ts'])
    .filter(file => !file.startsWith(path.join('src', 'handlers')))
    // The ids are constants named …WARNING (the ownership tag's key has the same prefix).
    .flatMap(file => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/[A-Z_]*WARNING[A-Z_]* = 'cdk-comprehend-model-import:([A-Za-z]+)'/g)])
    .map(match => match[1]));
  const troubleshooting = README.slice(README.indexOf('## Troubleshooting'), README.indexOf('## Set-up commands'));
  expect(ids.size).toBeGreaterThanOrEqual(7);
  expect([...ids].filter(id => !troubleshooting.includes(`\`${id}\``))).toEqual([]);
});

test('every npx that may install a package says -y (npx stops in scripts and CI otherwise)', () => {
  const files = ['README.md', 'CONTRIBUTING.md', ...filesUnder('docs', ['.md']), ...filesUnder('examples', ['.ts', '.md', '.py', '.go', '.json'])];
  const offending = files.flatMap(file => fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')
    .flatMap((line, index) => [...line.matchAll(/\bnpx ([^\s`'"]+)/g)]
      // `npx projen` and the tools of this repository's own devDependencies run what `npm ci` installed.
      .filter(match => match[1] !== '-y' && match[1] !== '--yes' && !['projen', 'jest', 'eslint', 'tsc', 'jsii', 'jsii-rosetta', 'jsii-diff', 'ts-node', 'cdk']
        .includes(match[1]))
      .map(() => `${file}:${index + 1}: ${line.trim()}`)));
  expect(offending).toEqual([]);
});
