// Synth scaling and limits: the library's stacks against the three hand-written baselines of scaling-stacks.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { median, runTypeScript } from './child-process';
import { ACCOUNT, Approach, APPROACHES, REGION, ScalingCase, scalingStack } from './scaling-stacks';
import { brokenLimits, Limit, LIMITS, measureTemplateFile, TemplateMeasures } from './template-measures';

export interface ScalingRow extends ScalingCase {
  readonly models: number;
  /** How many fresh-process synths the times are the median of. */
  readonly runs: number;
  /** Median wall time of the first synth in a fresh process, as a user's `cdk synth` (see synth-once.ts). */
  readonly synthMs: number;
  /** Median wall time of a second synth in the same process: the constructs' own cost. */
  readonly warmSynthMs: number;
  /** How far the cold runs spread: (slowest - fastest) / median. */
  readonly coldSpread: number;
  readonly measures: TemplateMeasures;
}

/**
 * Every case at every size, in fresh-process synths: `runs(approach)` of each approach; the approaches alternate so
 * that noise hits each (an approach with fewer runs takes part in the first rounds only).
 */
export function measureScaling(sizes: number[], runs: (approach: Approach) => number): ScalingRow[] {
  const rows: ScalingRow[] = [];
  const rounds = Math.max(...APPROACHES.map(runs));
  for (const keys of [false, true]) {
    for (const models of sizes) {
      const cold = emptyRuns();
      const warm = emptyRuns();
      const measures: Partial<Record<Approach, TemplateMeasures>> = {};
      for (let run = 0; run < rounds; run++) {
        for (const approach of APPROACHES.filter(a => run < runs(a))) {
          const output = JSON.parse(runTypeScript('bench/synth-once.ts', [approach, keys ? 'keys' : 'no-keys', String(models)]));
          cold[approach].push(output.coldMs);
          warm[approach].push(output.warmMs);
          measures[approach] = output.measures;
        }
      }
      for (const approach of APPROACHES) {
        rows.push({
          approach,
          keys,
          models,
          runs: cold[approach].length,
          synthMs: median(cold[approach]),
          warmSynthMs: median(warm[approach]),
          coldSpread: (Math.max(...cold[approach]) - Math.min(...cold[approach])) / median(cold[approach]),
          measures: measures[approach]!,
        });
      }
    }
  }
  return rows;
}

function emptyRuns(): Record<Approach, number[]> {
  return Object.fromEntries(APPROACHES.map(approach => [approach, []])) as unknown as Record<Approach, number[]>;
}

/** For each limit, the smallest number of models whose stack breaks it; undefined when `maxModels` does not. */
export function firstBreakingSizes(scalingCase: ScalingCase, maxModels: number): Record<Limit, number | undefined> {
  const cache = new Map<number, ReturnType<typeof brokenLimits>>();
  const broken = (models: number) => {
    if (!cache.has(models)) {
      cache.set(models, brokenLimits(synthInProcess(scalingCase, models)));
    }
    return cache.get(models)!;
  };
  const result = {} as Record<Limit, number | undefined>;
  for (const limit of Object.keys(LIMITS) as Limit[]) {
    // Every measure grows with the number of models, so the first size that breaks a limit can be bisected.
    if (broken(maxModels)[limit] === undefined) {
      result[limit] = undefined;
      continue;
    }
    let [fits, breaks] = [0, maxModels];
    while (breaks - fits > 1) {
      const middle = Math.floor((fits + breaks) / 2);
      if (broken(middle)[limit] === undefined) {
        fits = middle;
      } else {
        breaks = middle;
      }
    }
    result[limit] = breaks;
  }
  return result;
}

function synthInProcess(scalingCase: ScalingCase, models: number): TemplateMeasures {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-limits-'));
  try {
    // The CDK refuses to synthesize a stack of more than 500 resources (and its template check reports it): lift that
    // here to measure past it.
    const stack = scalingStack(scalingCase, models, { outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
    Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0007', reason: 'the benchmark measures stacks past the limit' });
    const assembly = (stack.node.root as App).synth();
    return measureTemplateFile(assembly.getStackByName(stack.stackName).templateFullPath, ACCOUNT, REGION);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
