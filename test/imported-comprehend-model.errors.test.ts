import { App, CfnResource, Duration, Fn, NestedStack, RemovalPolicy, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelType } from '../src';
import { IMPORTER, importerStack, REGION, SHARER, SHARER_KEY, SOURCE_CLASSIFIER as SOURCE, SOURCE_RECOGNIZER, STRANGER } from './support/fixtures';

function build(props: Partial<ImportedComprehendModelProps>, stack = importerStack()) {
  new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE, ...props });
  return stack;
}

describe('synth-time errors name the prop, the value and the expected form', () => {
  test.each([
    ['another service', { sourceModelArn: 'arn:aws:s3:::my-bucket/model.tar.gz' },
      'sourceModelArn "arn:aws:s3:::my-bucket/model.tar.gz" is an ARN of service "s3", not of Amazon Comprehend; expected arn:PARTITION:comprehend:'],
    ['another resource type', { sourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier-endpoint/ep1' },
      'names a "document-classifier-endpoint", not a custom model; expected arn:PARTITION:comprehend:'],
    ['an empty version segment', { sourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/' },
      'sourceModelArn "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/" is not a Comprehend custom model ARN; expected'],
    ['a path that is not a version segment', { sourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/v1' },
      'is not a Comprehend custom model ARN; expected arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/VERSION'],
    ['a short account', { sourceModelArn: 'arn:aws:comprehend:us-west-2:1111:document-classifier/tickets/version/v1' },
      'is not a Comprehend custom model ARN'],
    ['another Region', { sourceModelArn: SOURCE.replace('us-west-2', 'eu-west-1') },
      'is in Region eu-west-1, but the stack is in us-west-2; Comprehend imports only within one Region'],
    ['another partition', { sourceModelArn: SOURCE.replace('arn:aws:', 'arn:aws-us-gov:') },
      'is in partition aws-us-gov, but the stack\'s Region us-west-2 is in aws'],
    ['a partition without Comprehend', { sourceModelArn: 'arn:aws-cn:comprehend:us-west-2:111122223333:document-classifier/t/version/v1' },
      'is in partition "aws-cn", where Amazon Comprehend is not offered; expected one of aws, aws-us-gov, aws-iso, aws-iso-f'],
    ['an underscore in the source name', { sourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/my_model/version/v1' },
      'is not a Comprehend custom model ARN'],
    ['a type that contradicts the ARN', { modelType: ModelType.ENTITY_RECOGNIZER },
      'is a document-classifier, but modelType says entity-recognizer'],
    ['a type that contradicts a recognizer ARN', { sourceModelArn: SOURCE_RECOGNIZER, modelType: ModelType.DOCUMENT_CLASSIFIER },
      'is an entity-recognizer, but modelType says document-classifier'],
    ['a timeout that is not a whole number of seconds', { timeout: Duration.millis(90_500) },
      'timeout 90.5 seconds is not a whole number of seconds; expected whole seconds, 1 to 55 minutes'],
    ['a source key of another Region', { sourceModelKey: kms.Key.fromKeyArn(new Stack(), 'Key', SHARER_KEY.replace(REGION, 'eu-west-1')) },
      `sourceModelKey "${SHARER_KEY.replace(REGION, 'eu-west-1')}" is a key of Region eu-west-1, but sourceModelArn "${SOURCE}" is ` +
      'in us-west-2; expected the key that encrypts the source model'],
    ['a model name with a space', { modelName: 'my model' },
      'modelName "my model" is not a valid Comprehend name; expected 1-63 letters, digits and hyphens'],
    ['a version name with an underscore', { versionName: 'v_1' },
      'versionName "v_1" is not a valid Comprehend name; expected 1-63 letters, digits and hyphens'],
    ['a 64-character model name', { modelName: 'a'.repeat(64) },
      `modelName "${'a'.repeat(64)}" is not a valid Comprehend name`],
    ['a version name ending in a hyphen', { versionName: 'v1-' },
      'versionName "v1-" is not a valid Comprehend name'],
    ['an empty model name', { modelName: '' },
      'modelName "" is not a valid Comprehend name'],
    ['a timeout over 55 minutes', { timeout: Duration.hours(2) },
      'timeout 2 hours is out of range; expected 1 to 55 minutes'],
    ['a timeout under a minute', { timeout: Duration.seconds(30) },
      'timeout 30 seconds is out of range; expected 1 to 55 minutes'],
    ['a snapshot removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT },
      'removalPolicy snapshot is not supported; expected RemovalPolicy.DESTROY, RemovalPolicy.RETAIN or RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE'],
    ['a KMS alias as the model key', { modelKey: kms.Alias.fromAliasName(new Stack(), 'Alias', 'alias/comprehend') },
      'modelKey is a KMS alias (alias/comprehend); expected the key itself (kms.Key, or kms.Key.fromKeyArn() with an ARN of the form'],
    ['a key imported from an alias ARN as the source key',
      { sourceModelKey: kms.Key.fromKeyArn(new Stack(), 'Key', `arn:aws:kms:${REGION}:111122223333:alias/shared`) },
      'sourceModelKey is a KMS alias; expected the key itself'],
    ['a token ARN without a model type', { sourceModelArn: Fn.importValue('SharedModelArn') },
      'modelType is required when sourceModelArn is a token'],
  ])('%s', (_, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('a snapshot removal policy applied after construction, or set on the resource', () => {
    const model = new ImportedComprehendModel(importerStack(), 'Model', { sourceModelArn: SOURCE });
    expect(() => model.applyRemovalPolicy(RemovalPolicy.SNAPSHOT)).toThrow(
      'Importer/Model: applyRemovalPolicy() snapshot is not supported; expected RemovalPolicy.DESTROY, RemovalPolicy.RETAIN or');

    const stack = importerStack();
    const other = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    (other.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    expect(() => Template.fromStack(stack)).toThrow('DeletionPolicy Snapshot is not supported; expected Delete, Retain or RetainExceptOnCreate');
  });

  test('a KMS alias given as the key of a model referenced by ARN', () => {
    const stack = importerStack();
    expect(() => ImportedComprehendModel.fromModelAttributes(stack, 'Model', {
      modelArn: SOURCE.replace('111122223333', '444455556666'),
      modelKey: new kms.Alias(stack, 'Alias', { aliasName: 'alias/served', targetKey: new kms.Key(stack, 'Key') }),
    })).toThrow('modelKey is a KMS alias; expected the key itself');
  });

  test('a model key of another account', () => {
    const app = new App();
    const other = new Stack(app, 'Other', { env: { account: '999988887777', region: 'us-west-2' } });
    const key = new kms.Key(other, 'Key');
    expect(() => build({ modelKey: key }, importerStack(app)))
      .toThrow('modelKey (Other/Key) is a key of account 999988887777; expected a customer managed key of this account (444455556666)');
  });

  test('more than 49 tags, counting those from Tags.of(): the ownership tag takes one of 50', () => {
    const app = new App();
    const stack = build({ tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) }, importerStack(app));
    Tags.of(app).add('one-more', 'x');

    expect(() => Template.fromStack(stack)).toThrow(
      'tags: 50 tags, more than the 49 a Comprehend model can have, less the cdk-comprehend-model-import:owner tag this library marks its copies with',
    );
  });

  test('the ownership tag\'s key', () => {
    const stack = build({ tags: { 'cdk-comprehend-model-import:owner': 'me' } });

    expect(() => Template.fromStack(stack)).toThrow('tags: key "cdk-comprehend-model-import:owner" is the library\'s own');
  });

  test('a reserved or overlong tag', () => {
    const stack = build({ tags: { 'aws:owner': 'me', 'long': 'v'.repeat(257) } });

    expect(() => Template.fromStack(stack)).toThrow(/key "aws:owner" starts with "aws:"[\s\S]*value of "long" is 257 characters long; expected at most 256/);
  });

  test('two imports of a stack with the same fixed name and version', () => {
    const stack = build({ versionName: 'v1' });
    // The source's name is the default model name.
    expect(() => new ImportedComprehendModel(stack, 'Again', { sourceModelArn: SOURCE_RECOGNIZER, modelName: 'tickets', versionName: 'v1' }))
      .toThrow('Importer/Again: modelName "tickets" and versionName "v1" are those of Importer/Model too');
    // Another version, or the default version name, is another copy.
    expect(() => new ImportedComprehendModel(stack, 'V2', { sourceModelArn: SOURCE, versionName: 'v2' })).not.toThrow();
    expect(() => new ImportedComprehendModel(stack, 'Default', { sourceModelArn: SOURCE })).not.toThrow();
  });

  test('the error says where the construct is', () => {
    expect(() => build({ versionName: 'v_1' })).toThrow(/^Importer\/Model: /);
  });
});

describe('a fixed name and version is refused once per stack and its nested stacks, which deploy to its account and Region', () => {
  const fixed = { sourceModelArn: SOURCE, versionName: 'v1' };

  test('an import of a nested stack after one of its parent, and one of the parent after one of a nested stack', () => {
    const parentFirst = importerStack();
    new ImportedComprehendModel(parentFirst, 'Model', fixed);
    expect(() => new ImportedComprehendModel(new NestedStack(parentFirst, 'Nested'), 'Model', fixed))
      .toThrow('Importer/Nested/Model: modelName "tickets" and versionName "v1" are those of Importer/Model too');

    const nestedFirst = importerStack();
    new ImportedComprehendModel(new NestedStack(nestedFirst, 'Nested'), 'Model', fixed);
    expect(() => new ImportedComprehendModel(nestedFirst, 'Model', fixed))
      .toThrow('Importer/Model: modelName "tickets" and versionName "v1" are those of Importer/Nested/Model too');
  });

  test('imports of two nested stacks of one stack, one of them nested in the other', () => {
    const stack = importerStack();
    const nested = new NestedStack(stack, 'Nested');
    new ImportedComprehendModel(new NestedStack(nested, 'Deeper'), 'Model', fixed);
    expect(() => new ImportedComprehendModel(new NestedStack(stack, 'Sibling'), 'Model', fixed))
      .toThrow('Importer/Sibling/Model: modelName "tickets" and versionName "v1" are those of Importer/Nested/Deeper/Model too');
  });

  test('the stacks of stages defined in a stack, as a CDK Pipelines stack holds them, deploy on their own: not refused', () => {
    const app = new App();
    const pipeline = new Stack(app, 'Pipeline', { env: { account: STRANGER, region: REGION } });
    for (const [stage, account] of [['Staging', SHARER], ['Prod', IMPORTER]]) {
      const stack = new Stack(new Stage(pipeline, stage, { env: { account, region: REGION } }), 'Importer');
      expect(() => new ImportedComprehendModel(stack, 'Model', fixed)).not.toThrow();
    }
    // Three accounts: the app-wide checks, which compare stacks of known environments, find nothing either.
    expect(() => new ImportedComprehendModel(pipeline, 'Model', fixed)).not.toThrow();
    expect(() => app.synth()).not.toThrow();
  });

  test('an import removed from the tree, or in another stack, leaves the name free', () => {
    const app = new App();
    const stack = importerStack(app);
    new ImportedComprehendModel(stack, 'Model', fixed);
    stack.node.tryRemoveChild('Model');
    expect(() => new ImportedComprehendModel(stack, 'Again', fixed)).not.toThrow();
    expect(() => new ImportedComprehendModel(new Stack(app, 'Agnostic'), 'Model', fixed)).not.toThrow();
  });
});

describe('keys and roles that cannot work at deploy time are refused at synth, naming the construct, the prop, the value and the fix', () => {
  const IMPORTER_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/5678efgh-12ab-34cd-56ef-1234567890ab`;
  const key = (arn: string) => kms.Key.fromKeyArn(new Stack(), 'Key', arn);
  const role = (arn: string) => iam.Role.fromRoleArn(new Stack(), 'Role', arn);
  const inEuWest1 = IMPORTER_KEY.replace(REGION, 'eu-west-1');
  const strangers = SHARER_KEY.replace(SHARER, STRANGER);
  const upperCase = (arn: string) => arn.replace(`:${REGION}:`, `:${REGION.toUpperCase()}:`);

  test.each<[string, Partial<ImportedComprehendModelProps>, string]>([
    ['a model key of another Region', { modelKey: key(inEuWest1) },
      `Importer/Model: modelKey "${inEuWest1}" is a key of Region eu-west-1, but this stack deploys to ${REGION}; expected a ` +
      'customer managed key of this stack\'s Region, because Comprehend encrypts the copy with a key of the Region it imports ' +
      'into (for a multi-Region key, its replica in this Region)'],
    ['a source key of a third account', { sourceModelKey: key(strangers) },
      `Importer/Model: sourceModelKey "${strangers}" is a key of account ${STRANGER}, which is neither the source model's account ` +
      `(${SHARER}, of sourceModelArn "${SOURCE}") nor this stack's (${IMPORTER}); expected the key that encrypts the source ` +
      'model, whose ARN the sharer hands over with the model\'s (kms.Key.fromKeyArn())'],
    ['a data access role of another account', { dataAccessRole: role(`arn:aws:iam::${SHARER}:role/comprehend-import`) },
      `Importer/Model: dataAccessRole "arn:aws:iam::${SHARER}:role/comprehend-import" is a role of account ${SHARER}, but this ` +
      `stack deploys to ${IMPORTER}; expected a role of this stack's account, because Comprehend can only be passed a role of ` +
      'the account that calls it (iam:PassRole): create the role in this account, or leave dataAccessRole unset for the role the ' +
      'library creates'],
    ['a data access role ARN that names a user', { dataAccessRole: role(`arn:aws:iam::${IMPORTER}:user/ops`) },
      `Importer/Model: dataAccessRole "arn:aws:iam::${IMPORTER}:user/ops" is not the ARN of an IAM role; expected ` +
      'arn:PARTITION:iam::ACCOUNT:role/NAME (20-2048 characters matching arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+)'],
    ['a source model ARN with its Region in upper case', { sourceModelArn: upperCase(SOURCE) },
      `Importer/Model: sourceModelArn "${upperCase(SOURCE)}" is malformed: "US-WEST-2" is not a Region code; expected ` +
      'arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/VERSION (or entity-recognizer/…), where REGION ' +
      'is a Region code in lower case, such as us-west-2'],
    ['a source model ARN without a Region', { sourceModelArn: SOURCE.replace(`:${REGION}:`, '::') },
      'sourceModelArn "arn:aws:comprehend::111122223333:document-classifier/tickets/version/v1" is malformed: "" is not a Region code'],
    ['a source key ARN with its Region in upper case', { sourceModelKey: key(upperCase(SHARER_KEY)) },
      `Importer/Model: sourceModelKey "${upperCase(SHARER_KEY)}" is malformed: "US-WEST-2" is not a Region code; expected ` +
      'arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID, where REGION is a Region code in lower case, such as us-west-2'],
    ['a model key ARN with its Region in upper case', { modelKey: key(upperCase(IMPORTER_KEY)) },
      `Importer/Model: modelKey "${upperCase(IMPORTER_KEY)}" is malformed: "US-WEST-2" is not a Region code`],
    ['a model key ARN of another service', { modelKey: key(`arn:aws:kms:${REGION}:${IMPORTER}:keys/abcd`) },
      `Importer/Model: modelKey "arn:aws:kms:${REGION}:${IMPORTER}:keys/abcd" is not the ARN of a KMS key; expected ` +
      'arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID'],
  ])('%s', (_, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('a model referenced by an ARN with its Region in upper case', () => {
    expect(() => ImportedComprehendModel.fromModelArn(importerStack(), 'Model', upperCase(SOURCE)))
      .toThrow(`Importer: modelArn "${upperCase(SOURCE)}" is malformed: "US-WEST-2" is not a Region code`);
  });

  test.each<[string, Partial<ImportedComprehendModelProps>]>([
    ['a source key of the source model\'s account', { sourceModelKey: key(SHARER_KEY) }],
    ['a source key of the importing account', { sourceModelKey: key(SHARER_KEY.replace(SHARER, IMPORTER)) }],
    ['a model key of this account and Region', { modelKey: key(IMPORTER_KEY) }],
    ['a data access role of this account, with a path', { dataAccessRole: role(`arn:aws:iam::${IMPORTER}:role/service-role/import`) }],
  ])('%s passes', (_, props) => {
    expect(() => Template.fromStack(build(props))).not.toThrow();
  });

  test('a data access role of this stack passes', () => {
    const stack = importerStack();
    const dataAccessRole = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com') });
    expect(() => Template.fromStack(build({ dataAccessRole, sourceModelKey: key(SHARER_KEY) }, stack))).not.toThrow();
  });

  test('an environment-agnostic stack skips the checks of account and Region, which need the stack\'s', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => Template.fromStack(build({
      sourceModelKey: key(strangers),
      modelKey: key(inEuWest1),
      dataAccessRole: role(`arn:aws:iam::${STRANGER}:role/import`),
    }, stack))).not.toThrow();
  });
});

describe('what is valid passes', () => {
  test.each([
    ['an unversioned source', { sourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets' }],
    ['63-character names with inner hyphens', { modelName: `a--${'b'.repeat(60)}`, versionName: `${'9'.repeat(62)}z` }],
    ['a token source with its type', { sourceModelArn: Fn.importValue('SharedModelArn'), modelType: ModelType.DOCUMENT_CLASSIFIER }],
    ['token names', { modelName: Fn.importValue('Name'), versionName: Fn.importValue('Version') }],
    ['the longest timeout', { timeout: Duration.minutes(55) }],
    ['49 tags', { tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) }],
    ['a copy retained except when its create fails', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }],
  ])('%s', (_, props) => {
    expect(() => Template.fromStack(build(props))).not.toThrow();
  });

  test('an environment-agnostic stack skips the Region check (the handler makes it at deploy time)', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => Template.fromStack(build({ sourceModelArn: SOURCE.replace('us-west-2', 'eu-west-1') }, stack))).not.toThrow();
  });
});

test('no Region that aws-cdk-lib knows is taken for a malformed ARN', () => {
  expect(RegionInfo.regions.length).toBeGreaterThan(30);
  const malformed = RegionInfo.regions.filter(({ name, partition }) => {
    const stack = new Stack(new App(), 'Importer', { env: { account: IMPORTER, region: name } });
    const sourceModelArn = SOURCE.replace(REGION, name).replace('arn:aws:', `arn:${partition}:`);
    try {
      build({ sourceModelArn }, stack);
      return false;
    } catch (error) {
      // aws-cn is refused as a partition without Comprehend; the Region itself must pass.
      return /is not a Region code/.test((error as Error).message);
    }
  });
  expect(malformed.map(region => region.name)).toEqual([]);
});
