// How ModelEndpoint serves: through the stack's Comprehend provider in every Region and for every model, the role for
// a copy under a customer managed key, metrics and auto scaling.
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedComprehendModel, ModelEndpoint } from '../src';
import { IMPORTER, REGION, SOURCE_CLASSIFIER, SOURCE_RECOGNIZER } from './support/fixtures';

const inRegion = (arn: string, region: string) => arn.replace(`:${REGION}:`, `:${region}:`);
/** us-west-2 once had CloudFormation's own endpoint types; eu-west-1 never did; the last is env-agnostic. */
const EVERY_KIND_OF_REGION: Array<[string, string | undefined]> = [
  ['us-west-2', 'us-west-2'],
  ['eu-west-1', 'eu-west-1'],
  ['an env-agnostic stack', undefined],
];

function stackIn(region?: string): Stack {
  return new Stack(new App(), 'Serving', region ? { env: { account: IMPORTER, region } } : undefined);
}

/** A copy of `source` (in the stack's Region) served by one endpoint. */
function serve(stack: Stack, source: string, modelKey?: kms.IKey): { model: ImportedComprehendModel; endpoint: ModelEndpoint } {
  const region = stack.region.startsWith('${') ? REGION : stack.region;
  const model = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: inRegion(source, region), modelKey });
  return { model, endpoint: model.addEndpoint('Live', { endpointName: 'live' }) };
}

function handlerStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ComprehendProviderHandlerRole') }] },
  });
  return Object.values(policies).flatMap(p => p.Properties.PolicyDocument.Statement);
}

/** The endpoint resources of the template, by logical id; and that no CloudFormation endpoint type is among them. */
function endpointResources(template: Template): Record<string, any> {
  const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map(r => r.Type);
  expect(types.filter(type => type.startsWith('AWS::Comprehend::'))).toEqual([]);
  return template.findResources('Custom::ComprehendModelEndpoint');
}

describe('one endpoint type in every Region', () => {
  test.each<[string, string | undefined]>([...EVERY_KIND_OF_REGION, ['ap-northeast-1', 'ap-northeast-1'], ['ca-central-1', 'ca-central-1']])(
    'the provider\'s Custom::ComprehendModelEndpoint in %s, with the same properties and attribute', (_, region) => {
      const stack = stackIn(region);
      const { model, endpoint } = serve(stack, SOURCE_CLASSIFIER);
      const template = Template.fromStack(stack);

      const endpoints = endpointResources(template);
      expect(Object.keys(endpoints)).toHaveLength(1);
      const [logicalId] = Object.keys(endpoints);
      expect(endpoints[logicalId].Properties).toEqual({
        ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^ComprehendProvider/), 'Arn'] },
        EndpointName: 'live',
        ModelArn: { 'Fn::GetAtt': [stack.getLogicalId(model.node.defaultChild as any), 'ModelArn'] },
        ModelType: 'document-classifier',
        DesiredInferenceUnits: '1',
        // The endpoint handler's deadline and the last poll, capped at CloudFormation's hour.
        ServiceTimeout: '3600',
      });
      expect(stack.resolve(endpoint.endpointArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'EndpointArn'] });
      expect(endpoint.endpointName).toBe('live');
    });

  test('us-west-2, eu-west-1 and an env-agnostic stack give the very same endpoint resource', () => {
    const resources = EVERY_KIND_OF_REGION.map(([, region]) => {
      const stack = stackIn(region);
      serve(stack, SOURCE_CLASSIFIER);
      return endpointResources(Template.fromStack(stack));
    });

    expect(Object.values(resources[0])[0].Type).toBe('Custom::ComprehendModelEndpoint');
    expect(resources[1]).toEqual(resources[0]);
    expect(resources[2]).toEqual(resources[0]);
  });

  test('us-west-2: a model referenced by ARN is served through the provider too, which the stack then has', () => {
    const stack = stackIn('us-west-2');
    const arn = `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/local/version/v1`;
    const model = ImportedComprehendModel.fromModelArn(stack, 'Local', arn);
    const endpoint = model.addEndpoint('Live');
    const template = Template.fromStack(stack);

    const endpoints = endpointResources(template);
    expect(Object.values(endpoints).map(r => r.Properties.ModelArn)).toEqual([arn]);
    expect(stack.resolve(endpoint.endpointArn)).toEqual({ 'Fn::GetAtt': [Object.keys(endpoints)[0], 'EndpointArn'] });
    template.resourceCountIs('AWS::Lambda::Function', 5);
  });

  test('the provider\'s endpoint resource is the default child: removal policies reach it', () => {
    const stack = stackIn('eu-west-1');
    const { model, endpoint } = serve(stack, SOURCE_CLASSIFIER);

    endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // A retained endpoint keeps the copy it serves in use: the copy is retained too (see model-endpoint.test.ts).
    model.applyRemovalPolicy(RemovalPolicy.RETAIN);

    Template.fromStack(stack).hasResource('Custom::ComprehendModelEndpoint', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('an env-agnostic stack, whose Region is known only at deploy time: a recognizer\'s endpoint', () => {
    const stack = stackIn();
    const { endpoint } = serve(stack, SOURCE_RECOGNIZER);
    const template = Template.fromStack(stack);

    expect(Object.values(endpointResources(template)).map(r => r.Properties.ModelType)).toEqual(['entity-recognizer']);
    expect(endpoint.modelType).toBe('entity-recognizer');
  });

  test('an import and an endpoint share the stack\'s one provider: 5 Lambda functions and one waiter, as for an import alone', () => {
    const importAlone = Template.fromStack((() => {
      const stack = stackIn('eu-west-1');
      new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: inRegion(SOURCE_CLASSIFIER, 'eu-west-1') });
      return stack;
    })());
    const stack = stackIn('eu-west-1');
    serve(stack, SOURCE_CLASSIFIER);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    importAlone.resourceCountIs('AWS::Lambda::Function', 5);
    const tokens = Object.values(template.toJSON().Resources as Record<string, any>)
      .filter(r => r.Type.startsWith('Custom::Comprehend')).map(r => JSON.stringify(r.Properties.ServiceToken));
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(1);
  });

  test('the handler role serves this account\'s endpoints of the type, and does not grow with the endpoints', () => {
    const policyOf = (endpoints: number) => {
      const stack = stackIn('eu-west-1');
      const model = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: inRegion(SOURCE_CLASSIFIER, 'eu-west-1') });
      for (let i = 0; i < endpoints; i++) {
        model.addEndpoint(`Live${i}`);
      }
      return handlerStatements(Template.fromStack(stack));
    };
    const statements = policyOf(1);
    const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:comprehend:eu-west-1:${IMPORTER}:${resource}/*`]] });
    const endpoints = arn('document-classifier-endpoint');
    // Endpoints are changed only with this stack's ownership tag (on endpoints only), and created only with it in the
    // request, on a model that carries it (the copy of this stack).
    const changing = statements.find(s => [s.Action].flat().includes('comprehend:UpdateEndpoint'));
    expect(changing.Action).toEqual(['comprehend:UpdateEndpoint', 'comprehend:DeleteEndpoint']);
    expect(changing.Resource).toContainEqual(endpoints);
    expect(changing.Resource).not.toContainEqual(arn('document-classifier'));
    expect(Object.keys(changing.Condition.StringLike)).toEqual(['aws:ResourceTag/cdk-comprehend-model-import:owner']);
    const creating = statements.filter(s => s.Action === 'comprehend:CreateEndpoint');
    expect(creating).toHaveLength(2);
    const onEndpoints = creating.find(s => s.Condition.StringLike['aws:RequestTag/cdk-comprehend-model-import:owner']);
    expect(onEndpoints.Resource).toContainEqual(endpoints);
    const onModels = creating.find(s => s.Condition.StringLike['aws:ResourceTag/cdk-comprehend-model-import:owner']);
    expect(onModels.Resource).toContainEqual(arn('document-classifier'));
    expect(policyOf(10)).toEqual(statements);
  });
});

describe('a copy under a customer managed key', () => {
  test.each(EVERY_KIND_OF_REGION)('a classifier in %s: the provider carries the data access role', (_, region) => {
    const stack = stackIn(region);
    const key = new kms.Key(stack, 'ModelKey');
    const { endpoint } = serve(stack, SOURCE_CLASSIFIER, key);
    const template = Template.fromStack(stack);

    const roleId = stack.getLogicalId(endpoint.dataAccessRole!.node.defaultChild as any);
    expect(Object.values(endpointResources(template)).map(r => r.Properties.DataAccessRoleArn)).toEqual([{ 'Fn::GetAtt': [roleId, 'Arn'] }]);
    expectReadRole(template, roleId, stack.getLogicalId(key.node.defaultChild as any), stack.resolve(stack.account));
    // The handlers may pass this stack's own roles (one path, with the stack's GUID) to Comprehend only.
    const stackGuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    const account = region ? [`:iam::${IMPORTER}:role/cdk-comprehend-model-import/`] : [':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-comprehend-model-import/'];
    expect(handlerStatements(template)).toContainEqual({
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...account, stackGuid, '/*']] },
      Condition: { StringEquals: { 'iam:PassedToService': 'comprehend.amazonaws.com' } },
    });
  });

  test.each(EVERY_KIND_OF_REGION)('a recognizer in %s: the provider carries it the same way', (_, region) => {
    const stack = stackIn(region);
    const key = new kms.Key(stack, 'ModelKey');
    const { endpoint } = serve(stack, SOURCE_RECOGNIZER, key);
    const template = Template.fromStack(stack);

    const roleId = stack.getLogicalId(endpoint.dataAccessRole!.node.defaultChild as any);
    expect(Object.values(endpointResources(template)).map(r => [r.Properties.ModelType, r.Properties.DataAccessRoleArn]))
      .toEqual([['entity-recognizer', { 'Fn::GetAtt': [roleId, 'Arn'] }]]);
    expectReadRole(template, roleId, stack.getLogicalId(key.node.defaultChild as any), stack.resolve(stack.account));
  });

  test('without a key, no role in any Region', () => {
    for (const [, region] of EVERY_KIND_OF_REGION) {
      const stack = stackIn(region);
      const { endpoint } = serve(stack, SOURCE_RECOGNIZER);

      expect(endpoint.dataAccessRole).toBeUndefined();
      expect(Object.values(endpointResources(Template.fromStack(stack))).map(r => r.Properties.DataAccessRoleArn)).toEqual([undefined]);
    }
  });

  test('a role of the user\'s own is used as it is, and only it may be passed', () => {
    const stack = stackIn('eu-west-1');
    const model = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: inRegion(SOURCE_CLASSIFIER, 'eu-west-1') });
    const role = iam.Role.fromRoleArn(stack, 'Mine', `arn:aws:iam::${IMPORTER}:role/serving`);
    const endpoint = model.addEndpoint('Live', { dataAccessRole: role });
    const template = Template.fromStack(stack);

    expect(endpoint.dataAccessRole).toBe(role);
    template.hasResourceProperties('Custom::ComprehendModelEndpoint', { DataAccessRoleArn: role.roleArn });
    // PassRole on the role alone, in a policy of its own that the endpoint waits for.
    const passRole = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: [Match.objectLike({ Action: 'iam:PassRole', Resource: role.roleArn })] } },
    });
    expect(Object.keys(passRole)).toEqual([expect.stringMatching(/^ComprehendProviderPassRole/)]);
    template.hasResource('Custom::ComprehendModelEndpoint', { DependsOn: Object.keys(passRole) });
    template.resourceCountIs('AWS::IAM::Role', 4);
  });
});

/** The endpoint's role: trusted by Comprehend for this account only; Decrypt and CreateGrant (for AWS resources) on the key. */
function expectReadRole(template: Template, roleId: string, keyId: string, account: unknown = IMPORTER): void {
  const role = template.toJSON().Resources[roleId];
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'comprehend.amazonaws.com' },
    Condition: { StringEquals: { 'aws:SourceAccount': account } },
  }]);
  expect(role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)).toEqual([
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] }, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
  ]);
}

describe('metrics', () => {
  test.each([
    ['metricInferenceUtilization', 'InferenceUtilization', 'Sum'],
    ['metricConsumedInferenceUnits', 'ConsumedInferenceUnits', 'Sum'],
    ['metricProvisionedInferenceUnits', 'ProvisionedInferenceUnits', 'Average'],
    ['metricRequestedInferenceUnits', 'RequestedInferenceUnits', 'Sum'],
  ] as const)('%s: %s by EndpointArn, %s over a minute', (method, metricName, statistic) => {
    const stack = stackIn('eu-west-1');
    const { endpoint } = serve(stack, SOURCE_CLASSIFIER);

    const metric = endpoint[method]();

    expect(metric.namespace).toBe('AWS/Comprehend');
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toSeconds()).toBe(60);
    expect(stack.resolve(metric.dimensions)).toEqual({ EndpointArn: stack.resolve(endpoint.endpointArn) });
  });

  test('an endpoint referenced by ARN has them too', () => {
    const stack = stackIn('eu-west-1');
    const arn = `arn:aws:comprehend:eu-west-1:${IMPORTER}:entity-recognizer-endpoint/products`;
    const metric = ModelEndpoint.fromEndpointArn(stack, 'Theirs', arn).metric('InferenceUtilization', { statistic: 'Maximum' });

    expect(metric.dimensions).toEqual({ EndpointArn: arn });
    expect(metric.statistic).toBe('Maximum');
  });
});

describe('autoScaleInferenceUnits', () => {
  test.each([
    ['eu-west-1', SOURCE_CLASSIFIER, 'document-classifier'],
    ['us-west-2', SOURCE_RECOGNIZER, 'entity-recognizer'],
  ])('in %s: a scalable target on the endpoint ARN, tracking ComprehendInferenceUtilization, and schedules', (region, source, type) => {
    const stack = stackIn(region);
    const { endpoint } = serve(stack, source);

    const scaling = endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 4 });
    scaling.scaleOnUtilization({ targetUtilizationPercent: 70 });
    scaling.scaleOnSchedule('Nights', { schedule: appscaling.Schedule.cron({ hour: '20', minute: '0' }), maxCapacity: 1 });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'comprehend',
      ScalableDimension: `comprehend:${type}-endpoint:DesiredInferenceUnits`,
      ResourceId: stack.resolve(endpoint.endpointArn),
      MinCapacity: 1,
      MaxCapacity: 4,
      RoleARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${IMPORTER}:role/aws-service-role/comprehend.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ComprehendEndpoint`]] },
      ScheduledActions: [Match.objectLike({ ScalableTargetAction: { MaxCapacity: 1 }, Schedule: 'cron(0 20 * * ? *)' })],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ComprehendInferenceUtilization' }, TargetValue: 70 },
    });
  });

  test.each([
    [{ minCapacity: 0, maxCapacity: 2 }, /minCapacity 0 is out of range; expected a whole number from 1 to 10/],
    [{ minCapacity: 3, maxCapacity: 2 }, /maxCapacity 2 is out of range; expected a whole number from minCapacity \(3\) to 10/],
    [{ minCapacity: 1, maxCapacity: 11 }, /maxCapacity 11 is out of range; .* to 10, Comprehend's limit of inference units per endpoint/],
  ])('%o is a synth error that names the prop', (props, message) => {
    const { endpoint } = serve(stackIn('eu-west-1'), SOURCE_CLASSIFIER);
    expect(() => endpoint.autoScaleInferenceUnits(props)).toThrow(message);
  });

  test('twice, or with a target utilization out of range, is a clear error', () => {
    const { endpoint } = serve(stackIn('eu-west-1'), SOURCE_CLASSIFIER);
    const scaling = endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 2 });

    expect(() => scaling.scaleOnUtilization({ targetUtilizationPercent: 0 })).toThrow(/targetUtilizationPercent 0 is out of range; expected 1 to 100/);
    expect(() => endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 2 })).toThrow(/already called for this endpoint/);
  });
});

test.each(EVERY_KIND_OF_REGION)('an endpoint in %s may carry 49 tags: the ownership tag takes the 50th', (_, region) => {
  const withTags = (count: number) => {
    const stack = stackIn(region);
    const model = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: inRegion(SOURCE_CLASSIFIER, region ?? REGION) });
    model.addEndpoint('Live', { tags: Object.fromEntries(Array.from({ length: count }, (__, i) => [`k${i}`, 'v'])) });
    return stack;
  };

  expect(() => Template.fromStack(withTags(49))).not.toThrow();
  expect(() => Template.fromStack(withTags(50)))
    .toThrow(/Serving\/Copy\/Live\] tags: 50 tags, more than the 49 a Comprehend endpoint can have, less the cdk-comprehend-model-import:owner tag/);
});
