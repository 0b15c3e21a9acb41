import { DEFAULT_TIMEOUT_SECONDS } from '../../../src/contract/import-properties';
import { readImportSpec, sameCopy } from '../../../src/handlers/import/import-request';
import { IMPORTER, properties, REGION, SOURCE_RECOGNIZER, STACK_ID } from '../../support/fixtures';

// Golden values: the default version name is part of every deployed copy's identity. A change to how it is derived
// would give every copy a new name on upgrade, so CloudFormation would import each again and delete the old one.
describe('the default version name is frozen', () => {
  test('from the stack id, the logical id and the source', () => {
    expect(readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').versionName).toEqual('Classifier1234ABCD-c9024971ae0fab82');
  });

  test('from the names, the key and the role too, with a long logical id cut to 40 characters', () => {
    const spec = readImportSpec(properties({
      ModelName: 'copy',
      ModelKmsKeyId: `arn:aws:kms:${REGION}:${IMPORTER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      DataAccessRoleArn: `arn:aws:iam::${IMPORTER}:role/cdk-comprehend-model-import/ServiceRole`,
    }), STACK_ID, 'SupportTicketsCopyABCD1234EF567890SupportTicketsCopy1234');

    expect(spec.versionName).toEqual('SupportTicketsCopyABCD1234EF567890Suppor-ba2d699cfe3d2a5a');
  });

  test('a fixed version name is used as it is', () => {
    expect(readImportSpec(properties({ VersionName: 'v7' }), STACK_ID, 'Classifier1234ABCD').versionName).toEqual('v7');
  });
});

// The construct leaves out what the handlers know without being told: the model type of a literal ARN and the default
// timeout. Stacks deployed when it rendered both must see the same copy.
describe('properties the construct leaves out', () => {
  const rendered = properties();
  const leftOut = { SourceModelArn: rendered.SourceModelArn };

  test('the model type comes from the source ARN, the timeout is the default', () => {
    const spec = readImportSpec(leftOut, STACK_ID, 'Classifier1234ABCD');

    expect(spec.source.modelType).toEqual('document-classifier');
    expect(spec.timeoutSeconds).toEqual(DEFAULT_TIMEOUT_SECONDS);
    expect(readImportSpec({ SourceModelArn: SOURCE_RECOGNIZER }, STACK_ID, 'Recognizer').source.modelType).toEqual('entity-recognizer');
  });

  test('left out or rendered as the old construct did, they read as the same copy with the same deadline', () => {
    const before = readImportSpec(rendered, STACK_ID, 'Classifier1234ABCD');
    const after = readImportSpec(leftOut, STACK_ID, 'Classifier1234ABCD');

    expect(after).toEqual(before);
    expect(sameCopy(before, after)).toBe(true);
    expect(after.versionName).toEqual('Classifier1234ABCD-c9024971ae0fab82');
  });

  test('without a model type, a source ARN that does not parse fails the deployment, saying what is expected', () => {
    expect(() => readImportSpec({ SourceModelArn: 'arn:aws:comprehend:us-west-2:111122223333:flywheel/x' }, STACK_ID, 'Classifier1234ABCD'))
      .toThrow('sourceModelArn "arn:aws:comprehend:us-west-2:111122223333:flywheel/x" names a "flywheel", not a custom model; expected arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/VERSION');
    expect(() => readImportSpec({ SourceModelArn: '' }, STACK_ID, 'Classifier1234ABCD')).toThrow(/is not a Comprehend custom model ARN; expected/);
  });

  test('a model type that is rendered (a token ARN) is still checked against the resolved ARN', () => {
    expect(() => readImportSpec({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'document-classifier' }, STACK_ID, 'Classifier1234ABCD'))
      .toThrow(/is an entity-recognizer, but modelType says document-classifier; make them agree/);
  });
});
