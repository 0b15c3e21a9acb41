import { App, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImportedComprehendModel, ModelEndpointOptions } from '../src';

const CLASSIFIER = 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1';
const RECOGNIZER = 'arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/products/version/v3';
const OWN_CLASSIFIER = 'arn:aws:comprehend:us-west-2:444455556666:document-classifier/local/version/v2';

function importerStack(app = new App()): Stack {
  return new Stack(app, 'Importer', { env: { account: '444455556666', region: 'us-west-2' } });
}

function reader(stack: Stack): iam.Role {
  return new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
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

    template.resourceCountIs('AWS::Comprehend::EntityRecognizerEndpoint', 0);
    template.hasResourceProperties('AWS::Comprehend::DocumentClassifierEndpoint', {
      // A reference to the copy's ModelArn: CloudFormation orders create and delete by it.
      ModelArn: { 'Fn::GetAtt': [stack.getLogicalId(model.node.defaultChild as any), 'ModelArn'] },
      DesiredInferenceUnits: 2,
      EndpointName: 'tickets-live',
    });
    expect(endpoint.endpointName).toBe('tickets-live');
    expect(stack.resolve(endpoint.endpointArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(endpoint.node.defaultChild as any), 'Arn'] });
  });

  test('an entity recognizer gets an entity recognizer endpoint, with one inference unit and a unique name by default', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Products', { sourceModelArn: RECOGNIZER });
    const endpoint = model.addEndpoint('Endpoint');
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Comprehend::DocumentClassifierEndpoint', 0);
    template.hasResourceProperties('AWS::Comprehend::EntityRecognizerEndpoint', { DesiredInferenceUnits: 1, EndpointName: endpoint.endpointName });
    expect(endpoint.endpointName.length).toBeLessThanOrEqual(40);
    expect(endpoint.endpointName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
  });

  test('a model referenced by ARN serves an endpoint too', () => {
    const stack = importerStack();
    const model = ImportedComprehendModel.fromModelArn(stack, 'Local', OWN_CLASSIFIER);
    const endpoint = model.addEndpoint('Endpoint');
    endpoint.grantClassify(reader(stack));
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Comprehend::DocumentClassifierEndpoint', { ModelArn: OWN_CLASSIFIER });
    expect(readerStatements(template)).toEqual([expect.objectContaining({ Action: 'comprehend:ClassifyDocument' })]);
  });

  test('Tags.of() reaches the endpoint and the copy, beside the endpoint\'s own tags', () => {
    const app = new App();
    const stack = importerStack(app);
    new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('Endpoint', { tags: { tier: 'gold' } });
    Tags.of(app).add('cost-center', '42');
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Comprehend::DocumentClassifierEndpoint', {
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
});

describe('grants', () => {
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
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(endpoint.node.defaultChild as any), 'Arn'] },
    }]);
  });

  test('the grant for the other model type is a clear synth error', () => {
    const stack = importerStack();
    const classifierEndpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER }).addEndpoint('A');
    const recognizerEndpoint = new ImportedComprehendModel(stack, 'Products', { sourceModelArn: RECOGNIZER }).addEndpoint('B');

    expect(() => classifierEndpoint.grantDetectEntities(reader(stack)))
      .toThrow('comprehend:DetectEntities needs an endpoint of a entity-recognizer, but this endpoint serves a document-classifier; use grantClassify()');
    expect(() => recognizerEndpoint.grantClassify(new iam.User(stack, 'U')))
      .toThrow('comprehend:ClassifyDocument needs an endpoint of a document-classifier, but this endpoint serves a entity-recognizer; use grantDetectEntities()');
  });

  test('grantStartJobs and grantDescribe on a classifier copy', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: CLASSIFIER });
    const role = reader(stack);
    model.grantStartJobs(role);
    model.grantDescribe(role);
    const copyArn = { 'Fn::GetAtt': [stack.getLogicalId(model.node.defaultChild as any), 'ModelArn'] };

    expect(readerStatements(Template.fromStack(stack))).toEqual([
      {
        Action: 'comprehend:StartDocumentClassificationJob',
        Effect: 'Allow',
        Resource: [copyArn, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':comprehend:us-west-2:444455556666:document-classification-job/*']] }],
      },
      { Action: 'comprehend:DescribeDocumentClassifier', Effect: 'Allow', Resource: copyArn },
    ]);
  });

  test('grantStartJobs and grantDescribe on a recognizer referenced by ARN', () => {
    const stack = importerStack();
    const arn = 'arn:aws:comprehend:us-west-2:444455556666:entity-recognizer/local/version/v1';
    const model = ImportedComprehendModel.fromModelArn(stack, 'Local', arn);
    const role = reader(stack);
    model.grantStartJobs(role);
    model.grantDescribe(role);

    expect(readerStatements(Template.fromStack(stack))).toEqual([
      {
        Action: 'comprehend:StartEntitiesDetectionJob',
        Effect: 'Allow',
        Resource: [arn, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':comprehend:us-west-2:444455556666:entities-detection-job/*']] }],
      },
      { Action: 'comprehend:DescribeEntityRecognizer', Effect: 'Allow', Resource: arn },
    ]);
  });
});
