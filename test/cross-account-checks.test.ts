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

test('the same model version shared in one Region and imported in another', () => {
  const app = new App();
  const factory = stageStack(app, 'Factory', SHARER);
  const prod = stageStack(app, 'Prod', IMPORTER, 'eu-west-1');
  new SharedModelPolicy(factory, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
  new ImportedComprehendModel(prod, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER.replace(`:${REGION}:`, ':eu-west-1:') });

  expect(() => app.synth()).toThrow(new RegExp(`Prod/Stack/Copy imports .*eu-west-1.* but Factory/Stack/Share of this app shares that model version in ${REGION}; Comprehend imports only within one Region`));
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
