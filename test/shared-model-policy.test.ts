import { App, CfnParameter, Annotations as ConstructAnnotations, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComprehendProvider, SharedModelPolicy, SharedModelPolicyProps } from '../src';
import { IMPORTER, SHARER, sharerStack, SOURCE_CLASSIFIER as MODEL } from './support/fixtures';
import { synchronousServiceTimeout } from '../src/private/framework';

/** Renders a CloudFormation string built with Fn::Join and the partition, as CloudFormation would in aws. */
function render(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value.Ref === 'AWS::Partition') {
    return 'aws';
  }
  if (value['Fn::Join']) {
    return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  }
  if (value['Fn::GetAtt']) {
    return `<${value['Fn::GetAtt'].join('.')}>`;
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The handler role's Comprehend statements, each with the logical id of the policy that holds it. */
function comprehendPermissions(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ComprehendModelPolicyProviderHandlerRole') }] },
  });
  return Object.entries(policies).flatMap(([id, policy]) => policy.Properties.PolicyDocument.Statement
    .filter((s: any) => String(s.Action).includes('comprehend'))
    .map((s: any) => ({ id, ...s })));
}

function classifier(stack: Stack, props: Partial<comprehend.CfnDocumentClassifierProps> = {}) {
  return new comprehend.CfnDocumentClassifier(stack, 'Classifier', {
    documentClassifierName: 'tickets',
    versionName: 'v1',
    dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
    languageCode: 'en',
    inputDataConfig: { s3Uri: 's3://training-data/tickets.csv' },
    ...props,
  });
}

describe('a model of another stack, by ARN', () => {
  test('the policy is put on the model by a custom resource, with the importers as principals', () => {
    const stack = sharerStack();
    const role = iam.Role.fromRoleArn(stack, 'Reader', `arn:aws:iam::${IMPORTER}:role/importer`);
    const share = new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER], importerPrincipals: [role] });
    const template = Template.fromStack(stack);

    const expected = {
      Version: '2012-10-17',
      Statement: [{
        Action: 'comprehend:ImportModel',
        Effect: 'Allow',
        Resource: '*',
        Principal: { AWS: [`arn:aws:iam::${IMPORTER}:root`, `arn:aws:iam::${IMPORTER}:role/importer`] },
      }],
    };
    expect(stack.resolve(share.resourcePolicy.toJSON())).toEqual(expected);
    const [resource] = Object.values(template.findResources('Custom::ComprehendModelPolicy'));
    expect(resource.Properties.ModelArn).toEqual(MODEL);
    expect(JSON.parse(render(resource.Properties.ResourcePolicy))).toEqual(expected);
    expect(share.keyPolicyStatements).toEqual([]);
  });

  test('the handler may put, describe and delete the policies of that model\'s versions only, by a policy of the model\'s own', () => {
    const stack = sharerStack();
    new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER] });
    const template = Template.fromStack(stack);

    const permissions = comprehendPermissions(template);
    expect(permissions).toEqual([{
      id: expect.stringMatching(/^ComprehendModelPolicyProviderPermission[0-9a-f]{8}/),
      Action: ['comprehend:PutResourcePolicy', 'comprehend:DescribeResourcePolicy', 'comprehend:DeleteResourcePolicy'],
      Effect: 'Allow',
      Resource: [MODEL.replace('/version/v1', ''), MODEL.replace('/v1', '/*')],
    }]);
    // The share is written after its permission and removed before it: CloudFormation deletes dependents first.
    const [share] = Object.values(template.findResources('Custom::ComprehendModelPolicy'));
    expect(share.DependsOn).toContain(permissions[0].id);
  });

  test('a share moved to another version keeps its permission unchanged; one moved to another model gets a new one', () => {
    const permissionsOf = (modelArn: string) => {
      const stack = sharerStack();
      new SharedModelPolicy(stack, 'Share', { modelArn, importerAccounts: [IMPORTER] });
      return comprehendPermissions(Template.fromStack(stack));
    };
    const v1 = permissionsOf(MODEL);

    // So the v1 statement's Delete, sent in the cleanup phase, still has its permission.
    expect(permissionsOf(MODEL.replace('/v1', '/v2'))).toEqual(v1);
    expect(permissionsOf(MODEL.replace('tickets', 'invoices'))[0].id).not.toEqual(v1[0].id);
  });

  test('a model ARN known only at deploy time: the permission covers the versions of the model it names', () => {
    const stack = sharerStack();
    const arn = new CfnParameter(stack, 'ModelArn').valueAsString;
    new SharedModelPolicy(stack, 'Share', { modelArn: arn, importerAccounts: [IMPORTER] });

    const model = { 'Fn::Select': [0, { 'Fn::Split': ['/version/', { Ref: 'ModelArn' }] }] };
    expect(comprehendPermissions(Template.fromStack(stack))[0].Resource).toEqual([model, { 'Fn::Join': ['', [model, '/version/*']] }]);
  });

  test('shares of versions of one model share one permission; more than 20 models in one stack are refused', () => {
    const stack = sharerStack();
    for (const version of ['v1', 'v2', 'v3']) {
      new SharedModelPolicy(stack, `Share${version}`, { modelArn: MODEL.replace('/v1', `/${version}`), importerAccounts: [IMPORTER] });
    }
    expect(comprehendPermissions(Template.fromStack(stack))).toHaveLength(1);

    const crowded = sharerStack();
    for (let i = 0; i < 21; i++) {
      new SharedModelPolicy(crowded, `Share${i}`, { modelArn: MODEL.replace('tickets', `model-${i}`), importerAccounts: [IMPORTER] });
    }
    expect(() => Template.fromStack(crowded)).toThrow(/share 21 models outside the stack .*expected at most 20/);
  });

  test('the key statements are exposed for a key managed elsewhere, conditioned on this model', () => {
    const stack = sharerStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:us-west-2:${SHARER}:key/abcd`);
    const share = new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER], modelKey: key });

    expect(share.keyPolicyStatements.map(s => stack.resolve(s.toStatementJson()))).toEqual([
      {
        Sid: 'ComprehendImportDecryptSharerShare8D6A2C34',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': MODEL } },
      },
      {
        Sid: 'ComprehendImportCreateGrantSharerShare8D6A2C34',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:comprehend:arn': MODEL } },
      },
    ]);
  });
});

describe('a modelKey whose key policy the construct does not change gets an acknowledgeable warning', () => {
  const KEY = `arn:aws:kms:us-west-2:${SHARER}:key/abcd`;
  const ACK = '[ack: cdk-comprehend-model-import:importedModelKey]';

  test('a key imported by ARN: the warning names the key, keyPolicyStatements, the model and what to do', () => {
    const stack = sharerStack();
    new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(stack, 'Key', KEY) });

    Annotations.fromStack(stack).hasWarning('/Sharer/Share',
      `modelKey "${KEY}" is a key imported by reference, whose key policy SharedModelPolicy does not change: add the statements ` +
      'of this construct\'s keyPolicyStatements (kms:Decrypt and kms:GenerateDataKey conditioned on aws:SourceArn, ' +
      `kms:CreateGrant conditioned on kms:EncryptionContext:aws:comprehend:arn, both = ${MODEL}) to that key's policy where the ` +
      'key is managed, or the importers\' ImportModel fails; then acknowledge this warning: ' +
      `Annotations.of(scope).acknowledgeWarning('cdk-comprehend-model-import:importedModelKey') ${ACK}`);
  });

  test('a key of another stack, and a key imported from a token, are named by their paths', () => {
    const app = new App();
    const stack = sharerStack(app);
    const keys = sharerStack(app, 'Keys');
    new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER], modelKey: new kms.Key(keys, 'Key') });
    const tokenKey = kms.Key.fromKeyArn(stack, 'TokenKey', Fn.importValue('SharerKeyArn'));
    new SharedModelPolicy(stack, 'ShareV2', { modelArn: MODEL.replace('v1', 'v2'), importerAccounts: [IMPORTER], modelKey: tokenKey });

    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Sharer/Share', Match.stringLikeRegexp('^modelKey \\(Keys/Key\\) is a key of another stack \\(Keys\\), whose key policy .*keyPolicyStatements'));
    annotations.hasWarning('/Sharer/ShareV2', Match.stringLikeRegexp('^modelKey \\(Sharer/TokenKey\\) is a key imported by reference, .*keyPolicyStatements.*version/v2\\)'));
  });

  test('acknowledged, it is gone; a key of this stack, or no key, gives no warning', () => {
    const stack = sharerStack();
    const share = new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(stack, 'Key', KEY) });
    ConstructAnnotations.of(share).acknowledgeWarning('cdk-comprehend-model-import:importedModelKey');
    new SharedModelPolicy(stack, 'Own', { modelArn: MODEL.replace('v1', 'v2'), importerAccounts: [IMPORTER], modelKey: new kms.Key(stack, 'OwnKey') });
    new SharedModelPolicy(stack, 'NoKey', { modelArn: MODEL.replace('v1', 'v3'), importerAccounts: [IMPORTER] });

    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('ServiceTimeout: the latest a share\'s answer can come, not CloudFormation\'s hour', () => {
  /** The ServiceTimeout of every share's custom resource, and the timeout of the handler they run through. */
  function timeouts(stack: Stack) {
    const template = Template.fromStack(stack);
    const shares = Object.values(template.findResources('Custom::ComprehendModelPolicy'));
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } }));
    return { serviceTimeouts: shares.map(share => share.Properties.ServiceTimeout), handlerTimeout: handler.Properties.Timeout };
  }

  test('by default: the handler\'s 2 minutes, 6 for the framework around it, 1 for the delivery: 9 minutes', () => {
    const stack = sharerStack();
    new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER] });
    new SharedModelPolicy(stack, 'Other', { modelArn: MODEL.replace('tickets', 'invoices'), importerAccounts: [IMPORTER] });

    expect(timeouts(stack)).toEqual({ serviceTimeouts: ['540', '540'], handlerTimeout: 120 });
  });

  test('an entity recognizer of the stack, shared through the handler, gets it too', () => {
    const stack = sharerStack();
    const recognizer = new comprehend.CfnEntityRecognizer(stack, 'Recognizer', {
      recognizerName: 'products',
      dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
      languageCode: 'en',
      inputDataConfig: { entityTypes: [{ type: 'PRODUCT' }], documents: { s3Uri: 's3://training-data/docs' } },
    });
    new SharedModelPolicy(stack, 'Share', { entityRecognizer: recognizer, importerAccounts: [IMPORTER] });

    expect(timeouts(stack).serviceTimeouts).toEqual(['540']);
  });

  test.each([
    [Duration.minutes(1), '480'],
    [Duration.minutes(5), '720'],
    // The framework's function runs 15 minutes at most: an answer cannot come later than that, plus the delivery.
    [Duration.minutes(9), '960'],
    [Duration.minutes(14), '960'],
  ])('with the handler timeout %s of ComprehendProvider.configure(): %s seconds', (timeout, expected) => {
    const stack = sharerStack();
    ComprehendProvider.configure(stack, { timeout });
    new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER] });

    expect(timeouts(stack)).toEqual({ serviceTimeouts: [expected], handlerTimeout: timeout.toSeconds() });
  });

  test('a handler timeout known only at deploy time: the framework\'s bound, 16 minutes', () => {
    const stack = sharerStack();
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' });
    ComprehendProvider.configure(stack, { timeout: Duration.seconds(seconds.valueAsNumber) });
    new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER] });

    expect(timeouts(stack).serviceTimeouts).toEqual(['960']);
    expect(synchronousServiceTimeout(undefined).toSeconds()).toBe(960);
  });
});

describe('a model of this stack', () => {
  test('the policy becomes the classifier\'s ModelPolicy; no custom resource', () => {
    const stack = sharerStack();
    const model = classifier(stack);
    const share = new SharedModelPolicy(stack, 'Share', { documentClassifier: model, importerAccounts: [IMPORTER] });
    const template = Template.fromStack(stack);

    const [resource] = Object.values(template.findResources('AWS::Comprehend::DocumentClassifier'));
    expect(JSON.parse(render(resource.Properties.ModelPolicy))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'comprehend:ImportModel', Effect: 'Allow', Resource: '*', Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` } }],
    });
    template.resourceCountIs('Custom::ComprehendModelPolicy', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(render(stack.resolve(share.modelArn))).toEqual(MODEL);
  });

  test('an entity recognizer of the stack gets its policy through the handler, never as its create-only ModelPolicy', () => {
    const stack = sharerStack();
    const recognizer = new comprehend.CfnEntityRecognizer(stack, 'Recognizer', {
      recognizerName: 'products',
      versionName: 'v3',
      dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
      languageCode: 'en',
      inputDataConfig: { entityTypes: [{ type: 'PRODUCT' }], documents: { s3Uri: 's3://training-data/docs' }, annotations: { s3Uri: 's3://training-data/annotations' } },
    });
    new SharedModelPolicy(stack, 'Share', { entityRecognizer: recognizer, importerAccounts: [IMPORTER] });
    const template = Template.fromStack(stack);

    const [model] = Object.values(template.findResources('AWS::Comprehend::EntityRecognizer'));
    expect(model.Properties.ModelPolicy).toBeUndefined();
    const [share] = Object.values(template.findResources('Custom::ComprehendModelPolicy'));
    const recognizerArn = `arn:aws:comprehend:us-west-2:${SHARER}:entity-recognizer/products/version/v3`;
    expect(render(share.Properties.ModelArn)).toEqual(recognizerArn);
    expect(JSON.parse(render(share.Properties.ResourcePolicy)).Statement).toEqual([
      { Action: 'comprehend:ImportModel', Effect: 'Allow', Resource: '*', Principal: { AWS: `arn:aws:iam::${IMPORTER}:root` } },
    ]);
    // Written once the recognizer exists.
    expect(share.DependsOn).toContain(stack.getLogicalId(recognizer));
  });

  test('a key of this stack gets the statements in its key policy', () => {
    const stack = sharerStack();
    const key = new kms.Key(stack, 'ModelKey');
    // The classifier names the key and the key policy names the classifier: no dependency cycle.
    const model = classifier(stack, { modelKmsKeyId: key.keyArn });
    new SharedModelPolicy(stack, 'Share', { documentClassifier: model, importerAccounts: [IMPORTER], modelKey: key });
    const template = Template.fromStack(stack);
    // The partition is a reference, or with @aws-cdk/core:enablePartitionLiterals written out (test/partition-literals.test.ts).
    const importerRoot = stack.resolve(`arn:${stack.partition}:iam::${IMPORTER}:root`);
    const modelArn = stack.resolve(`arn:${stack.partition}:comprehend:us-west-2:${SHARER}:document-classifier/tickets/version/v1`);

    const [keyResource] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = keyResource.Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Sid: expect.stringMatching(/^ComprehendImportDecryptSharerShare/),
      Effect: 'Allow',
      Principal: { AWS: importerRoot },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': modelArn } },
    });
    expect(statements).toContainEqual({
      Sid: expect.stringMatching(/^ComprehendImportCreateGrantSharerShare/),
      Effect: 'Allow',
      Principal: { AWS: importerRoot },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:comprehend:arn': modelArn } },
    });
  });
});

test('two shares on one key give its policy statements with Sids of their own', () => {
  const stack = sharerStack();
  const key = new kms.Key(stack, 'ModelKey');
  new SharedModelPolicy(stack, 'ShareV1', { modelArn: MODEL, importerAccounts: [IMPORTER], modelKey: key });
  new SharedModelPolicy(stack, 'ShareV2', { modelArn: MODEL.replace('/v1', '/v2'), importerAccounts: [IMPORTER], modelKey: key });

  const [keyResource] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  const sids = keyResource.Properties.KeyPolicy.Statement.map((s: any) => s.Sid).filter((sid: any) => sid !== undefined);
  expect(sids.filter((sid: string) => sid.startsWith('ComprehendImport'))).toHaveLength(4);
  expect(new Set(sids).size).toBe(sids.length);
});

describe('bad input is refused with the prop, the value and the expected form', () => {
  test.each<[string, Partial<SharedModelPolicyProps>, string]>([
    ['an account ID of 11 digits', { importerAccounts: ['44445555666'] }, 'importerAccounts: "44445555666" is not an AWS account ID; expected 12 digits'],
    ['no importer', { importerAccounts: [] }, 'no importer was given; expected at least one account in importerAccounts or principal in importerPrincipals'],
    ['a model of another account', { modelArn: MODEL.replace(SHARER, IMPORTER) }, `is a model of account ${IMPORTER}, but this stack deploys to ${SHARER}`],
    ['a model of another Region', { modelArn: MODEL.replace('us-west-2', 'eu-west-1') }, 'is in Region eu-west-1, but this stack deploys to us-west-2'],
    ['a model ARN with its Region in upper case', { modelArn: MODEL.replace('us-west-2', 'US-WEST-2') },
      `Sharer/Share: modelArn "${MODEL.replace('us-west-2', 'US-WEST-2')}" is malformed: "US-WEST-2" is not a Region code; expected ` +
      'arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/VERSION (or entity-recognizer/…), where REGION is a ' +
      'Region code in lower case, such as us-west-2'],
    ['a key ARN with its Region in upper case', { modelKey: kms.Key.fromKeyArn(new Stack(), 'Key', `arn:aws:kms:US-WEST-2:${SHARER}:key/abcd`) },
      `Sharer/Share: modelKey "arn:aws:kms:US-WEST-2:${SHARER}:key/abcd" is malformed: "US-WEST-2" is not a Region code; expected ` +
      'arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID, where REGION is a Region code in lower case, such as us-west-2'],
    ['not a model ARN', { modelArn: 'arn:aws:s3:::bucket' }, 'modelArn "arn:aws:s3:::bucket" is an ARN of service "s3"'],
    ['no model', { modelArn: undefined }, 'no model was given; expected exactly one of modelArn, documentClassifier or entityRecognizer'],
  ])('%s', (_, overrides, message) => {
    const stack = sharerStack();
    expect(() => new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER], ...overrides })).toThrow(message);
  });

  test.each<[string, iam.IPrincipal, string]>([
    ['AnyPrincipal', new iam.AnyPrincipal(), 'importerPrincipals[0] is AnyPrincipal(), which is not an account or an IAM principal of one account'],
    ['StarPrincipal', new iam.StarPrincipal(), 'importerPrincipals[0] is StarPrincipal()'],
    ['an ARN principal of "*"', new iam.ArnPrincipal('*'), 'importerPrincipals[0] is ArnPrincipal(*)'],
    ['an organization', new iam.OrganizationPrincipal('o-a1b2c3d4e5'), 'importerPrincipals[0] is OrganizationPrincipal(o-a1b2c3d4e5)'],
    ['a service', new iam.ServicePrincipal('lambda.amazonaws.com'), 'importerPrincipals[0] is ServicePrincipal(lambda.amazonaws.com)'],
    ['a federated identity', new iam.FederatedPrincipal('cognito-identity.amazonaws.com'), 'importerPrincipals[0] is FederatedPrincipal(cognito-identity.amazonaws.com)'],
    ['a wildcard role name', new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:role/*`), `importerPrincipals[0] is ArnPrincipal(arn:aws:iam::${IMPORTER}:role/*)`],
    ['a wildcard user name', new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:user/import?`), `importerPrincipals[0] is ArnPrincipal(arn:aws:iam::${IMPORTER}:user/import?)`],
    ['a canonical user', new iam.CanonicalUserPrincipal('79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'), 'importerPrincipals[0] is CanonicalUserPrincipal('],
  ])('an importer wider than one account: %s', (_, principal, message) => {
    const stack = sharerStack();
    expect(() => new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerPrincipals: [principal] }))
      .toThrow(`Sharer/Share: ${message}`);
  });

  test('importers of one account pass: a role by ARN, a role of another stack, a user, an account principal', () => {
    const app = new App();
    const stack = sharerStack(app);
    const importerStack = new Stack(app, 'ImporterRoles', { env: { account: IMPORTER, region: 'us-west-2' } });
    const role = new iam.Role(importerStack, 'Importer', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'comprehend-importer' });
    const share = new SharedModelPolicy(stack, 'Share', {
      modelArn: MODEL,
      importerPrincipals: [
        new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:role/importer`),
        role,
        new iam.ArnPrincipal(`arn:aws-us-gov:iam::${IMPORTER}:user/ops`),
        new iam.AccountPrincipal(IMPORTER),
      ],
    });
    expect(stack.resolve(share.resourcePolicy.toJSON()).Statement[0].Principal.AWS).toHaveLength(4);
  });

  test('three models', () => {
    const stack = sharerStack();
    const recognizer = new comprehend.CfnEntityRecognizer(stack, 'Recognizer', {
      recognizerName: 'products',
      dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
      languageCode: 'en',
      inputDataConfig: { entityTypes: [{ type: 'PRODUCT' }] },
    });
    expect(() => new SharedModelPolicy(stack, 'Share', {
      modelArn: MODEL,
      documentClassifier: classifier(stack),
      entityRecognizer: recognizer,
      importerAccounts: [IMPORTER],
    })).toThrow('modelArn, documentClassifier and entityRecognizer were all given; expected exactly one');
  });

  test('a character outside Latin-1 in a principal is named as such, not as a length', () => {
    const stack = sharerStack();
    const principal = new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:role/\u00e9quipe-\u2013`);
    expect(() => new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerPrincipals: [principal] }))
      .toThrow('contains "\u2013" (U+2013); expected only Latin-1 characters');
  });

  test('two models', () => {
    const stack = sharerStack();
    expect(() => new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, documentClassifier: classifier(stack), importerAccounts: [IMPORTER] }))
      .toThrow('modelArn and documentClassifier were both given; expected exactly one');
  });

  test('a policy over 20,000 characters', () => {
    const stack = sharerStack();
    const principals = Array.from({ length: 300 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:role/importer-with-a-rather-long-role-name-${i}`));
    expect(() => new SharedModelPolicy(stack, 'Share', { modelArn: MODEL, importerPrincipals: principals }))
      .toThrow(/the resource policy of arn:aws:comprehend:\S+ is \d+ characters long; expected 1 to 20000 characters/);
  });

  test('a classifier that already has a ModelPolicy', () => {
    const stack = sharerStack();
    const model = classifier(stack, { modelPolicy: '{}' });
    expect(() => new SharedModelPolicy(stack, 'Share', { documentClassifier: model, importerAccounts: [IMPORTER] }))
      .toThrow('documentClassifier already has a modelPolicy');
  });

  test('a statement added to resourcePolicy that grants more than importing is refused at synth; a Condition narrows and passes', () => {
    const narrowed = sharerStack();
    const share = new SharedModelPolicy(narrowed, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER] });
    share.resourcePolicy.addStatements(new iam.PolicyStatement({
      actions: ['comprehend:ImportModel'],
      resources: ['*'],
      principals: [new iam.AccountPrincipal(IMPORTER)],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    }));
    expect(() => Template.fromStack(narrowed)).not.toThrow();

    const widened = sharerStack();
    const wide = new SharedModelPolicy(widened, 'Share', { modelArn: MODEL, importerAccounts: [IMPORTER] });
    wide.resourcePolicy.addStatements(new iam.PolicyStatement({
      actions: ['comprehend:DeleteResourcePolicy'],
      resources: ['*'],
      principals: [new iam.AccountPrincipal(IMPORTER)],
    }));
    expect(() => Template.fromStack(widened)).toThrow(
      /Sharer\/Share] statement 2 of resourcePolicy has Action "comprehend:DeleteResourcePolicy": .*A share writes only statements of the form/);
  });
});

describe('several shares of one model version merge into its one policy, which Comprehend takes up to 20,000 characters', () => {
  /** `count` account IDs, from `first` on. */
  const accounts = (count: number, first = 0) => Array.from({ length: count }, (_, i) => String(200000000000 + (first + i) * 7919));

  test('600 accounts fit one share with the Sid its handler adds; 601 do not', () => {
    expect(() => new SharedModelPolicy(sharerStack(), 'Share', { modelArn: MODEL, importerAccounts: accounts(600) })).not.toThrow();
    // 33 characters an account: 601 make 20,002 as written, with the statement's Sid.
    expect(() => new SharedModelPolicy(sharerStack(), 'Share', { modelArn: MODEL, importerAccounts: accounts(601) }))
      .toThrow(`Sharer/Share: the resource policy of ${MODEL} is 20002 characters long; expected 1 to 20000 characters`);
  });

  test('300 and 250 accounts coexist: each share merges its own statement, and the two fit', () => {
    const stack = sharerStack();
    new SharedModelPolicy(stack, 'ShareWithOuA', { modelArn: MODEL, importerAccounts: accounts(300) });
    new SharedModelPolicy(stack, 'ShareWithOuB', { modelArn: MODEL, importerAccounts: accounts(250, 300) });

    const template = Template.fromStack(stack);

    const shares = Object.values(template.findResources('Custom::ComprehendModelPolicy'));
    expect(shares.map(share => share.Properties.ModelArn)).toEqual([MODEL, MODEL]);
    const principals = shares.map(share => JSON.parse(share.Properties.ResourcePolicy).Statement[0].Principal.AWS.length);
    expect(principals).toEqual([300, 250]);
  });

  test('600 and 400 accounts are refused at synth, by the second share, naming both and the merged length', () => {
    const app = new App();
    const stack = sharerStack(app);
    new SharedModelPolicy(stack, 'ShareWithOuA', { modelArn: MODEL, importerAccounts: accounts(600) });
    new SharedModelPolicy(stack, 'ShareWithOuB', { modelArn: MODEL, importerAccounts: accounts(400, 600) });

    expect(() => app.synth()).toThrow(
      `[Sharer/ShareWithOuB] Sharer/ShareWithOuA and Sharer/ShareWithOuB share ${MODEL}: their statements merge into that ` +
      'model version\'s one resource-based policy, which would be 33300 characters long; Comprehend takes at most 20000',
    );
    expect(() => app.synth()).not.toThrow('[Sharer/ShareWithOuA]');
  });

  test('a classifier\'s ModelPolicy, which CloudFormation writes whole, leaves no room for another share of the version', () => {
    const app = new App();
    const stack = sharerStack(app);
    new SharedModelPolicy(stack, 'ShareOwn', { documentClassifier: classifier(stack), importerAccounts: [IMPORTER] });
    new SharedModelPolicy(sharerStack(app, 'OtherTeam'), 'Share', { modelArn: MODEL, importerAccounts: accounts(2) });

    expect(() => app.synth()).toThrow(`[OtherTeam/Share] OtherTeam/Share shares ${MODEL}, whose whole policy Sharer/ShareOwn sets ` +
      'as the classifier\'s ModelPolicy; CloudFormation writes that policy whole at every update of the classifier');
  });

  test('across stacks of the app too; another version, or the same name in another Region, is another policy', () => {
    const app = new App();
    new SharedModelPolicy(sharerStack(app, 'SharerA'), 'Share', { modelArn: MODEL, importerAccounts: accounts(500) });
    new SharedModelPolicy(sharerStack(app, 'SharerB'), 'Share', { modelArn: MODEL.replace('/v1', '/v2'), importerAccounts: accounts(500, 500) });
    const elsewhere = new Stack(app, 'SharerC', { env: { account: SHARER, region: 'eu-west-1' } });
    new SharedModelPolicy(elsewhere, 'Share', { modelArn: MODEL.replace('us-west-2', 'eu-west-1'), importerAccounts: accounts(500, 1000) });
    expect(() => app.synth()).not.toThrow();

    const crowded = new App();
    new SharedModelPolicy(sharerStack(crowded, 'SharerA'), 'Share', { modelArn: MODEL, importerAccounts: accounts(500) });
    new SharedModelPolicy(sharerStack(crowded, 'SharerB'), 'Share', { modelArn: MODEL, importerAccounts: accounts(500, 500) });
    expect(() => crowded.synth()).toThrow(`[SharerB/Share] SharerA/Share and SharerB/Share share ${MODEL}`);
  });
});
