// Runs a TypeScript file of bench/ in a fresh Node process, as a user's `cdk synth` or a Lambda cold start would.
import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** Runs `script` (relative to the repository) with `args` in a fresh process and returns what it printed. */
export function runTypeScript(script: string, args: string[]): string {
  return execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.dev.json' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The median of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
