// Package size: what `npm pack` would publish (the JavaScript package; the other languages' packages wrap it), from
// `npm pack --dry-run`. The package ships lib/ as jsii compiles it, so lib/ is compiled first when it is missing or
// older than src/.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

export interface PackageSize {
  /** The bytes of the .tgz. */
  readonly packedBytes: number;
  /** The bytes of the files in it. */
  readonly unpackedBytes: number;
  readonly files: number;
  /** The compiled handler sources in it (lib/handlers/**), which synth never loads: it loads the bundles in assets/. */
  readonly libHandlerFiles: string[];
  /**
   * Files of lib/ with no source in src/: left over from an earlier compile of a source since moved or removed
   * (jsii does not delete them). A package built from a clean checkout has none.
   */
  readonly leftoverFiles: Array<{ readonly path: string; readonly bytes: number }>;
  /** The largest files, largest first. */
  readonly largest: Array<{ readonly path: string; readonly bytes: number }>;
  /** Whether this run compiled lib/ first (it was missing or older than src/). */
  readonly compiled: boolean;
}

export function measurePackage(): PackageSize {
  const compiled = !libIsFresh();
  if (compiled) {
    execFileSync('npx', ['projen', 'compile'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024,
  });
  const [pack] = JSON.parse(output) as Array<{ size: number; unpackedSize: number; files: Array<{ path: string; size: number }> }>;
  const files = pack.files.map(f => ({ path: f.path, bytes: f.size }));
  return {
    packedBytes: pack.size,
    unpackedBytes: pack.unpackedSize,
    files: files.length,
    libHandlerFiles: files.filter(f => f.path.startsWith('lib/handlers/')).map(f => f.path),
    leftoverFiles: files.filter(f => f.path.startsWith('lib/') && !fs.existsSync(sourceOf(f.path))),
    largest: [...files].sort((a, b) => b.bytes - a.bytes).slice(0, 6),
    compiled,
  };
}

/** src/X.ts for lib/X.js and lib/X.d.ts. */
function sourceOf(libFile: string): string {
  return path.join(ROOT, 'src', libFile.slice('lib/'.length).replace(/(\.d\.ts|\.js)$/, '.ts'));
}

/** Every source of src/ compiled into lib/ since it last changed, and the jsii assembly written after them. */
function libIsFresh(): boolean {
  const assembly = path.join(ROOT, '.jsii');
  if (!fs.existsSync(assembly)) {
    return false;
  }
  const sources = listFiles(path.join(ROOT, 'src')).filter(file => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  return sources.every(source => {
    const compiledFile = path.join(ROOT, 'lib', path.relative(path.join(ROOT, 'src'), source).replace(/\.ts$/, '.js'));
    const sourceTime = fs.statSync(source).mtimeMs;
    return fs.existsSync(compiledFile) && fs.statSync(compiledFile).mtimeMs >= sourceTime && fs.statSync(assembly).mtimeMs >= sourceTime;
  });
}

function listFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(folder, entry.name);
    return entry.isDirectory() ? listFiles(file) : [file];
  });
}
