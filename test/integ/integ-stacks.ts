// The stacks of the integration tests, shared by the *.integ.ts apps (snapshots, real deployments) and the
// compliance tests. Source ARNs come from context, so a user with AWS accounts can point them at real models.
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, CfnResource, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

import { ImportedComprehendModel, ModelEndpoint, SharedModelPolicy } from '../../src';
import {
  INTEG_AWS_CONTEXT, INTEG_AWS_KEY_PENDING_DAYS, INTEG_UPDATE_CONTEXT, INTEG_UPDATE_TAG, KEYED_SHARES_CONTEXT,
} from '../contract/aws/integ-plan';

function context(app: App, key: string, fallback: string): string {
  return app.node.tryGetContext(key) ?? fallback;
}

/**
 * `npx projen integ:aws`'s update step (`-c integUpdate=VALUE`): the tag integ-update=VALUE on what the stack is about
 * (the copy, the endpoint; the sharer's stack), so that a second deploy updates it. Without the key nothing is added,
 * and the synthesized templates are those of the snapshots.
 */
function integUpdate(app: App, ...scopes: IConstruct[]): void {
  const value = app.node.tryGetContext(INTEG_UPDATE_CONTEXT);
  if (value !== undefined) {
    scopes.forEach(scope => Tags.of(scope).add(INTEG_UPDATE_TAG, String(value)));
  }
}

/**
 * `npx projen integ:aws` (`-c integAws=true`, on every step): the stack's KMS keys and log groups go with it on destroy
 * (their removal policy DESTROY; a key's deletion scheduled with the minimum waiting period), where the library and
 * CDK's defaults retain them. Without the key nothing changes, and the synthesized templates are those of the snapshots.
 */
function integAwsRemovals(app: App, stack: Stack): void {
  if (String(app.node.tryGetContext(INTEG_AWS_CONTEXT)) !== 'true') {
    return;
  }
  Aspects.of(stack).add({
    visit(node: IConstruct) {
      if (node instanceof kms.CfnKey) {
        node.applyRemovalPolicy(RemovalPolicy.DESTROY);
        node.pendingWindowInDays = INTEG_AWS_KEY_PENDING_DAYS;
      } else if (node instanceof logs.CfnLogGroup) {
        node.applyRemovalPolicy(RemovalPolicy.DESTROY);
      }
    },
  });
}

const CLASSIFIER = 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/support-tickets/version/v1';
const SHARER_KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** An import with AWS owned keys on both sides: no service role. */
export function importWithoutKeys(app: App): { stack: Stack; model: ImportedComprehendModel } {
  const stack = new Stack(app, 'ImportWithoutKeys');
  integAwsRemovals(app, stack);
  const model = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: context(app, 'sourceModelArn', CLASSIFIER) });
  integUpdate(app, model);
  return { stack, model };
}

/** An import of a model encrypted with the sharer's key, into a copy encrypted with this account's key. */
export function importWithKeys(app: App): { stack: Stack; model: ImportedComprehendModel } {
  const stack = new Stack(app, 'ImportWithKeys');
  integAwsRemovals(app, stack);
  const model = new ImportedComprehendModel(stack, 'Copy', {
    sourceModelArn: context(app, 'encryptedSourceModelArn', CLASSIFIER),
    sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', context(app, 'sourceModelKeyArn', SHARER_KEY)),
    modelKey: new kms.Key(stack, 'ModelKey', { enableKeyRotation: true }),
  });
  integUpdate(app, model);
  return { stack, model };
}

/** An import served by an endpoint. */
export function importWithEndpoint(app: App): { stack: Stack; model: ImportedComprehendModel; endpoint: ModelEndpoint } {
  const stack = new Stack(app, 'ImportWithEndpoint');
  integAwsRemovals(app, stack);
  const model = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: context(app, 'sourceModelArn', CLASSIFIER) });
  const endpoint = model.addEndpoint('Endpoint');
  integUpdate(app, model, endpoint);
  return { stack, model, endpoint };
}

/**
 * An import into eu-west-1 (a Region without CloudFormation's endpoint types), under this account's customer managed
 * key, served through the provider with a data access role, and auto scaled on utilization.
 */
export function serveAnywhere(app: App): { stack: Stack; model: ImportedComprehendModel; endpoint: ModelEndpoint } {
  const stack = new Stack(app, 'ServeAnywhere', { env: { region: 'eu-west-1' } });
  integAwsRemovals(app, stack);
  const model = new ImportedComprehendModel(stack, 'Copy', {
    sourceModelArn: context(app, 'euSourceModelArn', CLASSIFIER.replace(':us-west-2:', ':eu-west-1:')),
    modelKey: new kms.Key(stack, 'ModelKey', { enableKeyRotation: true }),
  });
  const endpoint = model.addEndpoint('Endpoint');
  endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 4 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
  integUpdate(app, model, endpoint);
  return { stack, model, endpoint };
}

/**
 * The sharer's side: a classifier of this stack shared by ModelPolicy, and one trained elsewhere by PutResourcePolicy.
 * `-c keyedShares=false` (integ:aws, in an account without the keyed model's versions, which would have to exist before
 * the stack that makes their key) leaves out the key and its two shares.
 */
export function sharerSide(app: App): { stack: Stack; shared: SharedModelPolicy } {
  const stack = new Stack(app, 'SharerSide');
  integAwsRemovals(app, stack);
  const importer = context(app, 'importerAccount', '444455556666');
  const shared = new SharedModelPolicy(stack, 'ShareExisting', {
    modelArn: context(app, 'sharedModelArn', `arn:aws:comprehend:${stack.region}:${stack.account}:document-classifier/existing/version/v1`),
    importerAccounts: [importer],
  });
  integUpdate(app, stack);
  if (String(app.node.tryGetContext(KEYED_SHARES_CONTEXT)) === 'false') {
    return { stack, shared };
  }
  // Two versions of a model under one key of the stack: each share adds key-policy statements with Sids of its own.
  const modelKey = new kms.Key(stack, 'ModelKey', { enableKeyRotation: true, description: 'Encrypts the keyed model\'s versions' });
  for (const version of ['v1', 'v2']) {
    new SharedModelPolicy(stack, `ShareKeyed${version.toUpperCase()}`, {
      modelArn: `arn:aws:comprehend:${stack.region}:${stack.account}:document-classifier/keyed/version/${version}`,
      importerAccounts: [importer],
      modelKey,
    });
  }
  return { stack, shared };
}


/** The integration test of an import stack: deployed, the copy must be TRAINED. */
export function expectTrainedCopy(app: App, id: string, { stack, model }: { stack: Stack; model: ImportedComprehendModel }): IntegTest {
  const integ = new IntegTest(app, id, { testCases: [stack] });
  integ.assertions
    .awsApiCall('Comprehend', 'describeDocumentClassifier', { DocumentClassifierArn: model.modelArn })
    .expect(ExpectedResult.objectLike({ DocumentClassifierProperties: { Status: 'TRAINED' } }));
  return integ;
}

/**
 * integ-tests-alpha salts every assertion with the synth time so that a redeploy runs it again; that makes each
 * synth differ. Integration tests deploy fresh stacks, so a fixed salt loses nothing and keeps the snapshots
 * comparable offline.
 */
export function pinAssertionSalt(app: App): void {
  Aspects.of(app).add({
    visit(node: IConstruct) {
      if (node instanceof CfnResource && node.cfnResourceType.startsWith('Custom::DeployAssert')) {
        node.addPropertyOverride('salt', 'pinned-for-snapshots');
      }
    },
  });
}
