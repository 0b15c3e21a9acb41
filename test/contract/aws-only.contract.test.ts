// Contract tests of behaviours only real accounts have: KMS with the library's endpoint role, CloudWatch's metric of an
// idle endpoint, and CloudFormation's rollbacks. The emulator models none of them, so on it assumption() skips these
// rows by name; what can be checked without AWS (the rollback stack's template and function, the reading of its
// events, the reading of the metric) is checked below by plain jest tests, in every build.
import * as vm from 'vm';
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand,
  StackEvent, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ClassifyDocumentCommand, CreateEndpointCommand, DeleteEndpointCommand, DescribeEndpointCommand } from '@aws-sdk/client-comprehend';
import { App, Stack } from 'aws-cdk-lib';
import { assumption } from './assumption';
import { GONE, endpointStatus, importCopy, shareSource, USABLE_STATUSES, waitForModel } from './steps';
import { AwsOnlyClients, ContractTarget } from './target';
import { ModelEndpoint } from '../../src';

/** An import and an endpoint (each minutes on AWS), or a stack's create, update, rollback and delete. */
const LONG = { awsTimeoutMinutes: 180 };
const POLL_MS = 15_000;

function awsOnly(target: ContractTarget): AwsOnlyClients {
  if (!target.awsOnly) {
    throw new Error(`this row needs AWS (target ${target.kind} has no awsOnly clients)`);
  }
  return target.awsOnly;
}

/** Polls `read` every POLL_MS until `done` holds for what it returns; throws after `minutes`. */
async function pollUntil<T>(target: ContractTarget, what: string, minutes: number, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = target.now() + minutes * 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (target.now() > deadline) {
      throw new Error(`${what} is still ${JSON.stringify(value)} after ${minutes} minutes`);
    }
    await target.wait(POLL_MS);
  }
}

const settled = (status: string) => status !== 'CREATING' && status !== 'UPDATING';

/**
 * Creates an endpoint of 1 inference unit on `modelArn` (with `dataAccessRoleArn` when given), its deletion registered
 * first (after the copy's, so it runs before it); waits until it has settled and returns IN_SERVICE, or `FAILED: message`.
 */
async function serve(target: ContractTarget, purpose: string, modelArn: string, dataAccessRoleArn?: string):
Promise<{ arn: string; outcome: string }> {
  const client = target.importer.comprehend;
  const name = target.name(purpose).slice(0, 40);
  const arn = `arn:${target.partition}:comprehend:${target.region}:${target.importer.accountId}:document-classifier-endpoint/${name}`;
  target.onClose(async () => {
    const status = await pollUntil(target, `endpoint ${arn}`, 60, () => endpointStatus(target, arn), settled);
    if (status !== GONE && status !== 'DELETING') {
      await client.send(new DeleteEndpointCommand({ EndpointArn: arn }));
    }
    await pollUntil(target, `deleted endpoint ${arn}`, 60, () => endpointStatus(target, arn), s => s === GONE);
  });
  await client.send(new CreateEndpointCommand({
    EndpointName: name, ModelArn: modelArn, DesiredInferenceUnits: 1, DataAccessRoleArn: dataAccessRoleArn,
  }));
  const status = await pollUntil(target, `endpoint ${arn}`, 60, () => endpointStatus(target, arn), settled);
  if (status === 'IN_SERVICE') {
    return { arn, outcome: status };
  }
  const { EndpointProperties } = await client.send(new DescribeEndpointCommand({ EndpointArn: arn }));
  return { arn, outcome: `${status}: ${EndpointProperties?.Message ?? '(no Message)'}` };
}

/** A shared import of the source, waited for until it is usable. */
async function trainedCopy(target: ContractTarget, purpose: string, keyed: boolean): Promise<string> {
  await shareSource(target);
  const clients = awsOnly(target);
  const keys = { ModelKmsKeyId: clients.importerKeyArn, DataAccessRoleArn: clients.importerDataAccessRoleArn };
  const arn = await importCopy(target, purpose, keyed ? keys : {});
  await waitForModel(target, target.importer.comprehend, arn, USABLE_STATUSES);
  return arn;
}

assumption('endpoint-reads-without-s3', async target => {
  const clients = awsOnly(target);
  // The run's data access role carries the library's endpoint permissions on the run's key (kms:Decrypt, and
  // kms:CreateGrant for AWS resources, with no kms:ViaService): test/contract/aws/fixtures.ts, importerStackTemplate.
  const copy = await trainedCopy(target, 'role-copy', true);
  const { outcome } = await serve(target, 'role-endpoint', copy, clients.importerDataAccessRoleArn);
  return outcome === 'IN_SERVICE' ? 'IN_SERVICE with the library\'s endpoint role' : outcome;
}, LONG);

// ---- The idle endpoint's metric ----

/** What the metric's values say, in the words of the row: no datapoint, 0, or the values. */
export function describeDatapoints(values: readonly number[]): string {
  if (values.length === 0) {
    return 'no datapoint';
  }
  return values.every(v => v === 0) ? '0' : values.join(', ');
}

/** The metric the library's idle alarm reads, as the library builds it (namespace, name, dimensions, statistic, period). */
export function idleAlarmMetric(endpointArn: string, region: string, account: string) {
  const stack = new Stack(new App(), 'Metric', { env: { region, account } });
  const metric = ModelEndpoint.fromEndpointArn(stack, 'Endpoint', endpointArn).metricConsumedInferenceUnits();
  return {
    Namespace: metric.namespace,
    MetricName: metric.metricName,
    Dimensions: Object.entries(metric.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value: String(Value) })),
    Stat: metric.statistic,
    Period: metric.period.toSeconds(),
  };
}

/** How long the endpoint stays idle in service before the metric is read. */
const IDLE_MINUTES = 8;

assumption('idle-minute-datapoint', async target => {
  const clients = awsOnly(target);
  // An endpoint of its own, which serves nothing: reusing another row's would tie this row to its outcome.
  const copy = await trainedCopy(target, 'idle-copy', false);
  const { arn, outcome } = await serve(target, 'idle-endpoint', copy);
  if (outcome !== 'IN_SERVICE') {
    throw new Error(`the idle endpoint did not come into service: ${outcome}`);
  }
  await target.wait(IDLE_MINUTES * 60_000);
  return describeDatapoints(await idleAlarmValues(clients, target, arn, 5));
}, LONG);

/** The values of the idle alarm's metric of `endpointArn` over the last `minutes`. */
async function idleAlarmValues(clients: AwsOnlyClients, target: ContractTarget, endpointArn: string, minutes: number): Promise<number[]> {
  const metric = idleAlarmMetric(endpointArn, target.region, target.importer.accountId);
  const end = new Date(target.now());
  const { MetricDataResults } = await clients.importerCloudWatch.send(new GetMetricDataCommand({
    StartTime: new Date(end.getTime() - minutes * 60_000),
    EndTime: end,
    MetricDataQueries: [{
      Id: 'consumed',
      MetricStat: {
        Metric: { Namespace: metric.Namespace, MetricName: metric.MetricName, Dimensions: metric.Dimensions },
        Period: metric.Period,
        Stat: metric.Stat,
      },
      ReturnData: true,
    }],
  }));
  return MetricDataResults?.[0]?.Values ?? [];
}

/** How long CloudWatch may take to show a served minute. */
const METRIC_DELAY_MINUTES = 15;

// The namespace and dimension themselves (src/model-endpoint.ts, METRICS_NAMESPACE) are no machine-readable source's:
// were they wrong, the idle row above would read "no datapoint" all the same. An endpoint that served must show up.
assumption('endpoint-metrics-namespace', async target => {
  const clients = awsOnly(target);
  const copy = await trainedCopy(target, 'metric-copy', false);
  const { arn, outcome } = await serve(target, 'metric-endpoint', copy);
  if (outcome !== 'IN_SERVICE') {
    throw new Error(`the endpoint did not come into service: ${outcome}`);
  }
  for (let i = 0; i < 5; i++) {
    await target.importer.comprehend.send(new ClassifyDocumentCommand({ EndpointArn: arn, Text: 'My invoice was charged twice this month.' }));
  }
  const values = await pollUntil(target, `the idle alarm's metric of ${arn}`, METRIC_DELAY_MINUTES,
    () => idleAlarmValues(clients, target, arn, METRIC_DELAY_MINUTES + 5), found => found.some(v => v > 0)).catch(() => []);
  return values.some(v => v > 0) ? 'datapoints in AWS/Comprehend by EndpointArn' : `no datapoint ${METRIC_DELAY_MINUTES} minutes after 5 inferences`;
}, LONG);

// ---- CloudFormation's rollback of an update ----

/**
 * The function of the rollback stack (nodejs20.x, inline: no asset). On every Create and Update of a resource whose
 * property Fail is not 'true', it reads the resource's own record (DescribeStackResource) and the stack's status
 * (DescribeStacks) and answers SUCCESS with a physical id that says what it saw: `recorder:ROUND:RESOURCE:STACK`. That
 * id stays readable after the rollback, in the resource's events. With Fail 'true' it answers FAILED; a Delete succeeds.
 */
export const RECORDER_CODE = `
const { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const cloudFormation = new CloudFormationClient({});
exports.handler = async event => {
  let status = 'SUCCESS';
  let reason = 'recorded';
  let physicalId = event.PhysicalResourceId || 'recorder:created';
  try {
    if (event.RequestType !== 'Delete' && event.ResourceProperties.Fail === 'true') {
      status = 'FAILED';
      reason = 'failing on purpose, so that CloudFormation rolls the update back';
    } else if (event.RequestType !== 'Delete') {
      const own = await cloudFormation.send(new DescribeStackResourceCommand({ StackName: event.StackId, LogicalResourceId: event.LogicalResourceId }));
      const stack = await cloudFormation.send(new DescribeStacksCommand({ StackName: event.StackId }));
      physicalId = ['recorder', event.ResourceProperties.Round, own.StackResourceDetail.ResourceStatus, stack.Stacks[0].StackStatus].join(':');
    }
  } catch (error) {
    status = 'FAILED';
    reason = String(error);
  }
  console.log(JSON.stringify({ request: event.RequestType, resource: event.LogicalResourceId, status, physicalId }));
  const body = JSON.stringify({
    Status: status, Reason: reason, PhysicalResourceId: physicalId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  });
  await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
};
`;

/**
 * The rollback stack's template at `round` (no CDK, no asset). Round 1: the function, its role and Recorder. Round 2
 * changes Recorder's Round and the function's environment (so both are updated), and adds Failer, which depends on
 * Recorder and fails: CloudFormation then rolls back the function and Recorder.
 */
export function rollbackTemplate(round: 1 | 2): Record<string, unknown> {
  const serviceToken = { 'Fn::GetAtt': ['Function', 'Arn'] };
  return {
    Description: 'contract:aws rows rollback-update-record and rollback-order (test/contract/aws-only.contract.test.ts)',
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }],
          Policies: [{
            PolicyName: 'ReadOwnStack',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Resource: { Ref: 'AWS::StackId' } }],
            },
          }],
        },
      },
      Function: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Timeout: 60,
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: RECORDER_CODE },
          // Changed by the update, so that the rollback updates the function too.
          Environment: { Variables: { ROUND: String(round) } },
        },
      },
      Recorder: { Type: 'Custom::Recorder', Properties: { ServiceToken: serviceToken, Round: String(round) } },
      ...round === 2 ? {
        Failer: { Type: 'Custom::Failer', DependsOn: 'Recorder', Properties: { ServiceToken: serviceToken, Fail: 'true' } },
      } : {},
    },
  };
}

/** What the rollback's events show: what Recorder saw in the rollback's Update, and which was rolled back first. */
export interface RollbackReading {
  readonly recorderSaw: string;
  readonly order: string;
}

/** Reads a stack's events (DescribeStackEvents' order: newest first) after an update that rolled back. */
export function readRollback(stackName: string, newestFirst: readonly StackEvent[]): RollbackReading {
  const events = [...newestFirst].reverse();
  const start = events.map(e => e.LogicalResourceId === stackName && e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS').lastIndexOf(true);
  if (start < 0) {
    return { recorderSaw: 'no UPDATE_ROLLBACK_IN_PROGRESS event of the stack', order: 'no UPDATE_ROLLBACK_IN_PROGRESS event of the stack' };
  }
  const rollback = events.slice(start + 1).map((e, i) => ({ ...e, index: i }));
  const recorderDone = rollback.find(e => e.LogicalResourceId === 'Recorder' && e.ResourceStatus === 'UPDATE_COMPLETE');
  const functionBegins = rollback.find(e => e.LogicalResourceId === 'Function' && e.ResourceStatus === 'UPDATE_IN_PROGRESS');
  const parts = recorderDone?.PhysicalResourceId?.split(':');
  const recorderSaw = parts?.length === 4 ? `${parts[2]}, stack ${parts[3]}` : `Recorder's rollback answered ${recorderDone?.PhysicalResourceId ?? 'nothing'}`;
  let order: string;
  if (!recorderDone || !functionBegins) {
    order = `the rollback's events lack ${!recorderDone ? 'Recorder\'s UPDATE_COMPLETE' : 'the function\'s UPDATE_IN_PROGRESS'}`;
  } else {
    order = recorderDone.index < functionBegins.index ? 'dependents before their functions' : 'functions before their dependents';
  }
  return { recorderSaw, order };
}

async function stackStatus(cloudFormation: CloudFormationClient, stackId: string): Promise<string> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
  return Stacks?.[0]?.StackStatus ?? 'no StackStatus';
}

const inProgress = (status: string) => status.endsWith('_IN_PROGRESS');

/**
 * Creates the rollback stack, updates it into a rollback, and reads its events; the stack's deletion is registered
 * before it is created. Both rows read the one stack: the first of them to run builds it (jest runs a file's tests in
 * order), the other reads the module-level promise; either, run alone, builds it itself.
 */
let rollbackRun: Promise<RollbackReading> | undefined;
function rollbackReading(target: ContractTarget): Promise<RollbackReading> {
  rollbackRun ??= buildRollback(target);
  return rollbackRun;
}

async function buildRollback(target: ContractTarget): Promise<RollbackReading> {
  const cloudFormation = awsOnly(target).importerCloudFormation;
  const stackName = target.name('rollback');
  let stackId = stackName;
  target.onClose(async () => {
    await cloudFormation.send(new DeleteStackCommand({ StackName: stackId })).catch(error => {
      if (!/does not exist/.test(String(error))) {
        throw error;
      }
    });
    await pollUntil(target, `stack ${stackName}`, 30, () => stackStatus(cloudFormation, stackId).catch(() => 'DELETE_COMPLETE'),
      s => s === 'DELETE_COMPLETE' || s === 'DELETE_FAILED');
  });
  const created = await cloudFormation.send(new CreateStackCommand({
    StackName: stackName, TemplateBody: JSON.stringify(rollbackTemplate(1)), Capabilities: ['CAPABILITY_IAM'],
  }));
  stackId = created.StackId ?? stackName;
  const afterCreate = await pollUntil(target, `stack ${stackName}`, 30, () => stackStatus(cloudFormation, stackId), s => !inProgress(s));
  if (afterCreate !== 'CREATE_COMPLETE') {
    throw new Error(`the rollback stack's create ended ${afterCreate}`);
  }
  await cloudFormation.send(new UpdateStackCommand({ StackName: stackId, TemplateBody: JSON.stringify(rollbackTemplate(2)), Capabilities: ['CAPABILITY_IAM'] }));
  const afterUpdate = await pollUntil(target, `stack ${stackName}`, 60, () => stackStatus(cloudFormation, stackId), s => !inProgress(s));
  if (afterUpdate !== 'UPDATE_ROLLBACK_COMPLETE') {
    throw new Error(`the rollback stack's update ended ${afterUpdate}, not UPDATE_ROLLBACK_COMPLETE`);
  }
  const events: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackId, NextToken }));
    events.push(...page.StackEvents ?? []);
    NextToken = page.NextToken;
  } while (NextToken);
  return readRollback(stackName, events);
}

assumption('rollback-update-record', async target => (await rollbackReading(target)).recorderSaw, LONG);

assumption('rollback-order', async target => (await rollbackReading(target)).order, LONG);

// ---- What can be checked here, without AWS ----

describe('rollback template', () => {
  test('round 1 has the function, its role and Recorder; round 2 changes both and adds a failing dependent', () => {
    const one = rollbackTemplate(1).Resources as Record<string, any>;
    const two = rollbackTemplate(2).Resources as Record<string, any>;
    expect(Object.keys(one)).toEqual(['Role', 'Function', 'Recorder']);
    expect(Object.keys(two)).toEqual(['Role', 'Function', 'Recorder', 'Failer']);
    expect(one.Function.Properties.Environment).not.toEqual(two.Function.Properties.Environment);
    expect(one.Recorder.Properties.Round).not.toEqual(two.Recorder.Properties.Round);
    expect(two.Failer).toEqual({ Type: 'Custom::Failer', DependsOn: 'Recorder', Properties: { ServiceToken: { 'Fn::GetAtt': ['Function', 'Arn'] }, Fail: 'true' } });
    expect(one.Function.Properties.Runtime).toBe('nodejs20.x');
    expect(one.Role.Properties.Policies[0].PolicyDocument.Statement[0].Action).toEqual(['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks']);
  });

  test('the inline code fits in ZipFile (4096 characters)', () => {
    expect(RECORDER_CODE.length).toBeLessThanOrEqual(4096);
  });

  /** Runs the inline function with a stand-in for CloudFormation and for the response URL. */
  async function invoke(event: Record<string, unknown>, described = { resource: 'UPDATE_IN_PROGRESS', stack: 'UPDATE_ROLLBACK_IN_PROGRESS' }) {
    const sent: Array<{ url: string; body: any; headers: Record<string, string> }> = [];
    const calls: string[] = [];
    class Command {
      constructor(public readonly input: any) {}
    }
    class DescribeStackResourceCommand extends Command {}
    class DescribeStacksStandIn extends Command {}
    const sdk = {
      DescribeStackResourceCommand,
      DescribeStacksCommand: DescribeStacksStandIn,
      CloudFormationClient: class {
        async send(command: Command) {
          calls.push(`${command.constructor.name} ${JSON.stringify(command.input)}`);
          return command instanceof DescribeStackResourceCommand
            ? { StackResourceDetail: { ResourceStatus: described.resource } }
            : { Stacks: [{ StackStatus: described.stack }] };
        }
      },
    };
    const module = { exports: {} as any };
    vm.runInNewContext(RECORDER_CODE, {
      require: (name: string) => name === '@aws-sdk/client-cloudformation' ? sdk : undefined,
      exports: module.exports,
      module,
      console: { log: () => {} },
      fetch: async (url: string, init: any) => {
        sent.push({ url, body: JSON.parse(init.body), headers: init.headers });
        return { ok: true };
      },
    });
    await module.exports.handler({ StackId: 'stack-id', RequestId: 'r', LogicalResourceId: 'Recorder', ResponseURL: 'https://example.com/presigned', ...event });
    return { sent, calls };
  }

  test('the function answers what it saw in its physical id, at the pre-signed URL', async () => {
    const { sent, calls } = await invoke({ RequestType: 'Update', PhysicalResourceId: 'recorder:2:x:y', ResourceProperties: { Round: '1' } });
    expect(calls).toEqual([
      'DescribeStackResourceCommand {"StackName":"stack-id","LogicalResourceId":"Recorder"}',
      'DescribeStacksStandIn {"StackName":"stack-id"}',
    ]);
    expect(sent).toEqual([{
      url: 'https://example.com/presigned',
      headers: { 'content-type': '' },
      body: {
        Status: 'SUCCESS',
        Reason: 'recorded',
        PhysicalResourceId: 'recorder:1:UPDATE_IN_PROGRESS:UPDATE_ROLLBACK_IN_PROGRESS',
        StackId: 'stack-id',
        RequestId: 'r',
        LogicalResourceId: 'Recorder',
      },
    }]);
  });

  test('Fail fails without a call; a Delete succeeds without one, keeping the physical id', async () => {
    const failed = await invoke({ RequestType: 'Create', LogicalResourceId: 'Failer', ResourceProperties: { Fail: 'true' } });
    expect(failed.calls).toEqual([]);
    expect(failed.sent[0].body).toMatchObject({ Status: 'FAILED', LogicalResourceId: 'Failer' });
    const deleted = await invoke({ RequestType: 'Delete', PhysicalResourceId: 'recorder:1:a:b', ResourceProperties: { Round: '1' } });
    expect(deleted.calls).toEqual([]);
    expect(deleted.sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'recorder:1:a:b' });
  });
});

describe('reading the rollback', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, seconds));
  const event = (seconds: number, LogicalResourceId: string, ResourceStatus: string, PhysicalResourceId = ''): StackEvent =>
    ({ StackId: 'id', EventId: `${seconds}`, StackName: 'stack', Timestamp: at(seconds), LogicalResourceId, ResourceStatus: ResourceStatus as any, PhysicalResourceId });
  /** A fabricated update that failed and rolled back, oldest first; `functionFirst` swaps the rollback's order. */
  function update(functionFirst: boolean): StackEvent[] {
    const recorder = [
      event(0, 'Recorder', 'UPDATE_IN_PROGRESS', 'recorder:2:UPDATE_IN_PROGRESS:UPDATE_IN_PROGRESS'),
      event(0, 'Recorder', 'UPDATE_COMPLETE', 'recorder:1:UPDATE_IN_PROGRESS:UPDATE_ROLLBACK_IN_PROGRESS'),
    ];
    const fn = [event(0, 'Function', 'UPDATE_IN_PROGRESS'), event(0, 'Function', 'UPDATE_COMPLETE')];
    const oldestFirst = [
      event(0, 'stack', 'CREATE_COMPLETE'),
      event(1, 'stack', 'UPDATE_IN_PROGRESS'),
      event(2, 'Function', 'UPDATE_IN_PROGRESS'), event(3, 'Function', 'UPDATE_COMPLETE'),
      event(4, 'Recorder', 'UPDATE_IN_PROGRESS'), event(5, 'Recorder', 'UPDATE_COMPLETE', 'recorder:2:UPDATE_IN_PROGRESS:UPDATE_IN_PROGRESS'),
      event(6, 'Failer', 'CREATE_IN_PROGRESS'), event(7, 'Failer', 'CREATE_FAILED'),
      event(8, 'stack', 'UPDATE_ROLLBACK_IN_PROGRESS'),
      ...(functionFirst ? [...fn, ...recorder] : [...recorder, ...fn]),
      event(12, 'stack', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'),
      event(13, 'Failer', 'DELETE_COMPLETE'),
      event(14, 'stack', 'UPDATE_ROLLBACK_COMPLETE'),
    ];
    return oldestFirst.reverse();
  }

  test('dependents first: Recorder is back before the function\'s rollback begins', () => {
    expect(readRollback('stack', update(false))).toEqual({
      recorderSaw: 'UPDATE_IN_PROGRESS, stack UPDATE_ROLLBACK_IN_PROGRESS',
      order: 'dependents before their functions',
    });
  });

  test('functions first', () => {
    expect(readRollback('stack', update(true)).order).toBe('functions before their dependents');
  });

  test('no rollback, or a missing event, is said as such (the row then differs)', () => {
    expect(readRollback('stack', [event(0, 'stack', 'UPDATE_COMPLETE')]).order).toBe('no UPDATE_ROLLBACK_IN_PROGRESS event of the stack');
    const withoutFunction = update(false).filter(e => !(e.LogicalResourceId === 'Function' && e.Timestamp!.getTime() === at(0).getTime()));
    expect(readRollback('stack', withoutFunction).order).toBe('the rollback\'s events lack the function\'s UPDATE_IN_PROGRESS');
  });
});

describe('the idle endpoint\'s metric', () => {
  test('the idle alarm\'s metric: AWS/Comprehend ConsumedInferenceUnits by EndpointArn, Sum over 60 s', () => {
    const arn = 'arn:aws:comprehend:us-west-2:444455556666:document-classifier-endpoint/contract-idle';
    expect(idleAlarmMetric(arn, 'us-west-2', '444455556666')).toEqual({
      Namespace: 'AWS/Comprehend', MetricName: 'ConsumedInferenceUnits', Dimensions: [{ Name: 'EndpointArn', Value: arn }], Stat: 'Sum', Period: 60,
    });
  });

  test('no values, zeros, values', () => {
    expect(describeDatapoints([])).toBe('no datapoint');
    expect(describeDatapoints([0, 0])).toBe('0');
    expect(describeDatapoints([0, 2])).toBe('0, 2');
  });
});
