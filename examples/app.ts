// The example app: `npx projen synth:example` writes its templates to examples/cdk.out, no AWS account needed.
import { App } from 'aws-cdk-lib';
import { ImporterStack } from './importer-stack';

const SHARER_ACCOUNT = '111122223333';
const IMPORTER_ACCOUNT = '444455556666';
const REGION = 'us-west-2';

const app = new App();
new ImporterStack(app, 'ComprehendImporter', {
  env: { account: IMPORTER_ACCOUNT, region: REGION },
  classifierArn: `arn:aws:comprehend:${REGION}:${SHARER_ACCOUNT}:document-classifier/support-tickets/version/v1`,
  recognizerArn: `arn:aws:comprehend:${REGION}:${SHARER_ACCOUNT}:entity-recognizer/product-names/version/v3`,
  recognizerKeyArn: `arn:aws:kms:${REGION}:${SHARER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
});
app.synth();
