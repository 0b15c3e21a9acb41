// Import with the sharer's customer managed key and our own. With AWS accounts:
// `npx projen integ:import-with-keys:deploy -- -c encryptedSourceModelArn=… -c sourceModelKeyArn=…`.
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { importWithKeys, pinAssertionSalt } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
const { stack, model } = importWithKeys(app);
new IntegTest(app, 'ImportWithKeysTest', { testCases: [stack] }).assertions
  .awsApiCall('Comprehend', 'describeDocumentClassifier', { DocumentClassifierArn: model.modelArn })
  .expect(ExpectedResult.objectLike({ DocumentClassifierProperties: { Status: 'TRAINED' } }));
