// Records the load scenario's figures in bench/lifecycle-load.md: `npx projen bench:lifecycle`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runLoad } from '../test/lifecycle/load-scenario';

async function main() {
  const figures = await runLoad(50, 5);
  if (figures.failures.length > 0 || figures.trained !== figures.models) {
    throw new Error(`the load run failed: ${JSON.stringify(figures.failures)}`);
  }
  const rows = Object.entries(figures.calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `| ${operation} | ${count.all} | ${count.ok} | ${(count.all / figures.models).toFixed(2)} | ${(count.ok / figures.models).toFixed(2)} |`);
  const report = [
    '# Lifecycle load: 50 imports in one stack',
    '',
    `Recorded ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
    'Rerun with `npx projen bench:lifecycle` (it bundles the handlers first). Figures vary a little from run to run:',
    'the emulated rate limit counts real time too.',
    '',
    `One stack with ${figures.models} \`ImportedComprehendModel\`s (four sources, both model types) deployed at once through the`,
    'deploy driver and the bundled handlers, against the Comprehend emulator limited to',
    `${figures.maxPerSecond} requests per second per operation. Each import takes 70 s of emulated time; isComplete polls every 15 s.`,
    '',
    `- outcome: ${figures.status}, ${figures.trained} of ${figures.models} copies TRAINED, ${figures.failures.length} failures`,
    `- API calls: ${figures.totalCalls} in all, ${(figures.totalCalls / figures.models).toFixed(2)} per model; ${figures.throttled} answered TooManyRequestsException and retried`,
    `- time: ${figures.deploySeconds.toFixed(0)} s as CloudFormation would wait (emulated), ${figures.wallSeconds.toFixed(1)} s of wall time for the run`,
    '',
    '| operation | calls | answered OK | calls per model | OK per model |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'lifecycle-load.md'), report);
  process.stdout.write(report);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
