// The handler role's least privilege (issue 33, the security review's points 1-4): CreateEndpoint only on the models this
// stack may serve, UpdateEndpoint only on endpoints, the ownership tag out of the tag calls' reach, ImportModel only into
// the keys the app declares; the same lists in the functions' environment for the handlers; and each custom resource's
// ServiceTimeout. The statements are read from the template, and the refusals judged by test/support/iam-evaluator.ts
// on the statements with their pseudo parameters filled in.
import { App, CfnParameter, CfnResource, Duration, NestedStack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComprehendProvider, ImportedComprehendModel, ModelEndpoint, ModelType } from '../src';
import { IMPORTER, importerStack, REGION, SHARER, SOURCE_CLASSIFIER as SOURCE, SOURCE_RECOGNIZER as RECOGNIZER } from './support/fixtures';
import { evaluate, IamStatement } from './support/iam-evaluator';
import { MODEL_KEYS_ENV, SERVABLE_MODELS_ENV } from '../src/contract/declared-resources';
import { MAX_TIMEOUT_SECONDS, OWNER_TAG_KEY, QUERY_INTERVAL_SECONDS, STOP_GRACE_SECONDS } from '../src/contract/import-properties';
import { MAX_DECLARED_ENV_CHARACTERS, ModelProvider } from '../src/private/model-provider';

/** The GUID of the deployed stack instance, from its StackId. */
const STACK_GUID = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
/** `STACK_NAME/STACK_GUID/*`: the ownership tags of this stack instance's copies and endpoints. */
const OWNED = { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/', STACK_GUID, '/*']] };
const ARN = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:comprehend:${REGION}:${IMPORTER}:${resource}/*`]] });
const MODELS = [ARN('document-classifier'), ARN('entity-recognizer')];
const ENDPOINTS = [ARN('document-classifier-endpoint'), ARN('entity-recognizer-endpoint')];
/** A model of this account the stack did not import, served by ARN. */
const ELSEWHERE = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/trained-here/version/v7`;
const OTHER_ELSEWHERE = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/found-here/version/v2`;
const KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/1111aaaa-22bb-33cc-44dd-555566667777`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/8888aaaa-22bb-33cc-44dd-555566667777`;

/** The deployed stack instance the statements are evaluated in. */
const STACK_ID = `arn:aws:cloudformation:${REGION}:${IMPORTER}:stack/Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333`;
const OWN_TAG = 'Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333/Model1234ABCD';
const FOREIGN_TAG = 'Other/99999999-aaaa-bbbb-cccc-111122223333/Model1234ABCD';

/** The handler role's default policy statements (the role's one policy besides those of the roles the user brings). */
function handlerStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ComprehendProviderHandlerRole') }] },
  });
  return Object.entries(policies).filter(([id]) => id.startsWith('ComprehendProviderHandlerRoleDefaultPolicy'))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

/** The statements that allow `action`. */
function allowing(statements: any[], action: string): any[] {
  return statements.filter(s => [s.Action].flat().includes(action));
}

/** The provider functions' environment, by the export each runs. */
function environments(template: Template): Record<string, Record<string, unknown>> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^index\\.') } });
  return Object.fromEntries(Object.values(functions).map(fn => [fn.Properties.Handler, fn.Properties.Environment?.Variables ?? {}]));
}

/** The value of `name` in both functions' environment, which must agree. */
function declared(template: Template, name: string): unknown {
  const { 'index.onEvent': onEvent, 'index.isComplete': isComplete } = environments(template);
  expect(onEvent[name]).toEqual(isComplete[name]);
  return onEvent[name];
}

/**
 * The statements as IAM reads them in the deployed stack `STACK_ID`: pseudo parameters filled in, Fn::Join,
 * Fn::Select and Fn::Split evaluated; anything else (a resource's attribute) left as a name IAM never matches.
 */
function deployed(value: any): any {
  if (Array.isArray(value)) {
    return value.map(deployed);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws', 'AWS::StackName': 'Importer', 'AWS::StackId': STACK_ID, 'AWS::AccountId': IMPORTER, 'AWS::Region': REGION,
  };
  if (value.Ref !== undefined) {
    return pseudo[value.Ref] ?? `<${value.Ref}>`;
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return deployed(parts).join(separator);
  }
  if (value['Fn::Split']) {
    const [separator, text] = value['Fn::Split'];
    return String(deployed(text)).split(separator);
  }
  if (value['Fn::Select']) {
    const [index, items] = value['Fn::Select'];
    return deployed(items)[Number(index)];
  }
  if (value['Fn::GetAtt']) {
    return `<${value['Fn::GetAtt'].join('.')}>`;
  }
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, deployed(v)]));
}

/** IAM's decision on the handler role's default policy. */
function decide(template: Template, action: string, resource: string, context: Record<string, string[]> = {}) {
  return evaluate(deployed(handlerStatements(template)) as IamStatement[], action, resource, context);
}

describe('CreateEndpoint: only on the models this stack may serve', () => {
  test('its own copies by their ownership tag, the endpoint by the tag in the request; both kept as they were', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    const statements = allowing(handlerStatements(Template.fromStack(stack)), 'comprehend:CreateEndpoint');

    expect(statements).toEqual([
      { Action: 'comprehend:CreateEndpoint', Effect: 'Allow', Resource: ENDPOINTS, Condition: { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: OWNED } } },
      { Action: 'comprehend:CreateEndpoint', Effect: 'Allow', Resource: MODELS, Condition: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED } } },
    ]);
  });

  test('a model served by ARN: a statement of its own with exactly the ARNs of such models, each once', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    const elsewhere = ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', ELSEWHERE);
    elsewhere.addEndpoint('One');
    elsewhere.addEndpoint('Two');
    ImportedComprehendModel.fromModelAttributes(stack, 'Other', { modelArn: OTHER_ELSEWHERE }).addEndpoint('Three');
    const statements = allowing(handlerStatements(Template.fromStack(stack)), 'comprehend:CreateEndpoint');

    expect(statements).toHaveLength(3);
    expect(statements).toContainEqual({ Action: 'comprehend:CreateEndpoint', Effect: 'Allow', Resource: [ELSEWHERE, OTHER_ELSEWHERE] });
  });

  test('the same list, as a JSON array, in both functions\' environment; an empty one when the stack serves only its copies', () => {
    const own = importerStack();
    new ImportedComprehendModel(own, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    expect(declared(Template.fromStack(own), SERVABLE_MODELS_ENV)).toEqual('[]');

    const stack = importerStack();
    ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', ELSEWHERE).addEndpoint('One');
    ImportedComprehendModel.fromModelArn(stack, 'Other', OTHER_ELSEWHERE).addEndpoint('Two');
    expect(JSON.parse(declared(Template.fromStack(stack), SERVABLE_MODELS_ENV) as string)).toEqual([ELSEWHERE, OTHER_ELSEWHERE]);
  });

  test('a model ARN known at deploy time: the statement and the environment name it as a token', () => {
    const stack = importerStack();
    const arn = new CfnParameter(stack, 'ServedModelArn').valueAsString;
    ImportedComprehendModel.fromModelAttributes(stack, 'Served', { modelArn: arn, modelType: ModelType.ENTITY_RECOGNIZER }).addEndpoint('Live');
    const template = Template.fromStack(stack);

    expect(allowing(handlerStatements(template), 'comprehend:CreateEndpoint'))
      .toContainEqual({ Action: 'comprehend:CreateEndpoint', Effect: 'Allow', Resource: { Ref: 'ServedModelArn' } });
    expect(declared(template, SERVABLE_MODELS_ENV)).toEqual({ 'Fn::Join': ['', ['["', { Ref: 'ServedModelArn' }, '"]']] });
  });

  test('a copy of another stack is served by its ARN; a copy of this stack is not listed', () => {
    const app = new App();
    const importer = importerStack(app, 'Importer');
    const copy = new ImportedComprehendModel(importer, 'Copy', { sourceModelArn: SOURCE });
    copy.addEndpoint('Live');
    const server = importerStack(app, 'Server');
    new ModelEndpoint(server, 'Elsewhere', { model: copy });

    const own = Template.fromStack(importer);
    expect(allowing(handlerStatements(own), 'comprehend:CreateEndpoint').filter(s => !s.Condition)).toEqual([]);
    expect(declared(own, SERVABLE_MODELS_ENV)).toEqual('[]');
    const other = Template.fromStack(server);
    const imported = { 'Fn::ImportValue': Match.stringLikeRegexp('^Importer:') };
    expect(allowing(handlerStatements(other), 'comprehend:CreateEndpoint').filter(s => !s.Condition)).toHaveLength(1);
    other.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'comprehend:CreateEndpoint', Effect: 'Allow', Resource: imported }]) },
    });
  });

  test('a copy of this stack named by its ARN (fromModelAttributes(copy.modelArn)) is the copy: not listed, so no dependency cycle', () => {
    const stack = importerStack();
    const copy = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE });
    ImportedComprehendModel.fromModelAttributes(stack, 'Again', { modelArn: copy.modelArn, modelType: copy.modelType }).addEndpoint('Live');
    const template = Template.fromStack(stack);

    expect(allowing(handlerStatements(template), 'comprehend:CreateEndpoint').filter(s => !s.Condition)).toEqual([]);
    expect(declared(template, SERVABLE_MODELS_ENV)).toEqual('[]');
    // The copy waits for the provider's functions; nothing of the provider refers to the copy.
    const copyId = stack.getLogicalId(copy.node.defaultChild as CfnResource);
    const provider = Object.entries(template.toJSON().Resources).filter(([id]) => id.startsWith('ComprehendProvider'));
    expect(provider.length).toBeGreaterThan(0);
    expect(provider.filter(([, resource]) => JSON.stringify(resource).includes(`"${copyId}"`)).map(([id]) => id)).toEqual([]);
  });

  test('a copy of a nested stack, served by its parent, is not the parent\'s own: named by its ARN', () => {
    const parent = importerStack();
    const nested = new NestedStack(parent, 'Nested');
    const copy = new ImportedComprehendModel(nested, 'Copy', { sourceModelArn: SOURCE });
    new ModelEndpoint(parent, 'Live', { model: copy });
    const template = Template.fromStack(parent);
    const statements = allowing(handlerStatements(template), 'comprehend:CreateEndpoint').filter(s => !s.Condition);

    expect(statements).toHaveLength(1);
    // The nested stack's output of the copy's ModelArn attribute.
    expect(JSON.stringify(statements[0].Resource)).toMatch(/"Fn::GetAtt":\["Nested[^"]*","Outputs\.[^"]*ModelArn"\]/);
    expect(declared(template, SERVABLE_MODELS_ENV)).toEqual({ 'Fn::Join': ['', ['["', statements[0].Resource, '"]']] });
  });

  test('IAM refuses CreateEndpoint on a model neither of this stack nor named by the app, and the Delete needs no model', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', ELSEWHERE).addEndpoint('One');
    const template = Template.fromStack(stack);
    const endpoint = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/Live`;
    const request = { 'aws:RequestTag/cdk-comprehend-model-import:owner': [OWN_TAG], 'aws:TagKeys': [OWNER_TAG_KEY] };
    const copyArn = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/copy/version/v1`;
    const handMade = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/hand-made/version/v1`;

    expect(decide(template, 'comprehend:CreateEndpoint', endpoint, request)).toBe('ALLOW');
    expect(decide(template, 'comprehend:CreateEndpoint', copyArn, { ...request, 'aws:ResourceTag/cdk-comprehend-model-import:owner': [OWN_TAG] }))
      .toBe('ALLOW');
    expect(decide(template, 'comprehend:CreateEndpoint', ELSEWHERE, request)).toBe('ALLOW');
    // Another stack's copy, a model made by hand.
    expect(decide(template, 'comprehend:CreateEndpoint', copyArn, { ...request, 'aws:ResourceTag/cdk-comprehend-model-import:owner': [FOREIGN_TAG] }))
      .toBe('IMPLICIT_DENY');
    expect(decide(template, 'comprehend:CreateEndpoint', handMade, request)).toBe('IMPLICIT_DENY');
    // An endpoint without this stack's tag in the request.
    expect(decide(template, 'comprehend:CreateEndpoint', endpoint, {})).toBe('IMPLICIT_DENY');
    // DeleteEndpoint names the endpoint only (Service Authorization Reference): its own endpoint, whatever it serves.
    const own = { 'aws:ResourceTag/cdk-comprehend-model-import:owner': [OWN_TAG] };
    expect(decide(template, 'comprehend:DeleteEndpoint', endpoint, own)).toBe('ALLOW');
    expect(allowing(handlerStatements(template), 'comprehend:DeleteEndpoint').flatMap(s => [s.Resource].flat())).toEqual(ENDPOINTS);
  });

  test('an endpoint on a model served by ARN waits for the managed policy its statement moved to, when it moved', () => {
    const stack = importerStack();
    for (let i = 0; i < 150; i++) {
      new ImportedComprehendModel(stack, `Model${i}`, {
        sourceModelArn: `arn:aws:comprehend:${REGION}:${100_000_000_000 + i}:entity-recognizer/a-long-source-model-name-of-forty-chars-${i}/version/v1`,
      });
    }
    const endpoint = ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', ELSEWHERE).addEndpoint('Live');
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.entries<any>(template.Resources);
    const holder = resources.find(([, r]) => JSON.stringify(r.Properties?.PolicyDocument?.Statement ?? [])
      .includes(`{"Action":"comprehend:CreateEndpoint","Effect":"Allow","Resource":"${ELSEWHERE}"}`))!;
    const endpointId = stack.getLogicalId(endpoint.node.defaultChild as any);

    if (holder[1].Type === 'AWS::IAM::ManagedPolicy') {
      expect(template.Resources[endpointId].DependsOn).toContain(holder[0]);
    } else {
      // The inline policy is waited for through the provider's functions.
      expect(template.Resources[endpointId].DependsOn ?? []).not.toContain(holder[0]);
    }
  });

  test('an endpoint on its own copy waits for nothing but its provider', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', ELSEWHERE).addEndpoint('One');

    Template.fromStack(stack).allResources('Custom::ComprehendModelEndpoint', { DependsOn: Match.absent() });
  });
});

describe('UpdateEndpoint: only on endpoints', () => {
  test('UpdateEndpoint and DeleteEndpoint on this account\'s endpoints with this stack\'s ownership tag, never on a model', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    const statements = handlerStatements(Template.fromStack(stack));

    expect(allowing(statements, 'comprehend:UpdateEndpoint')).toEqual([{
      Action: ['comprehend:UpdateEndpoint', 'comprehend:DeleteEndpoint'],
      Effect: 'Allow',
      Resource: ENDPOINTS,
      Condition: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED } },
    }]);
    // The models' own changes, on models only.
    expect(allowing(statements, 'comprehend:DeleteDocumentClassifier')).toEqual([{
      Action: [
        'comprehend:DeleteDocumentClassifier',
        'comprehend:StopTrainingDocumentClassifier',
        'comprehend:DeleteEntityRecognizer',
        'comprehend:StopTrainingEntityRecognizer',
      ],
      Effect: 'Allow',
      Resource: MODELS,
      Condition: { StringLike: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED } },
    }]);
  });
});

describe('the ownership tag: protected by IAM', () => {
  const TAGGING = {
    Action: ['comprehend:TagResource', 'comprehend:UntagResource'],
    Effect: 'Allow',
    Resource: [MODELS[0], ENDPOINTS[0], MODELS[1], ENDPOINTS[1]],
    Condition: {
      'StringLike': { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: OWNED },
      'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': [OWNER_TAG_KEY] },
      'Null': { 'aws:TagKeys': 'false' },
    },
  };

  test('TagResource and UntagResource in a statement of their own: any key but the ownership tag\'s, keys named', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE });
    const statements = handlerStatements(Template.fromStack(stack));

    expect(allowing(statements, 'comprehend:TagResource')).toEqual([TAGGING]);
    expect(allowing(statements, 'comprehend:UntagResource')).toEqual([TAGGING]);
  });

  test('IAM refuses setting or removing the ownership tag, and a tag call without its keys, even on an own resource', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE });
    const template = Template.fromStack(stack);
    const copy = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/copy/version/v1`;
    const own = { 'aws:ResourceTag/cdk-comprehend-model-import:owner': [OWN_TAG] };

    // The user's tags: allowed.
    expect(decide(template, 'comprehend:TagResource', copy, { ...own, 'aws:TagKeys': ['team'], 'aws:RequestTag/team': ['nlp'] })).toBe('ALLOW');
    expect(decide(template, 'comprehend:UntagResource', copy, { ...own, 'aws:TagKeys': ['team'] })).toBe('ALLOW');
    // The ownership tag: rewritten to another stack's, rewritten to this stack's, removed, alone or with others.
    for (const value of [FOREIGN_TAG, OWN_TAG]) {
      expect(decide(template, 'comprehend:TagResource', copy, {
        ...own, 'aws:TagKeys': ['team', OWNER_TAG_KEY], [`aws:RequestTag/${OWNER_TAG_KEY}`]: [value], 'aws:RequestTag/team': ['nlp'],
      })).toBe('IMPLICIT_DENY');
    }
    expect(decide(template, 'comprehend:UntagResource', copy, { ...own, 'aws:TagKeys': [OWNER_TAG_KEY] })).toBe('IMPLICIT_DENY');
    expect(decide(template, 'comprehend:UntagResource', copy, { ...own, 'aws:TagKeys': ['team', OWNER_TAG_KEY] })).toBe('IMPLICIT_DENY');
    // A request that names no keys satisfies ForAllValues vacuously: Null refuses it.
    expect(decide(template, 'comprehend:UntagResource', copy, own)).toBe('IMPLICIT_DENY');
    // Another stack's resource: refused whatever the keys.
    expect(decide(template, 'comprehend:UntagResource', copy, {
      'aws:ResourceTag/cdk-comprehend-model-import:owner': [FOREIGN_TAG], 'aws:TagKeys': ['team'],
    })).toBe('IMPLICIT_DENY');
  });
});

describe('ImportModel names its key', () => {
  const OWNED_REQUEST = { StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: OWNED } };

  test('imports without modelKey: only with no key in the request (Null); the list of keys is empty', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE });
    const template = Template.fromStack(stack);

    expect(allowing(handlerStatements(template), 'comprehend:ImportModel')).toEqual([{
      Action: 'comprehend:ImportModel',
      Effect: 'Allow',
      Resource: `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/*`,
      Condition: { ...OWNED_REQUEST, Null: { 'comprehend:ModelKmsKey': 'true' } },
    }]);
    expect(declared(template, MODEL_KEYS_ENV)).toEqual('[]');
  });

  test('imports with modelKey: only into the declared keys (ArnEquals), each once; a source imported both ways is in both', () => {
    const stack = importerStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', KEY);
    const otherKey = new kms.Key(stack, 'OtherKey');
    new ImportedComprehendModel(stack, 'Plain', { sourceModelArn: SOURCE });
    new ImportedComprehendModel(stack, 'Keyed', { sourceModelArn: SOURCE, modelKey: key });
    new ImportedComprehendModel(stack, 'AlsoKeyed', { sourceModelArn: RECOGNIZER, modelKey: key });
    new ImportedComprehendModel(stack, 'OtherKeyed', { sourceModelArn: RECOGNIZER, modelKey: otherKey });
    const template = Template.fromStack(stack);
    const keys = [KEY, { 'Fn::GetAtt': [Match.stringLikeRegexp('^OtherKey'), 'Arn'] }];

    expect(allowing(handlerStatements(template), 'comprehend:ImportModel')).toHaveLength(2);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'comprehend:ImportModel',
          Effect: 'Allow',
          Resource: `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/*`,
          Condition: { ...OWNED_REQUEST, Null: { 'comprehend:ModelKmsKey': 'true' } },
        }, {
          Action: 'comprehend:ImportModel',
          Effect: 'Allow',
          Resource: [`arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/*`, `arn:aws:comprehend:${REGION}:${SHARER}:entity-recognizer/*`],
          Condition: { ...OWNED_REQUEST, ArnEquals: { 'comprehend:ModelKmsKey': keys } },
        }]),
      },
    });
    const otherKeyId = stack.getLogicalId(otherKey.node.defaultChild as CfnResource);
    expect(declared(template, MODEL_KEYS_ENV)).toEqual({ 'Fn::Join': ['', [`["${KEY}","`, { 'Fn::GetAtt': [otherKeyId, 'Arn'] }, '"]']] });
  });

  test('IAM refuses an undeclared key, a key where none is declared, and no key where only keys are', () => {
    const app = new App();
    const keyed = importerStack(app, 'Keyed');
    new ImportedComprehendModel(keyed, 'Copy', { sourceModelArn: SOURCE, modelKey: kms.Key.fromKeyArn(keyed, 'Key', KEY) });
    const plain = importerStack(app, 'Plain');
    new ImportedComprehendModel(plain, 'Copy', { sourceModelArn: SOURCE });
    const request = { [`aws:RequestTag/${OWNER_TAG_KEY}`]: ['Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333/Copy'], 'aws:TagKeys': [OWNER_TAG_KEY] };
    const keyedTemplate = Template.fromStack(keyed);
    const plainTemplate = Template.fromStack(plain);

    expect(decide(keyedTemplate, 'comprehend:ImportModel', SOURCE, { ...request, 'comprehend:ModelKmsKey': [KEY] })).toBe('ALLOW');
    expect(decide(keyedTemplate, 'comprehend:ImportModel', SOURCE, { ...request, 'comprehend:ModelKmsKey': [OTHER_KEY] })).toBe('IMPLICIT_DENY');
    expect(decide(keyedTemplate, 'comprehend:ImportModel', SOURCE, request)).toBe('IMPLICIT_DENY');
    expect(decide(plainTemplate, 'comprehend:ImportModel', SOURCE, request)).toBe('ALLOW');
    expect(decide(plainTemplate, 'comprehend:ImportModel', SOURCE, { ...request, 'comprehend:ModelKmsKey': [KEY] })).toBe('IMPLICIT_DENY');
  });

  test('each kind keeps its statements of at most 40 sources, and each import waits for the policy its statement is in', () => {
    const stack = importerStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', KEY);
    for (let i = 0; i < 90; i++) {
      new ImportedComprehendModel(stack, `Model${i}`, {
        sourceModelArn: `arn:aws:comprehend:${REGION}:${100_000_000_000 + i}:entity-recognizer/a-long-source-model-name-of-forty-chars-${i}/version/v1`,
        modelKey: i % 2 === 0 ? key : undefined,
      });
    }
    const template = Template.fromStack(stack).toJSON();
    const documents = Object.entries<any>(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      .filter(([, r]) => JSON.stringify(r.Properties.Roles ?? []).includes('ComprehendProviderHandlerRole'));
    const imports = documents.flatMap(([id, r]) => r.Properties.PolicyDocument.Statement
      .filter((s: any) => s.Action === 'comprehend:ImportModel').map((s: any) => ({ id, type: r.Type, statement: s })));
    const sizes = (kind: string) => imports.filter(i => kind in i.statement.Condition).map(i => [i.statement.Resource].flat().length).sort();

    expect(sizes('Null')).toEqual([40, 5]);
    expect(sizes('ArnEquals')).toEqual([40, 5]);
    // Every import depends on the managed policy that holds its source, if one does; keyed imports in keyed statements.
    const importsOf = (account: string) => Object.values<any>(template.Resources)
      .filter(r => r.Type === 'Custom::ComprehendImportedModel' && r.Properties.SourceModelArn.includes(`:${account}:`));
    const moved = imports.filter(i => i.type === 'AWS::IAM::ManagedPolicy');
    expect(moved.length).toBeGreaterThan(0);
    for (const { id, statement } of moved) {
      for (const source of [statement.Resource].flat()) {
        const account = /:(\d{12}):/.exec(source)![1];
        const [copy] = importsOf(account);
        expect('ModelKmsKeyId' in copy.Properties).toBe('ArnEquals' in statement.Condition);
        expect(copy.DependsOn).toContain(id);
      }
    }
  });
});

describe('what fits in the functions\' environment', () => {
  const longName = (i: number) => `a-model-served-by-arn-with-a-long-name-${String(i).padStart(4, '0')}-${'x'.repeat(18)}`;

  test(`the models served by ARN and the keys take at most ${MAX_DECLARED_ENV_CHARACTERS} characters: past it, synth names them`, () => {
    const fits = importerStack();
    const over = importerStack();
    for (const [stack, count] of [[fits, 20], [over, 30]] as const) {
      for (let i = 0; i < count; i++) {
        ImportedComprehendModel.fromModelArn(stack, `Served${i}`, `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${longName(i)}/version/v1`)
          .addEndpoint('Live');
      }
    }

    const env = declared(Template.fromStack(fits), SERVABLE_MODELS_ENV) as string;
    expect(JSON.parse(env)).toHaveLength(20);
    expect(() => Template.fromStack(over)).toThrow(new RegExp(
      'Importer/ComprehendProvider\\] the endpoints of this stack serve 30 models that are not its own copies, and its imports ' +
      'encrypt their copies with 0 keys \\(modelKey\\): their ARNs take up to \\d+ characters of the provider functions\' ' +
      `environment \\(SERVABLE_MODEL_ARNS, MODEL_KMS_KEY_ARNS\\); expected at most ${MAX_DECLARED_ENV_CHARACTERS} .*` +
      `Models: arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${longName(0)}/version/v1 \\(Importer/Served0/Live\\)`));
  });

  test('an ARN known at deploy time counts at its longest: 14 fit, 15 do not', () => {
    const served = (count: number) => {
      const stack = importerStack();
      for (let i = 0; i < count; i++) {
        const arn = new CfnParameter(stack, `Arn${i}`).valueAsString;
        ImportedComprehendModel.fromModelAttributes(stack, `Served${i}`, { modelArn: arn, modelType: ModelType.DOCUMENT_CLASSIFIER }).addEndpoint('Live');
      }
      return () => Template.fromStack(stack);
    };

    expect(served(14)).not.toThrow();
    expect(served(15)).toThrow(/serve 15 models that are not its own copies.*Models: an ARN known at deploy time \(Importer\/Served0\/Live\)/);
  });

  test('keys count with the models', () => {
    const stack = importerStack();
    for (let i = 0; i < 18; i++) {
      ImportedComprehendModel.fromModelArn(stack, `Served${i}`, `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${longName(i)}/version/v1`)
        .addEndpoint('Live');
    }
    const declaredKeys = (count: number) => {
      for (let i = 0; i < count; i++) {
        new ImportedComprehendModel(stack, `Copy${i}`, { sourceModelArn: SOURCE, modelKey: new kms.Key(stack, `Key${i}`) });
      }
    };
    declaredKeys(12);

    expect(() => Template.fromStack(stack)).toThrow(/serve 18 models that are not its own copies, and its imports encrypt their copies with 12 keys/);
  });
});

describe('ServiceTimeout: each custom resource\'s own bound', () => {
  /** The ServiceTimeout of each resource of `type`, as rendered. */
  function serviceTimeouts(template: Template, type: string): Array<string | undefined> {
    return Object.values(template.findResources(type)).map(r => r.Properties.ServiceTimeout);
  }

  test('with the default functions\' timeout (5 minutes), every bound reaches CloudFormation\'s hour, written as such', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Quick', { sourceModelArn: SOURCE, timeout: Duration.minutes(5) }).addEndpoint('Live');
    new ImportedComprehendModel(stack, 'Default', { sourceModelArn: RECOGNIZER });
    const template = Template.fromStack(stack);

    expect(serviceTimeouts(template, 'Custom::ComprehendImportedModel')).toEqual(['3600', '3600']);
    expect(serviceTimeouts(template, 'Custom::ComprehendModelEndpoint')).toEqual(['3600']);
  });

  test('with a one-minute functions\' timeout: still the hour, since each bound is an upper bound of the whole request', () => {
    const stack = importerStack();
    ComprehendProvider.configure(stack, { timeout: Duration.minutes(1) });
    new ImportedComprehendModel(stack, 'Quick', { sourceModelArn: SOURCE, timeout: Duration.minutes(5) }).addEndpoint('Live');
    const template = Template.fromStack(stack);
    // onEvent's work before the deadline starts and the isComplete invocation after it (a minute each), two polls, and
    // the framework's 7 minutes (delivery, a function waited for until active, the answer's PUT).
    const aroundTheWait = 2 * 60 + 2 * QUERY_INTERVAL_SECONDS + 7 * 60;

    // An endpoint: MAX_TIMEOUT_SECONDS from onEvent, for every request; an import of 5 minutes: its Delete may wait
    // MAX_TIMEOUT_SECONDS for a copy still importing (a cancelled create). Both past the hour, capped at it.
    expect(MAX_TIMEOUT_SECONDS + aroundTheWait).toBeGreaterThan(3600);
    expect(serviceTimeouts(template, 'Custom::ComprehendModelEndpoint')).toEqual(['3600']);
    expect(serviceTimeouts(template, 'Custom::ComprehendImportedModel')).toEqual(['3600']);
    expect(55 * 60 + STOP_GRACE_SECONDS).toBeGreaterThan(MAX_TIMEOUT_SECONDS);
  });

  test('the bound under the hour, as a shorter wait of the handlers would give it: the wait and everything around it', () => {
    const stack = importerStack();
    ComprehendProvider.configure(stack, { timeout: Duration.minutes(1) });
    const provider = ModelProvider.of(stack);

    expect(provider.serviceTimeout(600).toSeconds()).toEqual(600 + 2 * 60 + 2 * QUERY_INTERVAL_SECONDS + 7 * 60);
    expect(provider.serviceTimeout(3600).toSeconds()).toEqual(3600);
  });

  test('a functions\' timeout known only at deploy time counts at the settings\' longest (14 minutes): the hour', () => {
    const stack = importerStack();
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' });
    ComprehendProvider.configure(stack, { timeout: Duration.seconds(seconds.valueAsNumber) });
    new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE }).addEndpoint('Live');
    const template = Template.fromStack(stack);

    expect(serviceTimeouts(template, 'Custom::ComprehendImportedModel')).toEqual(['3600']);
    expect(serviceTimeouts(template, 'Custom::ComprehendModelEndpoint')).toEqual(['3600']);
  });
});
