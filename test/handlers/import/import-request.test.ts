import { readImportSpec } from '../../../src/handlers/import/import-request';
import { IMPORTER, properties, REGION, STACK_ID } from '../../support/fixtures';

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
