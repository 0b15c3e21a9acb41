// The compliance gates teams put in front of a construct library: cdk-nag's AwsSolutions pack and the Control
// Tower rules of cfn-guard, over every example and integration stack.
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack } from 'aws-cdk-lib';
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
