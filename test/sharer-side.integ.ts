// The sharer's side: the policy is attached to the model. With AWS accounts:
// `npx projen integ:sharer-side:deploy -- -c sharedModelArn=… -c importerAccount=…`.
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { sharerSide, pinAssertionSalt } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
const { stack, shared } = sharerSide(app);
new IntegTest(app, 'SharerSideTest', { testCases: [stack] }).assertions
  .awsApiCall('Comprehend', 'describeResourcePolicy', { ResourceArn: shared.modelArn })
  .expect(ExpectedResult.objectLike({ ResourcePolicy: Match.stringLikeRegexp('comprehend:ImportModel') }));
