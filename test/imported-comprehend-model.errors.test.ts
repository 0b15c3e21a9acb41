import { App, CfnResource, Duration, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelType } from '../src';
import { importerStack, REGION, SHARER_KEY, SOURCE_CLASSIFIER as SOURCE, SOURCE_RECOGNIZER } from './support/fixtures';

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
      `sourceModelKey is a key of Region eu-west-1, but sourceModelArn "${SOURCE}" is in us-west-2; expected the key that encrypts the source model`],
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
      .toThrow('modelKey is a key of account 999988887777; expected a customer managed key of this account (444455556666)');
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
