// Import with AWS owned keys. Offline, CI checks this app's snapshot; with AWS accounts,
// `npx projen integ:import-without-keys:deploy -- -c sourceModelArn=…` deploys it and asserts the copy is TRAINED.
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { importWithoutKeys, pinAssertionSalt } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
const { stack, model } = importWithoutKeys(app);
new IntegTest(app, 'ImportWithoutKeysTest', { testCases: [stack] }).assertions
  .awsApiCall('Comprehend', 'describeDocumentClassifier', { DocumentClassifierArn: model.modelArn })
  .expect(ExpectedResult.objectLike({ DocumentClassifierProperties: { Status: 'TRAINED' } }));
