// The library's refusals again, with @aws-cdk/core:enablePartitionLiterals set (which `cdk init` writes into cdk.json):
// every other test file synthesizes apps without it, as a bare `new App()` and the Python and Go recipes' cdk.json do.
// aws-cdk-lib then writes the partition of the ARNs it formats itself, and no check may depend on that (issue 34).
// Every App reads the context from CDK_CONTEXT_JSON, as under the CLI; set while this file's tests are defined and run.
import * as cxapi from 'aws-cdk-lib/cx-api';

const FLAGS = JSON.stringify({ [cxapi.ENABLE_PARTITION_LITERALS]: true });
const previous = process.env[cxapi.CONTEXT_ENV];
process.env[cxapi.CONTEXT_ENV] = FLAGS;
afterAll(() => {
  if (previous === undefined) {
    delete process.env[cxapi.CONTEXT_ENV];
  } else {
    process.env[cxapi.CONTEXT_ENV] = previous;
  }
});

test('the flag reaches the apps of the files below', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App, Stack } = require('aws-cdk-lib');
  const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'us-west-2' } });
  expect(stack.formatArn({ service: 'comprehend', resource: 'document-classifier', resourceName: 'x' })).toMatch(/^arn:aws:comprehend:/);
});

/* eslint-disable @typescript-eslint/no-require-imports */
describe('imported-comprehend-model.errors', () => {
  require('./imported-comprehend-model.errors.test');
});
describe('cross-account-checks', () => {
  require('./cross-account-checks.test');
});
describe('model-endpoint', () => {
  require('./model-endpoint.test');
});
describe('comprehend-provider', () => {
  require('./comprehend-provider.test');
});
describe('shared-model-policy', () => {
  require('./shared-model-policy.test');
});
