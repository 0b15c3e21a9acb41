// The organization rollout example: one model version copied into every account of an organizational unit by a
// CloudFormation StackSet (service-managed, auto-deployment), built with cdklabs' cdk-stacksets. `npx projen
// synth:org-rollout` writes the templates to examples/cdk.out.org, no AWS account needed. Nothing here has been
// deployed against AWS yet.
//
// Deploy order: the model factory's shares first (ModelShare-REGION, with the sharer's credentials), then the asset
// buckets and the StackSet (OrgRolloutAssets-REGION and OrgRollout, with the StackSet administrator's). The accounts
// to share with are read from examples/org-rollout-accounts.json, which a pipeline writes before it synthesizes:
//   aws organizations list-accounts-for-parent --parent-id OU_ID \
//     --query 'Accounts[?State==`ACTIVE`].Id' --output json > examples/org-rollout-accounts.json
// (that lists the OU's own accounts; a StackSet also deploys to the accounts of the OUs nested in it: docs/organizations.md,
// "Keep importerAccounts in step with the OU", has a command that lists those too).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { defineOrgRollout } from './org-rollout-stacks';

/** The accounts of the OU, from the file the pipeline writes (or `-c importerAccountsFile=PATH`). */
function readImporterAccounts(app: App): string[] {
  const file = app.node.tryGetContext('importerAccountsFile') ?? path.join(__dirname, 'org-rollout-accounts.json');
  const accounts: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(accounts) || !accounts.every(account => typeof account === 'string')) {
    throw new Error(`${file} must hold a JSON array of account IDs, as \`aws organizations list-accounts-for-parent\` lists them`);
  }
  return accounts;
}

const app = new App();
defineOrgRollout(app, {
  organizationId: app.node.tryGetContext('organizationId') ?? 'o-a1b2c3d4e5',
  organizationalUnitId: app.node.tryGetContext('organizationalUnitId') ?? 'ou-a1b2-c3d4e5f6',
  sharerAccount: app.node.tryGetContext('sharerAccount') ?? '111122223333',
  administratorAccount: app.node.tryGetContext('administratorAccount') ?? '999988887777',
  regions: ['us-east-1', 'eu-west-1'],
  importerAccounts: readImporterAccounts(app),
});
app.synth();
