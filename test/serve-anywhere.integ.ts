// Serve a copy under this account's key in eu-west-1 (a Region without CloudFormation's endpoint types), auto scaled.
// With AWS accounts: `npx projen integ:serve-anywhere:deploy -- -c euSourceModelArn=…`.
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { pinAssertionSalt, serveAnywhere } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
const { stack, endpoint } = serveAnywhere(app);
// The assertions read the endpoint's ARN from the stack, so they live in its Region.
const assertionStack = new Stack(app, 'ServeAnywhereAssertions', { env: { region: stack.region } });
new IntegTest(app, 'ServeAnywhereTest', { testCases: [stack], assertionStack }).assertions
  .awsApiCall('Comprehend', 'describeEndpoint', { EndpointArn: endpoint.endpointArn })
  .expect(ExpectedResult.objectLike({ EndpointProperties: { Status: 'IN_SERVICE' } }));
