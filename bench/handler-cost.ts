// Handler cost: the bytes of each handler bundle and how long a fresh Node process takes to load it (what a Lambda
// cold start adds to the runtime's own start), with the SDK bundled (as shipped) and left external. One bundle per
// provider (`npx projen bundle`): the Comprehend provider's onEvent and isComplete are two exports of one file.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median } from './child-process';

const ROOT = path.join(__dirname, '..');
/** The bundles: src/handlers/NAME/index.ts, built into assets/handlers/NAME/index/index.js. */
export const HANDLERS = ['provider', 'policy'];

/**
 * The esbuild arguments of .projenrc.ts's addBundle (the `bundle:handlers/NAME/index` tasks), less the entry point
 * and the output file, and `--supported:dynamic-import=false`, which projen's task runner adds when it runs those
 * tasks (an execve trace of `npx projen bundle` shows it; .projen/tasks.json does not list it): with it, the bundles
 * built here are byte for byte the assets `npx projen bundle` writes.
 */
const BUNDLE_FLAGS = [
  '--bundle', '--target=node22', '--platform=node', '--tsconfig=tsconfig.dev.json',
  '--minify', '--keep-names', '--main-fields=module,main', '--supported:dynamic-import=false',
];

/** The bundle `npx projen bundle` writes for `handler`, as the library ships it. */
export function bundleFile(handler: string): string {
  return path.join(ROOT, 'assets', 'handlers', handler, 'index', 'index.js');
}

/** How a handler is bundled. */
export type Packaging = 'bundled' | 'external';

export interface HandlerCost {
  readonly handler: string;
  readonly packaging: Packaging;
  readonly bytes: number;
  /** Median time to require the handler's file. */
  readonly initMs: number;
  /** Median time from starting `node` to its exit after loading the handler. */
  readonly processMs: number;
}

/** One bundle built as `npx projen bundle` builds it, into a folder of the run's own. */
export interface BundleCheck {
  readonly handler: string;
  readonly bytes: number;
  /** The lines of esbuild's output that warn (its summary marks an output file over 1 MB with ⚠️), if any. */
  readonly warnings: string[];
  /** Whether it is byte for byte the asset in assets/ (false when the sources changed since `npx projen bundle`). */
  readonly matchesAsset: boolean;
}

export function checkBundles(): BundleCheck[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
  try {
    return HANDLERS.map(handler => {
      const outfile = path.join(outdir, handler, 'index.js');
      const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
        `src/handlers/${handler}/index.ts`, ...BUNDLE_FLAGS, `--outfile=${outfile}`,
      ], { cwd: ROOT, encoding: 'utf8' });
      if (result.status !== 0) {
        throw new Error(`esbuild failed for ${handler}: ${result.stderr}`);
      }
      return {
        handler,
        bytes: fs.statSync(outfile).size,
        warnings: `${result.stdout}${result.stderr}`.split('\n').map(line => line.trim()).filter(line => /⚠|warning/i.test(line)),
        matchesAsset: fs.existsSync(bundleFile(handler)) && fs.readFileSync(outfile).equals(fs.readFileSync(bundleFile(handler))),
      };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function measureHandlers(loads: number): HandlerCost[] {
  const external = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-handlers-'));
  try {
    const costs: HandlerCost[] = [];
    for (const handler of HANDLERS) {
      const files: Record<Packaging, string> = {
        bundled: bundleFile(handler),
        external: bundleWithExternalSdk(handler, external),
      };
      for (const packaging of ['bundled', 'external'] as const) {
        const samples = Array.from({ length: loads }, () => loadInFreshProcess(files[packaging]));
        costs.push({
          handler,
          packaging,
          bytes: fs.statSync(files[packaging]).size,
          initMs: median(samples.map(s => s.initMs)),
          processMs: median(samples.map(s => s.processMs)),
        });
      }
    }
    return costs;
  } finally {
    fs.rmSync(external, { recursive: true, force: true });
  }
}

/** The handler bundled as projen bundles it, but with the SDK left to the runtime. */
function bundleWithExternalSdk(handler: string, outdir: string): string {
  const outfile = path.join(outdir, handler, 'index.js');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    `src/handlers/${handler}/index.ts`, ...BUNDLE_FLAGS, `--outfile=${outfile}`, '--external:@aws-sdk/*', '--log-level=warning',
  ], { cwd: ROOT });
  return outfile;
}

function loadInFreshProcess(file: string): { initMs: number; processMs: number } {
  const started = performance.now();
  const output = execFileSync(process.execPath, [
    // The SDK warns about Node 20 on stderr; Lambda runs Node 22.
    '--no-warnings',
    '-e', 'const t = performance.now(); require(process.argv[1]); process.stdout.write(String(performance.now() - t));', file,
  ], {
    // The external SDK is found where the Lambda runtime would provide it: outside the bundle, in node_modules.
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), AWS_REGION: 'us-west-2' },
    encoding: 'utf8',
  });
  return { initMs: Number(output), processMs: performance.now() - started };
}
