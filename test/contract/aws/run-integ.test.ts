// `npx projen integ:aws` without AWS: its refusals (run as the task runs it, with the environment it would see, and
// no way to credentials) and the parts of a run that need no AWS: the apps' context and stacks, the CDK command lines
// and how the CLI is run, Ctrl-C, the assertion outputs, the leftover check.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  appContext, appStacks, assertionResults, cdkArgs, destroyCommand, INTEG_APPS, INTEG_ENV, IntegApp, IntegInputs, integPlanLines, leftovers,
  removalChecks, selectApps, shellWord, stepFiles, TaggedResource,
} from './integ-plan';
import { Interrupts, leftMessage, prelude, reportMarkdown, runCdk, stepOutcome } from './run-integ';
import { importWithKeys, serveAnywhere, sharerSide } from '../../integ/integ-stacks';

const ROOT = path.join(__dirname, '..', '..', '..');

/** No credentials can be found: no config or credentials file, no instance metadata. */
const NO_CREDENTIALS = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true' };

/** Runs the command with only PATH and HOME from this environment, no way to credentials, `env` and `args`. */
function run(env: Record<string, string>, args: readonly string[] = []) {
  const script = ['-T', '-P', 'tsconfig.dev.json', 'test/contract/aws/run-integ.ts', ...args];
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), script, {
    cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...NO_CREDENTIALS, ...env }, timeout: 120_000,
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
    expect(stdout).toMatch(/sharer-side \(stack SharerSide and its assertion stack SharerSideTestDefaultTestDeployAssert604B1913, .*profile sharer\)/);
    expect(stdout).toMatch(/import-with-endpoint \(stack ImportWithEndpoint .*profile importer\)/);
    expect(stdout).toContain('Ctrl-C');
    expect(stdout).toContain('import-with-keys: not run, it needs');
    expect(stdout).toContain(INTEG_ENV.euSourceArn);
    expect(stdout).toContain('Estimated cost');
    expect(stderr).toContain('CONTRACT_AWS_CONFIRM=create-billable-resources');
  }, 120_000);

  test('an app name that is no app\'s: exit 2 with the apps\' names, before anything else, the opt-in given or not', () => {
    const confirmed = { CONTRACT_AWS_SHARER_PROFILE: 'sharer', CONTRACT_AWS_IMPORTER_PROFILE: 'importer', CONTRACT_AWS_CONFIRM: 'create-billable-resources' };
    for (const env of [{}, confirmed]) {
      const { code, stdout, stderr } = run(env, ['import-with-endpoint', 'serve-everywhere']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('no integration app named \'serve-everywhere\'');
      expect(stderr).toContain(INTEG_APPS.map(a => a.name).join(', '));
      expect(stderr).not.toContain('CONTRACT_AWS_SHARER_PROFILE');
    }
  }, 240_000);
});

describe('before AWS', () => {
  const profiles = { CONTRACT_AWS_SHARER_PROFILE: 'sharer', CONTRACT_AWS_IMPORTER_PROFILE: 'importer' };

  test('confirmed, the plan and its cost are printed all the same, and the run goes on with the apps named', () => {
    const confirmed = prelude(['import-with-endpoint'], { ...profiles, CONTRACT_AWS_CONFIRM: 'create-billable-resources' });
    expect(confirmed.exitCode).toBeUndefined();
    expect(confirmed.stderr).toEqual([]);
    expect(confirmed.stdout.join('\n')).toContain('Plan of npx projen integ:aws');
    expect(confirmed.stdout.join('\n')).toContain('Estimated cost');
    expect(confirmed.run?.apps.map(a => a.name)).toEqual(['import-with-endpoint']);
    expect(confirmed.run?.environment).toEqual({ sharerProfile: 'sharer', importerProfile: 'importer', region: 'us-west-2' });
    expect(prelude([], { ...profiles, CONTRACT_AWS_CONFIRM: 'create-billable-resources' }).run?.apps).toEqual(INTEG_APPS);
  });

  test('unconfirmed: the same plan, then the refusal; no app name is checked against the environment first', () => {
    const unconfirmed = prelude(['import-with-endpoint'], profiles);
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.run).toBeUndefined();
    expect(unconfirmed.stdout).toEqual(prelude(['import-with-endpoint'], { ...profiles, CONTRACT_AWS_CONFIRM: 'create-billable-resources' }).stdout);
    expect(prelude(['nope'], {})).toEqual({ stdout: [], stderr: [expect.stringContaining('no integration app named \'nope\'')], exitCode: 2 });
  });

  test('selectApps: in the run\'s order, whatever the arguments\' order', () => {
    expect(selectApps(['import-with-endpoint', 'sharer-side']).apps.map(a => a.name)).toEqual(['sharer-side', 'import-with-endpoint']);
    expect(selectApps(['a', 'sharer-side', 'b']).refusal).toContain('\'a\', \'b\'');
  });
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
      '--no-notices', '--no-version-reporting', '-c', 'sourceModelArn=arn:src', '-c', 'integAws=true',
      '-o', '/run/integ/import-with-endpoint.deploy.cdk.out', '**', '--require-approval', 'never', '--outputs-file', '/run/integ/import-with-endpoint.deploy.outputs.json',
    ]);
  });

  test('update: the same with integUpdate; destroy: forced, with the update\'s context', () => {
    const update = cdkArgs(app('import-with-endpoint'), 'update', options);
    expect(update.slice(0, 14)).toEqual([
      'deploy', '--app', 'ts-node -P tsconfig.dev.json test/import-with-endpoint.integ.ts', '--profile', 'importer',
      '--no-notices', '--no-version-reporting', '-c', 'sourceModelArn=arn:src', '-c', 'integAws=true', '-c', 'integUpdate=RUN1', '-o',
    ]);
    const destroy = cdkArgs(app('sharer-side'), 'destroy', { ...options, profile: 'sharer' });
    expect(destroy[0]).toBe('destroy');
    expect(destroy.slice(-2)).toEqual(['**', '--force']);
    expect(destroy).toContain('integUpdate=RUN1');
    expect(destroy).toContain('integAws=true');
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

  test('after a destroy: each key DELETE_COMPLETE in CloudFormation\'s record (its state not read), each log group gone', () => {
    const before = [
      { type: 'AWS::KMS::Key', physicalId: 'key-1' },
      { type: 'AWS::KMS::Key', physicalId: 'key-2' },
      { type: 'AWS::Logs::LogGroup', physicalId: 'lg-1' },
      { type: 'AWS::Logs::LogGroup', physicalId: 'lg-2' },
      { type: 'AWS::IAM::Role', physicalId: 'role' },
    ];
    const after = [
      { type: 'AWS::KMS::Key', physicalId: 'key-1', status: 'DELETE_COMPLETE' },
      { type: 'AWS::KMS::Key', physicalId: 'key-2', status: 'DELETE_SKIPPED' },
    ];
    expect(removalChecks(before, after, ['lg-2'])).toEqual([
      { ok: true, saw: 'key key-1: DELETE_COMPLETE (its deletion scheduled; its key state not checked)' },
      { ok: false, saw: 'key key-2: DELETE_SKIPPED' },
      { ok: true, saw: 'log group lg-1 gone' },
      { ok: false, saw: 'log group lg-2 still there' },
    ]);
    expect(removalChecks([{ type: 'AWS::KMS::Key', physicalId: 'key-3' }], [], [])).toEqual([{ ok: false, saw: 'key key-3: not in the record' }]);
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

describe('-c integAws=true: the keys and log groups go with the stacks', () => {
  const synth = (build: (app: App) => { stack: import('aws-cdk-lib').Stack }, context: Record<string, string>) =>
    Template.fromStack(build(new App({ context })).stack);
  const policies = (template: Template, type: string) =>
    Object.values(template.findResources(type)).map(r => [r.DeletionPolicy, r.UpdateReplacePolicy]);

  test('with it: DESTROY, and a key\'s deletion waits the minimum 7 days', () => {
    for (const build of [importWithKeys, serveAnywhere]) {
      const template = synth(build, { integAws: 'true' });
      expect(policies(template, 'AWS::KMS::Key')).toEqual([['Delete', 'Delete']]);
      template.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
      const logGroups = policies(template, 'AWS::Logs::LogGroup');
      expect(logGroups.length).toBeGreaterThan(0);
      expect(logGroups.every(([d, u]) => d === 'Delete' && u === 'Delete')).toBe(true);
    }
    const sharer = synth(sharerSide, { integAws: 'true', keyedShares: 'false' });
    expect(policies(sharer, 'AWS::Logs::LogGroup').every(([d]) => d === 'Delete')).toBe(true);
  });

  test('without it (the snapshots): retained, as the library and CDK default them', () => {
    const template = synth(importWithKeys, {});
    expect(policies(template, 'AWS::KMS::Key')).toEqual([['Retain', 'Retain']]);
    expect(policies(template, 'AWS::Logs::LogGroup').every(([d]) => d === 'Retain')).toBe(true);
    expect(JSON.stringify(template.toJSON())).not.toContain('PendingWindowInDays');
  });
});

describe('every stack of an app', () => {
  test('the stack under test and its assertion stack, as the committed snapshot names them', () => {
    for (const a of INTEG_APPS) {
      // The committed snapshot holds one STACK.template.json per stack (its manifest.json is not committed).
      const stacks = fs.readdirSync(path.join(ROOT, 'test', `${a.name}.integ.snapshot`))
        .filter(file => file.endsWith('.template.json'))
        .map(file => file.replace(/\.template\.json$/, ''));
      expect(stacks.length).toBeGreaterThan(1);
      expect([...appStacks(a)].sort()).toEqual(stacks.sort());
    }
  });
});

describe('destroying by hand', () => {
  test('shell words: plain, or single-quoted', () => {
    expect(shellWord('arn:aws:comprehend:us-west-2:1:document-classifier/a/version/v1')).toBe('arn:aws:comprehend:us-west-2:1:document-classifier/a/version/v1');
    expect(shellWord('**')).toBe('\'**\'');
    expect(shellWord('ts-node -P x.json')).toBe('\'ts-node -P x.json\'');
    expect(shellWord('it\'s')).toBe('\'it\'\\\'\'s\'');
  });

  test('the destroy step\'s command line, from the root, in the app\'s Region', () => {
    const options = { profile: 'importer', context: { sourceModelArn: 'arn:src' }, runDir: '/run', updateValue: 'RUN1' };
    expect(destroyCommand(app('serve-anywhere'), options, 'eu-west-1', '/repo')).toBe(
      'cd /repo && AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 npx cdk destroy --app \'ts-node -P tsconfig.dev.json test/serve-anywhere.integ.ts\' ' +
      '--profile importer --no-notices --no-version-reporting -c sourceModelArn=arn:src -c integAws=true -c integUpdate=RUN1 ' +
      '-o /run/integ/serve-anywhere.destroy.cdk.out \'**\' --force');
  });
});

describe('Ctrl-C', () => {
  function interrupts() {
    const logged: string[] = [];
    const exits: number[] = [];
    const kills: Array<[number, string]> = [];
    const state = new Interrupts({
      log: text => logged.push(text),
      exit: code => exits.push(code),
      kill: (pid, signal) => kills.push([pid, signal]),
      pid: 4242,
    });
    return { state, logged, exits, kills };
  }
  const left = (name: string) => ({ app: app(name), where: 'importer account, profile importer, us-west-2', destroyCommand: `destroy ${name}` });

  test('the first: interrupted, nothing stopped, and how to stop at once', () => {
    const { state, logged, exits, kills } = interrupts();
    state.running({ pid: 100 });
    expect(state.interrupted).toBe(false);
    state.signal();
    expect(state.interrupted).toBe(true);
    expect(exits).toEqual([]);
    expect(kills).toEqual([]);
    expect(logged.join()).toContain('the cdk step in progress finishes, nothing more is deployed or updated, and what this run deployed is destroyed');
    expect(logged.join()).toContain('kill -INT 4242');
  });

  test('the second: the cdk process group stopped, exit 130, the stacks that may be left and how to destroy each', () => {
    const { state, logged, exits, kills } = interrupts();
    state.deploying(left('sharer-side'));
    state.deploying(left('import-without-keys'));
    state.deploying(left('import-with-endpoint'));
    state.destroyed(app('import-without-keys'));
    state.running({ pid: 100 });
    state.signal();
    state.signal();
    expect(kills).toEqual([[-100, 'SIGINT']]);
    expect(exits).toEqual([130]);
    const said = logged[1];
    expect(said).toContain('SharerSide and SharerSideTestDefaultTestDeployAssert604B1913 (importer account, profile importer, us-west-2):\n      destroy sharer-side');
    expect(said).toContain('ImportWithEndpoint and ImportWithEndpointTestDefaultTestDeployAssert5B16BCB2');
    expect(said).not.toContain('ImportWithoutKeys');
  });

  test('the second with no cdk running and nothing deployed', () => {
    const { state, logged, exits, kills } = interrupts();
    state.running({ pid: 100 });
    state.running(undefined);
    state.signal();
    state.signal();
    expect(kills).toEqual([]);
    expect(exits).toEqual([130]);
    expect(logged[1]).toContain('No stack of this run may be left');
    expect(leftMessage('Done.', [left('serve-anywhere')])).toContain('ServeAnywhere and ServeAnywhereAssertions');
  });
});

describe('the CDK CLI\'s process', () => {
  const dirs: string[] = [];
  const logFile = () => {
    dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'run-integ-')));
    return path.join(dirs[dirs.length - 1], 'step.log');
  };
  afterAll(() => dirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));
  const pgid = (pid: number) => spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();

  test('in a process group of its own (a Ctrl-C in the terminal does not reach it), its output in the log, its exit code', async () => {
    const log = logFile();
    const children: Array<number | undefined> = [];
    const code = await runCdk(['-c', 'echo "pid $$ group $(ps -o pgid= -p $$ | tr -d \' \')"; exit 3'], log, process.env,
      child => children.push(child?.pid), '/bin/sh');
    expect(code).toBe(3);
    const [, pid, group] = /pid (\d+) group (\d+)/.exec(fs.readFileSync(log, 'utf8'))!;
    expect(group).toBe(pid);
    expect(group).not.toBe(pgid(process.pid));
    expect(children).toEqual([Number(pid), undefined]);
  });

  test('a CLI that cannot start: 127, and why in the log', async () => {
    const log = logFile();
    expect(await runCdk([], log, process.env, () => {}, '/nonexistent/cdk')).toBe(127);
    expect(fs.readFileSync(log, 'utf8')).toContain('ENOENT');
  });
});
