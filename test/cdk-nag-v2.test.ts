// cdk-nag 2.x (installed as cdk-nag-v2), as apps still on it run it: AwsSolutionsChecks as an Aspect of the app,
// reading the suppressions of each resource's `cdk_nag` metadata. Every finding the library acknowledges for cdk-nag 3
// (test/compliance.test.ts) must be suppressed for it too, with the same reason; and without the library's cdk_nag
// metadata, the same run must report them.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks as AwsSolutionsChecksV3 } from 'cdk-nag';
import type { INagLogger } from 'cdk-nag-v2';

jest.setTimeout(240_000);

/** The app's own reasons, for findings on the test's own constructs (the VPC): not the library's. */
const APP_REASON = 'The test app\'s own construct, outside the library.';

/**
 * The example app's own roles, outside the library: the example acknowledges their findings itself, for cdk-nag 3
 * (examples/sharer-stack.ts, examples/importer-stack.ts), as an app on cdk-nag 3 would.
 */
const EXAMPLES_OWN = ['ComprehendSharer/TrainingRole/', 'ComprehendImporter/NightlyBatch/'];

/** Whether a finding is at one of the example app's own constructs. */
function examplesOwn(finding: string): boolean {
  return EXAMPLES_OWN.some(path => finding.includes(` at ${path}`));
}

/** What cdk-nag 2.x reports: unsuppressed findings (errors and warnings), and the suppressed ones with their reasons. */
interface NagRun {
  readonly findings: string[];
  readonly suppressed: Map<string, string>;
  /** The stacks checked. */
  readonly stacks: import('aws-cdk-lib').Stack[];
}

/**
 * Synthesizes the stacks of the example app and a stack with every feature of the library under cdk-nag 2.x's
 * AwsSolutionsChecks, with the modules of the current module registry (required here, so that a test can run it in an
 * isolated registry where the library's cdk-nag 2.x suppressions are removed).
 */
function runNagV2(): NagRun {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
  const { AwsSolutionsChecks, NagMessageLevel, NagSuppressions }: typeof import('cdk-nag-v2') = require('cdk-nag-v2');
  const lib: typeof import('../src') = require('../src');
  const { defineCrossAccountStacks }: typeof import('../examples/cross-account') = require('../examples/cross-account');
  const fixtures: typeof import('./support/fixtures') = require('./support/fixtures');
  const ec2Module: typeof ec2 = require('aws-cdk-lib/aws-ec2');
  const iamModule: typeof iam = require('aws-cdk-lib/aws-iam');
  const kmsModule: typeof kms = require('aws-cdk-lib/aws-kms');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const findings: string[] = [];
  const suppressed = new Map<string, string>();
  const level = (l: unknown) => l === NagMessageLevel.ERROR ? 'error' : 'warning';
  const logger: INagLogger = {
    onCompliance: () => undefined,
    onNonCompliance: d => findings.push(`${d.ruleId}[${d.findingId}] (${level(d.ruleLevel)}) at ${d.resource.node.path}`),
    onSuppressed: d => suppressed.set(`${d.ruleId}[${d.findingId}] (${level(d.ruleLevel)}) at ${d.resource.node.path}`, d.suppressionReason),
    onError: d => findings.push(`${d.ruleId} could not be checked (error) at ${d.resource.node.path}: ${d.errorMessage}`),
    onSuppressedError: d => suppressed.set(`${d.ruleId} could not be checked (error) at ${d.resource.node.path}`, d.errorSuppressionReason),
    onNotApplicable: () => undefined,
  };
  const checked = (app: import('aws-cdk-lib').App) => {
    cdk.Aspects.of(app).add(new AwsSolutionsChecks({ reports: false, additionalLoggers: [logger] }));
    return app;
  };

  // The example app (examples/app.ts): the sharer's and the importer's stacks.
  const examples = checked(new cdk.App());
  const { sharer, importer } = defineCrossAccountStacks(examples);
  examples.synth();

  // Every feature in one stack: configure() with a VPC, an import with keys on both sides and the app's own roles,
  // an endpoint with a data access role, a role granted inference, and a share of a model of the stack's account.
  const app = checked(new cdk.App());
  const stack = fixtures.importerStack(app, 'EveryFeature');
  const vpc = new ec2Module.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2Module.SubnetType.PRIVATE_ISOLATED }],
  });
  NagSuppressions.addResourceSuppressions(vpc, [{ id: 'AwsSolutions-VPC7', reason: APP_REASON }]);
  cdk.Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: APP_REASON });
  lib.ComprehendProvider.configure(stack, { vpc, vpcSubnets: { subnetGroupName: 'Isolated' } });
  const modelKey = new kmsModule.Key(stack, 'ModelKey', { enableKeyRotation: true });
  const importRole = new iamModule.Role(stack, 'ImportRole', { assumedBy: new iamModule.ServicePrincipal('comprehend.amazonaws.com') });
  const model = new lib.ImportedComprehendModel(stack, 'Model', {
    sourceModelArn: fixtures.SOURCE_CLASSIFIER,
    sourceModelKey: kmsModule.Key.fromKeyArn(stack, 'SharerKey', fixtures.SHARER_KEY),
    modelKey,
    dataAccessRole: importRole,
  });
  const endpointRole = new iamModule.Role(stack, 'EndpointRole', { assumedBy: new iamModule.ServicePrincipal('comprehend.amazonaws.com') });
  const endpoint = model.addEndpoint('Endpoint', { dataAccessRole: endpointRole });
  endpoint.grantInference(new iamModule.Role(stack, 'Caller', { assumedBy: new iamModule.AccountRootPrincipal() }));
  new lib.SharedModelPolicy(stack, 'Share', {
    modelArn: `arn:aws:comprehend:${fixtures.REGION}:${fixtures.IMPORTER}:document-classifier/own/version/v1`,
    importerAccounts: [fixtures.STRANGER],
  });
  app.synth();

  return { findings, suppressed, stacks: [sharer, importer, stack] };
}

test('cdk-nag 2.x AwsSolutions: no unsuppressed error or warning in the example app and a stack with every feature', () => {
  const { findings, suppressed } = runNagV2();

  expect(findings.filter(f => !examplesOwn(f))).toEqual([]);
  // The run did check the library's resources: its acknowledged findings are there, suppressed with their reasons.
  expect([...suppressed.keys()]).toEqual(expect.arrayContaining([
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::.*\] \(error\) at EveryFeature\/ComprehendProvider/),
    expect.stringMatching(/^AwsSolutions-SF2\[\] \(error\) at EveryFeature\/ComprehendProvider/),
    expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AWSLambdaVPCAccessExecutionRole\] \(error\) at EveryFeature\/ComprehendProvider/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::.*\] \(error\) at EveryFeature\/ComprehendModelPolicyProvider/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::.*\] \(error\) at ComprehendImporter\//),
  ]));
});

test('cdk-nag 3 acknowledges the findings of the same stacks (test/compliance.test.ts checks the example and integration stacks)', () => {
  const { stacks } = runNagV2();

  for (const stack of stacks) {
    expect(new AwsSolutionsChecksV3().validateScope(stack).violations.map(v => v.ruleName)).toEqual([]);
  }
});

test('without the library\'s cdk_nag metadata, the same run reports every finding it suppresses', () => {
  const withSuppressions = runNagV2();
  let without!: NagRun;
  jest.isolateModules(() => {
    // acknowledge() as it was before cdk-nag 2.x was considered: for cdk-nag 3 (aws-cdk-lib's Validations) only.
    jest.doMock('../src/private/acknowledge', () => ({
      ...jest.requireActual('../src/private/acknowledge'),
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      acknowledge: (scope: any, ...rules: any[]) => require('aws-cdk-lib').Validations.of(scope).acknowledge(...rules),
    }));
    without = runNagV2();
  });

  const theLibrarys = [...withSuppressions.suppressed].filter(([, reason]) => reason !== APP_REASON).map(([finding]) => finding);
  expect(theLibrarys.length).toBeGreaterThan(20);
  expect(without.findings.filter(f => !examplesOwn(f)).sort()).toEqual(theLibrarys.sort());
});
