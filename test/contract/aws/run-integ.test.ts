// `npx projen integ:aws` without AWS: its refusals (run as the task runs it, with the environment it would see) and
// the pure parts of a run: the apps' context, the CDK command lines, the assertion outputs, the leftover check.
import { spawnSync } from 'child_process';
import * as path from 'path';
import {
  appContext, assertionResults, cdkArgs, INTEG_APPS, INTEG_ENV, IntegApp, IntegInputs, integPlanLines, leftovers, stepFiles, TaggedResource,
} from './integ-plan';
import { reportMarkdown, stepOutcome } from './run-integ';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Runs the command with only PATH and HOME from this environment, and `env`. */
function run(env: Record<string, string>) {
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-T', '-P', 'tsconfig.dev.json', 'test/contract/aws/run-integ.ts'], {
    cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('refusals', () => {
  test('without profiles: exit 2, naming both variables, and nothing planned', () => {
    const { code, stdout, stderr } = run({});
    expect(code).toBe(2);
    expect(stderr).toContain('CONTRACT_AWS_SHARER_PROFILE');
    expect(stderr).toContain('CONTRACT_AWS_IMPORTER_PROFILE');
    expect(stderr).toContain('npx projen integ:aws');
    expect(stdout).toBe('');
  }, 120_000);

  test('with profiles but no opt-in: the plan, then exit 2 asking for CONTRACT_AWS_CONFIRM', () => {
    const { code, stdout, stderr } = run({ CONTRACT_AWS_SHARER_PROFILE: 'sharer', CONTRACT_AWS_IMPORTER_PROFILE: 'importer' });
    expect(code).toBe(2);
    expect(stdout).toContain('Plan of npx projen integ:aws, in us-west-2');
    expect(stdout).toMatch(/sharer-side \(stack SharerSide .*profile sharer\)/);
    expect(stdout).toMatch(/import-with-endpoint \(stack ImportWithEndpoint .*profile importer\)/);
    expect(stdout).toContain('import-with-keys: not run, it needs');
    expect(stdout).toContain(INTEG_ENV.euSourceArn);
    expect(stdout).toContain('Estimated cost');
    expect(stderr).toContain('CONTRACT_AWS_CONFIRM=create-billable-resources');
  }, 120_000);
});

const inputs: IntegInputs = {
  sharerAccount: '111122223333',
  importerAccount: '444455556666',
  sourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/contract-aws-source/version/v1',
};
const app = (name: string) => INTEG_APPS.find(a => a.name === name) as IntegApp;

describe('context', () => {
  test('the fixtures\' source for sharer-side (in the importer\'s name, without the keyed shares) and the two plain imports', () => {
    expect(appContext(app('sharer-side'), inputs).context).toEqual({
      sharedModelArn: inputs.sourceModelArn, importerAccount: '444455556666', keyedShares: 'false',
    });
    expect(appContext(app('import-without-keys'), inputs).context).toEqual({ sourceModelArn: inputs.sourceModelArn });
    expect(appContext(app('import-with-endpoint'), inputs).context).toEqual({ sourceModelArn: inputs.sourceModelArn });
  });

  test('import-with-keys and serve-anywhere need what the environment may name', () => {
    expect(appContext(app('import-with-keys'), inputs).needs).toContain(`${INTEG_ENV.encryptedSourceArn} and ${INTEG_ENV.sourceKeyArn}`);
    expect(appContext(app('serve-anywhere'), inputs).needs).toContain(INTEG_ENV.euSourceArn);
    const more = { ...inputs, encryptedSourceModelArn: 'arn:enc', sourceModelKeyArn: 'arn:key', euSourceModelArn: 'arn:eu' };
    expect(appContext(app('import-with-keys'), more).context).toEqual({ encryptedSourceModelArn: 'arn:enc', sourceModelKeyArn: 'arn:key' });
    expect(appContext(app('serve-anywhere'), more).context).toEqual({ euSourceModelArn: 'arn:eu' });
  });

  test('the plan says which apps run and which do not', () => {
    const lines = integPlanLines({ sharerProfile: 's', importerProfile: 'i', region: 'us-east-1' }, inputs).join('\n');
    expect(lines).toContain('in us-east-1');
    expect(lines).toContain('serve-anywhere: not run');
    expect(lines).not.toContain('import-without-keys: not run');
  });
});

describe('command lines', () => {
  const options = { profile: 'importer', context: { sourceModelArn: 'arn:src' }, runDir: '/run', updateValue: 'RUN1' };

  test('deploy: every stack of the app, its outputs and assembly in the run\'s directory, never the snapshot', () => {
    expect(cdkArgs(app('import-with-endpoint'), 'deploy', options)).toEqual([
      'deploy', '--app', 'ts-node -P tsconfig.dev.json test/import-with-endpoint.integ.ts', '--profile', 'importer',
      '--no-notices', '--no-version-reporting', '-c', 'sourceModelArn=arn:src', '-o', '/run/integ/import-with-endpoint.deploy.cdk.out',
      '**', '--require-approval', 'never', '--outputs-file', '/run/integ/import-with-endpoint.deploy.outputs.json',
    ]);
  });

  test('update: the same with integUpdate; destroy: forced, with the update\'s context', () => {
    const update = cdkArgs(app('import-with-endpoint'), 'update', options);
    expect(update.slice(0, 12)).toEqual([
      'deploy', '--app', 'ts-node -P tsconfig.dev.json test/import-with-endpoint.integ.ts', '--profile', 'importer',
      '--no-notices', '--no-version-reporting', '-c', 'sourceModelArn=arn:src', '-c', 'integUpdate=RUN1', '-o',
    ]);
    const destroy = cdkArgs(app('sharer-side'), 'destroy', { ...options, profile: 'sharer' });
    expect(destroy[0]).toBe('destroy');
    expect(destroy.slice(-2)).toEqual(['**', '--force']);
    expect(destroy).toContain('integUpdate=RUN1');
    expect(destroy).toContain('sharer');
  });

  test('no step writes under test/', () => {
    for (const a of INTEG_APPS) {
      for (const step of ['deploy', 'update', 'destroy'] as const) {
        const files = Object.values(stepFiles(a, step, '/run'));
        expect(files.every(f => f.startsWith('/run/integ/'))).toBe(true);
      }
    }
  });
});

describe('what the steps read', () => {
  test('assertion results from the outputs file: only AssertionResults outputs', () => {
    expect(assertionResults({
      ImportWithoutKeys: { ExportsOutputFnGetAttCopy: 'arn:copy' },
      ImportWithoutKeysTestDefaultTestDeployAssert53B2BD43: {
        AssertionResultsAwsApiCallA: '{"status":"success"}',
        AssertionResultsAwsApiCallB: '{"status":"fail","message":"Expected TRAINED"}',
      },
    })).toEqual([
      { stack: 'ImportWithoutKeysTestDefaultTestDeployAssert53B2BD43', output: 'AssertionResultsAwsApiCallA', status: 'success', message: undefined },
      { stack: 'ImportWithoutKeysTestDefaultTestDeployAssert53B2BD43', output: 'AssertionResultsAwsApiCallB', status: 'fail', message: 'Expected TRAINED' },
    ]);
  });

  test('leftovers: what carries the destroyed stack instance\'s ownership tag, unless retained', () => {
    const key = 'cdk-comprehend-model-import:owner';
    const resources: TaggedResource[] = [
      { arn: 'arn:copy', status: 'TRAINED', tags: { [key]: 'ImportWithoutKeys/guid-1/Copy1ED8A51E' } },
      { arn: 'arn:other-instance', status: 'TRAINED', tags: { [key]: 'ImportWithoutKeys/guid-0/Copy1ED8A51E' } },
      { arn: 'arn:untagged', status: 'TRAINED', tags: {} },
      { arn: 'arn:retained', status: 'TRAINED', tags: { [key]: 'ImportWithoutKeys/guid-1/Kept' } },
    ];
    expect(leftovers(resources, key, 'ImportWithoutKeys/guid-1/', ['arn:retained']).map(r => r.arn)).toEqual(['arn:copy']);
    expect(leftovers(resources.slice(1), key, 'ImportWithoutKeys/guid-1/', ['arn:retained'])).toEqual([]);
  });

  test('a step passes only when the CLI and every check did; the report has a row per step', () => {
    expect(stepOutcome('a', 'deploy', 0, 'log', [{ ok: true, saw: 'stack CREATE_COMPLETE' }]).outcome).toBe('passed');
    const failed = stepOutcome('a', 'deploy', 1, 'x.log', [{ ok: true, saw: 'fine' }]);
    expect(failed).toEqual({ app: 'a', step: 'deploy', outcome: 'failed', saw: '✗ cdk exited with 1 (see x.log); ✓ fine' });
    const report = reportMarkdown([failed, { app: 'b', step: 'all', outcome: 'could not run', saw: 'needs a | b' }], new Date(0));
    expect(report).toContain('| a | deploy | failed | ✗ cdk exited with 1 (see x.log); ✓ fine |');
    expect(report).toContain('| b | all | could not run | needs a \\| b |');
  });
});
