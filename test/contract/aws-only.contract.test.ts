// Contract tests of behaviours only real accounts have: KMS with the library's endpoint role, CloudWatch's metric of an
// idle endpoint, and CloudFormation's rollbacks. The emulator models none of them, so on it assumption() skips these
// rows by name; what can be checked without AWS (the rollback stack's template and function, the reading of its
// events and of the function's log, the idle endpoint's window and metric) is checked below by plain jest tests, in
// every build.
import * as vm from 'vm';
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand,
  StackEvent, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ClassifyDocumentCommand, DescribeEndpointCommand } from '@aws-sdk/client-comprehend';
import { App, Stack } from 'aws-cdk-lib';
import { assumption } from './assumption';
import { keepForCfnLint } from './lint-templates';
import { createEndpoint, poll, PollDeadline, trainedCopy, waitSettled } from './steps';
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

/**
 * Creates an endpoint of 1 inference unit on `modelArn` (with `dataAccessRoleArn` when given; its deletion registered
 * first), waits until it has settled, and returns its ARN with IN_SERVICE, or `FAILED: message`.
 */
async function serve(target: ContractTarget, purpose: string, modelArn: string, dataAccessRoleArn?: string):
Promise<{ arn: string; outcome: string }> {
  const arn = await createEndpoint(target, purpose, modelArn, { DataAccessRoleArn: dataAccessRoleArn });
  const status = await waitSettled(target, arn);
  if (status === 'IN_SERVICE') {
    return { arn, outcome: status };
  }
  const { EndpointProperties } = await target.importer.comprehend.send(new DescribeEndpointCommand({ EndpointArn: arn }));
  return { arn, outcome: `${status}: ${EndpointProperties?.Message ?? '(no Message)'}` };
}

/** A shared import of the source, under the run's key with the library's import role when `keyed`, once usable. */
function copyOf(target: ContractTarget, purpose: string, keyed: boolean): Promise<string> {
  const clients = awsOnly(target);
  // The import's role: exactly the library's import service-role permissions on the run's key.
  return trainedCopy(target, purpose, keyed ? { ModelKmsKeyId: clients.importerKeyArn, DataAccessRoleArn: clients.importerImportRoleArn } : {});
}

assumption('endpoint-reads-without-s3', async target => {
  const clients = awsOnly(target);
  // The copy is imported under the run's key with the library's import role; the endpoint gets a role with exactly the
  // library's endpoint permissions on that key (kms:Decrypt, and kms:CreateGrant for AWS resources, with no
  // kms:ViaService) and nothing else: so IN_SERVICE means the library's endpoint role suffices.
  const copy = await copyOf(target, 'role-copy', true);
  const { outcome } = await serve(target, 'role-endpoint', copy, clients.importerEndpointRoleArn);
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

/**
 * The idle endpoint's timeline, in minutes after the test saw it IN_SERVICE: the 10 minutes whose values are read
 * (from 2 minutes in, once it surely serves), and when they are read. The read waits 13 minutes past the window's end,
 * since a minute CloudWatch has not published yet also reads as "no datapoint" (its delay is a few minutes; the
 * namespace row below allows 15 for a served minute).
 */
export const IDLE_TIMELINE = { windowFrom: 2, windowTo: 12, readAt: 25 } as const;

/** The window to read and when to read it, for an endpoint seen IN_SERVICE at `inService` (epoch ms). */
export function idleWindow(inService: number): { readonly start: Date; readonly end: Date; readonly readAt: number } {
  const minutes = (m: number) => inService + m * 60_000;
  return {
    start: new Date(minutes(IDLE_TIMELINE.windowFrom)),
    end: new Date(minutes(IDLE_TIMELINE.windowTo)),
    readAt: minutes(IDLE_TIMELINE.readAt),
  };
}

// Cost: this endpoint (1 IU, billed per second while it stands) lives from CreateEndpoint to its deletion: its creation
// (minutes, unmeasured), IDLE_TIMELINE.readAt = 25 minutes in service, then its deletion. plan.ts's WORKLOAD counts it
// among the idle endpoints (idleEndpointMinutes), with endpoint-metrics-namespace's, which waits up to 15 minutes.
assumption('idle-minute-datapoint', async target => {
  const clients = awsOnly(target);
  // An endpoint of its own, which serves nothing: reusing another row's would tie this row to its outcome.
  const copy = await copyOf(target, 'idle-copy', false);
  const { arn, outcome } = await serve(target, 'idle-endpoint', copy);
  if (outcome !== 'IN_SERVICE') {
    throw new Error(`the idle endpoint did not come into service: ${outcome}`);
  }
  const window = idleWindow(target.now());
  await target.wait(Math.max(0, window.readAt - target.now()));
  return describeDatapoints(await idleAlarmValues(clients, target, arn, window.start, window.end));
}, LONG);

/** The values of the idle alarm's metric of `endpointArn` from `start` to `end`. */
async function idleAlarmValues(clients: AwsOnlyClients, target: ContractTarget, endpointArn: string, start: Date, end: Date): Promise<number[]> {
  const metric = idleAlarmMetric(endpointArn, target.region, target.importer.accountId);
  const { MetricDataResults } = await clients.importerCloudWatch.send(new GetMetricDataCommand({
    StartTime: start,
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
  const copy = await copyOf(target, 'metric-copy', false);
  const { arn, outcome } = await serve(target, 'metric-endpoint', copy);
  if (outcome !== 'IN_SERVICE') {
    throw new Error(`the endpoint did not come into service: ${outcome}`);
  }
  for (let i = 0; i < 5; i++) {
    await target.importer.comprehend.send(new ClassifyDocumentCommand({ EndpointArn: arn, Text: 'My invoice was charged twice this month.' }));
  }
  // Only the deadline means "no datapoint": any other error (a refused GetMetricData, say) is the test's, not the row's.
  const values = await poll(target, POLL_MS, METRIC_DELAY_MINUTES * 60_000, `the idle alarm's metric of ${arn}`,
    () => idleAlarmValues(clients, target, arn, new Date(target.now() - (METRIC_DELAY_MINUTES + 5) * 60_000), new Date(target.now())),
    found => found.some(v => v > 0)).catch(error => {
    if (error instanceof PollDeadline) {
      return [];
    }
    throw error;
  });
  return values.some(v => v > 0) ? 'datapoints in AWS/Comprehend by EndpointArn' : `no datapoint ${METRIC_DELAY_MINUTES} minutes after 5 inferences`;
}, LONG);

// ---- CloudFormation's rollback of an update ----

/**
 * The function of the rollback stack (nodejs24.x, inline: no asset). For every request it logs one JSON line: the
 * RequestType, the resource, its property Round, what DescribeStackResource says of its own record and DescribeStacks
 * of the stack (not for a Delete), the function's own ROUND (its environment, which the rollback also changes back) and
 * when the request came. It answers SUCCESS, keeping one physical id per resource for good: a changed id on an Update
 * would be a replacement, and CloudFormation might then not send the rollback's Update to it at all. With Fail 'true'
 * (Failer) it answers FAILED, so that the update rolls back.
 */
export const RECORDER_CODE = `
const { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const cloudFormation = new CloudFormationClient({});
exports.handler = async event => {
  const properties = event.ResourceProperties || {};
  const line = {
    RequestType: event.RequestType, LogicalResourceId: event.LogicalResourceId, Round: properties.Round,
    FunctionRound: process.env.ROUND, timestamp: new Date().toISOString(),
  };
  let status = 'SUCCESS';
  let reason = 'recorded';
  try {
    if (event.RequestType !== 'Delete') {
      const record = async () => {
        const own = await cloudFormation.send(new DescribeStackResourceCommand({ StackName: event.StackId, LogicalResourceId: event.LogicalResourceId }));
        return own.StackResourceDetail;
      };
      const first = await record();
      line.ResourceStatus = first.ResourceStatus;
      const stack = await cloudFormation.send(new DescribeStacksCommand({ StackName: event.StackId }));
      line.StackStatus = stack.Stacks[0].StackStatus;
      if (properties.WaitSeconds) {
        // The record as the request began, and again while CloudFormation still waits for the answer.
        await new Promise(resolve => setTimeout(resolve, Number(properties.WaitSeconds) * 1000));
        const again = await record();
        line.RecordAtStart = first.ResourceStatus + '@' + first.LastUpdatedTimestamp;
        line.RecordWhileWaiting = again.ResourceStatus + '@' + again.LastUpdatedTimestamp;
      }
      if (properties.Fail === 'true') {
        status = 'FAILED';
        reason = 'failing on purpose, so that CloudFormation rolls the update back';
      }
    }
  } catch (error) {
    status = 'FAILED';
    reason = String(error);
    line.error = reason;
  }
  console.log(JSON.stringify(line));
  const body = JSON.stringify({
    Status: status, Reason: reason, PhysicalResourceId: event.PhysicalResourceId || 'contract-' + event.LogicalResourceId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  });
  await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
};
`;

/**
 * How long Recorder waits, within a request, before it reads its record again: ten minutes of the up to 55 an import's
 * waiter may wait (record-steady-while-waiting), within the function's timeout.
 */
export const RECORD_WAIT_SECONDS = 600;
/** The function's timeout: Lambda's longest, 15 minutes. */
const FUNCTION_TIMEOUT_SECONDS = 900;

/** The function's log group, which the stack makes (so that its deletion removes it). */
export const recorderLogGroup = (functionName: string) => `/aws/lambda/${functionName}`;

/**
 * The rollback stack's template at `round` (no CDK, no asset). Round 1: the function `functionName`, its log group
 * (1 day, deleted with the stack), its role (which may read the stack and write to that log group only: without
 * logs:CreateLogGroup, the Recorder's last Delete cannot make the group again after the stack deleted it) and
 * Recorder. Round 2 changes Recorder's Round and the function's environment (so both are updated), and adds Failer,
 * which depends on Recorder and fails: CloudFormation then rolls back the function and Recorder.
 */
export function rollbackTemplate(round: 1 | 2, functionName: string): Record<string, unknown> {
  const serviceToken = { 'Fn::GetAtt': ['Function', 'Arn'] };
  return {
    Description: 'contract:aws rows rollback-update-record, rollback-order and record-steady-while-waiting (test/contract/aws-only.contract.test.ts)',
    Resources: {
      LogGroup: {
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: { LogGroupName: recorderLogGroup(functionName), RetentionInDays: 1 },
      },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          Policies: [{
            PolicyName: 'ReadOwnStackWriteOwnLog',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Resource: { Ref: 'AWS::StackId' } },
                { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['LogGroup', 'Arn'] } },
              ],
            },
          }],
        },
      },
      Function: {
        Type: 'AWS::Lambda::Function',
        // Its log group is there before its first request, and goes after its last (Recorder's Delete).
        DependsOn: 'LogGroup',
        Properties: {
          FunctionName: functionName,
          // cfn-lint 1.58.0 (W2531): nodejs20.x was deprecated on 2026-04-30; the runtime the handlers default to.
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
          Timeout: FUNCTION_TIMEOUT_SECONDS,
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: RECORDER_CODE },
          // Changed by the update, so that the rollback updates the function too.
          Environment: { Variables: { ROUND: String(round) } },
        },
      },
      // Each Create and Update of Recorder reads its record twice, RECORD_WAIT_SECONDS apart (record-steady-while-waiting).
      Recorder: { Type: 'Custom::Recorder', Properties: { ServiceToken: serviceToken, Round: String(round), WaitSeconds: String(RECORD_WAIT_SECONDS) } },
      ...round === 2 ? {
        Failer: { Type: 'Custom::Failer', DependsOn: 'Recorder', Properties: { ServiceToken: serviceToken, Fail: 'true' } },
      } : {},
    },
  };
}

/** One request the function logged. */
export interface RecorderLine {
  readonly RequestType: string;
  readonly LogicalResourceId: string;
  /** The resource's property Round: the rollback's Update of Recorder carries round 1's. */
  readonly Round?: string;
  /** The function's own ROUND when it handled the request. */
  readonly FunctionRound?: string;
  readonly ResourceStatus?: string;
  readonly StackStatus?: string;
  /** With WaitSeconds: the record (status@timestamp) as the request began, and again before the answer. */
  readonly RecordAtStart?: string;
  readonly RecordWhileWaiting?: string;
  readonly timestamp: string;
  readonly error?: string;
}

/** The function's JSON lines among its log events' messages (Lambda's text format: `TIME\tREQUEST\tINFO\t{…}`). */
export function recorderLines(messages: readonly string[]): RecorderLine[] {
  return messages.flatMap(message => {
    const json = message.indexOf('{');
    if (json < 0) {
      return [];
    }
    try {
      const line = JSON.parse(message.slice(json)) as RecorderLine;
      return typeof line.RequestType === 'string' && typeof line.LogicalResourceId === 'string' ? [line] : [];
    } catch {
      return [];
    }
  });
}

/** The rollback's Update of Recorder: an Update back to round 1's properties (the forward update's carries round 2). */
export const rollbackUpdateOf = (lines: readonly RecorderLine[]) =>
  [...lines].reverse().find(l => l.LogicalResourceId === 'Recorder' && l.RequestType === 'Update' && l.Round === '1');

/** What the rollback showed: what Recorder saw in the rollback's Update, and which was rolled back first. */
export interface RollbackReading {
  readonly recorderSaw: string;
  readonly order: string;
  /** What Recorder's Create saw of its record while CloudFormation waited (record-steady-while-waiting). */
  readonly whileWaiting: string;
}

/** Whether Recorder's record stayed as it was while its Create waited, in the row's words. */
export function readWhileWaiting(lines: readonly RecorderLine[]): string {
  const create = lines.find(l => l.LogicalResourceId === 'Recorder' && l.RequestType === 'Create');
  if (!create || create.RecordAtStart === undefined || create.RecordWhileWaiting === undefined) {
    return `Recorder's Create logged no two reads of its record${create?.error ? `: ${create.error}` : ''}`;
  }
  return create.RecordAtStart === create.RecordWhileWaiting
    ? 'unchanged while the request waits' : `changed while waiting: ${create.RecordAtStart} then ${create.RecordWhileWaiting}`;
}

/**
 * Reads the rollback: what Recorder saw from the function's log lines; the order from the stack's events
 * (DescribeStackEvents' order: newest first), checked against the function's ROUND when it handled Recorder's rollback
 * Update (2 when the function was not rolled back yet, 1 when it was).
 */
export function readRollback(stackName: string, newestFirst: readonly StackEvent[], lines: readonly RecorderLine[]): RollbackReading {
  const update = rollbackUpdateOf(lines);
  const logged = lines.map(l => `${l.LogicalResourceId} ${l.RequestType}${l.Round ? ` ${l.Round}` : ''}`).join(', ') || 'nothing';
  let recorderSaw: string;
  if (!update) {
    recorderSaw = `no rollback Update reached Recorder (the function logged: ${logged})`;
  } else if (update.error !== undefined) {
    recorderSaw = `Recorder's rollback Update could not read: ${update.error}`;
  } else {
    recorderSaw = `${update.ResourceStatus ?? 'no ResourceStatus'}, stack ${update.StackStatus ?? 'no StackStatus'}`;
  }

  const events = [...newestFirst].reverse();
  const start = events.map(e => e.LogicalResourceId === stackName && e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS').lastIndexOf(true);
  if (start < 0) {
    return { recorderSaw, whileWaiting: readWhileWaiting(lines), order: 'no UPDATE_ROLLBACK_IN_PROGRESS event of the stack' };
  }
  const rollback = events.slice(start + 1).map((e, i) => ({ ...e, index: i }));
  const recorderDone = rollback.find(e => e.LogicalResourceId === 'Recorder' && e.ResourceStatus === 'UPDATE_COMPLETE');
  const functionBegins = rollback.find(e => e.LogicalResourceId === 'Function' && e.ResourceStatus === 'UPDATE_IN_PROGRESS');
  if (!recorderDone || !functionBegins) {
    return { recorderSaw, whileWaiting: readWhileWaiting(lines), order: `the rollback's events lack ${!recorderDone ? 'Recorder\'s UPDATE_COMPLETE' : 'the function\'s UPDATE_IN_PROGRESS'}` };
  }
  const dependentsFirst = recorderDone.index < functionBegins.index;
  let order = dependentsFirst ? 'dependents before their functions' : 'functions before their dependents';
  const expectedRound = dependentsFirst ? '2' : '1';
  if (update && update.FunctionRound !== expectedRound) {
    order += ` by the events, but the function handled Recorder's rollback Update with ROUND=${update.FunctionRound ?? '(none)'}`;
  }
  return { recorderSaw, order, whileWaiting: readWhileWaiting(lines) };
}

async function stackStatus(cloudFormation: CloudFormationClient, stackId: string): Promise<string> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
  return Stacks?.[0]?.StackStatus ?? 'no StackStatus';
}

const inProgress = (status: string) => status.endsWith('_IN_PROGRESS');

/** Every event's message in `logGroupName` since `since` (epoch ms), oldest first. */
export async function logMessages(logs: CloudWatchLogsClient, logGroupName: string, since: number): Promise<string[]> {
  const events: Array<{ timestamp?: number; message?: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName, startTime: since, nextToken }));
    events.push(...page.events ?? []);
    nextToken = page.nextToken;
  } while (nextToken);
  return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)).map(e => e.message ?? '');
}

/** How long the function's lines may take to reach CloudWatch Logs after the rollback completed. */
const LOG_DELAY_MINUTES = 5;

/**
 * Creates the rollback stack, updates it into a rollback, and reads its events and the function's log; the stack's
 * deletion (which deletes the log group too) is registered before it is created. Both rows read the one stack: the
 * first of them to run builds it (jest runs a file's tests in order), the other reads the module-level promise;
 * either, run alone, builds it itself.
 */
let rollbackRun: Promise<RollbackReading> | undefined;
function rollbackReading(target: ContractTarget): Promise<RollbackReading> {
  rollbackRun ??= buildRollback(target);
  return rollbackRun;
}

async function buildRollback(target: ContractTarget): Promise<RollbackReading> {
  const clients = awsOnly(target);
  const cloudFormation = clients.importerCloudFormation;
  const stackName = target.name('rollback');
  const functionName = target.name('rollback-fn', 64);
  let stackId = stackName;
  target.onClose(async () => {
    await cloudFormation.send(new DeleteStackCommand({ StackName: stackId })).catch(error => {
      if (!/does not exist/.test(String(error))) {
        throw error;
      }
    });
    await poll(target, POLL_MS, 30 * 60_000, `stack ${stackName}`, () => stackStatus(cloudFormation, stackId).catch(() => 'DELETE_COMPLETE'),
      s => s === 'DELETE_COMPLETE' || s === 'DELETE_FAILED');
  });
  const since = target.now() - 60_000;
  const created = await cloudFormation.send(new CreateStackCommand({
    StackName: stackName, TemplateBody: JSON.stringify(rollbackTemplate(1, functionName)), Capabilities: ['CAPABILITY_IAM'],
  }));
  stackId = created.StackId ?? stackName;
  const afterCreate = await poll(target, POLL_MS, 30 * 60_000, `stack ${stackName}`, () => stackStatus(cloudFormation, stackId), s => !inProgress(s));
  if (afterCreate !== 'CREATE_COMPLETE') {
    throw new Error(`the rollback stack's create ended ${afterCreate}`);
  }
  await cloudFormation.send(new UpdateStackCommand({
    StackName: stackId, TemplateBody: JSON.stringify(rollbackTemplate(2, functionName)), Capabilities: ['CAPABILITY_IAM'],
  }));
  const afterUpdate = await poll(target, POLL_MS, 60 * 60_000, `stack ${stackName}`, () => stackStatus(cloudFormation, stackId), s => !inProgress(s));
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
  const read = async () => recorderLines(await logMessages(clients.importerLogs, recorderLogGroup(functionName), since));
  const lines = await poll(target, POLL_MS, LOG_DELAY_MINUTES * 60_000, `Recorder's rollback Update in ${recorderLogGroup(functionName)}`, read,
    found => rollbackUpdateOf(found) !== undefined).catch(async error => {
    // At the deadline the log as it is says what reached Recorder; any other error is the test's.
    if (error instanceof PollDeadline) {
      return read();
    }
    throw error;
  });
  return readRollback(stackName, events, lines);
}

assumption('rollback-update-record', async target => (await rollbackReading(target)).recorderSaw, LONG);

assumption('rollback-order', async target => (await rollbackReading(target)).order, LONG);

assumption('record-steady-while-waiting', async target => (await rollbackReading(target)).whileWaiting, LONG);

// ---- What can be checked here, without AWS ----

describe('rollback template', () => {
  const fn = 'contract-rollback-fn-2612011200abcd';

  test('round 1 has the log group, the role, the function and Recorder; round 2 changes both and adds a failing dependent', () => {
    keepForCfnLint('contract-rollback-round-1', rollbackTemplate(1, fn));
    keepForCfnLint('contract-rollback-round-2', rollbackTemplate(2, fn));
    const one = rollbackTemplate(1, fn).Resources as Record<string, any>;
    const two = rollbackTemplate(2, fn).Resources as Record<string, any>;
    expect(Object.keys(one)).toEqual(['LogGroup', 'Role', 'Function', 'Recorder']);
    expect(Object.keys(two)).toEqual(['LogGroup', 'Role', 'Function', 'Recorder', 'Failer']);
    expect(one.Function.Properties.Environment).not.toEqual(two.Function.Properties.Environment);
    expect(one.Recorder.Properties.Round).not.toEqual(two.Recorder.Properties.Round);
    expect(two.Failer).toEqual({ Type: 'Custom::Failer', DependsOn: 'Recorder', Properties: { ServiceToken: { 'Fn::GetAtt': ['Function', 'Arn'] }, Fail: 'true' } });
    expect(one.Function.Properties).toMatchObject({ FunctionName: fn, Runtime: 'nodejs24.x' });
  });

  test('the function\'s log group: named after it, 1 day, deleted with the stack, there before the function', () => {
    const resources = rollbackTemplate(1, fn).Resources as Record<string, any>;
    expect(resources.LogGroup).toEqual({
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { LogGroupName: `/aws/lambda/${fn}`, RetentionInDays: 1 },
    });
    expect(recorderLogGroup(fn)).toBe(`/aws/lambda/${fn}`);
    expect(resources.Function.DependsOn).toBe('LogGroup');
  });

  test('the role reads its own stack and writes to that log group only (no managed policy, no logs:CreateLogGroup)', () => {
    const role = (rollbackTemplate(1, fn).Resources as Record<string, any>).Role.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Resource: { Ref: 'AWS::StackId' } },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['LogGroup', 'Arn'] } },
    ]);
  });

  // CloudFormation's limit on inline code, as tools check it (troposphere's Code.check_zip_file: 4,096 characters).
  test('the inline code fits in ZipFile (4096 characters)', () => {
    expect(RECORDER_CODE.length).toBeLessThanOrEqual(4096);
  });

  /** Runs the inline function with stand-ins for CloudFormation, the response URL, the console and its environment. */
  async function invoke(event: Record<string, unknown>, described: { resource: string; stack: string; fail?: string } =
  { resource: 'UPDATE_IN_PROGRESS', stack: 'UPDATE_ROLLBACK_IN_PROGRESS' }, round = '2') {
    const sent: Array<{ url: string; body: any; headers: Record<string, string> }> = [];
    const calls: string[] = [];
    const logged: string[] = [];
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
          if (described.fail) {
            throw new Error(described.fail);
          }
          return command instanceof DescribeStackResourceCommand
            ? { StackResourceDetail: { ResourceStatus: described.resource, LastUpdatedTimestamp: '2026-12-01T12:00:00.000Z' } }
            : { Stacks: [{ StackStatus: described.stack }] };
        }
      },
    };
    const module = { exports: {} as any };
    vm.runInNewContext(RECORDER_CODE, {
      require: (name: string) => name === '@aws-sdk/client-cloudformation' ? sdk : undefined,
      exports: module.exports,
      module,
      process: { env: { ROUND: round } },
      console: { log: (...args: unknown[]) => logged.push(args.join(' ')) },
      // Recorder's wait between its two reads of the record: none here.
      setTimeout: (resume: () => void) => resume(),
      fetch: async (url: string, init: any) => {
        sent.push({ url, body: JSON.parse(init.body), headers: init.headers });
        return { ok: true };
      },
    });
    await module.exports.handler({ StackId: 'stack-id', RequestId: 'r', LogicalResourceId: 'Recorder', ResponseURL: 'https://example.com/presigned', ...event });
    return { sent, calls, logged };
  }

  test('with WaitSeconds, it reads its record again before it answers, and logs both reads', async () => {
    const { calls, logged } = await invoke({ RequestType: 'Create', ResourceProperties: { Round: '1', WaitSeconds: '20' } },
      { resource: 'CREATE_IN_PROGRESS', stack: 'CREATE_IN_PROGRESS' });
    expect(calls.filter(call => call.startsWith('DescribeStackResourceCommand'))).toHaveLength(2);
    expect(JSON.parse(logged[0])).toMatchObject({
      RecordAtStart: 'CREATE_IN_PROGRESS@2026-12-01T12:00:00.000Z', RecordWhileWaiting: 'CREATE_IN_PROGRESS@2026-12-01T12:00:00.000Z',
    });
  });

  test('an Update: one JSON line of what it saw, and SUCCESS with the same physical id, at the pre-signed URL', async () => {
    const before = Date.now();
    const { sent, calls, logged } = await invoke({ RequestType: 'Update', PhysicalResourceId: 'contract-Recorder', ResourceProperties: { Round: '1' } });
    expect(calls).toEqual([
      'DescribeStackResourceCommand {"StackName":"stack-id","LogicalResourceId":"Recorder"}',
      'DescribeStacksStandIn {"StackName":"stack-id"}',
    ]);
    expect(logged).toHaveLength(1);
    const line = JSON.parse(logged[0]);
    expect(line).toEqual({
      RequestType: 'Update',
      LogicalResourceId: 'Recorder',
      Round: '1',
      FunctionRound: '2',
      ResourceStatus: 'UPDATE_IN_PROGRESS',
      StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
      timestamp: expect.any(String),
    });
    expect(Date.parse(line.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(sent).toEqual([{
      url: 'https://example.com/presigned',
      headers: { 'content-type': '' },
      body: {
        Status: 'SUCCESS',
        Reason: 'recorded',
        PhysicalResourceId: 'contract-Recorder',
        StackId: 'stack-id',
        RequestId: 'r',
        LogicalResourceId: 'Recorder',
      },
    }]);
  });

  test('the physical id stays one per resource: a Create names it, every later request keeps it', async () => {
    const created = await invoke({ RequestType: 'Create', ResourceProperties: { Round: '1' } }, { resource: 'CREATE_IN_PROGRESS', stack: 'CREATE_IN_PROGRESS' });
    const id = created.sent[0].body.PhysicalResourceId;
    expect(id).toBe('contract-Recorder');
    const forward = await invoke({ RequestType: 'Update', PhysicalResourceId: id, ResourceProperties: { Round: '2' } }, { resource: 'UPDATE_IN_PROGRESS', stack: 'UPDATE_IN_PROGRESS' });
    expect(forward.sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    const back = await invoke({ RequestType: 'Update', PhysicalResourceId: id, ResourceProperties: { Round: '1' } });
    expect(back.sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(recorderLines([...created.logged, ...forward.logged, ...back.logged]).map(l => `${l.RequestType} ${l.Round} ${l.StackStatus}`))
      .toEqual(['Create 1 CREATE_IN_PROGRESS', 'Update 2 UPDATE_IN_PROGRESS', 'Update 1 UPDATE_ROLLBACK_IN_PROGRESS']);
  });

  test('Fail logs what it saw and fails; a Delete logs without a call and succeeds, keeping the physical id', async () => {
    const failed = await invoke({ RequestType: 'Create', LogicalResourceId: 'Failer', ResourceProperties: { ServiceToken: 'x', Fail: 'true' } },
      { resource: 'CREATE_IN_PROGRESS', stack: 'UPDATE_IN_PROGRESS' });
    expect(failed.sent[0].body).toMatchObject({ Status: 'FAILED', LogicalResourceId: 'Failer', PhysicalResourceId: 'contract-Failer' });
    expect(JSON.parse(failed.logged[0])).toMatchObject({ RequestType: 'Create', LogicalResourceId: 'Failer', ResourceStatus: 'CREATE_IN_PROGRESS' });
    const deleted = await invoke({ RequestType: 'Delete', PhysicalResourceId: 'contract-Recorder', ResourceProperties: { Round: '1' } });
    expect(deleted.calls).toEqual([]);
    expect(deleted.sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'contract-Recorder' });
    expect(JSON.parse(deleted.logged[0])).toEqual({ RequestType: 'Delete', LogicalResourceId: 'Recorder', Round: '1', FunctionRound: '2', timestamp: expect.any(String) });
  });

  test('a call that fails: FAILED, the same physical id, and the error in the line', async () => {
    const { sent, logged } = await invoke({ RequestType: 'Update', PhysicalResourceId: 'contract-Recorder', ResourceProperties: { Round: '1' } },
      { resource: 'UPDATE_IN_PROGRESS', stack: 'UPDATE_ROLLBACK_IN_PROGRESS', fail: 'AccessDenied: not authorized' });
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'contract-Recorder', Reason: 'Error: AccessDenied: not authorized' });
    expect(JSON.parse(logged[0])).toMatchObject({ RequestType: 'Update', Round: '1', error: 'Error: AccessDenied: not authorized' });
  });
});

describe('reading the rollback', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, seconds));
  const event = (seconds: number, LogicalResourceId: string, ResourceStatus: string, PhysicalResourceId = ''): StackEvent =>
    ({ StackId: 'id', EventId: `${seconds}`, StackName: 'stack', Timestamp: at(seconds), LogicalResourceId, ResourceStatus: ResourceStatus as any, PhysicalResourceId });
  /** A fabricated update that failed and rolled back, newest first; `functionFirst` swaps the rollback's order. */
  function update(functionFirst: boolean): StackEvent[] {
    const recorder = [event(0, 'Recorder', 'UPDATE_IN_PROGRESS', 'contract-Recorder'), event(0, 'Recorder', 'UPDATE_COMPLETE', 'contract-Recorder')];
    const fn = [event(0, 'Function', 'UPDATE_IN_PROGRESS'), event(0, 'Function', 'UPDATE_COMPLETE')];
    const oldestFirst = [
      event(0, 'stack', 'CREATE_COMPLETE'),
      event(1, 'stack', 'UPDATE_IN_PROGRESS'),
      event(2, 'Function', 'UPDATE_IN_PROGRESS'), event(3, 'Function', 'UPDATE_COMPLETE'),
      event(4, 'Recorder', 'UPDATE_IN_PROGRESS', 'contract-Recorder'), event(5, 'Recorder', 'UPDATE_COMPLETE', 'contract-Recorder'),
      event(6, 'Failer', 'CREATE_IN_PROGRESS'), event(7, 'Failer', 'CREATE_FAILED'),
      event(8, 'stack', 'UPDATE_ROLLBACK_IN_PROGRESS'),
      ...(functionFirst ? [...fn, ...recorder] : [...recorder, ...fn]),
      event(12, 'stack', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'),
      event(13, 'Failer', 'DELETE_COMPLETE'),
      event(14, 'stack', 'UPDATE_ROLLBACK_COMPLETE'),
    ];
    return oldestFirst.reverse();
  }
  const line = (fields: Partial<RecorderLine>): RecorderLine => ({ RequestType: 'Update', LogicalResourceId: 'Recorder', timestamp: at(0).toISOString(), ...fields });
  /** What the function logged over that update; `functionRound` is its ROUND in the rollback's Update of Recorder. */
  function logged(functionRound: string): RecorderLine[] {
    return [
      line({
        RequestType: 'Create',
        Round: '1',
        FunctionRound: '1',
        ResourceStatus: 'CREATE_IN_PROGRESS',
        StackStatus: 'CREATE_IN_PROGRESS',
        RecordAtStart: `CREATE_IN_PROGRESS@${at(0).toISOString()}`,
        RecordWhileWaiting: `CREATE_IN_PROGRESS@${at(0).toISOString()}`,
      }),
      line({ Round: '2', FunctionRound: '2', ResourceStatus: 'UPDATE_IN_PROGRESS', StackStatus: 'UPDATE_IN_PROGRESS' }),
      line({ RequestType: 'Create', LogicalResourceId: 'Failer', FunctionRound: '2', ResourceStatus: 'CREATE_IN_PROGRESS', StackStatus: 'UPDATE_IN_PROGRESS' }),
      line({ Round: '1', FunctionRound: functionRound, ResourceStatus: 'UPDATE_IN_PROGRESS', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' }),
      line({ RequestType: 'Delete', LogicalResourceId: 'Failer', FunctionRound: '1' }),
    ];
  }

  test('dependents first: Recorder is back before the function\'s rollback begins, and ran with the function\'s round 2', () => {
    expect(readRollback('stack', update(false), logged('2'))).toEqual({
      recorderSaw: 'UPDATE_IN_PROGRESS, stack UPDATE_ROLLBACK_IN_PROGRESS',
      order: 'dependents before their functions',
      whileWaiting: 'unchanged while the request waits',
    });
  });

  test('a record that moved while Recorder\'s Create waited, or a Create that logged no second read, is said as such', () => {
    const moved = logged('2').map(l => l.RequestType === 'Create' && l.LogicalResourceId === 'Recorder'
      ? { ...l, RecordWhileWaiting: `CREATE_IN_PROGRESS@${at(9).toISOString()}` } : l);
    expect(readWhileWaiting(moved))
      .toBe(`changed while waiting: CREATE_IN_PROGRESS@${at(0).toISOString()} then CREATE_IN_PROGRESS@${at(9).toISOString()}`);
    expect(readWhileWaiting([line({ RequestType: 'Create', error: 'AccessDenied' })])).toBe('Recorder\'s Create logged no two reads of its record: AccessDenied');
  });

  test('functions first', () => {
    expect(readRollback('stack', update(true), logged('1')).order).toBe('functions before their dependents');
  });

  test('events and the function\'s round that disagree are said (the row then differs)', () => {
    expect(readRollback('stack', update(false), logged('1')).order)
      .toBe('dependents before their functions by the events, but the function handled Recorder\'s rollback Update with ROUND=1');
  });

  test('no rollback Update in the log, or an error in it, is said as such', () => {
    const withoutRollback = logged('2').filter(l => !(l.Round === '1' && l.RequestType === 'Update'));
    expect(readRollback('stack', update(false), withoutRollback)).toEqual({
      recorderSaw: 'no rollback Update reached Recorder (the function logged: Recorder Create 1, Recorder Update 2, Failer Create, Failer Delete)',
      order: 'dependents before their functions',
      whileWaiting: 'unchanged while the request waits',
    });
    expect(readRollback('stack', update(false), []).recorderSaw).toBe('no rollback Update reached Recorder (the function logged: nothing)');
    const failing = [line({ Round: '1', FunctionRound: '2', error: 'AccessDenied' })];
    expect(readRollback('stack', update(false), failing).recorderSaw).toBe('Recorder\'s rollback Update could not read: AccessDenied');
  });

  test('no rollback, or a missing event, is said as such (the row then differs)', () => {
    expect(readRollback('stack', [event(0, 'stack', 'UPDATE_COMPLETE')], []).order).toBe('no UPDATE_ROLLBACK_IN_PROGRESS event of the stack');
    const withoutFunction = update(false).filter(e => !(e.LogicalResourceId === 'Function' && e.Timestamp!.getTime() === at(0).getTime()));
    expect(readRollback('stack', withoutFunction, logged('2')).order).toBe('the rollback\'s events lack the function\'s UPDATE_IN_PROGRESS');
  });

  test('the function\'s lines among Lambda\'s log messages', () => {
    const json = JSON.stringify(line({ Round: '1', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' }));
    expect(recorderLines([
      'START RequestId: r Version: $LATEST\n',
      `2026-12-01T12:00:00.000Z\tr\tINFO\t${json}\n`,
      'END RequestId: r\n',
      'REPORT RequestId: r\tDuration: 10 ms\n',
      '2026-12-01T12:00:00.000Z\tr\tINFO\t{"not":"a line"}\n',
      '2026-12-01T12:00:00.000Z\tr\tERROR\t{broken\n',
    ])).toEqual([JSON.parse(json)]);
  });

  test('the log is read from the function\'s log group, every page, oldest first', async () => {
    const inputs: any[] = [];
    const pages: Record<string, { events: Array<{ timestamp: number; message: string }>; nextToken?: string }> = {
      first: { events: [{ timestamp: 3, message: 'c' }, { timestamp: 1, message: 'a' }], nextToken: 'two' },
      two: { events: [{ timestamp: 2, message: 'b' }] },
    };
    const send = async (command: FilterLogEventsCommand) => {
      inputs.push(command.input);
      return pages[command.input.nextToken ?? 'first'];
    };
    const logs = { send } as unknown as CloudWatchLogsClient;
    expect(await logMessages(logs, '/aws/lambda/fn', 1000)).toEqual(['a', 'b', 'c']);
    expect(inputs).toEqual([
      { logGroupName: '/aws/lambda/fn', startTime: 1000, nextToken: undefined },
      { logGroupName: '/aws/lambda/fn', startTime: 1000, nextToken: 'two' },
    ]);
  });
});

describe('the idle endpoint\'s metric', () => {
  test('the idle alarm\'s metric: AWS/Comprehend ConsumedInferenceUnits by EndpointArn, Sum over 60 s', () => {
    const arn = 'arn:aws:comprehend:us-west-2:444455556666:document-classifier-endpoint/contract-idle';
    expect(idleAlarmMetric(arn, 'us-west-2', '444455556666')).toEqual({
      Namespace: 'AWS/Comprehend', MetricName: 'ConsumedInferenceUnits', Dimensions: [{ Name: 'EndpointArn', Value: arn }], Stat: 'Sum', Period: 60,
    });
  });

  test('the window: 10 minutes from 2 minutes in service, read 13 minutes after it ended (CloudWatch\'s delay)', () => {
    const inService = Date.UTC(2026, 11, 1, 12, 0, 0);
    const { start, end, readAt } = idleWindow(inService);
    expect(start.getTime() - inService).toBe(2 * 60_000);
    expect(end.getTime() - start.getTime()).toBe(10 * 60_000);
    expect(readAt - end.getTime()).toBeGreaterThanOrEqual(10 * 60_000);
    expect(readAt - inService).toBe(25 * 60_000);
  });

  test('no values, zeros, values', () => {
    expect(describeDatapoints([])).toBe('no datapoint');
    expect(describeDatapoints([0, 0])).toBe('0');
    expect(describeDatapoints([0, 2])).toBe('0, 2');
  });
});
