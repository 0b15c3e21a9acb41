import { isDeepStrictEqual } from 'util';
import { App, CfnDeletionPolicy, CfnParameter, CfnResource, Duration, RemovalPolicies, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedComprehendModel, ModelType } from '../src';
import {
  IMPORTER,
  importerStack,
  SHARER,
  SHARER_KEY,
  SOURCE_CLASSIFIER as SOURCE,
  SOURCE_RECOGNIZER as RECOGNIZER,
} from './support/fixtures';

/** The statements of the role Comprehend assumes, from its inline policy. */
function serviceRole(template: Template) {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'comprehend.amazonaws.com' } })] } },
  });
  return Object.values(roles).map(role => role.Properties);
}

/** The policies of the handler role, by logical id. */
function handlerPolicies(template: Template): Record<string, any> {
  return template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ComprehendProviderHandlerRole') }] },
  });
}

/** The handler role's default policy statements: the role's one policy besides those of the roles the user brings. */
function handlerStatements(template: Template): any[] {
  const defaults = Object.entries(handlerPolicies(template)).filter(([id]) => !id.startsWith('ComprehendProviderPassRole'));
  expect(defaults).toHaveLength(1);
  return defaults[0][1].Properties.PolicyDocument.Statement;
}

/** The handler role's policies that pass one role the user brings, by logical id. */
function passRolePolicies(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(handlerPolicies(template)).filter(([id]) => id.startsWith('ComprehendProviderPassRole')));
}

const TRUST = {
  Statement: [{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'comprehend.amazonaws.com' },
    Condition: { StringEquals: { 'aws:SourceAccount': IMPORTER } },
  }],
  Version: '2012-10-17',
};

/** The GUID of the deployed stack instance, from its StackId. */
const STACK_GUID = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
/** `STACK_NAME/STACK_GUID/*`: the ownership tags of this stack instance's copies and endpoints. */
const OWNED = { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/', STACK_GUID, '/*']] };
const OWNER_TAG_KEY = 'cdk-comprehend-model-import:owner';

/** This account's model versions and endpoints of both types in the stack's Region. */
const THIS_ACCOUNTS = ['document-classifier', 'document-classifier-endpoint', 'entity-recognizer', 'entity-recognizer-endpoint']
  .map(type => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:comprehend:us-west-2:${IMPORTER}:${type}/*`]] }));

/** The statements every Comprehend provider has, whatever its stack holds. */
const OWN_RESOURCE_STATEMENTS = [
  {
    Action: ['comprehend:DescribeDocumentClassifier', 'comprehend:DescribeEntityRecognizer', 'comprehend:DescribeEndpoint', 'comprehend:ListTagsForResource'],
    Effect: 'Allow',
    Resource: THIS_ACCOUNTS,
  },
  {
    Action: ['comprehend:ListEndpoints', 'comprehend:ListDocumentClassificationJobs', 'comprehend:ListEntitiesDetectionJobs'],
    Effect: 'Allow',
    Resource: '*',
  },
  // Each action on the resource types the Service Authorization Reference lists for it: models, then endpoints.
  {
    Action: [
      'comprehend:DeleteDocumentClassifier',
      'comprehend:StopTrainingDocumentClassifier',
      'comprehend:DeleteEntityRecognizer',
      'comprehend:StopTrainingEntityRecognizer',
    ],
    Effect: 'Allow',
    Resource: [THIS_ACCOUNTS[0], THIS_ACCOUNTS[2]],
    Condition: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED } },
  },
  {
    Action: ['comprehend:UpdateEndpoint', 'comprehend:DeleteEndpoint'],
    Effect: 'Allow',
    Resource: [THIS_ACCOUNTS[1], THIS_ACCOUNTS[3]],
    Condition: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED } },
  },
  // Any tag key but the ownership tag's, and a request that names its keys.
  {
    Action: ['comprehend:TagResource', 'comprehend:UntagResource'],
    Effect: 'Allow',
    Resource: THIS_ACCOUNTS,
    Condition: {
      'StringLike': { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED },
      'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': [OWNER_TAG_KEY] },
      'Null': { 'aws:TagKeys': 'false' },
    },
  },
  {
    Action: 'comprehend:CreateEndpoint',
    Effect: 'Allow',
    Resource: [THIS_ACCOUNTS[1], THIS_ACCOUNTS[3]],
    Condition: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: OWNED } },
  },
  // On the model served, only this stack's own copies (the other models the app serves are named by their ARN).
  {
    Action: 'comprehend:CreateEndpoint',
    Effect: 'Allow',
    Resource: [THIS_ACCOUNTS[0], THIS_ACCOUNTS[2]],
    Condition: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED } },
  },
  // The handlers read their own resource's record in this stack instance, and in no other stack.
  { Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
];

/** PassRole on this stack instance's own service roles, to Comprehend only. */
const OWN_PASS_ROLE = {
  Action: 'iam:PassRole',
  Effect: 'Allow',
  Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${IMPORTER}:role/cdk-comprehend-model-import/`, STACK_GUID, '/*']] },
  Condition: { StringEquals: { 'iam:PassedToService': 'comprehend.amazonaws.com' } },
};

/** The ImportModel statement of the imports that name no key (or of those that name `keys`), its resources aside. */
function importModel(keys?: unknown[]) {
  return {
    Action: 'comprehend:ImportModel',
    Effect: 'Allow',
    Condition: {
      StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: OWNED },
      ...keys ? { ArnEquals: { 'comprehend:ModelKmsKey': keys } } : { Null: { 'comprehend:ModelKmsKey': 'true' } },
    },
  };
}

function keyStatements(keys: unknown[]) {
  return [
    { Action: 'kms:CreateGrant', Effect: 'Allow', Resource: keys.length === 1 ? keys[0] : keys },
    {
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: keys.length === 1 ? keys[0] : keys,
      Condition: { StringEquals: { 'kms:ViaService': ['s3.us-west-2.amazonaws.com'] } },
    },
  ];
}

describe('the service role', () => {
  test('is not created when no customer managed key is involved', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    const template = Template.fromStack(stack);

    expect(serviceRole(template)).toHaveLength(0);
    template.hasResourceProperties('Custom::ComprehendImportedModel', {
      SourceModelArn: SOURCE,
      DataAccessRoleArn: Match.absent(),
      ModelKmsKeyId: Match.absent(),
    });
    // Only this stack's own service roles, whether it has any or not: the policy does not depend on them.
    expect(handlerStatements(template).filter(s => s.Action === 'iam:PassRole')).toEqual([OWN_PASS_ROLE]);
  });

  test('with the source key only: trust scoped to this account, the documented KMS statements on that key', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', {
      sourceModelArn: SOURCE,
      sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', SHARER_KEY),
    });
    const template = Template.fromStack(stack);

    const [role] = serviceRole(template);
    expect(role.AssumeRolePolicyDocument).toEqual(TRUST);
    // A path of this stack instance's own: the handlers of no other stack may pass it.
    expect(role.Path).toEqual({ 'Fn::Join': ['', ['/cdk-comprehend-model-import/', STACK_GUID, '/']] });
    expect(role.Policies).toEqual([{ PolicyName: 'ModelImportKeys', PolicyDocument: { Statement: keyStatements([SHARER_KEY]), Version: '2012-10-17' } }]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('Custom::ComprehendImportedModel', {
      DataAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendImportServiceRole'), 'Arn'] },
      ModelKmsKeyId: Match.absent(),
    });
  });

  test('with the model key only: the KMS statements on that key, and the copy encrypted with it', () => {
    const stack = importerStack();
    const modelKey = new kms.Key(stack, 'ModelKey');
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE, modelKey });
    const template = Template.fromStack(stack);

    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(modelKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    const [role] = serviceRole(template);
    expect(role.AssumeRolePolicyDocument).toEqual(TRUST);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual(keyStatements([keyArn]));
    template.hasResourceProperties('Custom::ComprehendImportedModel', { ModelKmsKeyId: keyArn });
  });

  test('with both keys: both keys in both statements, and nothing else', () => {
    const stack = importerStack();
    const modelKey = new kms.Key(stack, 'ModelKey');
    new ImportedComprehendModel(stack, 'Model', {
      sourceModelArn: SOURCE,
      sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', SHARER_KEY),
      modelKey,
    });
    const template = Template.fromStack(stack);

    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(modelKey.node.defaultChild as kms.CfnKey), 'Arn'] };
    const [role] = serviceRole(template);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual(keyStatements([SHARER_KEY, keyArn]));
    // The handlers may pass this stack's service roles to Comprehend, and only to Comprehend.
    expect(handlerStatements(template)).toContainEqual(OWN_PASS_ROLE);
  });

  test('imports with the same keys share one role; other keys get a role of their own', () => {
    const stack = importerStack();
    const modelKey = new kms.Key(stack, 'ModelKey');
    const otherKey = new kms.Key(stack, 'OtherKey');
    const keyArn = (key: kms.Key) => ({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
    const sharerKey = (id: string) => kms.Key.fromKeyArn(stack, id, SHARER_KEY);
    const first = new ImportedComprehendModel(stack, 'First', { sourceModelArn: SOURCE, sourceModelKey: sharerKey('SharerKey1'), modelKey });
    // The same sharer key referenced a second time, by ARN: still the same key.
    const second = new ImportedComprehendModel(stack, 'Second', { sourceModelArn: RECOGNIZER, sourceModelKey: sharerKey('SharerKey2'), modelKey });
    const other = new ImportedComprehendModel(stack, 'Other', { sourceModelArn: SOURCE, modelKey: otherKey });
    const sourceOnly = new ImportedComprehendModel(stack, 'SourceOnly', { sourceModelArn: SOURCE, sourceModelKey: sharerKey('SharerKey3') });
    const template = Template.fromStack(stack);

    expect(second.role).toBe(first.role);
    expect(new Set([first.role, other.role, sourceOnly.role]).size).toBe(3);
    expect(serviceRole(template).map(role => role.Policies[0].PolicyDocument.Statement)).toEqual(expect.arrayContaining([
      keyStatements([SHARER_KEY, keyArn(modelKey)]),
      keyStatements([keyArn(otherKey)]),
      keyStatements([SHARER_KEY]),
    ]));
    expect(serviceRole(template)).toHaveLength(3);
    // Every copy gets the role of its own keys.
    const roleOf = (model: ImportedComprehendModel) => ({ 'Fn::GetAtt': [stack.getLogicalId((model.role as iam.Role).node.defaultChild as iam.CfnRole), 'Arn'] });
    for (const [model, source] of [[first, SOURCE], [second, RECOGNIZER]] as const) {
      template.hasResourceProperties('Custom::ComprehendImportedModel', { SourceModelArn: source, DataAccessRoleArn: roleOf(model), ModelKmsKeyId: keyArn(modelKey) });
    }
    template.hasResourceProperties('Custom::ComprehendImportedModel', { DataAccessRoleArn: roleOf(other), ModelKmsKeyId: keyArn(otherKey) });
  });

  test('the caller\'s own role is used as it is, and only it may be passed', () => {
    const stack = importerStack();
    const role = iam.Role.fromRoleArn(stack, 'Own', `arn:aws:iam::${IMPORTER}:role/MyComprehendRole`);
    const model = new ImportedComprehendModel(stack, 'Model', {
      sourceModelArn: SOURCE,
      sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', SHARER_KEY),
      dataAccessRole: role,
    });
    const template = Template.fromStack(stack);

    expect(model.role).toBe(role);
    expect(serviceRole(template)).toHaveLength(0);
    template.hasResourceProperties('Custom::ComprehendImportedModel', { DataAccessRoleArn: `arn:aws:iam::${IMPORTER}:role/MyComprehendRole` });
    // The default policy passes only the stack's own service roles; the caller's role has a policy of its own, which
    // the import waits for (and which stays until the cleanup phase when the role is switched).
    expect(handlerStatements(template).filter(s => s.Action === 'iam:PassRole')).toEqual([OWN_PASS_ROLE]);
    const passRole = passRolePolicies(template);
    expect(Object.values(passRole).map(p => p.Properties.PolicyDocument.Statement)).toEqual([[{
      ...OWN_PASS_ROLE,
      Resource: `arn:aws:iam::${IMPORTER}:role/MyComprehendRole`,
    }]]);
    template.hasResource('Custom::ComprehendImportedModel', { DependsOn: Object.keys(passRole) });
  });
});

describe('the custom resource', () => {
  test('carries the import and the timeout, and deletes the copy by default (CloudFormation\'s default, left unsaid)', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', {
      sourceModelArn: SOURCE,
      modelName: 'my-copy',
      versionName: 'v1',
      timeout: Duration.minutes(20),
      tags: { team: 'nlp' },
    });
    const template = Template.fromStack(stack);

    template.hasResource('Custom::ComprehendImportedModel', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendProviderframeworkonEvent'), 'Arn'] },
        SourceModelArn: SOURCE,
        ModelType: Match.absent(),
        ModelName: 'my-copy',
        VersionName: 'v1',
        Tags: [{ Key: 'team', Value: 'nlp' }],
        TimeoutSeconds: '1200',
      },
      DeletionPolicy: Match.absent(),
      UpdateReplacePolicy: Match.absent(),
    });
  });

  // Every import of a stack pays for its properties: what the handlers know without being told is left out.
  test('a literal source ARN and the default timeout: no ModelType, no TimeoutSeconds (the handlers derive both); the ServiceTimeout of the import\'s bound', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE });
    new ImportedComprehendModel(stack, 'B', { sourceModelArn: RECOGNIZER, modelType: ModelType.ENTITY_RECOGNIZER, timeout: Duration.minutes(50) });
    const resources = Object.values(Template.fromStack(stack).findResources('Custom::ComprehendImportedModel'));

    expect(resources).toHaveLength(2);
    for (const resource of resources) {
      expect(Object.keys(resource).sort()).toEqual(['Properties', 'Type']);
      expect(Object.keys(resource.Properties).sort()).toEqual(['AttributeSet', 'ServiceTimeout', 'ServiceToken', 'SourceModelArn']);
    }
  });

  test('a timeout other than the default is rendered', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE, timeout: Duration.minutes(55) });

    Template.fromStack(stack).hasResourceProperties('Custom::ComprehendImportedModel', { TimeoutSeconds: '3300', ModelType: Match.absent() });
  });

  // CloudFormation decides from these whether to send a Delete; the handlers carry out every Delete that arrives.
  // Delete is CloudFormation's default for both, so it is left out of the template.
  test.each([
    [RemovalPolicy.DESTROY, undefined, undefined],
    [RemovalPolicy.RETAIN, 'Retain', 'Retain'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RetainExceptOnCreate', 'Retain'],
  ])('removalPolicy %s is DeletionPolicy %s, UpdateReplacePolicy %s, and nothing the handlers read', (removalPolicy, deletion, replace) => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE, removalPolicy });

    Template.fromStack(stack).hasResource('Custom::ComprehendImportedModel', {
      Properties: Match.objectLike({ RemovalPolicy: Match.absent() }),
      DeletionPolicy: deletion ?? Match.absent(),
      UpdateReplacePolicy: replace ?? Match.absent(),
    });
  });

  test('the policies the resource ends with count, however they were set; both Delete are left out', () => {
    const stack = importerStack();
    const retainedThenDestroyed = new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE, removalPolicy: RemovalPolicy.RETAIN });
    retainedThenDestroyed.applyRemovalPolicy(RemovalPolicy.DESTROY);
    const mixed = new ImportedComprehendModel(stack, 'B', { sourceModelArn: SOURCE.replace('/v1', '/v2') });
    (mixed.node.defaultChild as CfnResource).cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    const byAspect = new ImportedComprehendModel(stack, 'C', { sourceModelArn: SOURCE.replace('/v1', '/v3') });
    RemovalPolicies.of(byAspect).retain();
    const resources = Template.fromStack(stack).findResources('Custom::ComprehendImportedModel');

    expect(resources[stack.getLogicalId(retainedThenDestroyed.node.defaultChild as CfnResource)]).not.toHaveProperty('DeletionPolicy');
    expect(resources[stack.getLogicalId(retainedThenDestroyed.node.defaultChild as CfnResource)]).not.toHaveProperty('UpdateReplacePolicy');
    // Not both Delete: both are said, as they are.
    expect(resources[stack.getLogicalId(mixed.node.defaultChild as CfnResource)]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Retain' });
    expect(resources[stack.getLogicalId(byAspect.node.defaultChild as CfnResource)]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('applyRemovalPolicy() after construction reaches the resource', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    model.applyRemovalPolicy(RemovalPolicy.RETAIN);

    Template.fromStack(stack).hasResource('Custom::ComprehendImportedModel', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('Tags.of() reaches the copy, beside the tags prop', () => {
    const app = new App();
    const stack = importerStack(app);
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE, tags: { team: 'nlp' } });
    Tags.of(app).add('cost-center', '42');

    Template.fromStack(stack).hasResourceProperties('Custom::ComprehendImportedModel', {
      Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'nlp' }],
    });
  });

  test('attributes come from the custom resource; the type from the ARN', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: RECOGNIZER });
    const logicalId = stack.getLogicalId(model.node.defaultChild as any);

    expect(model.modelType).toBe(ModelType.ENTITY_RECOGNIZER);
    expect(stack.resolve(model.modelArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'ModelArn'] });
    expect(stack.resolve(model.modelName)).toEqual({ 'Fn::GetAtt': [logicalId, 'ModelName'] });
    expect(stack.resolve(model.versionName)).toEqual({ 'Fn::GetAtt': [logicalId, 'VersionName'] });
  });

  test('a source ARN known only at deploy time passes synth with its model type', () => {
    const stack = importerStack();
    const source = new CfnParameter(stack, 'SourceModelArn');
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: source.valueAsString, modelType: ModelType.ENTITY_RECOGNIZER });
    const template = Template.fromStack(stack);

    // The handlers cannot know the type before the token is resolved, and the construct's grants depend on it: it is rendered.
    template.hasResourceProperties('Custom::ComprehendImportedModel', {
      SourceModelArn: { Ref: 'SourceModelArn' },
      ModelType: 'entity-recognizer',
      TimeoutSeconds: Match.absent(),
    });
    // The exact ARN, since its name is unknown until deploy time.
    expect(handlerStatements(template)).toContainEqual({ ...importModel(), Resource: { Ref: 'SourceModelArn' } });
  });
});

describe('the provider', () => {
  test('one provider serves every model of a stack', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE });
    new ImportedComprehendModel(stack, 'B', { sourceModelArn: RECOGNIZER });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 5); // onEvent, isComplete and the framework's three
    const tokens = Object.values(template.findResources('Custom::ComprehendImportedModel')).map(r => r.Properties.ServiceToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toEqual(tokens[1]);
  });

  test('each stack has its own provider', () => {
    const app = new App();
    const first = importerStack(app, 'First');
    const second = importerStack(app, 'Second');
    new ImportedComprehendModel(first, 'Model', { sourceModelArn: SOURCE });
    new ImportedComprehendModel(second, 'Model', { sourceModelArn: SOURCE });

    Template.fromStack(first).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    Template.fromStack(second).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('ImportModel on the models of one type of each sharer account, and only with this stack\'s ownership tag', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE });
    new ImportedComprehendModel(stack, 'B', { sourceModelArn: SOURCE.replace('/v1', '/v2') });
    new ImportedComprehendModel(stack, 'C', { sourceModelArn: RECOGNIZER });
    new ImportedComprehendModel(stack, 'D', { sourceModelArn: `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/unversioned` });
    new ImportedComprehendModel(stack, 'E', { sourceModelArn: `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/another/version/v1` });

    // Which of its models this account may import is the sharer's to say, in each model's resource-based policy.
    expect(handlerStatements(Template.fromStack(stack))).toContainEqual({
      ...importModel(),
      Resource: [
        `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/*`,
        `arn:aws:comprehend:us-west-2:${SHARER}:entity-recognizer/*`,
      ],
    });
  });

  test('two models of one sharer account: one ImportModel resource; of two accounts: two', () => {
    const importResources = (sources: string[]) => {
      const stack = importerStack();
      sources.forEach((sourceModelArn, i) => new ImportedComprehendModel(stack, `Model${i}`, { sourceModelArn }));
      return [handlerStatements(Template.fromStack(stack)).find(s => s.Action === 'comprehend:ImportModel').Resource].flat();
    };
    const other = '999988887777';

    expect(importResources([SOURCE, SOURCE.replace('tickets', 'invoices')]))
      .toEqual([`arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/*`]);
    expect(importResources([SOURCE, SOURCE.replace(SHARER, other)])).toEqual([
      `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/*`,
      `arn:aws:comprehend:us-west-2:${other}:document-classifier/*`,
    ]);
  });

  test('a source of the stack\'s own account, or of a stack whose account is not known: only that model\'s versions', () => {
    const own = `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/trained-here/version/v1`;
    const ownStack = importerStack();
    new ImportedComprehendModel(ownStack, 'Own', { sourceModelArn: own });
    new ImportedComprehendModel(ownStack, 'Unversioned', { sourceModelArn: `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/plain` });
    const agnostic = new Stack(new App(), 'Agnostic');
    new ImportedComprehendModel(agnostic, 'Shared', { sourceModelArn: SOURCE });

    // No resource-based policy stands guard within one account, so the role does not reach its other models.
    expect(handlerStatements(Template.fromStack(ownStack))).toContainEqual({
      ...importModel(),
      Resource: [
        `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/trained-here/version/*`,
        `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/plain`,
      ],
    });
    expect(handlerStatements(Template.fromStack(agnostic))).toContainEqual({
      ...importModel(),
      Resource: `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/tickets/version/*`,
    });
  });

  test('a source ARN known only at deploy time: ImportModel on that exact ARN, beside the sharers\' wildcards', () => {
    const stack = importerStack();
    const source = new CfnParameter(stack, 'SourceModelArn');
    new ImportedComprehendModel(stack, 'Token', { sourceModelArn: source.valueAsString, modelType: ModelType.DOCUMENT_CLASSIFIER });
    new ImportedComprehendModel(stack, 'Literal', { sourceModelArn: SOURCE });

    expect(handlerStatements(Template.fromStack(stack))).toContainEqual({
      ...importModel(),
      Resource: [{ Ref: 'SourceModelArn' }, `arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/*`],
    });
  });

  test('every mutating call needs this stack\'s ownership tag on the resource, every create needs it in the request', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    const statements = handlerStatements(Template.fromStack(stack));

    expect(statements).toEqual(expect.arrayContaining(OWN_RESOURCE_STATEMENTS));
    // Nothing else changes a Comprehend resource: every other statement imports with the tag, or passes roles (an
    // endpoint on a model that is not this stack's copy adds CreateEndpoint on its ARN: test/least-privilege.test.ts).
    const others = statements.filter(s => !OWN_RESOURCE_STATEMENTS.some(own => isDeepStrictEqual(own, s)));
    expect(others.map(s => s.Action)).toEqual(expect.arrayContaining(['comprehend:ImportModel', 'iam:PassRole']));
    expect(others.flatMap(s => [s.Action].flat()).filter(a => a.startsWith('comprehend:') && a !== 'comprehend:ImportModel')).toEqual([]);
  });

  test('the handler role\'s policy does not depend on which models and endpoints the stack holds, but for what the app declares', () => {
    // What the app declares: its sources and keys (ImportModel), and the models it serves that are not its own copies
    // (CreateEndpoint on their exact ARNs, the one CreateEndpoint statement without a condition).
    const withoutImports = (statements: any[]) => statements.filter(s => s.Action !== 'comprehend:ImportModel')
      .filter(s => !(s.Action === 'comprehend:CreateEndpoint' && s.Condition === undefined));
    const variants = [
      (stack: Stack) => new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE }),
      (stack: Stack) => new ImportedComprehendModel(stack, 'B', { sourceModelArn: RECOGNIZER }),
      (stack: Stack) => new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE }).addEndpoint('Endpoint'),
      (stack: Stack) => {
        new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE, modelKey: new kms.Key(stack, 'Key') }).addEndpoint('Endpoint');
        new ImportedComprehendModel(stack, 'B', { sourceModelArn: RECOGNIZER }).addEndpoint('Endpoint');
      },
      (stack: Stack) => {
        new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE });
        const elsewhere = `arn:aws:comprehend:us-west-2:${IMPORTER}:entity-recognizer/x/version/y`;
        ImportedComprehendModel.fromModelAttributes(stack, 'Elsewhere', { modelArn: elsewhere, modelKey: new kms.Key(stack, 'Key') })
          .addEndpoint('Endpoint');
      },
    ];
    const policies = variants.map(define => {
      const stack = importerStack();
      define(stack);
      return JSON.stringify(withoutImports(handlerStatements(Template.fromStack(stack))));
    });

    expect(new Set(policies).size).toBe(1);
  });

  test('150 sharer accounts: ImportModel statements of 40 sources, moved whole to managed policies that each import waits for', () => {
    const stack = importerStack();
    for (let i = 0; i < 150; i++) {
      new ImportedComprehendModel(stack, `Model${i}`, {
        sourceModelArn: `arn:aws:comprehend:us-west-2:${100_000_000_000 + i}:entity-recognizer/a-long-source-model-name-of-forty-chars-${i}/version/v1`,
      });
    }
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.entries<any>(template.Resources);
    const documents = resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      .filter(([, r]) => JSON.stringify(r.Properties.Roles ?? []).includes('ComprehendProviderHandlerRole'));
    const importStatements = documents.flatMap(([, r]) => r.Properties.PolicyDocument.Statement)
      .filter((statement: any) => statement.Action === 'comprehend:ImportModel');

    expect(importStatements.map((statement: any) => statement.Resource.length).sort()).toEqual([30, 40, 40, 40]);
    // IAM's limits: 10,240 characters for the role's inline policies, 6,144 for a managed policy (without whitespace).
    for (const [, document] of documents) {
      expect(JSON.stringify(document.Properties.PolicyDocument).length)
        .toBeLessThan(document.Type === 'AWS::IAM::Policy' ? 10_240 : 6_144);
    }
    // The constant statements stay in the inline policy, which the handlers' functions wait for.
    const inline = documents.find(([, r]) => r.Type === 'AWS::IAM::Policy')![1];
    expect(inline.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining(OWN_RESOURCE_STATEMENTS));
    // An import whose statement moved to a managed policy waits for that policy.
    const managed = documents.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy').map(([id]) => id);
    expect(managed.length).toBeGreaterThan(0);
    const imports = resources.filter(([, r]) => r.Type === 'Custom::ComprehendImportedModel').map(([, r]) => r);
    expect(imports.filter(r => (r.DependsOn ?? []).some((id: string) => managed.includes(id))).length).toBeGreaterThan(0);
  });

  test('one import waits for nothing but its provider', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });

    Template.fromStack(stack).hasResource('Custom::ComprehendImportedModel', { DependsOn: Match.absent() });
  });

  test('the handler policy grows only with the sharer accounts, model types and keys: 200 imports of 20 models of 2 accounts', () => {
    const stack = importerStack();
    const keys = [0, 1].map(k => kms.Key.fromKeyArn(stack, `Key${k}`, `arn:aws:kms:us-west-2:${IMPORTER}:key/k${k}`));
    for (let i = 0; i < 200; i++) {
      const account = i % 2 === 0 ? SHARER : '999988887777';
      new ImportedComprehendModel(stack, `Model${i}`, {
        sourceModelArn: `arn:aws:comprehend:us-west-2:${account}:document-classifier/model-${i % 20}/version/v${i}`,
        modelKey: i % 3 === 0 ? keys[i % 2] : undefined,
      });
    }
    const template = Template.fromStack(stack);
    const statements = handlerStatements(template);

    const sharers = [`arn:aws:comprehend:us-west-2:${SHARER}:document-classifier/*`, 'arn:aws:comprehend:us-west-2:999988887777:document-classifier/*'];
    expect(statements.filter(s => s.Action === 'comprehend:ImportModel')).toEqual([
      { ...importModel(keys.map(key => key.keyArn)), Resource: sharers },
      // Model1 (no key) comes from the second account first.
      { ...importModel(), Resource: [...sharers].reverse() },
    ]);
    expect(statements.filter(s => s.Action === 'iam:PassRole')).toEqual([OWN_PASS_ROLE]);
    expect(JSON.stringify(statements).length).toBeLessThan(10_240);
  });
});

describe('fromModelArn', () => {
  test('reads the name and type of a model version ARN', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Existing', RECOGNIZER);

    expect(model.modelArn).toEqual(RECOGNIZER);
    expect(model.modelName).toEqual('products');
    expect(model.modelType).toEqual(ModelType.ENTITY_RECOGNIZER);
  });

  test('a token ARN needs the model type, and takes the name from the ARN at deploy time', () => {
    const stack = importerStack();
    const arn = new CfnParameter(stack, 'Arn').valueAsString;

    expect(() => ImportedComprehendModel.fromModelArn(stack, 'NoType', arn)).toThrow(/modelType is required when modelArn is a token/);
    const model = ImportedComprehendModel.fromModelAttributes(stack, 'Typed', { modelArn: arn, modelType: ModelType.DOCUMENT_CLASSIFIER });
    // NAME in arn:…:TYPE/NAME/version/VERSION: the sixth field, then its second part.
    const resource = { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Arn' }] }] };
    expect(stack.resolve(model.modelName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', resource] }] });
    expect(model.versionName).toBeUndefined();
  });

  test('knows the version name, and the account and Region of the model (as resources referenced by ARN do)', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Existing', SOURCE);

    expect(model.versionName).toEqual('v1');
    expect(model.env).toEqual({ account: SHARER, region: 'us-west-2' });
  });

  test('a model trained without a version name has none', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Unversioned', SOURCE.replace('/version/v1', ''));

    expect(model.modelName).toEqual('tickets');
    expect(model.versionName).toBeUndefined();
  });

  test('a version name for a token ARN, and one that contradicts the ARN', () => {
    const stack = importerStack();
    const arn = new CfnParameter(stack, 'Arn').valueAsString;

    const model = ImportedComprehendModel.fromModelAttributes(stack, 'Typed', { modelArn: arn, modelType: ModelType.DOCUMENT_CLASSIFIER, versionName: 'v7' });
    expect(model.versionName).toEqual('v7');
    expect(() => ImportedComprehendModel.fromModelAttributes(stack, 'Other', { modelArn: SOURCE, versionName: 'v2' }))
      .toThrow(`versionName "v2" is not the version in modelArn "${SOURCE}"`);
  });

  test('rejects what is not a model ARN', () => {
    const stack = importerStack();
    expect(() => ImportedComprehendModel.fromModelArn(stack, 'Bad', 'arn:aws:s3:::bucket'))
      .toThrow(/modelArn "arn:aws:s3:::bucket" is an ARN of service "s3"/);
  });
});
