// Handler cost: the bytes of each bundled handler and how long a fresh Node process takes to load it (what a Lambda
// cold start adds to the runtime's own start), with the SDK bundled (as shipped) and left external.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median } from './child-process';

const ROOT = path.join(__dirname, '..');
const HANDLERS = ['provider/on-event', 'provider/is-complete', 'policy/on-event'];

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

export function measureHandlers(loads: number): HandlerCost[] {
  const external = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-handlers-'));
  try {
    const costs: HandlerCost[] = [];
    for (const handler of HANDLERS) {
      const files: Record<Packaging, string> = {
        bundled: path.join(ROOT, 'assets', 'handlers', `${handler}.lambda`, 'index.js'),
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
    '--bundle', `src/handlers/${handler}.lambda.ts`, '--target=node22', '--platform=node',
    `--outfile=${outfile}`, '--tsconfig=tsconfig.dev.json', '--external:@aws-sdk/*', '--log-level=warning',
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
