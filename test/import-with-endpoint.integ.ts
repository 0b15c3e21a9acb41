// Import and serve the copy. With AWS accounts: `npx projen integ:import-with-endpoint:deploy -- -c sourceModelArn=…`.
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { importWithEndpoint, pinAssertionSalt } from './integ/integ-stacks';

const app = new App();
pinAssertionSalt(app);
const { stack, endpoint } = importWithEndpoint(app);
new IntegTest(app, 'ImportWithEndpointTest', { testCases: [stack] }).assertions
  .awsApiCall('Comprehend', 'describeEndpoint', { EndpointArn: endpoint.endpointArn })
  .expect(ExpectedResult.objectLike({ EndpointProperties: { Status: 'IN_SERVICE' } }));
