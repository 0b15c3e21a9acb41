// The library inside a cdk-stacksets StackSetStack: an environment-agnostic stack whose template CloudFormation
// StackSets deploys to many accounts and Regions, its Lambda code read from a bucket per Region
// (`${assetBucketPrefix}-${AWS::Region}`) that the parent stack's BucketDeployments fill.
import * as fs from 'fs';
import * as path from 'path';
import { App, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StackSetStack } from 'cdk-stacksets';
import { ImportedComprehendModel, ModelType } from '../src';
import { SHARER } from './support/fixtures';
import { IMPORT_SPREAD_ENV, OWNER_TAG_KEY } from '../src/contract/import-properties';

/** The administrator account and Region of the parent stack; neither may reach the StackSet's template. */
const ADMIN_ACCOUNT = '999988887777';
const ADMIN_REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const ASSET_BUCKET_PREFIX = 'rollout-assets';

/** The model version of the Region the StackSet instance deploys to, known only at deploy time. */
function sourceOfRegion(version: string): string {
  return `arn:${Aws.PARTITION}:comprehend:${Aws.REGION}:${SHARER}:document-classifier/tickets/version/${version}`;
}

/** The same ARN as the template renders it. */
function renderedSourceOfRegion(version: string) {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':comprehend:', { Ref: 'AWS::Region' }, `:${SHARER}:document-classifier/tickets/version/${version}`]],
  };
}

/** The GUID of the deployed stack instance, from its StackId. */
const STACK_GUID = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
/** `STACK_NAME/STACK_GUID/*`: the ownership tags of this stack instance's copies and endpoints. */
const OWNED = { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/', STACK_GUID, '/*']] };

interface Rollout {
  readonly app: App;
  readonly parent: Stack;
  readonly stackSetStack: StackSetStack;
  readonly assetBucket: s3.Bucket;
}

/** An app whose parent stack (the StackSet administrator's) holds the asset buckets and the StackSetStack. */
function rollout(): Rollout {
  const app = new App();
  const parent = new Stack(app, 'Parent', { env: { account: ADMIN_ACCOUNT, region: ADMIN_REGION } });
  const assetBucket = new s3.Bucket(parent, 'AssetsUsEast1', { bucketName: `${ASSET_BUCKET_PREFIX}-${ADMIN_REGION}` });
  const otherRegionBucket = s3.Bucket.fromBucketName(parent, 'AssetsEuWest1', `${ASSET_BUCKET_PREFIX}-${OTHER_REGION}`);
  const stackSetStack = new StackSetStack(parent, 'Copies', {
    assetBuckets: [assetBucket, otherRegionBucket],
    assetBucketPrefix: ASSET_BUCKET_PREFIX,
  });
  return { app, parent, stackSetStack, assetBucket };
}

/** A rollout with one import of the Region's model. */
function rolloutWithOneImport(): Rollout & { readonly model: ImportedComprehendModel } {
  const built = rollout();
  const model = new ImportedComprehendModel(built.stackSetStack, 'Tickets', {
    sourceModelArn: sourceOfRegion('v3'),
    modelType: ModelType.DOCUMENT_CLASSIFIER,
  });
  return { ...built, model };
}

interface Synthesized {
  readonly template: Template;
  /** The template as StackSets receives it, byte for byte. */
  readonly body: string;
}

/**
 * The StackSetStack's template. Template.fromStack() cannot read it: a StackSetStack is no artifact of the cloud
 * assembly, only a file its synthesizer writes to the assembly's folder (`templateFile`).
 */
function synthesize(stackSetStack: StackSetStack): Synthesized {
  const assembly = (stackSetStack.node.root as App).synth();
  const body = fs.readFileSync(path.join(assembly.directory, stackSetStack.templateFile), 'utf-8');
  return { template: Template.fromJSON(JSON.parse(body)), body };
}

function resourcesOf(template: Template, type: string): any[] {
  return Object.values(template.findResources(type));
}

/** The S3 keys of the template's Lambda functions. */
function functionKeys(template: Template): Set<string> {
  return new Set(resourcesOf(template, 'AWS::Lambda::Function').map(fn => fn.Properties.Code.S3Key));
}

/** The handler role's policy statements. */
function handlerStatements(template: Template): any[] {
  const policies = resourcesOf(template, 'AWS::IAM::Policy')
    .filter(policy => /^ComprehendProviderHandlerRole/.test(policy.Properties.Roles[0].Ref));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

/**
 * The error or warning annotations of the constructs of a StackSetStack. Annotations.fromStack() cannot read them: the
 * messages of a StackSetStack's constructs reach no artifact of the cloud assembly (the parent's artifact collects
 * those of its own constructs and of nested stacks only), so they are read from the construct tree.
 */
function messagesOf(stackSetStack: StackSetStack, type: string): string[] {
  return stackSetStack.node.findAll().flatMap(construct => construct.node.metadata
    .filter(entry => entry.type === type)
    .map(entry => `${construct.node.path}: ${entry.data}`));
}

/** Neither the administrator's account nor a Region of the rollout appears in the template as a literal. */
function expectNoLiteralEnvironment(body: string): void {
  for (const literal of [ADMIN_ACCOUNT, ADMIN_REGION, OTHER_REGION]) {
    expect(body).not.toContain(literal);
  }
}

describe('one import of the Region\'s model', () => {
  test('code from the Region\'s asset bucket, which the parent\'s BucketDeployments fill with exactly those objects', () => {
    const { parent, stackSetStack, assetBucket } = rolloutWithOneImport();
    const { template, body } = synthesize(stackSetStack);

    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    // The library's two handlers and the Provider framework's three functions.
    expect(functions).toHaveLength(5);
    for (const fn of functions) {
      expect(fn.Properties.Code).toEqual({
        S3Bucket: { 'Fn::Join': ['-', [ASSET_BUCKET_PREFIX, { Ref: 'AWS::Region' }]] },
        S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/),
      });
    }
    const keys = functionKeys(template);
    // The library's provider bundle and the Provider framework's code.
    expect(keys.size).toBe(2);

    const deployments = resourcesOf(Template.fromStack(parent), 'Custom::CDKBucketDeployment');
    expect(deployments.map(deployment => deployment.Properties.DestinationBucketName)).toEqual([
      { Ref: parent.getLogicalId(assetBucket.node.defaultChild as s3.CfnBucket) },
      `${ASSET_BUCKET_PREFIX}-${OTHER_REGION}`,
    ]);
    for (const deployment of deployments) {
      // Copied as they are (no extraction), each under the key of its source object.
      expect(deployment.Properties).toMatchObject({ Extract: false, Prune: false });
      expect(new Set(deployment.Properties.SourceObjectKeys)).toEqual(keys);
    }
    expectNoLiteralEnvironment(body);
  });

  test('no fixed names: IAM roles, log groups, functions and the state machine are named by CloudFormation', () => {
    const { template } = synthesize(rolloutWithOneImport().stackSetStack);

    const roles = resourcesOf(template, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(role.Properties.RoleName).toBeUndefined();
    }
    const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThan(0);
    for (const logGroup of logGroups) {
      expect(typeof logGroup.Properties?.LogGroupName).not.toBe('string');
    }
    for (const fn of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties.FunctionName).toBeUndefined();
    }
    for (const stateMachine of resourcesOf(template, 'AWS::StepFunctions::StateMachine')) {
      expect(stateMachine.Properties.StateMachineName).toBeUndefined();
    }
  });

  test('the source is the Region\'s model, and the handler role is scoped to it and to the stack instance, from pseudo parameters', () => {
    const { template } = synthesize(rolloutWithOneImport().stackSetStack);

    template.resourceCountIs('Custom::ComprehendImportedModel', 1);
    template.hasResourceProperties('Custom::ComprehendImportedModel', {
      SourceModelArn: renderedSourceOfRegion('v3'),
      ModelType: 'document-classifier',
    });

    const statements = handlerStatements(template);
    // Nothing known at synth about the stack's account: the exact ARN, only with this stack instance's ownership tag.
    expect(statements.filter(s => s.Action === 'comprehend:ImportModel')).toEqual([{
      Action: 'comprehend:ImportModel',
      Effect: 'Allow',
      Resource: renderedSourceOfRegion('v3'),
      Condition: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: OWNED }, Null: { 'comprehend:ModelKmsKey': 'true' } },
    }]);
    // Every statement that changes something is conditioned on this stack instance's ownership tag: the deletes and
    // stops, the endpoint changes, and the tag changes (which also keep away from the ownership tag itself).
    const mutating = statements.filter(s => [s.Action].flat().some((action: string) =>
      /^comprehend:(Delete|Stop|Update|Tag|Untag)/.test(action)));
    expect(mutating).toHaveLength(3);
    for (const statement of mutating) {
      expect(statement.Condition.StringLike).toEqual({ [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED });
    }
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: 'comprehend:CreateEndpoint',
        Condition: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: OWNED } },
      }),
      expect.objectContaining({
        Action: 'iam:PassRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-comprehend-model-import/', STACK_GUID, '/*']] },
      }),
    ]));
  });

  test('no error or warning annotation', () => {
    const { parent, stackSetStack } = rolloutWithOneImport();
    synthesize(stackSetStack);

    expect(messagesOf(stackSetStack, cxschema.ArtifactMetadataEntryType.ERROR)).toEqual([]);
    expect(messagesOf(stackSetStack, cxschema.ArtifactMetadataEntryType.WARN)).toEqual([]);
    // The parent's one warning is cdk-stacksets' own, about the bucket the app references rather than defines.
    const annotations = Annotations.fromStack(parent);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue()).map(warning => warning.entry.data)).toEqual([
      expect.stringContaining('cannot be added to referenced Bucket'),
    ]);
  });

  test('the library\'s synth-time checks still fail the synth inside a StackSetStack', () => {
    const { app, stackSetStack } = rollout();
    new ImportedComprehendModel(stackSetStack, 'Tickets', {
      sourceModelArn: sourceOfRegion('v3'),
      modelType: ModelType.DOCUMENT_CLASSIFIER,
      tags: { [OWNER_TAG_KEY]: 'mine' },
    });

    expect(() => app.synth()).toThrow(/Parent\/Copies\/Tickets.*is the library's own/);
  });
});

test('an endpoint with auto scaling and an idle alarm: its default name is fixed by the construct path, so every account and Region of the StackSet gets the same name, not one per account', () => {
  const withEndpoint = () => {
    const { stackSetStack, model } = rolloutWithOneImport();
    const endpoint = model.addEndpoint('Endpoint');
    endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 2 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
    endpoint.addIdleAlarm('Idle');
    return synthesize(stackSetStack);
  };
  const { template, body } = withEndpoint();
  const second = withEndpoint();

  const endpoints = resourcesOf(template, 'Custom::ComprehendModelEndpoint');
  expect(endpoints).toHaveLength(1);
  const endpointName = endpoints[0].Properties.EndpointName;
  expect(endpointName).toMatch(/^Tickets-Endpoint-[0-9A-F]{8}$/);
  expect(resourcesOf(second.template, 'Custom::ComprehendModelEndpoint').map(e => e.Properties.EndpointName)).toEqual([endpointName]);

  const [endpointId] = Object.keys(template.findResources('Custom::ComprehendModelEndpoint'));
  template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ServiceNamespace: 'comprehend',
    ResourceId: { 'Fn::GetAtt': [endpointId, 'EndpointArn'] },
    RoleARN: {
      'Fn::Join': ['', [
        'arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' },
        ':role/aws-service-role/comprehend.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ComprehendEndpoint',
      ]],
    },
    MinCapacity: 1,
    MaxCapacity: 2,
  });
  template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 70 }),
  });
  template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/Comprehend',
    MetricName: 'ConsumedInferenceUnits',
    Dimensions: [{ Name: 'EndpointArn', Value: { 'Fn::GetAtt': [endpointId, 'EndpointArn'] } }],
  });
  expectNoLiteralEnvironment(body);
});

test('with the sharer\'s key of the Region and a key of the stack: a service role trusted for the deploying account, scoped to the Region', () => {
  const { stackSetStack } = rollout();
  new ImportedComprehendModel(stackSetStack, 'Tickets', {
    sourceModelArn: sourceOfRegion('v3'),
    modelType: ModelType.DOCUMENT_CLASSIFIER,
    sourceModelKey: kms.Key.fromKeyArn(stackSetStack, 'SharerKey',
      `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
    modelKey: new kms.Key(stackSetStack, 'ModelKey'),
  });
  const { template, body } = synthesize(stackSetStack);

  const serviceRoles = Object.entries(template.findResources('AWS::IAM::Role', {
    Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'comprehend.amazonaws.com' } })] } },
  }));
  expect(serviceRoles).toHaveLength(1);
  const [[, role]] = serviceRoles;
  expect(role.Properties.RoleName).toBeUndefined();
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'comprehend.amazonaws.com' },
    Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
  }]);
  // The path that PassRole is scoped to: this stack instance's GUID.
  expect(role.Properties.Path).toEqual({ 'Fn::Join': ['', ['/cdk-comprehend-model-import/', STACK_GUID, '/']] });

  const [modelKeyId] = Object.keys(template.findResources('AWS::KMS::Key'));
  const keys = [
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, `:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`]] },
    { 'Fn::GetAtt': [modelKeyId, 'Arn'] },
  ];
  expect(role.Properties.Policies).toEqual([{
    PolicyName: 'ModelImportKeys',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'kms:CreateGrant', Effect: 'Allow', Resource: keys },
        {
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Effect: 'Allow',
          Resource: keys,
          Condition: { StringEquals: { 'kms:ViaService': [{ 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }] } },
        },
      ],
    },
  }]);
  expectNoLiteralEnvironment(body);
});

test('50 imports share one provider, spread their ImportModel calls over 24.5 seconds, and stay within CloudFormation\'s limits', () => {
  const { stackSetStack } = rollout();
  for (let version = 1; version <= 50; version++) {
    new ImportedComprehendModel(stackSetStack, `Tickets${version}`, {
      sourceModelArn: sourceOfRegion(`v${version}`),
      modelType: ModelType.DOCUMENT_CLASSIFIER,
    });
  }
  const { template, body } = synthesize(stackSetStack);
  const one = synthesize(rolloutWithOneImport().stackSetStack).template;

  const imports = resourcesOf(template, 'Custom::ComprehendImportedModel');
  expect(imports).toHaveLength(50);
  expect(new Set(imports.map(i => JSON.stringify(i.Properties.SourceModelArn))).size).toBe(50);
  expect(resourcesOf(template, 'AWS::Lambda::Function')).toHaveLength(resourcesOf(one, 'AWS::Lambda::Function').length);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  // (50 - 1) imports at IMPORTS_PER_SECOND (2), within a third of onEvent's default 5-minute timeout (100 seconds).
  template.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'index.onEvent',
    Environment: { Variables: { [IMPORT_SPREAD_ENV]: '24.5' } },
  });
  // Each source is an ARN known only at deploy time, so each is a resource of an ImportModel statement of its own.
  const importResources = [...handlerStatements(template), ...resourcesOf(template, 'AWS::IAM::ManagedPolicy')
    .flatMap(policy => policy.Properties.PolicyDocument.Statement)]
    .filter(statement => statement.Action === 'comprehend:ImportModel')
    .flatMap(statement => [statement.Resource].flat());
  expect(importResources).toHaveLength(50);
  for (const policy of resourcesOf(template, 'AWS::IAM::ManagedPolicy')) {
    expect(policy.Properties.ManagedPolicyName).toBeUndefined();
  }

  // CloudFormation's quotas: a template of at most 1 MB read from S3, as StackSets reads it, and 500 resources.
  expect(Buffer.byteLength(body, 'utf-8')).toBeLessThan(1_000_000);
  expect(Object.keys(template.toJSON().Resources).length).toBeLessThanOrEqual(500);
  expectNoLiteralEnvironment(body);
});

test('cdk-nag AwsSolutions: no unacknowledged finding in the StackSetStack', () => {
  const { stackSetStack } = rolloutWithOneImport();
  const report = new AwsSolutionsChecks().validateScope(stackSetStack);
  expect(report.violations.map(v => `${v.ruleName} at ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);

  // The checks do reach the constructs of a StackSetStack: a bucket without the library's care is reported.
  const control = rollout().stackSetStack;
  new s3.Bucket(control, 'Plain');
  expect(new AwsSolutionsChecks().validateScope(control).violations.map(v => v.ruleName)).toContain('AwsSolutions-S10');
});
