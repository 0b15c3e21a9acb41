// acknowledge(): one acknowledgement, read by cdk-nag 3 (aws-cdk-lib's Validations) and by cdk-nag 2.x (the
// `cdk_nag` metadata of each CfnResource under the acknowledging construct).
import { App, Aspects, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks as AwsSolutionsChecksV3 } from 'cdk-nag';
import { AwsSolutionsChecks, INagLogger, NagSuppressions } from 'cdk-nag-v2';
// cdk-nag 2.x's own reader of the metadata: what it decodes is what its rules see.
import { NagSuppressionHelper } from 'cdk-nag-v2/lib/utils/nag-suppression-helper';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, NAG_V2_METADATA_KEY } from '../src/private/acknowledge';

const WILDCARD = { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Reviewed: this action takes no resource-level permissions.' };
const MANAGED_POLICY = { id: 'AwsSolutions-IAM4', reason: 'Reviewed: the AWS managed policy Lambda documents for this.' };

/** A resource both rules above check (IAM4 and IAM5 read a role's managed policies and inline policies). */
function resource(scope: Construct, id: string, type = 'AWS::IAM::Role'): CfnResource {
  return new CfnResource(scope, id, { type });
}

/** The `cdk_nag` metadata of each resource once the app is synthesized (the Aspects have run), by construct path. */
function nagMetadata(stack: Stack): Record<string, any> {
  (stack.node.root as App).synth();
  return Object.fromEntries(stack.node.findAll()
    .filter(CfnResource.isCfnResource)
    .map(r => [r.node.path, r.getMetadata(NAG_V2_METADATA_KEY)]));
}

test('every CfnResource under the construct gets the rules in cdk-nag 2.x\'s form; the construct\'s siblings get none', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = new Construct(stack, 'Scope');
  resource(scope, 'Direct');
  resource(new Construct(scope, 'Child'), 'Nested');
  resource(stack, 'Sibling');

  acknowledge(scope, WILDCARD, MANAGED_POLICY);

  const expected = {
    rules_to_suppress: [
      { reason: WILDCARD.reason, id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] },
      { reason: MANAGED_POLICY.reason, id: 'AwsSolutions-IAM4' },
    ],
  };
  expect(nagMetadata(stack)).toEqual({
    'Stack/Scope/Direct': expected,
    'Stack/Scope/Child/Nested': expected,
    'Stack/Sibling': undefined,
  });
  // In the template: the resource's CloudFormation Metadata, where cdk-nag 2.x's NagSuppressions puts it.
  expect(Template(stack).Resources[logicalId(stack, 'Stack/Scope/Direct')].Metadata).toEqual({ cdk_nag: expected });
});

test('the acknowledging construct itself, when it is a CfnResource, and resources added under it afterwards', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = resource(stack, 'Role');
  acknowledge(scope, MANAGED_POLICY);
  resource(scope, 'Later');

  expect(nagMetadata(stack)).toEqual({
    'Stack/Role': { rules_to_suppress: [{ reason: MANAGED_POLICY.reason, id: 'AwsSolutions-IAM4' }] },
    'Stack/Role/Later': { rules_to_suppress: [{ reason: MANAGED_POLICY.reason, id: 'AwsSolutions-IAM4' }] },
  });
});

test('the findings of one rule with one reason share a suppression; another reason gets its own; a whole rule covers its findings', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = resource(stack, 'Role');
  const reason = 'Reviewed: names chosen at deploy time.';

  acknowledge(scope, { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::a/*]', reason });
  acknowledge(scope, { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/*]', reason },
    { id: 'AwsSolutions-IAM5[Action::s3:*]', reason: 'Reviewed: another reason.' });
  acknowledge(scope, { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/x]', reason });
  acknowledge(scope, { id: 'AwsSolutions-IAM4', reason });
  acknowledge(scope, { id: 'AwsSolutions-IAM4[Policy::y]', reason });
  // aws-cdk-lib's namespace for ids it qualifies is not part of cdk-nag's rule id.
  acknowledge(scope, { id: 'Annotation::AwsSolutions-COG1', reason });

  expect(nagMetadata(stack)['Stack/Role'].rules_to_suppress).toEqual([
    { reason, id: 'AwsSolutions-IAM5', applies_to: ['Resource::arn:<AWS::Partition>:s3:::a/*', 'Resource::arn:<AWS::Partition>:s3:::b/*'] },
    { reason: 'Reviewed: another reason.', id: 'AwsSolutions-IAM5', applies_to: ['Action::s3:*'] },
    { reason, id: 'AwsSolutions-IAM4' },
    { reason, id: 'AwsSolutions-COG1' },
  ]);
});

test('each rule only on the resource types it checks (a rule the library does not know: on every resource)', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = new Construct(stack, 'Scope');
  for (const type of ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine', 'AWS::Logs::LogGroup']) {
    resource(scope, type.split('::')[2], type);
  }
  const reason = 'Reviewed: one reason for every rule here.';
  acknowledge(scope, ...['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SF2', 'AwsSolutions-COG1'].map(id => ({ id, reason })));

  const rules = Object.fromEntries(Object.entries(nagMetadata(stack))
    .map(([path, metadata]) => [path.split('/')[2], metadata.rules_to_suppress.map((r: { id: string }) => r.id)]));
  expect(rules).toEqual({
    Role: ['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-COG1'],
    Policy: ['AwsSolutions-IAM5', 'AwsSolutions-COG1'],
    Function: ['AwsSolutions-L1', 'AwsSolutions-COG1'],
    StateMachine: ['AwsSolutions-SF2', 'AwsSolutions-COG1'],
    LogGroup: ['AwsSolutions-COG1'],
  });
});

test('merged with the app\'s own suppressions and other metadata, which stay as they were, in front', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = resource(stack, 'Role');
  const theirs = { id: 'AwsSolutions-SNS3', reason: 'The app\'s own reason for its own rule.' };
  NagSuppressions.addResourceSuppressions(scope, [theirs]);
  scope.addMetadata('cfn_nag', { rules_to_suppress: [{ id: 'W47', reason: 'cfn_nag, not ours' }] });
  acknowledge(scope, MANAGED_POLICY, WILDCARD);
  // Suppressions the app adds after the library's acknowledgement, and one the library also makes.
  NagSuppressions.addResourceSuppressions(scope, [{ id: 'AwsSolutions-IAM5', reason: WILDCARD.reason, appliesTo: ['Resource::*'] }]);

  const template = Template(stack);

  expect(template.Resources.Role.Metadata).toEqual({
    cfn_nag: { rules_to_suppress: [{ id: 'W47', reason: 'cfn_nag, not ours' }] },
    cdk_nag: {
      rules_to_suppress: [
        { reason: theirs.reason, id: 'AwsSolutions-SNS3' },
        { reason: WILDCARD.reason, id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] },
        { reason: MANAGED_POLICY.reason, id: 'AwsSolutions-IAM4' },
      ],
    },
  });
});

test('a reason outside Latin-1 is stored base64-encoded, as cdk-nag 2.x stores it, and cdk-nag 2.x reads it back', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = resource(stack, 'Role');
  const reason = 'Reviewed — the names are chosen at deploy time ✓';

  acknowledge(scope, { id: 'AwsSolutions-IAM5[Resource::*]', reason }, MANAGED_POLICY);

  expect(nagMetadata(stack)['Stack/Role'].rules_to_suppress[0]).toEqual({
    reason: Buffer.from(reason).toString('base64'), id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'], is_reason_encoded: true,
  });
  expect(NagSuppressionHelper.getSuppressions(scope)).toEqual([
    { reason, id: 'AwsSolutions-IAM5', appliesTo: ['Resource::*'] },
    { reason: MANAGED_POLICY.reason, id: 'AwsSolutions-IAM4' },
  ]);
});

test('the acknowledgement for cdk-nag 3 and aws-cdk-lib is made as before', () => {
  const stack = new Stack(new App(), 'Stack');
  const scope = new Construct(stack, 'Scope');

  acknowledge(scope, WILDCARD, MANAGED_POLICY);

  expect(scope.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map(m => m.data)).toEqual([
    { 'Annotation::AwsSolutions-IAM5[Resource::*]': WILDCARD.reason },
    { 'Annotation::AwsSolutions-IAM4': MANAGED_POLICY.reason },
  ]);
});

test('a reason cdk-nag 2.x would refuse (under 10 characters) is refused at once', () => {
  const scope = new Stack(new App(), 'Stack');

  expect(() => acknowledge(scope, { id: 'AwsSolutions-L1', reason: 'because' })).toThrow(
    'The reason for acknowledging AwsSolutions-L1 must have 10 characters or more: \'because\'');
});

describe('cdk-nag runs', () => {
  /** A stack with a policy allowing every resource (AwsSolutions-IAM5[Resource::*]), acknowledged on a construct above it. */
  function wildcardStack(acknowledged: boolean): { app: App; stack: Stack; scope: Construct } {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const scope = new Construct(stack, 'Scope');
    const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    if (acknowledged) {
      acknowledge(scope, WILDCARD);
    }
    // The role's default policy is created by this grant, after the acknowledgement.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogDelivery'], resources: ['*'] }));
    return { app, stack, scope };
  }

  /** What cdk-nag 2.x, added to the app as apps add it (an Aspect of default priority), finds and suppresses. */
  function nagV2(app: App): { findings: string[]; suppressed: string[] } {
    const findings: string[] = [];
    const suppressed: string[] = [];
    const logger: INagLogger = {
      onCompliance: () => undefined,
      onNonCompliance: data => findings.push(`${data.ruleId}[${data.findingId}] at ${data.resource.node.path}`),
      onSuppressed: data => suppressed.push(`${data.ruleId}[${data.findingId}] at ${data.resource.node.path}: ${data.suppressionReason}`),
      onError: data => findings.push(`${data.ruleId} failed at ${data.resource.node.path}: ${data.errorMessage}`),
      onSuppressedError: () => undefined,
      onNotApplicable: () => undefined,
    };
    Aspects.of(app).add(new AwsSolutionsChecks({ reports: false, additionalLoggers: [logger] }));
    app.synth();
    return { findings, suppressed };
  }

  test('cdk-nag 2.x: suppressed with the reason; without the acknowledgement, found', () => {
    expect(nagV2(wildcardStack(true).app)).toEqual({
      findings: [],
      suppressed: [`AwsSolutions-IAM5[Resource::*] at Stack/Scope/Role/DefaultPolicy/Resource: [Resource::*] ${WILDCARD.reason}`],
    });
    expect(nagV2(wildcardStack(false).app).findings).toEqual(['AwsSolutions-IAM5[Resource::*] at Stack/Scope/Role/DefaultPolicy/Resource']);
  });

  test('cdk-nag 3: acknowledged; without the acknowledgement, found', () => {
    const violations = (stack: Stack) => new AwsSolutionsChecksV3().validateScope(stack).violations.map(v => v.ruleName);

    expect(violations(wildcardStack(true).stack)).toEqual([]);
    expect(violations(wildcardStack(false).stack)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });
});

function Template(stack: Stack): { Resources: Record<string, any> } {
  const app = stack.node.root as App;
  return app.synth().getStackArtifact(stack.artifactId).template;
}

function logicalId(stack: Stack, path: string): string {
  const found = stack.node.findAll().find(c => c.node.path === path) as IConstruct as CfnResource;
  return stack.resolve(found.logicalId);
}
