import { App } from 'aws-cdk-lib';
import { ImporterStack } from './importer-stack';
import { SharerStack } from './sharer-stack';

/** The two stacks of the cross-account example, one per account, configured from context. */
export function defineCrossAccountStacks(app: App): { sharer: SharerStack; importer: ImporterStack } {
  const sharerAccount = app.node.tryGetContext('sharerAccount') ?? '111122223333';
  const importerAccount = app.node.tryGetContext('importerAccount') ?? '444455556666';
  const region = app.node.tryGetContext('region') ?? 'us-west-2';

  // A model version the sharer trained earlier, outside CDK.
  const existingModelArn = `arn:aws:comprehend:${region}:${sharerAccount}:entity-recognizer/product-names/version/v3`;

  const sharer = new SharerStack(app, 'ComprehendSharer', {
    env: { account: sharerAccount, region },
    importerAccounts: [importerAccount],
    existingModelArn,
    trainingBucketName: app.node.tryGetContext('trainingBucket') ?? `comprehend-training-${sharerAccount}`,
  });

  // Across accounts the ARNs travel as plain strings: the sharer stack's outputs, handed over.
  const importer = new ImporterStack(app, 'ComprehendImporter', {
    env: { account: importerAccount, region },
    sharedModelArn: existingModelArn,
    encryptedModelArn: `arn:aws:comprehend:${region}:${sharerAccount}:document-classifier/support-tickets/version/v1`,
    encryptedModelKeyArn: app.node.tryGetContext('supportTicketsKeyArn')
      ?? `arn:aws:kms:${region}:${sharerAccount}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  });
  return { sharer, importer };
}
