// What of `npx projen contract:aws` can be checked without AWS: it refuses before it reaches AWS (spawned, as a
// maintainer runs it, with no AWS credentials in its environment), the plan and its cost arithmetic, the report, and
// the fixtures' pure parts. The AWS path itself has not run (docs/contract-aws.md).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeEndpointCommand } from '@aws-sdk/client-comprehend';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { endpointServiceRole, importServiceRole } from '../../../src/private/service-role';
import type { Observation } from '../assumption';
import { runObservation } from '../observation';
import type { RegisterRow } from '../register';
import { Cleanups, observedSleep, openAwsTarget, stopWhenAbandoned } from './aws-target';
import {
  Account, Leftover, Teardown, deleteClassifiers, deleteEndpoints, ensureTrainingRole, importerStackTemplate, isOurs, leftoverLines,
  runsInProgress, trainingDocuments,
} from './fixtures';
import {
  ENDPOINT_MINIMUM_SECONDS, PRICES, RUN_NAME, TRAINING_SET, WORKLOAD, costEstimate, endpointUsd, newRunId, runNames, runScopedName,
} from './plan';
import { renderReport, statusToPaste } from './report';
import { keepForCfnLint } from '../lint-templates';

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
    expect(r.stderr).toContain('the trained source (its classifier, bucket and training role), kept for the next run');
    expect(r.stdout).toContain('deletes its policy whole at the end');
    expect(r.stderr).toContain('Nothing was created');
  });

  test('--cleanup-only without the opt-in: says it sweeps every run (one in progress too) and deletes the source\'s policy whole', () => {
    const r = runCommand({ CONTRACT_AWS_SHARER_PROFILE: 'sharer', CONTRACT_AWS_IMPORTER_PROFILE: 'importer' }, ['--cleanup-only']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('It sweeps every run, one still in progress too');
    expect(r.stdout).toContain('("in progress, left")');
    expect(r.stdout).toContain('The source\'s resource policy is deleted whole');
    expect(r.stdout).toContain('a sharer-side stack of integ:aws left deployed');
    expect(r.stderr).toContain('Nothing was deleted');
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
    // 6 endpoints of 1 IU and update-busy-endpoint's, counted at 2 IU, for 10-20 min, and 2 that wait for CloudWatch
    // 20-45 min, at $0.0005 per IU-second.
    expect(e.items[1].lowUsd).toBeCloseTo((6 * 600 + 2 * 600 + 2 * 1200) * 0.0005);
    expect(e.items[1].highUsd).toBeCloseTo((6 * 1200 + 2 * 1200 + 2 * 2700) * 0.0005);
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
    expect(RUN_NAME.exec(names.importRole)?.[1]).toBe(runId);
    expect(RUN_NAME.exec(names.endpointRole)?.[1]).toBe(runId);
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

  describe('the importer\'s two roles have exactly the library\'s service-role statements on the run\'s key', () => {
    const ACCOUNT = '444455556666';
    const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const RUN = '2612011234abcd';
    // The fixtures' template, with the key's Fn::GetAtt replaced by the key ARN the library's roles are given.
    const ours = JSON.parse(JSON.stringify(importerStackTemplate(ACCOUNT, 'aws', 'us-west-2', RUN))
      .split(JSON.stringify({ 'Fn::GetAtt': ['Key', 'Arn'] })).join(JSON.stringify(KEY)));
    const stack = new Stack(new App(), 'Library', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const key = kms.Key.fromKeyArn(stack, 'Key', KEY);
    importServiceRole(stack, undefined, key);
    endpointServiceRole(stack, key);
    const libraryRoles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')) as Array<{ Properties: Record<string, any> }>;
    const libraryRole = (policyName: string) => {
      const found = libraryRoles.filter(r => r.Properties.Policies?.some((p: { PolicyName: string }) => p.PolicyName === policyName));
      expect(found).toHaveLength(1);
      return found[0].Properties;
    };

    test.each([['ImportRole', 'ModelImportKeys'], ['EndpointRole', 'ServedModelKey']])('%s: %s and the trust policy', (logicalId, policyName) => {
      const role = ours.Resources[logicalId].Properties;
      const library = libraryRole(policyName);
      expect(role.Policies).toEqual(library.Policies);
      expect(role.AssumeRolePolicyDocument).toEqual(library.AssumeRolePolicyDocument);
      expect(role.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
    });

    test('no statement beyond them; both ARNs are outputs; everything is tagged with the run', () => {
      keepForCfnLint('contract-fixtures', importerStackTemplate(ACCOUNT, 'aws', 'us-west-2', RUN));
      const statements = (logicalId: string) => ours.Resources[logicalId].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      // kms:CreateGrant without a condition only in the import role, as the library's import role has it.
      expect(statements('EndpointRole').filter((st: any) => st.Action === 'kms:CreateGrant' && !st.Condition)).toEqual([]);
      expect(Object.keys(ours.Outputs).sort()).toEqual(['EndpointRoleArn', 'ImportRoleArn', 'KeyArn']);
      for (const id of ['Key', 'ImportRole', 'EndpointRole']) {
        expect(ours.Resources[id].Properties.Tags).toEqual([{ Key: 'contract-aws', Value: RUN }]);
      }
      expect(ours.Resources.Key.Properties.PendingWindowInDays).toBe(7);
    });
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

describe('ownership and the sweep, against fake clients', () => {
  const named = (name: string, message = name) => Object.assign(new Error(message), { name });
  const quiet = { log: (line: string) => logs.push(line), interrupted: () => false };
  let logs: string[] = [];
  beforeEach(() => {
    logs = [];
  });
  /** A client whose send() is `answer`, by command name; records each call as NAME or NAME:DETAIL. */
  const fake = (answer: (name: string, input: any) => unknown, calls: string[]) => ({
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const result = answer(command.constructor.name, command.input);
      calls.push(command.constructor.name);
      if (result instanceof Error) {
        throw result;
      }
      return result;
    },
  }) as any;

  test('an endpoint is asked to go only once IN_SERVICE or FAILED, again after a refusal, and said deleted only once gone', async () => {
    const calls: string[] = [];
    const rounds = ['CREATING', 'IN_SERVICE', 'IN_SERVICE', 'DELETING', undefined];
    let round = -1;
    let refused = false;
    const client = fake((name) => {
      if (name === 'ListEndpointsCommand') {
        round++;
        const status = rounds[Math.min(round, rounds.length - 1)];
        return { EndpointPropertiesList: status ? [{ EndpointArn: 'arn:e', Status: status }] : [] };
      }
      if (name === 'DeleteEndpointCommand' && !refused) {
        refused = true;
        return named('ResourceInUseException');
      }
      return {};
    }, calls);
    expect(await deleteEndpoints(client, ['arn:e'], quiet, 1, 1)).toEqual([]);
    expect(calls.filter(c => c === 'DeleteEndpointCommand')).toHaveLength(2);
    expect(logs.filter(l => l.includes('deleted arn:e'))).toEqual(['sweep: deleted arn:e']);
    expect(logs[logs.length - 1]).toBe('sweep: deleted arn:e');
    expect(logs.some(l => l.includes('ResourceInUseException: asking again'))).toBe(true);
  });

  test('an endpoint still there at the deadline is a failure, not deleted', async () => {
    const calls: string[] = [];
    const client = fake(name => name === 'ListEndpointsCommand' ? { EndpointPropertiesList: [{ EndpointArn: 'arn:e', Status: 'CREATING' }] } : {}, calls);
    expect(await deleteEndpoints(client, ['arn:e'], quiet, 0, 1)).toEqual(['endpoint arn:e: still there (CREATING) after 0 minutes']);
    expect(calls).not.toContain('DeleteEndpointCommand');
    expect(logs.some(l => l.startsWith('sweep: deleted'))).toBe(false);
  });

  test('a classifier in training is stopped, waited for until STOPPED, its endpoints deleted, then it is deleted and waited for', async () => {
    const calls: string[] = [];
    let classifier: string | undefined = 'TRAINING';
    let endpoint: string | undefined = 'IN_SERVICE';
    const client = fake((name) => {
      switch (name) {
        case 'StopTrainingDocumentClassifierCommand':
          classifier = 'STOP_REQUESTED';
          return {};
        case 'DescribeDocumentClassifierCommand': {
          const seenNow = classifier;
          classifier = seenNow === 'STOP_REQUESTED' ? 'STOPPED' : seenNow === 'DELETING' ? undefined : seenNow;
          calls.push(`status ${seenNow ?? 'gone'}`);
          return seenNow ? { DocumentClassifierProperties: { Status: seenNow } } : named('ResourceNotFoundException');
        }
        case 'ListEndpointsCommand': {
          const seenNow = endpoint;
          endpoint = seenNow === 'DELETING' ? undefined : seenNow;
          return { EndpointPropertiesList: seenNow ? [{ EndpointArn: 'arn:e', Status: seenNow }] : [] };
        }
        case 'DeleteEndpointCommand':
          endpoint = 'DELETING';
          return {};
        case 'ListTagsForResourceCommand':
          return { Tags: [{ Key: 'contract-aws', Value: 'RUN1' }] };
        case 'DeleteDocumentClassifierCommand':
          if (classifier !== 'STOPPED' || endpoint !== undefined) {
            return named('ResourceInUseException');
          }
          classifier = 'DELETING';
          return {};
        default:
          return {};
      }
    }, calls);
    const failures = await deleteClassifiers({ comprehend: client }, [{ version: { DocumentClassifierArn: 'arn:c', Status: 'TRAINING' }, tag: 'RUN1' }],
      quiet, 1, 1);
    expect(failures).toEqual([]);
    const order = calls.filter(c => !c.startsWith('List') && c !== 'DescribeDocumentClassifierCommand');
    expect(order).toEqual([
      'StopTrainingDocumentClassifierCommand', 'status STOP_REQUESTED', 'status STOPPED', 'DeleteEndpointCommand',
      'DeleteDocumentClassifierCommand', 'status DELETING', 'status gone',
    ]);
    expect(logs.filter(l => l.startsWith('sweep: deleted'))).toEqual(['sweep: deleted arn:e', 'sweep: deleted arn:c']);
  });

  test('an endpoint serving the classifier without its tag (a user\'s, on the source) is left and named; so is the classifier', async () => {
    const calls: string[] = [];
    let oursThere = true;
    const client = fake((name, input) => {
      switch (name) {
        case 'DescribeDocumentClassifierCommand':
          return { DocumentClassifierProperties: { Status: 'TRAINED' } };
        case 'ListEndpointsCommand':
          return {
            EndpointPropertiesList: [
              { EndpointArn: 'arn:users', Status: 'IN_SERVICE' }, ...oursThere ? [{ EndpointArn: 'arn:ours', Status: 'IN_SERVICE' }] : [],
            ],
          };
        case 'ListTagsForResourceCommand':
          return { Tags: input.ResourceArn === 'arn:ours' ? [{ Key: 'contract-aws', Value: 'source' }] : [{ Key: 'team', Value: 'x' }] };
        case 'DeleteEndpointCommand':
          calls.push(`delete ${input.EndpointArn}`);
          oursThere = input.EndpointArn !== 'arn:ours' && oursThere;
          return {};
        default:
          return {};
      }
    }, calls);
    const failures = await deleteClassifiers({ comprehend: client }, [{ version: { DocumentClassifierArn: 'arn:source', Status: 'TRAINED' }, tag: 'source' }],
      quiet, 0, 1);
    expect(calls).toContain('delete arn:ours');
    expect(calls).not.toContain('delete arn:users');
    expect(calls).not.toContain('DeleteDocumentClassifierCommand');
    expect(failures[0]).toBe('arn:source: not deleted: endpoints serving it that this tool did not make are left, as it is: ' +
      'arn:users (its contract-aws tag is absent, not source)');
  });

  test('--cleanup-only leaves a run whose fixtures stack is still being created or updated, and says so', () => {
    const run = '2612011234abcd';
    const leftovers: Leftover[] = [
      { kind: 'stack', account: 'importer', id: `contract-aws-${run}`, runId: run, tag: run, status: 'CREATE_IN_PROGRESS' },
      { kind: 'endpoint', account: 'importer', id: 'arn:e', runId: run, tag: run },
      { kind: 'stack', account: 'importer', id: 'contract-aws-2612011234zzzz', runId: '2612011234zzzz', tag: '2612011234zzzz', status: 'CREATE_COMPLETE' },
      { kind: 'stack', account: 'importer', id: 'contract-rollback-2612011234yyyy', runId: '2612011234yyyy', tag: '2612011234yyyy', status: 'UPDATE_IN_PROGRESS' },
    ];
    const inProgress = runsInProgress(leftovers);
    expect([...inProgress.values()]).toEqual([`run ${run}: in progress (its fixtures stack contract-aws-${run} is CREATE_IN_PROGRESS), left`]);
    expect(leftoverLines(leftovers, inProgress)).toEqual([
      `leave (run ${run} is in progress): stack contract-aws-${run} (importer)`,
      `leave (run ${run} is in progress): endpoint arn:e (importer)`,
      'delete: stack contract-aws-2612011234zzzz (importer)',
      'delete: stack contract-rollback-2612011234yyyy (importer)',
    ]);
  });

  test('the sweep deletes only what is named after a run and tagged with that run\'s id', () => {
    const leftovers: Leftover[] = [
      { kind: 'endpoint', account: 'importer', id: 'arn:ours', runId: '2612011234abcd', tag: '2612011234abcd' },
      { kind: 'role', account: 'importer', id: 'contract-x-2612011234abcd', runId: '2612011234abcd' },
      { kind: 'stack', account: 'importer', id: 'contract-y-2612011234abcd', runId: '2612011234abcd', tag: '2612011234zzzz' },
    ];
    expect(leftovers.map(isOurs)).toEqual([true, false, false]);
    expect(leftoverLines(leftovers)).toEqual([
      'delete: endpoint arn:ours (importer)',
      'leave (its contract-aws tag is absent, not 2612011234abcd): role contract-x-2612011234abcd (importer)',
      'leave (its contract-aws tag is 2612011234zzzz, not 2612011234abcd): stack contract-y-2612011234abcd (importer)',
    ]);
  });

  test('the training role\'s policy is overwritten only if the role carries contract-aws=source', async () => {
    const sharer = (tags: Array<{ Key: string; Value: string }>, calls: string[]) => ({
      accountId: '111122223333',
      region: 'us-west-2',
      partition: 'aws',
      iam: fake(name => name === 'GetRoleCommand' ? { Role: { Arn: 'arn:aws:iam::111122223333:role/contract-aws-comprehend-training' } }
        : name === 'ListRoleTagsCommand' ? { Tags: tags } : {}, calls),
    }) as unknown as Account;
    const refused: string[] = [];
    await expect(ensureTrainingRole(sharer([{ Key: 'team', Value: 'x' }], refused), () => undefined)).rejects.toThrow(
      /IAM role contract-aws-comprehend-training exists in 111122223333 but has no tag contract-aws=source \(its tag is absent\).*does not overwrite its policy.*aws iam tag-role/);
    expect(refused).not.toContain('PutRolePolicyCommand');
    const allowed: string[] = [];
    await ensureTrainingRole(sharer([{ Key: 'contract-aws', Value: 'source' }], allowed), () => undefined);
    expect(allowed).toContain('PutRolePolicyCommand');
  });
});

describe('the AWS target, without AWS', () => {
  /** `observe` in an observation abandoned before it goes on past its first await (as a test that gives up while it waits). */
  const abandoned = <T>(observe: () => Promise<T>) => {
    const observation = runObservation(async () => {
      await Promise.resolve();
      return observe();
    });
    observation.abandon();
    return observation.result;
  };

  test('a client refuses to send for an abandoned observation, before any request is made; outside one it is not stopped', async () => {
    const calls: string[] = [];
    const added: { middleware?: any } = {};
    stopWhenAbandoned({ middlewareStack: { add: (middleware: any) => { calls.push('added'); added.middleware = middleware; } } });
    const send = () => added.middleware(async () => { calls.push('sent'); return { output: {} }; }, {})({ input: {} });
    await expect(abandoned(async () => send())).rejects.toThrow(/gave up on this observation/);
    expect(calls).toEqual(['added']);
    await send();
    expect(calls).toEqual(['added', 'sent']);
  });

  test('its sleeps (IAM propagation, wait()) refuse for an abandoned observation', async () => {
    await expect(abandoned(() => observedSleep(1))).rejects.toThrow(/gave up on this observation/);
    await expect(observedSleep(1)).resolves.toBeUndefined();
  });

  describe('opened on fixtures, with profiles that do not exist (nothing is sent)', () => {
    const saved = { ...process.env };
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-aws-'));
      const fixtures = {
        region: 'us-west-2',
        partition: 'aws',
        sharerAccount: '111122223333',
        importerAccount: '444455556666',
        sharerProfile: 'no-such-sharer',
        importerProfile: 'no-such-importer',
        sourceClassifierArn: 'arn:source',
        importerKeyArn: 'arn:key',
        importerImportRoleArn: 'arn:import',
        importerEndpointRoleArn: 'arn:endpoint',
        runId: '2612011234abcd',
      };
      fs.writeFileSync(path.join(dir, 'fixtures.json'), JSON.stringify(fixtures));
      Object.assign(process.env, {
        CONTRACT_AWS_FIXTURES: path.join(dir, 'fixtures.json'),
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
      });
    });
    afterAll(() => {
      process.env = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('every client it hands out refuses an abandoned observation\'s calls', async () => {
      const target = await openAwsTarget();
      const refused = /gave up on this observation/;
      await expect(abandoned(() => target.importer.comprehend.send(new DescribeEndpointCommand({ EndpointArn: 'arn:e' })))).rejects.toThrow(refused);
      await expect(abandoned(() => target.sharer.comprehend.send(new DescribeEndpointCommand({ EndpointArn: 'arn:e' })))).rejects.toThrow(refused);
      await expect(abandoned(() => target.awsOnly!.importerCloudFormation.send(new DescribeStacksCommand({})))).rejects.toThrow(refused);
      await expect(abandoned(() => target.awsOnly!.importerCloudWatch.send(new ListMetricsCommand({})))).rejects.toThrow(refused);
      await expect(abandoned(() => target.awsOnly!.importerLogs.send(new DescribeLogGroupsCommand({})))).rejects.toThrow(refused);
      // clientWithPolicy's first call (IAM's CreateRole) is refused too: no role is made.
      await expect(abandoned(() => target.clientWithPolicy('x', []))).rejects.toThrow(refused);
      await expect(abandoned(() => target.wait(1))).rejects.toThrow(refused);
      await target.close();
    });

    test('awsOnly is a getter, made once, and works through Object.create (as assumption.ts wraps the target)', async () => {
      const target = await openAwsTarget();
      expect(typeof Object.getOwnPropertyDescriptor(target, 'awsOnly')?.get).toBe('function');
      const view: typeof target = Object.create(target);
      const clients = view.awsOnly!;
      expect(view.awsOnly).toBe(clients);
      expect(target.awsOnly).toBe(clients);
      expect(clients.importerKeyArn).toBe('arn:key');
      await target.close();
    });
  });

  describe('its cleanups', () => {
    test('run in reverse order, those registered during close() included; the copies and endpoints made are tagged first', async () => {
      const seen: string[] = [];
      const cleanups = new Cleanups(async arn => { seen.push(`tag ${arn}`); });
      await cleanups.created('arn:copy');
      await cleanups.onClose(async () => { seen.push('first registered'); });
      await cleanups.onClose(async () => {
        seen.push('second registered');
        await cleanups.onClose(async () => { seen.push('registered during close'); });
        await cleanups.created('arn:late');
      });
      expect(seen).toEqual([]);
      await cleanups.close();
      expect(seen).toEqual(['tag arn:copy', 'second registered', 'tag arn:late', 'registered during close', 'first registered']);
    });

    test('one registered after close() runs at once, outside the abandoned observation that registers it; its failure is written', async () => {
      const warnings: string[] = [];
      const cleanups = new Cleanups(async () => {}, undefined, line => warnings.push(line));
      await cleanups.close();
      let ran = false;
      await abandoned(() => cleanups.onClose(async () => {
        await observedSleep(1);
        ran = true;
      }));
      expect(ran).toBe(true);
      await cleanups.onClose(async () => { throw new Error('denied'); });
      expect(warnings).toEqual([expect.stringContaining('a cleanup registered after the test closed failed (the sweep tries again): Error: denied')]);
    });

    test('a failed cleanup does not stop the others; all failures are thrown together', async () => {
      const seen: string[] = [];
      const cleanups = new Cleanups(async () => { throw new Error('AccessDenied'); }, undefined, line => seen.push(line));
      await cleanups.created('arn:copy');
      await cleanups.onClose(async () => { seen.push('ran'); });
      await cleanups.onClose(async () => { throw new Error('boom'); });
      await expect(cleanups.close()).rejects.toThrow('1 cleanup(s) failed');
      expect(seen).toEqual([expect.stringContaining('could not tag arn:copy'), 'ran']);
    });
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

  test('a failed cleanup and the test\'s details are shown with the row', () => {
    const withCleanup = renderReport([row('held-row')], [
      { ...seen('held-row', 'held', 'held-row answer'), cleanup: 'endpoint x: still CREATING', details: 'import 412 s' },
    ], '2026-12-01');
    expect(withCleanup.rows[0]).toMatchObject({ cleanup: 'endpoint x: still CREATING', details: 'import 412 s' });
    expect(withCleanup.markdown).toContain('| `held-row` | held (cleanup failed: endpoint x: still CREATING) | held-row answer (import 412 s) |');
    expect(withCleanup.markdown).toContain('the cleanup of 1 failed');
    expect(report.markdown).not.toContain('cleanup failed');
  });

  test('a status whose AWS part is not recognized stays as it is', () => {
    expect(statusToPaste('something else', 'held', '2026-12-01')).toBe('something else');
  });
});
