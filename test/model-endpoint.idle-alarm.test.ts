import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IModelEndpoint, ImportedComprehendModel, ModelEndpoint, ModelType } from '../src';
import { IMPORTER, importerStack, REGION, SHARER, SOURCE_CLASSIFIER as CLASSIFIER } from './support/fixtures';

const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;

/** A stack with an endpoint serving an imported classifier. */
function servedEndpoint(): { stack: Stack; endpoint: ModelEndpoint } {
  const stack = importerStack();
  const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
  return { stack, endpoint: model.addEndpoint('Endpoint') };
}

/** The endpoint's ARN as the template refers to it. */
function endpointArnOf(stack: Stack, endpoint: ModelEndpoint) {
  return { 'Fn::GetAtt': [stack.getLogicalId(endpoint.node.defaultChild as any), 'EndpointArn'] };
}

describe('addIdleAlarm', () => {
  test('by default, alarms when ConsumedInferenceUnits summed hour by hour is 0 or missing for 24 hours', () => {
    const { stack, endpoint } = servedEndpoint();
    const alarm = endpoint.addIdleAlarm('Idle');
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Comprehend',
      MetricName: 'ConsumedInferenceUnits',
      Dimensions: [{ Name: 'EndpointArn', Value: endpointArnOf(stack, endpoint) }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 24,
      DatapointsToAlarm: 24,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      Threshold: 0,
      TreatMissingData: 'breaching',
      ActionsEnabled: true,
      AlarmName: Match.absent(),
      AlarmDescription: Match.stringLikeRegexp(`^Comprehend endpoint ${endpoint.endpointName} served no inference for 1 day`),
    });
    // A construct of the endpoint, returned to the caller.
    expect(alarm.node.scope).toBe(endpoint);
    expect(alarm.node.path).toBe(`${endpoint.node.path}/Idle`);
  });

  test('an idleFor under 1 hour is evaluated minute by minute', () => {
    const { stack, endpoint } = servedEndpoint();
    endpoint.addIdleAlarm('Idle', { idleFor: Duration.minutes(30) });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ConsumedInferenceUnits',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 30,
      DatapointsToAlarm: 30,
    });
  });

  test.each([
    [Duration.minutes(1), 60, 1],
    [Duration.minutes(59), 60, 59],
    [Duration.hours(1), 3600, 1],
    [Duration.minutes(120), 3600, 2],
    [Duration.days(7), 3600, 168],
  ])('idleFor %s: %d-second periods, %d of them', (idleFor, period, periods) => {
    const { stack, endpoint } = servedEndpoint();
    endpoint.addIdleAlarm('Idle', { idleFor });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Period: period,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
    });
  });

  test('the name, the description and actionsEnabled are the caller\'s', () => {
    const { stack, endpoint } = servedEndpoint();
    endpoint.addIdleAlarm('Idle', { alarmName: 'tickets-idle', alarmDescription: 'No tickets classified', actionsEnabled: false });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'tickets-idle',
      AlarmDescription: 'No tickets classified',
      ActionsEnabled: false,
    });
  });

  test.each([
    [Duration.seconds(90), 'idleFor 1 minute 30 seconds is not supported'],
    [Duration.minutes(90), 'idleFor 1 hour 30 minutes is not supported'],
    [Duration.days(8), 'idleFor 8 days is not supported'],
    [Duration.seconds(30), 'idleFor 30 seconds is not supported'],
    [Duration.seconds(0), 'idleFor 0 seconds is not supported'],
  ])('idleFor %s is a synth error naming idleFor, the value and the expected form', (idleFor, start) => {
    const { stack, endpoint } = servedEndpoint();

    expect(() => endpoint.addIdleAlarm('Idle', { idleFor })).toThrow(
      `${endpoint.node.path}: ${start}; expected whole minutes under 1 hour, or whole hours from 1 to 168 (7 days): ` +
      'CloudWatch evaluates',
    );
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('a token idleFor is a synth error', () => {
    const { stack, endpoint } = servedEndpoint();
    const hours = new CfnParameter(stack, 'IdleHours', { type: 'Number' }).valueAsNumber;

    expect(() => endpoint.addIdleAlarm('Idle', { idleFor: Duration.hours(hours) })).toThrow('idleFor is a token; expected whole minutes');
  });

  test('an endpoint from fromEndpointArn gets the alarm on its ARN', () => {
    const stack = importerStack();
    const endpoint: IModelEndpoint = ModelEndpoint.fromEndpointArn(stack, 'Existing', ENDPOINT);
    endpoint.addIdleAlarm('Idle', { idleFor: Duration.hours(12) });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Comprehend',
      MetricName: 'ConsumedInferenceUnits',
      Dimensions: [{ Name: 'EndpointArn', Value: ENDPOINT }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 12,
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp('^Comprehend endpoint tickets-live served no inference for 12 hours'),
    });
  });

  test('an endpoint of a token ARN gets the alarm too', () => {
    const stack = importerStack();
    const arn = new CfnParameter(stack, 'EndpointArn').valueAsString;
    const endpoint = ModelEndpoint.fromEndpointAttributes(stack, 'Existing', { endpointArn: arn, modelType: ModelType.DOCUMENT_CLASSIFIER });
    endpoint.addIdleAlarm('Idle');

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'EndpointArn', Value: { Ref: 'EndpointArn' } }],
      EvaluationPeriods: 24,
    });
  });

  test.each([
    ['Region', ENDPOINT.replace(REGION, 'eu-west-1'), `account ${IMPORTER}, Region eu-west-1`],
    ['account', ENDPOINT.replace(IMPORTER, SHARER), `account ${SHARER}, Region ${REGION}`],
  ])('an endpoint of another %s is a synth error naming both environments', (_, arn, elsewhere) => {
    const stack = importerStack();
    const endpoint = ModelEndpoint.fromEndpointArn(stack, 'Elsewhere', arn);

    expect(() => endpoint.addIdleAlarm('Idle')).toThrow(
      `Importer/Elsewhere: addIdleAlarm() needs an endpoint of this stack's account and Region (${IMPORTER}, ${REGION}), ` +
      `but this endpoint is in ${elsewhere}; an alarm reads the metrics of its own account and Region`,
    );
    expect(endpoint.node.tryFindChild('Idle')).toBeUndefined();
  });

  test('the returned alarm takes an SNS action', () => {
    const { stack, endpoint } = servedEndpoint();
    const topic = new sns.Topic(stack, 'Ops');
    const alarm = endpoint.addIdleAlarm('Idle');
    alarm.addAlarmAction(new cw_actions.SnsAction(topic));

    expect(alarm).toBeInstanceOf(cloudwatch.Alarm);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
      MetricName: 'ConsumedInferenceUnits',
    });
  });

  test('two idle alarms of one endpoint need distinct ids', () => {
    const { stack, endpoint } = servedEndpoint();
    endpoint.addIdleAlarm('Hour', { idleFor: Duration.hours(1) });
    endpoint.addIdleAlarm('Week', { idleFor: Duration.days(7) });

    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(() => endpoint.addIdleAlarm('Hour')).toThrow(/There is already a Construct with name 'Hour'/);
  });
});
