import { App, CfnDeletionPolicy, CfnParameter, CfnResource, NestedStack, RemovalPolicies, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImportedComprehendModel, ModelEndpoint, ModelEndpointOptions, ModelType } from '../src';
import {
  IMPORTER,
  importerStack,
  REGION,
  SHARER,
  sharerStack,
  SOURCE_CLASSIFIER as CLASSIFIER,
  SOURCE_RECOGNIZER as RECOGNIZER,
} from './support/fixtures';

const OWN_CLASSIFIER = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/local/version/v2`;

function reader(stack: Stack): iam.Role {
  return new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

/** The Comprehend resource types of the template, other than the copies. */
function comprehendTypes(template: Template): string[] {
  return Object.values(template.toJSON().Resources as Record<string, { Type: string }>)
    .map(r => r.Type)
    .filter(type => /Comprehend/.test(type) && type !== 'Custom::ComprehendImportedModel');
}

/** The statements of the reader role's policy. */
function readerStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }] } });
  return Object.values(policies).flatMap(p => p.Properties.PolicyDocument.Statement);
}

describe('addEndpoint', () => {
  test('a classifier gets a document classifier endpoint on the copy, created after it and deleted before it', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
    const endpoint = model.addEndpoint('Endpoint', { desiredInferenceUnits: 2, endpointName: 'tickets-live' });
    const template = Template.fromStack(stack);

    expect(comprehendTypes(template)).toEqual(['Custom::ComprehendModelEndpoint']);
    template.hasResourceProperties('Custom::ComprehendModelEndpoint', {
      // A reference to the copy's ModelArn: CloudFormation orders create and delete by it.
      ModelArn: { 'Fn::GetAtt': [stack.getLogicalId(model.node.defaultChild as any), 'ModelArn'] },
      ModelType: 'document-classifier',
      DesiredInferenceUnits: '2',
      EndpointName: 'tickets-live',
      DataAccessRoleArn: Match.absent(),
    });
    expect(endpoint.endpointName).toBe('tickets-live');
    expect(stack.resolve(endpoint.endpointArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(endpoint.node.defaultChild as any), 'EndpointArn'] });
  });

  test('an entity recognizer gets an entity recognizer endpoint, with one inference unit and a unique name by default', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Products', { sourceModelArn: RECOGNIZER });
    const endpoint = model.addEndpoint('Endpoint');
    const template = Template.fromStack(stack);

    expect(comprehendTypes(template)).toEqual(['Custom::ComprehendModelEndpoint']);
    template.hasResourceProperties('Custom::ComprehendModelEndpoint', {
      ModelType: 'entity-recognizer',
      DesiredInferenceUnits: '1',
      EndpointName: endpoint.endpointName,
    });
    // Readable: the construct path below the stack, then the hash of the whole path.
    expect(endpoint.endpointName).toMatch(/^Products-Endpoint-[0-9A-F]{8}$/);
    expect(endpoint.endpointName.length).toBeLessThanOrEqual(40);
    expect(endpoint.endpointName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
  });

  test('a model referenced by ARN serves an endpoint too', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Local', OWN_CLASSIFIER);
    const endpoint = model.addEndpoint('Endpoint');
    endpoint.grantClassify(reader(stack));
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::ComprehendModelEndpoint', { ModelArn: OWN_CLASSIFIER, ModelType: 'document-classifier' });
    expect(readerStatements(template)).toEqual([expect.objectContaining({ Action: 'comprehend:ClassifyDocument' })]);
  });

  test('Tags.of() reaches the endpoint and the copy, beside the endpoint\'s own tags', () => {
    const app = new App();
    const stack = importerStack(app);
    new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Endpoint', { tags: { tier: 'gold' } });
    Tags.of(app).add('cost-center', '42');
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::ComprehendModelEndpoint', {
      Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'tier', Value: 'gold' }],
    });
    template.hasResourceProperties('Custom::ComprehendImportedModel', { Tags: [{ Key: 'cost-center', Value: '42' }] });
  });

  test.each<[string, ModelEndpointOptions, string]>([
    ['no inference unit', { desiredInferenceUnits: 0 }, 'desiredInferenceUnits 0 is out of range; expected a whole number from 1 to 10'],
    ['more than 10 inference units', { desiredInferenceUnits: 11 }, 'desiredInferenceUnits 11 is out of range'],
    ['a fraction of an inference unit', { desiredInferenceUnits: 1.5 }, 'desiredInferenceUnits 1.5 is out of range'],
    ['an underscore in the name', { endpointName: 'tickets_live' }, 'endpointName "tickets_live" is not a valid endpoint name; expected 1-40 letters, digits and hyphens'],
    ['a 41-character name', { endpointName: 'e'.repeat(41) }, `endpointName "${'e'.repeat(41)}" is not a valid endpoint name`],
  ])('refuses %s', (_, options, message) => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
    expect(() => model.addEndpoint('Endpoint', options)).toThrow(message);
  });

  test('endpoint tags follow the same rules as model tags, Tags.of() included', () => {
    const app = new App();
    const stack = importerStack(app);
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
    model.addEndpoint('Reserved', { tags: { 'aws:team': 'nlp' } });
    model.addEndpoint('Many', { tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) });
    Tags.of(app).add('one-more', 'x'.repeat(257));

    expect(() => Template.fromStack(stack)).toThrow(new RegExp([
      'Importer/Tickets/Reserved\\] tags: key "aws:team" starts with "aws:"',
      'tags: value of "one-more" is 257 characters long; expected at most 256',
      'Importer/Tickets/Many\\] tags: 51 tags, more than the 49 a Comprehend endpoint can have, less the cdk-comprehend-model-import:owner tag',
    ].join('[\\s\\S]*')));
  });

  test('two endpoints of a stack with the same name', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Live', { endpointName: 'live' });
    const products = new ImportedComprehendModel(stack, 'Products', { sourceModelArn: RECOGNIZER });

    expect(() => products.addEndpoint('Live', { endpointName: 'live' }))
      .toThrow('Importer/Products/Live: endpointName "live" is the name of Importer/Tickets/Live too');
    expect(() => products.addEndpoint('Other', { endpointName: 'live-2' })).not.toThrow();
  });

  test('an endpoint of a nested stack named as one of its parent, or as one of another nested stack of the parent', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Live', { endpointName: 'live' });
    const nested = new ImportedComprehendModel(new NestedStack(stack, 'Nested'), 'Products', { sourceModelArn: RECOGNIZER });
    expect(() => nested.addEndpoint('Live', { endpointName: 'live' }))
      .toThrow('Importer/Nested/Products/Live: endpointName "live" is the name of Importer/Tickets/Live too');

    nested.addEndpoint('Staging', { endpointName: 'staging' });
    const sibling = new ImportedComprehendModel(new NestedStack(stack, 'Sibling'), 'Products', { sourceModelArn: RECOGNIZER });
    expect(() => sibling.addEndpoint('Staging', { endpointName: 'staging' }))
      .toThrow('Importer/Sibling/Products/Staging: endpointName "staging" is the name of Importer/Nested/Products/Staging too');
  });

  test('a given name that is another endpoint\'s default name', () => {
    const stack = importerStack();
    const first = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Live');
    const products = new ImportedComprehendModel(stack, 'Products', { sourceModelArn: RECOGNIZER });

    expect(() => products.addEndpoint('Live', { endpointName: first.endpointName }))
      .toThrow(`Importer/Products/Live: endpointName "${first.endpointName}" is the name of Importer/Tickets/Live too`);
  });

  test('a data access role of another account than the stack\'s is a synth error naming the endpoint, the role and the fix', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
    const theirs = iam.Role.fromRoleArn(stack, 'Theirs', `arn:aws:iam::${SHARER}:role/endpoint-access`);

    expect(() => model.addEndpoint('Live', { dataAccessRole: theirs })).toThrow(
      `Importer/Tickets/Live: dataAccessRole "arn:aws:iam::${SHARER}:role/endpoint-access" is a role of account ${SHARER}, but ` +
      `this stack deploys to ${IMPORTER}; expected a role of this stack's account, because Comprehend can only be passed a ` +
      'role of the account that calls it (iam:PassRole)',
    );
    const ours = iam.Role.fromRoleArn(stack, 'Ours', `arn:aws:iam::${IMPORTER}:role/endpoint-access`);
    expect(() => model.addEndpoint('Other', { dataAccessRole: ours })).not.toThrow();
  });
});

describe('fromEndpointArn', () => {
  const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer-endpoint/products-live`;

  test('reads the name, the model type and the environment of the ARN, and grants on it', () => {
    const stack = importerStack();
    const endpoint = ModelEndpoint.fromEndpointArn(stack, 'Existing', ENDPOINT);
    endpoint.grantInference(reader(stack));

    expect(endpoint.endpointName).toEqual('products-live');
    expect(endpoint.modelType).toEqual(ModelType.ENTITY_RECOGNIZER);
    expect(endpoint.env).toEqual({ account: IMPORTER, region: REGION });
    expect(readerStatements(Template.fromStack(stack))).toEqual([{ Action: 'comprehend:DetectEntities', Effect: 'Allow', Resource: ENDPOINT }]);
  });

  test('a token ARN needs the model type', () => {
    const stack = importerStack();
    const arn = new CfnParameter(stack, 'EndpointArn').valueAsString;

    expect(() => ModelEndpoint.fromEndpointArn(stack, 'NoType', arn)).toThrow('modelType is required when endpointArn is a token');
    const endpoint = ModelEndpoint.fromEndpointAttributes(stack, 'Typed', { endpointArn: arn, modelType: ModelType.DOCUMENT_CLASSIFIER });
    expect(endpoint.modelType).toEqual(ModelType.DOCUMENT_CLASSIFIER);
  });

  test.each([
    ['a model ARN', CLASSIFIER, 'is not a Comprehend endpoint ARN; expected arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier-endpoint/NAME'],
    ['no ARN', 'products-live', 'endpointArn "products-live" is not a Comprehend endpoint ARN'],
    ['an ARN with its Region in upper case', ENDPOINT.replace(REGION, 'US-WEST-2'),
      `Importer: endpointArn "${ENDPOINT.replace(REGION, 'US-WEST-2')}" is malformed: "US-WEST-2" is not a Region code; expected ` +
      'arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier-endpoint/NAME (or entity-recognizer-endpoint/NAME), where ' +
      'REGION is a Region code in lower case, such as us-west-2'],
    ['a type that contradicts the ARN', undefined, 'serves an entity-recognizer, but modelType says document-classifier'],
  ])('refuses %s', (_, arn, message) => {
    const stack = importerStack();
    expect(() => ModelEndpoint.fromEndpointAttributes(stack, 'Bad', { endpointArn: arn ?? ENDPOINT, modelType: arn ? undefined : ModelType.DOCUMENT_CLASSIFIER }))
      .toThrow(message);
  });
});

describe('grants', () => {
  test.each([CLASSIFIER, RECOGNIZER])('grantInference picks the action of the served type (%s)', sourceModelArn => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn });
    const endpoint = model.addEndpoint('Endpoint');
    endpoint.grantInference(reader(stack));

    expect(endpoint.modelType).toEqual(model.modelType);
    expect(readerStatements(Template.fromStack(stack))).toEqual([{
      Action: sourceModelArn === CLASSIFIER ? 'comprehend:ClassifyDocument' : 'comprehend:DetectEntities',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(endpoint.node.defaultChild as any), 'EndpointArn'] },
    }]);
  });

  test.each([
    ['grantClassify', 'comprehend:ClassifyDocument', CLASSIFIER],
    ['grantDetectEntities', 'comprehend:DetectEntities', RECOGNIZER],
  ] as const)('%s allows %s on that endpoint only', (grant, action, sourceModelArn) => {
    const stack = importerStack();
    const endpoint = new ImportedComprehendModel(stack, 'Model', { sourceModelArn }).addEndpoint('Endpoint');
    endpoint[grant](reader(stack));

    expect(readerStatements(Template.fromStack(stack))).toEqual([{
      Action: action,
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(endpoint.node.defaultChild as any), 'EndpointArn'] },
    }]);
  });

  test('the grant for the other model type is a clear synth error', () => {
    const stack = importerStack();
    const classifierEndpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('A');
    const recognizerEndpoint = new ImportedComprehendModel(stack, 'Products', { sourceModelArn: RECOGNIZER }).addEndpoint('B');

    expect(() => classifierEndpoint.grantDetectEntities(reader(stack))).toThrow(
      'comprehend:DetectEntities needs an endpoint of an entity-recognizer, but this endpoint serves a document-classifier; ' +
      'use grantClassify() or grantInference()',
    );
    expect(() => recognizerEndpoint.grantClassify(new iam.User(stack, 'U'))).toThrow(
      'comprehend:ClassifyDocument needs an endpoint of a document-classifier, but this endpoint serves an entity-recognizer; ' +
      'use grantDetectEntities() or grantInference()',
    );
  });
});

describe('a model the endpoint\'s stack cannot serve is a synth error', () => {
  const THEIRS = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/tickets/version/v1`;
  const ELSEWHERE = `arn:aws:comprehend:eu-west-1:${IMPORTER}:document-classifier/local/version/v2`;

  test('a model of another account: the error names the model, both environments and what to do', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Theirs', THEIRS);

    expect(() => model.addEndpoint('Endpoint')).toThrow(
      `Importer/Theirs/Endpoint: model ${THEIRS} is in account ${SHARER}, Region ${REGION}, but this endpoint's stack deploys ` +
      `to account ${IMPORTER}, Region ${REGION}; Comprehend serves a model only from an endpoint of its own account and Region: ` +
      'copy it into this stack\'s account and Region with ImportedComprehendModel and serve the copy, or serve it from a stack ' +
      'of its own environment',
    );
  });

  test('a model of another Region, given to the constructor directly too', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', ELSEWHERE);

    expect(() => model.addEndpoint('Endpoint')).toThrow(
      new RegExp(`model ${ELSEWHERE} is in account ${IMPORTER}, Region eu-west-1, but this endpoint's stack deploys to account ` +
      `${IMPORTER}, Region ${REGION}; .*ImportedComprehendModel`),
    );
    expect(() => new ModelEndpoint(stack, 'Direct', { model })).toThrow(/Importer\/Direct: model .* Region eu-west-1, .* Region us-west-2/);
  });

  test('the same models are served from a stack of their own environment, and from an env-agnostic one', () => {
    const theirs = sharerStack();
    const elsewhere = new Stack(new App(), 'Elsewhere', { env: { account: IMPORTER, region: 'eu-west-1' } });
    const agnostic = new Stack(new App(), 'Agnostic');

    expect(() => ImportedComprehendModel.fromModelArn(theirs, 'Theirs', THEIRS).addEndpoint('Endpoint')).not.toThrow();
    expect(() => ImportedComprehendModel.fromModelArn(elsewhere, 'Elsewhere', ELSEWHERE).addEndpoint('Endpoint')).not.toThrow();
    // Its environment is known only at deploy time: the handler checks it then.
    expect(() => ImportedComprehendModel.fromModelArn(agnostic, 'Theirs', THEIRS).addEndpoint('Endpoint')).not.toThrow();
    Template.fromStack(theirs).hasResourceProperties('Custom::ComprehendModelEndpoint', { ModelArn: THEIRS });
  });
});

describe('desiredInferenceUnits and the auto scaling range', () => {
  test('units outside [minCapacity, maxCapacity] are a synth error naming desiredInferenceUnits, the units and the range', () => {
    const stack = importerStack();
    const endpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Endpoint', { desiredInferenceUnits: 5 });

    expect(() => endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 3 })).toThrow(
      'Importer/Tickets/Endpoint: desiredInferenceUnits 5 is outside the auto scaling range 1-3; expected a number of units from ' +
      'minCapacity to maxCapacity',
    );
    // Below the range too; nothing was added by the refused calls.
    const low = new ImportedComprehendModel(stack, 'Low', { sourceModelArn: CLASSIFIER }).addEndpoint('Endpoint');
    expect(() => low.autoScaleInferenceUnits({ minCapacity: 2, maxCapacity: 4 })).toThrow(/desiredInferenceUnits 1 is outside the auto scaling range 2-4/);
    Template.fromStack(stack).resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  test.each([
    [5, 1, 5],
    [1, 1, 3],
    [3, 1, 3],
  ])('desiredInferenceUnits %d within %d-%d: the scalable target is made', (units, minCapacity, maxCapacity) => {
    const stack = importerStack();
    const endpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER })
      .addEndpoint('Endpoint', { desiredInferenceUnits: units });

    expect(() => endpoint.autoScaleInferenceUnits({ minCapacity, maxCapacity })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: minCapacity, MaxCapacity: maxCapacity });
  });
});

describe('an endpoint kept while the copy it serves is deleted is a synth error', () => {
  const FIXES = 'Give the copy RemovalPolicy.RETAIN too';
  const LET_GO = 'or let the endpoint go with the stack (RemovalPolicy.DESTROY, the default)';

  test('a RETAIN endpoint on a DESTROY copy: the endpoint\'s path and policy, the copy\'s, what would happen, and the fixes', () => {
    const stack = importerStack();
    const endpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Live');
    endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN);

    expect(() => Template.fromStack(stack)).toThrow(
      '[Importer/Tickets/Live] the endpoint has DeletionPolicy Retain (RemovalPolicy.RETAIN), but the copy it serves, ' +
      'Importer/Tickets, has DeletionPolicy Delete (RemovalPolicy.DESTROY): when the stack is deleted (or both leave it), ' +
      'CloudFormation keeps the endpoint and deletes the copy, which Comprehend refuses while an endpoint uses it: the ' +
      `deletion fails (DELETE_FAILED). ${FIXES}, ${LET_GO}`,
    );
  });

  test.each<[string, (endpoint: ModelEndpoint) => void]>([
    ['RemovalPolicies.of()', endpoint => RemovalPolicies.of(endpoint).retain()],
    ['cfnOptions', endpoint => { (endpoint.node.defaultChild as CfnResource).cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN; }],
    ['RETAIN_ON_UPDATE_OR_DELETE', endpoint => endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)],
  ])('the endpoint retained through %s, on a DESTROY copy: refused the same way', (_, retain) => {
    const stack = importerStack();
    const endpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Live');
    retain(endpoint);

    expect(() => Template.fromStack(stack)).toThrow(/\[Importer\/Tickets\/Live\] the endpoint has DeletionPolicy Retain(ExceptOnCreate)? .* the copy it serves, Importer\/Tickets, has DeletionPolicy Delete .*DELETE_FAILED/);
  });

  test('a RETAIN endpoint on a RETAIN_ON_UPDATE_OR_DELETE copy: a rollback of their creation would delete the copy', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    model.addEndpoint('Live').applyRemovalPolicy(RemovalPolicy.RETAIN);

    expect(() => Template.fromStack(stack)).toThrow(
      '[Importer/Tickets/Live] the endpoint has DeletionPolicy Retain (RemovalPolicy.RETAIN), but the copy it serves, ' +
      'Importer/Tickets, has DeletionPolicy RetainExceptOnCreate (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE): if the stack ' +
      'operation that creates them rolls back, CloudFormation keeps the endpoint and deletes the copy, which Comprehend ' +
      'refuses while an endpoint uses it: the rollback fails (ROLLBACK_FAILED or UPDATE_ROLLBACK_FAILED). ' +
      `${FIXES}, or give the endpoint RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE like the copy, ${LET_GO}`,
    );
  });

  test('a copy of another stack of the app is read too', () => {
    const app = new App();
    const models = importerStack(app, 'Models');
    const serving = importerStack(app, 'Serving');
    const model = new ImportedComprehendModel(models, 'Tickets', { sourceModelArn: CLASSIFIER });
    new ModelEndpoint(serving, 'Live', { model }).applyRemovalPolicy(RemovalPolicy.RETAIN);

    expect(() => Template.fromStack(serving)).toThrow(/\[Serving\/Live\] the endpoint has DeletionPolicy Retain .* the copy it serves, Models\/Tickets, has DeletionPolicy Delete/);
  });

  // The DeletionPolicy each resource ends with; a copy's Delete is left out of the template (CloudFormation's default).
  test.each<[string, (model: ImportedComprehendModel, endpoint: ModelEndpoint) => void, string | undefined, string | undefined]>([
    ['RETAIN on both, the copy\'s set after the endpoint\'s', (model, endpoint) => {
      endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN);
      model.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }, 'Retain', 'Retain'],
    ['RETAIN on the whole stack (RemovalPolicies.of())', model => RemovalPolicies.of(Stack.of(model)).retain(), 'Retain', 'Retain'],
    ['RETAIN_ON_UPDATE_OR_DELETE on both', (model, endpoint) => {
      model.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    }, 'RetainExceptOnCreate', 'RetainExceptOnCreate'],
    ['a RETAIN_ON_UPDATE_OR_DELETE endpoint on a RETAIN copy', (model, endpoint) => {
      model.applyRemovalPolicy(RemovalPolicy.RETAIN);
      endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    }, 'Retain', 'RetainExceptOnCreate'],
    ['DESTROY on the endpoint, the copy retained', model => model.applyRemovalPolicy(RemovalPolicy.RETAIN), 'Retain', 'Delete'],
    ['DESTROY on both (the defaults)', () => undefined, undefined, 'Delete'],
  ])('%s: synthesizes', (_, apply, copyPolicy, endpointPolicy) => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
    const endpoint = model.addEndpoint('Live');
    apply(model, endpoint);
    const template = Template.fromStack(stack);

    template.hasResource('Custom::ComprehendImportedModel', { DeletionPolicy: copyPolicy ?? Match.absent() });
    template.hasResource('Custom::ComprehendModelEndpoint', { DeletionPolicy: endpointPolicy });
  });

  test('a RETAIN endpoint on a model referenced by ARN synthesizes: the model is not the app\'s to delete', () => {
    const stack = importerStack();
    const endpoint = ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', OWN_CLASSIFIER).addEndpoint('Live');
    endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN);

    Template.fromStack(stack).hasResource('Custom::ComprehendModelEndpoint', { DeletionPolicy: 'Retain' });
  });
});
