// The cross-account example: `npx projen synth:example` writes both templates to examples/cdk.out, no AWS
// account needed. To deploy it: deploy ComprehendSharer with account A's credentials, then deploy
// ComprehendImporter with account B's, passing the sharer's key output (-c supportTicketsKeyArn=…).
import { App } from 'aws-cdk-lib';
import { defineCrossAccountStacks } from './cross-account';

const app = new App();
defineCrossAccountStacks(app);
app.synth();
