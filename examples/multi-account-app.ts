// The multi-account example: `npx projen synth:multi-account` writes every stage's templates under
// examples/cdk.out.multi (assembly-ModelFactory, assembly-Staging, assembly-Prod), no AWS account needed. Deploy each
// stage with its account's credentials: `cdk deploy 'ModelFactory/*'`, then `cdk deploy 'Staging/*'` and `'Prod/*'`.
import { App } from 'aws-cdk-lib';
import { defineMultiAccountApp } from './multi-account';

const app = new App();
defineMultiAccountApp(app, {
  region: app.node.tryGetContext('region') ?? 'us-west-2',
  factoryAccount: app.node.tryGetContext('factoryAccount') ?? '111122223333',
  stagingAccount: app.node.tryGetContext('stagingAccount') ?? '222233334444',
  prodAccount: app.node.tryGetContext('prodAccount') ?? '444455556666',
});
app.synth();
