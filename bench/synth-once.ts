// Synthesizes one benchmark stack in a fresh process, as `cdk synth` runs an app, and prints how long it took and
// what the template measures. Usage: synth-once.ts <approach> <keys|no-keys> <models>, the approach one of
// APPROACHES in scaling-stacks.ts (library, diy-no-wait, diy-waiting, diy-aws-custom-resource)
//
// Two timings: the first synth of the process ("cold": building the constructs and writing the cloud assembly,
// including the Lambda assets and the aws-cdk-lib modules loaded on first use, as a user's `cdk synth` does), then
// the same stack again in a new app ("warm": what the constructs themselves cost, without the first-use costs).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ACCOUNT, Approach, REGION, scalingStack } from './scaling-stacks';
import { measureTemplateFile } from './template-measures';

const [approach, keys, models] = process.argv.slice(2);

function synth(): { ms: number; templateFile: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const started = performance.now();
  const stack = scalingStack({ approach: approach as Approach, keys: keys === 'keys' }, Number(models), { outdir });
  const assembly = (stack.node.root as App).synth();
  return { ms: performance.now() - started, templateFile: assembly.getStackByName(stack.stackName).templateFullPath, outdir };
}

const cold = synth();
const warm = synth();
const measures = measureTemplateFile(warm.templateFile, ACCOUNT, REGION);
for (const { outdir } of [cold, warm]) {
  fs.rmSync(outdir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ coldMs: cold.ms, warmMs: warm.ms, measures }));
