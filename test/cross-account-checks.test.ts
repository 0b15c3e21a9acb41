// What a share and an import of the same model version in one app must agree on, across Stages (nested ones too).
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as kms from 'aws-cdk-lib/aws-kms';
import { defineMultiAccountApp } from '../examples/multi-account';
import { ImportedComprehendModel, SharedModelPolicy } from '../src';
import { IMPORTER, REGION, SHARER, SHARER_KEY, SOURCE_CLASSIFIER } from './support/fixtures';

const OTHER_IMPORTER = '222233334444';
const OTHER_KEY = SHARER_KEY.replace('1234abcd', '9999abcd');

function stageStack(scope: App | Stage, stageId: string, account: string, region = REGION): Stack {
  return new Stack(new Stage(scope, stageId, { env: { account, region } }), 'Stack');
}

test('the multi-account example synthesizes: a share, and two importer stages among its importers', () => {
  const app = new App();
  const { factory, staging, prod } = defineMultiAccountApp(app, {
    region: REGION, factoryAccount: SHARER, stagingAccount: OTHER_IMPORTER, prodAccount: IMPORTER,
  });

  const assembly = app.synth();

  expect([factory, staging, prod].map(stage => assembly.getNestedAssembly(stage.artifactId).stacks.length)).toEqual([1, 1, 1]);
});

test('an importer the share does not name fails synth, naming both, the account and what to change', () => {
  const app = new App();
  defineMultiAccountApp(app, {
    region: REGION, factoryAccount: SHARER, stagingAccount: OTHER_IMPORTER, prodAccount: IMPORTER, importerAccounts: [OTHER_IMPORTER],
  });

  // Both shares (the existing recognizer by ARN, the classifier of the factory's stack) and both of prod's imports.
  expect(() => app.synth()).toThrow(new RegExp([
    `Prod/Importer/ProductNames imports arn:aws:comprehend:${REGION}:${SHARER}:entity-recognizer/product-names/version/v3 `,
    `into account ${IMPORTER}, but ModelFactory/Sharer/ShareProductNames lets only ${OTHER_IMPORTER} import it; add ${IMPORTER} `,
    'to its importerAccounts, or deploy the import to one of those accounts',
  ].join('')));
  expect(() => app.synth({ force: true })).toThrow(/Prod\/Importer\/SupportTickets imports .*support-tickets.* but ModelFactory\/Sharer\/ShareSupportTickets lets only/);
});

describe.each([
  ['sibling stages', (app: App) => [stageStack(app, 'Factory', SHARER), stageStack(app, 'Prod', IMPORTER)]],
  ['nested stages', (app: App) => {
    const region = new Stage(app, 'UsWest2');
    return [stageStack(region, 'Factory', SHARER), stageStack(new Stage(region, 'Accounts'), 'Prod', IMPORTER)];
  }],
])('across %s', (_, stacks) => {
  test('a share that says its model is under a customer managed key, and an import without sourceModelKey', () => {
    const app = new App();
    const [factory, prod] = stacks(app);
    new SharedModelPolicy(factory, 'Share', {
      modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(factory, 'Key', SHARER_KEY),
    });
    new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER });

    expect(() => app.synth()).toThrow(/Copy imports .*tickets\/version\/v1 without sourceModelKey, but .*Share says the model is encrypted with a customer managed key; pass that key as sourceModelKey/);
  });

  test('both keys known and different', () => {
    const app = new App();
    const [factory, prod] = stacks(app);
    new SharedModelPolicy(factory, 'Share', {
      modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(factory, 'Key', SHARER_KEY),
    });
    new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Key.fromKeyArn(prod, 'Key', OTHER_KEY) });

    expect(() => app.synth()).toThrow(new RegExp(`passes sourceModelKey ${OTHER_KEY}, but .*Share says .* is encrypted with ${SHARER_KEY}; pass the key that encrypts the model`));
  });

  test('everything agreeing: synth passes', () => {
    const app = new App();
    const [factory, prod] = stacks(app);
    new SharedModelPolicy(factory, 'Share', {
      modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(factory, 'Key', SHARER_KEY),
    });
    new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Key.fromKeyArn(prod, 'Key', SHARER_KEY) });

    expect(() => app.synth()).not.toThrow();
  });
});

test('a model of the same name in another Region is another model: its import is not held to the share of this one', () => {
  const app = new App();
  const factory = stageStack(app, 'Factory', SHARER);
  const prod = stageStack(app, 'Prod', IMPORTER, 'eu-west-1');
  // The share in us-west-2 names only another importer; the import is of the model in eu-west-1.
  new SharedModelPolicy(factory, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [OTHER_IMPORTER] });
  new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER.replace(`:${REGION}:`, ':eu-west-1:') });

  expect(() => app.synth()).not.toThrow();
});

test('a share of the model in the import\'s own Region is still checked, beside a share of its namesake in another', () => {
  const app = new App();
  const usWest2 = stageStack(app, 'FactoryUsWest2', SHARER);
  const euWest1 = stageStack(app, 'FactoryEuWest1', SHARER, 'eu-west-1');
  const prod = stageStack(app, 'Prod', IMPORTER, 'eu-west-1');
  const inEuWest1 = SOURCE_CLASSIFIER.replace(`:${REGION}:`, ':eu-west-1:');
  new SharedModelPolicy(usWest2, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
  new SharedModelPolicy(euWest1, 'Share', { modelArn: inEuWest1, importerAccounts: [OTHER_IMPORTER] });
  new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: inEuWest1 });

  expect(() => app.synth()).toThrow(
    `[Prod/Stack/Copy] Prod/Stack/Copy imports ${inEuWest1} into account ${IMPORTER}, but FactoryEuWest1/Stack/Share lets only ` +
    `${OTHER_IMPORTER} import it; add ${IMPORTER} to its importerAccounts, or deploy the import to one of those accounts`,
  );
  expect(() => app.synth({ force: true })).not.toThrow(/FactoryUsWest2/);
});

describe('an app-wide error is reported by the construct it is about, whose path CDK puts first', () => {
  test('a missing sourceModelKey, in a stack of the app itself: not an empty "[]"', () => {
    const app = new App();
    const factory = new Stack(app, 'Factory', { env: { account: SHARER, region: REGION } });
    const prod = new Stack(app, 'Prod', { env: { account: IMPORTER, region: REGION } });
    new SharedModelPolicy(factory, 'Share', {
      modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(factory, 'Key', SHARER_KEY),
    });
    new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER });

    expect(() => app.synth()).toThrow(
      `[Prod/Copy] Prod/Copy imports ${SOURCE_CLASSIFIER} without sourceModelKey, but Factory/Share says the model is encrypted ` +
      'with a customer managed key; pass that key as sourceModelKey (kms.Key.fromKeyArn()), so that Comprehend may use it',
    );
    expect(() => app.synth({ force: true })).not.toThrow(/\[\]/);
  });

  test('synthesizing the importer\'s Stage alone reports it too', () => {
    const app = new App();
    const factory = stageStack(app, 'Factory', SHARER);
    const prod = stageStack(app, 'Prod', IMPORTER);
    new SharedModelPolicy(factory, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [OTHER_IMPORTER] });
    new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER });

    expect(() => Stage.of(prod)!.synth()).toThrow(/\[Prod\/Stack\/Copy\] Prod\/Stack\/Copy imports .* but Factory\/Stack\/Share lets only/);
  });
});

describe('a name that is one resource per account and Region, fixed in two stacks of the same account and Region', () => {
  const stacks = (app: App, second: { account?: string; region?: string } = { account: IMPORTER, region: REGION }) => [
    stageStack(app, 'Blue', IMPORTER),
    new Stack(new Stage(app, 'Green', { env: second }), 'Stack'),
  ];

  test('a copy\'s modelName and versionName: the error names both constructs, the names, the environment and the fix', () => {
    const app = new App();
    const [blue, green] = stacks(app);
    new ImportedComprehendModel(blue, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'v1' });
    // The default model name is the source's: "tickets".
    new ImportedComprehendModel(green, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, modelName: 'tickets', versionName: 'v1' });

    expect(() => app.synth()).toThrow(
      '[Green/Stack/Copy] Green/Stack/Copy has modelName "tickets" and versionName "v1", and so has Blue/Stack/Copy, in account ' +
      `${IMPORTER}, Region ${REGION}; a name and version are one copy per account and Region, so the second import fails at ` +
      'deploy time: give one of them another versionName, or leave versionName unset so that each import gets its own',
    );
  });

  test('an endpointName: the error names both endpoints, the name, the environment and the fix', () => {
    const app = new App();
    const [blue, green] = stacks(app);
    new ImportedComprehendModel(blue, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint('Live', { endpointName: 'tickets-live' });
    new ImportedComprehendModel(green, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint('Live', { endpointName: 'tickets-live' });

    expect(() => app.synth()).toThrow(
      '[Green/Stack/Copy/Live] Green/Stack/Copy/Live has endpointName "tickets-live", and so has Blue/Stack/Copy/Live, in account ' +
      `${IMPORTER}, Region ${REGION}; an endpoint name is one endpoint per account and Region, so the second endpoint fails at ` +
      'deploy time: give one of them another endpointName, or leave it unset for a name unique to the construct',
    );
  });

  test('two stacks directly in the app', () => {
    const app = new App();
    const blue = new Stack(app, 'Blue', { env: { account: IMPORTER, region: REGION } });
    const green = new Stack(app, 'Green', { env: { account: IMPORTER, region: REGION } });
    new ImportedComprehendModel(blue, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'v1' });
    new ImportedComprehendModel(green, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'v1' });

    expect(() => app.synth()).toThrow('[Green/Copy] Green/Copy has modelName "tickets" and versionName "v1", and so has Blue/Copy');
  });

  test.each<[string, { account?: string; region?: string }]>([
    ['another Region', { account: IMPORTER, region: 'eu-west-1' }],
    ['another account', { account: OTHER_IMPORTER, region: REGION }],
    ['an environment-agnostic stack', {}],
  ])('in %s they are distinct resources, or not known to clash: synth passes', (_, env) => {
    const app = new App();
    const [blue, green] = stacks(app, env);
    const source = (stack: Stack) => SOURCE_CLASSIFIER.replace(`:${REGION}:`, `:${stack.region === 'eu-west-1' ? 'eu-west-1' : REGION}:`);
    for (const stack of [blue, green]) {
      new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: source(stack), versionName: 'v1' })
        .addEndpoint('Live', { endpointName: 'tickets-live' });
    }

    expect(() => app.synth()).not.toThrow();
  });

  test('other names, and the default names, pass', () => {
    const app = new App();
    const [blue, green] = stacks(app);
    new ImportedComprehendModel(blue, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'v1' }).addEndpoint('Live');
    new ImportedComprehendModel(green, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'v2' }).addEndpoint('Live');
    new ImportedComprehendModel(blue, 'Default', { sourceModelArn: SOURCE_CLASSIFIER });
    new ImportedComprehendModel(green, 'Default', { sourceModelArn: SOURCE_CLASSIFIER });

    expect(() => app.synth()).not.toThrow();
  });
});

test('a classifier of the sharer\'s stack (its ARN formatted with the partition as a token) is matched too', () => {
  const app = new App();
  const factory = stageStack(app, 'Factory', SHARER);
  const prod = stageStack(app, 'Prod', IMPORTER);
  const classifier = new comprehend.CfnDocumentClassifier(factory, 'Tickets', {
    documentClassifierName: 'tickets',
    versionName: 'v1',
    dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
    languageCode: 'en',
    inputDataConfig: { s3Uri: 's3://training/tickets.csv' },
  });
  new SharedModelPolicy(factory, 'Share', { documentClassifier: classifier, importerAccounts: [OTHER_IMPORTER] });
  new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER });

  expect(() => app.synth()).toThrow(/Prod\/Stack\/Copy imports .* into account 444455556666, but Factory\/Stack\/Share lets only 222233334444 import it/);
});

test('an importer account known only at deploy time is not checked', () => {
  const app = new App();
  const factory = stageStack(app, 'Factory', SHARER);
  const prod = new Stack(new Stage(app, 'Prod'), 'Stack');
  new SharedModelPolicy(factory, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [OTHER_IMPORTER] });
  new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER });

  expect(() => app.synth()).not.toThrow();
});
