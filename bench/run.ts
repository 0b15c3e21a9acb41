// Runs every benchmark in one go: `npx projen bench` writes bench/RESULTS.md; `npx projen bench:fast` (CI) runs small
// stacks, prints the report and fails when a target that is not a timing is missed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measureAssets } from './asset-cost';
import { measureBulkDeploy, measureReadiness } from './deploy-latency';
import { measureFixedCost } from './fixed-cost';
import { checkBundles, measureHandlers } from './handler-cost';
import { measurePackage } from './package-size';
import { BenchResults, BenchSettings, evaluateTargets, renderReport } from './report';
import { firstBreakingSizes, measureScaling } from './synth-scaling';

const FULL: BenchSettings = {
  fast: false,
  sizes: [1, 10, 100, 200],
  synthRuns: 7,
  limitSearchMax: 1000,
  handlerLoads: 20,
  importSeconds: [10, 15, 44, 70, 122, 300, 602, 1799],
  bulkModels: 50,
  maxPerSecond: 5,
};

const FAST: BenchSettings = {
  fast: true,
  sizes: [1, 10],
  synthRuns: 3,
  limitSearchMax: 10,
  handlerLoads: 5,
  importSeconds: [10, 44, 122],
  bulkModels: 10,
  maxPerSecond: 5,
};

async function main(): Promise<void> {
  const fast = process.argv.includes('--fast');
  const settings = fast ? FAST : FULL;
  const started = performance.now();
  const step = (what: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${what}\n`);

  step('synth scaling');
  const scaling = measureScaling(settings.sizes, settings.synthRuns);
  step('limits');
  const breaking = (['library', 'diy'] as const).flatMap(approach => [false, true].map(keys =>
    ({ approach, keys, sizes: firstBreakingSizes({ approach, keys }, settings.limitSearchMax) })));
  step('handler cost');
  const handlers = measureHandlers(settings.handlerLoads);
  const bundles = checkBundles();
  step('asset bytes per stack');
  const assets = measureAssets();
  step('package size');
  const packageSize = measurePackage();
  step('fixed cost of serving');
  const fixedCost = measureFixedCost();
  step('deploy latency');
  const readiness = await measureReadiness(settings.importSeconds);
  const bulk = await measureBulkDeploy(settings.bulkModels);
  const throttledBulk = await measureBulkDeploy(settings.bulkModels, settings.maxPerSecond);

  const results: BenchResults = {
    settings,
    scaling,
    breaking,
    handlers,
    bundles,
    assets,
    packageSize,
    readiness,
    bulk,
    throttledBulk,
    fixedCost,
    environment: `${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, ` +
      `aws-cdk-lib ${cdkVersion()}`,
    seconds: (performance.now() - started) / 1000,
  };
  const targets = evaluateTargets(results);
  const report = renderReport(results, targets);

  if (fast) {
    process.stdout.write(report);
    const missed = targets.filter(t => !t.met && !t.timing);
    if (missed.length > 0) {
      throw new Error(`benchmark targets missed: ${missed.map(t => `${t.name} (${t.result})`).join('; ')}`);
    }
  } else {
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), report);
    process.stdout.write(report);
  }
}

function cdkVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
