// What of `npx projen contract:aws` can be checked without AWS: it refuses before it reaches AWS (spawned, as a
// maintainer runs it, with no AWS credentials in its environment), the plan and its cost arithmetic, the report, and
// the fixtures' pure parts. The AWS path itself has not run (docs/contract-aws.md).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Observation } from '../assumption';
import type { RegisterRow } from '../register';
import { Teardown, importerStackTemplate, trainingDocuments } from './fixtures';
import {
  ENDPOINT_MINIMUM_SECONDS, PRICES, RUN_NAME, TRAINING_SET, WORKLOAD, costEstimate, endpointUsd, newRunId, runNames, runScopedName,
} from './plan';
import { renderReport, statusToPaste } from './report';

const REPO = path.join(__dirname, '..', '..', '..');

/** The command as the projen task runs it, in an environment with no CONTRACT_* and no AWS_* variable. */
function runCommand(vars: Record<string, string>, args: string[] = []) {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('CONTRACT_') && !key.startsWith('AWS_')) {
      env[key] = value;
    }
  }
  const result = spawnSync(path.join(REPO, 'node_modules', '.bin', 'ts-node'),
    ['-T', '-P', 'tsconfig.dev.json', 'test/contract/aws/run-contract.ts', ...args],
    { cwd: REPO, env: { ...env, ...vars, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npx projen contract:aws refuses before it reaches AWS', () => {
  test('without the profiles: names both variables, exits 2, nothing created', () => {
    const r = runCommand({});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CONTRACT_AWS_SHARER_PROFILE');
    expect(r.stderr).toContain('CONTRACT_AWS_IMPORTER_PROFILE');
    expect(r.stderr).toContain('Nothing was created');
    expect(r.stdout).toBe('');
  });

  test('with both profiles and no opt-in: prints the plan and the estimate, then asks for the opt-in', () => {
    const r = runCommand({ CONTRACT_AWS_SHARER_PROFILE: 'sharer', CONTRACT_AWS_IMPORTER_PROFILE: 'importer' });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('contract-aws-source');
    expect(r.stdout).toContain('contract-aws-training-SHARER_ACCOUNT-us-west-2');
    expect(r.stdout).toContain('alias/contract-aws-RUNID');
    const estimate = costEstimate();
    expect(r.stdout).toContain(`First run (trains the source): $${estimate.firstRun.lowUsd.toFixed(2)}-$${estimate.firstRun.highUsd.toFixed(2)}`);
    expect(r.stdout).toContain(`Later run (reuses it): $${estimate.laterRun.lowUsd.toFixed(2)}-$${estimate.laterRun.highUsd.toFixed(2)}`);
    expect(r.stderr).toContain('CONTRACT_AWS_CONFIRM=create-billable-resources');
    expect(r.stderr).toContain('Nothing was created');
  });

  test('the same profile for both sides, confirmed or not: refused', () => {
    const r = runCommand({ CONTRACT_AWS_SHARER_PROFILE: 'one', CONTRACT_AWS_IMPORTER_PROFILE: 'one', CONTRACT_AWS_CONFIRM: 'create-billable-resources' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('two accounts');
    expect(r.stdout).toBe('');
  });
});

describe('the cost estimate', () => {
  test('an endpoint bills its seconds, at least 60', () => {
    expect(endpointUsd(10)).toBeCloseTo(ENDPOINT_MINIMUM_SECONDS * 0.0005);
    expect(endpointUsd(600)).toBeCloseTo(0.3);
    expect(endpointUsd(600, 2)).toBeCloseTo(0.6);
  });

  test('adds up from the prices and the workload', () => {
    const e = costEstimate();
    const training = e.items[0];
    expect(training.lowUsd).toBeCloseTo(WORKLOAD.trainingMinutes[0] / 60 * PRICES.training.usd);
    expect(training.everyRun).toBe(false);
    // 7 endpoints of 10-20 min and 2 that wait for CloudWatch 15-35 min, at $0.0005 per IU-second.
    expect(e.items[1].lowUsd).toBeCloseTo((7 * 600 + 2 * 900) * 0.0005);
    expect(e.items[1].highUsd).toBeCloseTo((7 * 1200 + 2 * 2100) * 0.0005);
    expect(e.items[2].highUsd).toBeCloseTo(18 * 0.25 * 3);
    const total = (key: 'lowUsd' | 'highUsd') => e.items.reduce((s, i) => s + i[key], 0);
    expect(e.firstRun.lowUsd).toBeCloseTo(total('lowUsd'));
    expect(e.firstRun.highUsd).toBeCloseTo(total('highUsd'));
    // A later run pays neither the training nor the source's first month.
    expect(e.laterRun.lowUsd).toBeCloseTo(e.firstRun.lowUsd - training.lowUsd);
    expect(e.laterRun.highUsd).toBeCloseTo(e.firstRun.highUsd - training.highUsd - PRICES.modelManagement.usd);
    expect(e.firstRun.highUsd).toBeGreaterThan(e.laterRun.highUsd);
  });
});

test('the docs and the README quote the estimate the command prints', () => {
  const e = costEstimate();
  const docs = fs.readFileSync(path.join(REPO, 'docs', 'contract-aws.md'), 'utf8');
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8').replace(/\n> /g, ' ');
  for (const run of [e.firstRun, e.laterRun]) {
    expect(docs).toContain(`**$${run.lowUsd.toFixed(2)}** | **$${run.highUsd.toFixed(2)}**`);
    expect(readme).toContain(`$${Math.round(run.lowUsd)} to $${Math.round(run.highUsd)}`);
  }
});

describe('names', () => {
  test('a run id, and the names that carry it, which the sweep recognizes', () => {
    const runId = newRunId(new Date('2026-12-01T12:34:56Z'), () => 0.5);
    expect(runId).toBe('2612011234iiii');
    const names = runNames(runId);
    expect(RUN_NAME.exec(names.stack)?.[1]).toBe(runId);
    expect(RUN_NAME.exec(names.dataAccessRole)?.[1]).toBe(runId);
    expect(RUN_NAME.test('contract-aws-source')).toBe(false);
  });

  test('a long purpose is cut, never the run id', () => {
    const name = runScopedName('x'.repeat(80), '2612011234abcd');
    expect(name).toHaveLength(63);
    expect(name.endsWith('-2612011234abcd')).toBe(true);
    expect(runScopedName('Import Role', '2612011234abcd', 64)).toBe('contract-import-role-2612011234abcd');
  });
});

describe('the fixtures\' pure parts', () => {
  test('the training set has at least the documented minimum of documents per label, all distinct', () => {
    const lines = trainingDocuments().trim().split('\n');
    for (const label of TRAINING_SET.labels) {
      expect(lines.filter(l => l.startsWith(`${label},`)).length).toBeGreaterThanOrEqual(50 / 0.8);
    }
    expect(new Set(lines.map(l => l.split(',').slice(1).join(','))).size).toBe(lines.length);
  });

  test('the importer\'s role mirrors the library\'s service roles on the run\'s key', () => {
    const template = JSON.stringify(importerStackTemplate('444455556666', 'aws', 'us-west-2', '2612011234abcd'));
    expect(template).toContain('"kms:ViaService":["s3.us-west-2.amazonaws.com"]');
    expect(template).toContain('"kms:GrantIsForAWSResource":"true"');
    expect(template).toContain('"aws:SourceAccount":"444455556666"');
    expect(template).toContain('"PendingWindowInDays":7');
  });

  test('a teardown undoes in reverse order, and goes on past a failure', async () => {
    const done: string[] = [];
    const teardown = new Teardown();
    teardown.register('a', async () => {
      done.push('a');
    });
    teardown.register('b', async () => {
      throw new Error('no');
    });
    teardown.register('c', async () => {
      done.push('c');
    });
    expect(teardown.pending).toEqual(['c', 'b', 'a']);
    expect(await teardown.run(() => undefined)).toEqual(['b: no']);
    expect(done).toEqual(['c', 'a']);
    expect(teardown.pending).toEqual([]);
  });
});

describe('the report', () => {
  const row = (id: string, status = 'emulated, unverified'): RegisterRow =>
    ({ id, behaviour: 'b', assumed: `${id} answer`, reliedOn: '', source: '', ifDifferent: '', status, contractTest: '' });
  const seen = (id: string, outcome: Observation['outcome'], saw: string): Observation =>
    ({ id, target: 'aws', outcome, saw, assumed: `${id} answer`, seconds: 1 });
  const rows = [row('held-row'), row('differs-row', 'not emulated, verified on AWS on 2026-01-02'), row('broken-row'), row('missing-row')];
  const report = renderReport(rows, [
    seen('held-row', 'held', 'held-row answer'),
    seen('differs-row', 'differs', 'something | else'),
    seen('broken-row', 'could not run', 'Error: AccessDenied\n    at stack'),
    seen('gone-row', 'held', 'x'),
  ], '2026-12-01');

  test('one row per register row, with its outcome and the status to paste', () => {
    expect(report.rows.map(r => [r.id, r.outcome, r.statusToPaste])).toEqual([
      ['held-row', 'held', 'emulated, verified on AWS on 2026-12-01'],
      ['differs-row', 'differs', 'not emulated, differs on AWS on 2026-12-01'],
      ['broken-row', 'could not run', 'emulated, unverified'],
      ['missing-row', 'could not run', 'emulated, unverified'],
    ]);
    expect(report.counts).toEqual({ 'held': 1, 'differs': 1, 'could not run': 2 });
  });

  test('the markdown: what it saw in one line, no stray pipe, a missing row said so, strays listed', () => {
    expect(report.markdown).toContain('| `differs-row` | differs | something \\| else | `differs-row answer` | not emulated, differs on AWS on 2026-12-01 |');
    expect(report.markdown).toContain('| `broken-row` | could not run: Error: AccessDenied | Error: AccessDenied |');
    expect(report.markdown).toContain('| `missing-row` | could not run: no test ran |');
    expect(report.markdown).not.toContain('at stack');
    expect(report.strays.map(o => o.id)).toEqual(['gone-row']);
  });

  test('a status whose AWS part is not recognized stays as it is', () => {
    expect(statusToPaste('something else', 'held', '2026-12-01')).toBe('something else');
  });
});
