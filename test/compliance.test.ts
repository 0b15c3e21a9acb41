// The compliance gates teams put in front of a construct library: cdk-nag's AwsSolutions pack, the Control Tower
// rules of cfn-guard and aws-cdk-lib's own CloudFormation validator, over every example and integration stack.
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineCrossAccountStacks } from '../examples/cross-account';
import { importWithEndpoint, importWithKeys, importWithoutKeys, serveAnywhere, sharerSide } from './integ/integ-stacks';

jest.setTimeout(120_000);

/** Every example and integration stack, each in an app of its own kind. */
function allStacks(): Stack[] {
  const examples = defineCrossAccountStacks(new App());
  const integ = new App();
  return [
    examples.sharer,
    examples.importer,
    importWithoutKeys(integ).stack,
    importWithKeys(integ).stack,
    importWithEndpoint(integ).stack,
    serveAnywhere(integ).stack,
    sharerSide(integ).stack,
  ];
}

test.each(allStacks().map(stack => [stack.stackName, stack] as const))('cdk-nag AwsSolutions: %s has no unacknowledged finding', (_, stack) => {
  const report = new AwsSolutionsChecks().validateScope(stack);

  expect(report.violations.map(v => `${v.ruleName} at ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);
});

/**
 * The Control Tower rules the library's resources do not meet, and why. docs/compliance.md lists the same.
 * Anything else cfn-guard reports fails the test.
 */
const GUARD_EXCEPTIONS: Record<string, { readonly resources: RegExp; readonly reason: string }> = {
  cloudwatch_log_group_encrypted_check: {
    resources: /^Comprehend(ModelPolicy)?Provider(OnEvent|IsComplete|Framework|Waiter)Logs/,
    reason: 'The handlers\' log groups use CloudWatch Logs\' default encryption at rest; a customer managed key per stack would cost more than the logs are worth.',
  },
  lambda_inside_vpc_check: {
    resources: /^Comprehend(ModelPolicy)?Provider/,
    reason: 'The handlers call only the Comprehend API; a VPC would add NAT or endpoints for no isolation gain.',
  },
  step_functions_state_machine_tracing_enabled_check: {
    resources: /^ComprehendProviderwaiterstatemachine/,
    reason: 'The custom-resources Provider offers no X-Ray tracing for its waiter; it logs every event instead.',
  },
  kms_create_grant_aws_service_check: {
    // cfn-guard names no resource for one of the two findings in the sharer's template.
    resources: /^(ModelKey|OnCallKey|$)/,
    reason: 'The examples\' customer managed keys (the models\' and the alarm topic\'s): the default key policy, and the kms:CreateGrant statement SharedModelPolicy adds '
      + 'for the importers, conditioned on kms:EncryptionContext:aws:comprehend:arn = the model as Comprehend documents it.',
  },
};

test('cfn-guard Control Tower rules: only the documented exceptions', () => {
  const stacks = allStacks();
  const templatePaths = [...new Set(stacks.map(stack => stack.node.root as App))]
    .flatMap(app => {
      const assembly = app.synth();
      return stacks.filter(s => s.node.root === app).map(s => path.join(assembly.directory, assembly.getStackArtifact(s.artifactId).templateFile));
    });

  const report = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate({ templatePaths } as any);

  const unexpected = report.violations.flatMap(violation => violation.violatingResources
    .filter(resource => !GUARD_EXCEPTIONS[violation.ruleName]?.resources.test(resource.resourceLogicalId ?? ''))
    .map(resource => `${violation.ruleName}: ${resource.resourceLogicalId} in ${path.basename(resource.templatePath)}`));
  expect(unexpected).toEqual([]);
});

/**
 * aws-cdk-lib's own CloudFormation validator (`@aws/cloudformation-validate`, run at every synth unless
 * CDK_VALIDATION=false). The unit tests turn it off (test/support/global-setup.ts); here it is registered explicitly,
 * which runs it whatever that variable says, with its default rules, its findings as errors and warnings strict.
 * A stack with a property CloudFormation does not know proves that it ran: its report names that resource.
 */
test('aws-cdk-lib\'s CloudFormation validator: every example and integration stack passes, warnings included', () => {
  const validated = () => {
    const app = new App({
      context: {
        [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
        [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true,
        // The reports are read below: the test fails on them, not the process.
        [cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false,
      },
    });
    Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
    return app;
  };
  const findings = (app: App) => {
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, cxapi.VALIDATION_REPORT_FILE), 'utf8'));
    return (report.pluginReports as any[])
      .filter(plugin => plugin.pluginName === CloudFormationValidatePlugin.PLUGIN_NAME)
      .flatMap(plugin => [...plugin.violations, ...plugin.suppressedViolations ?? []])
      .flatMap(v => v.violatingConstructs.map((c: any) => `${v.ruleName} (${v.severity}) at ${c.constructPath}: ${v.description}`));
  };
  const control = validated();
  new CfnResource(new Stack(control, 'Control'), 'Unknown', { type: 'AWS::SNS::Topic', properties: { NoSuchProperty: 'x' } });
  const examples = defineCrossAccountStacks(validated());
  const integ = validated();
  for (const define of [importWithoutKeys, importWithKeys, importWithEndpoint, serveAnywhere, sharerSide]) {
    define(integ);
  }

  expect(findings(control)).toEqual([expect.stringContaining('at Control/Unknown')]);
  expect(findings(examples.sharer.node.root as App)).toEqual([]);
  expect(findings(integ)).toEqual([]);
});
