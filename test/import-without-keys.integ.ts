// Import with AWS owned keys. Offline, CI checks this app's snapshot; with AWS accounts,
// `npx projen integ:import-without-keys:deploy -- -c sourceModelArn=…` deploys it and asserts the copy is TRAINED.
import { App } from 'aws-cdk-lib';
import { expectTrainedCopy, importWithoutKeys, pinAssertionSalt } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
expectTrainedCopy(app, 'ImportWithoutKeysTest', importWithoutKeys(app));
