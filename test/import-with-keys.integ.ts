// Import with the sharer's customer managed key and our own. With AWS accounts:
// `npx projen integ:import-with-keys:deploy -- -c encryptedSourceModelArn=… -c sourceModelKeyArn=…`.
import { App } from 'aws-cdk-lib';
import { expectTrainedCopy, importWithKeys, pinAssertionSalt } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
expectTrainedCopy(app, 'ImportWithKeysTest', importWithKeys(app));
