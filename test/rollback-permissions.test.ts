// What a rollback needs stays granted (issue 32): the handlers may read their own resource's record in the stack, and a
// role the user brings stays passable until the cleanup phase, through a policy of its own that leaves only then.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedComprehendModel, SharedModelPolicy } from '../src';
import { IMPORTER, importerStack, SHARER_KEY, sharerStack, SOURCE_CLASSIFIER as SOURCE, SOURCE_RECOGNIZER } from './support/fixtures';
import { MAX_PASSED_ROLES } from '../src/private/model-provider';

const ROLE_A = `arn:aws:iam::${IMPORTER}:role/comprehend-access-a`;
const ROLE_B = `arn:aws:iam::${IMPORTER}:role/comprehend-access-b`;
const TO_COMPREHEND = { StringEquals: { 'iam:PassedToService': 'comprehend.amazonaws.com' } };

/** The policies of a provider's handler role, by logical id. */
function policiesOf(template: Template, roleIdPrefix: string): Record<string, any> {
  return template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${roleIdPrefix}`) }] } });
}

/** The handler role's policies that pass one role the user brings, by logical id. */
function passRolePolicies(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(policiesOf(template, 'ComprehendProviderHandlerRole'))
    .filter(([id]) => id.startsWith('ComprehendProviderPassRole')));
}

/** The logical ids a resource depends on. */
function dependsOn(template: Template, logicalId: string): string[] {
  return template.toJSON().Resources[logicalId].DependsOn ?? [];
}

function logicalIdOf(construct: { node: { defaultChild?: any } }): string {
  const resource = construct.node.defaultChild;
  return Stack.of(resource).getLogicalId(resource);
}

describe('the handlers read their own resource\'s record in the stack', () => {
  test('DescribeStackResource and DescribeStacks on this stack instance only (AWS::StackId), in the handler role\'s default policy', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    const template = Template.fromStack(stack);

    const statements = Object.entries(policiesOf(template, 'ComprehendProviderHandlerRole'))
      .filter(([id]) => id.startsWith('ComprehendProviderHandlerRoleDefaultPolicy'))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
    expect(statements.filter(s => [s.Action].flat().some((action: string) => action.startsWith('cloudformation:')))).toEqual([
      { Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
    ]);
  });

  test('a stack that only serves a model referenced by ARN has it too: it does not depend on what the stack holds', () => {
    const stack = importerStack();
    ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/x/version/y`)
      .addEndpoint('Live');

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } }]) },
    });
  });

  test('the sharer\'s policy provider gets nothing of CloudFormation', () => {
    const stack = sharerStack();
    new SharedModelPolicy(stack, 'Share', { modelArn: SOURCE, importerAccounts: [IMPORTER] });
    const template = Template.fromStack(stack);

    const policies = Object.values(policiesOf(template, 'ComprehendModelPolicyProviderHandlerRole'));
    expect(policies.length).toBeGreaterThan(0);
    expect(JSON.stringify(policies)).not.toContain('cloudformation:');
  });
});

describe('a role the user brings has a PassRole policy of its own, which the resources passing it depend on', () => {
  test('an import and an endpoint passing the same role share one policy: PassRole on that role, to Comprehend only', () => {
    const stack = importerStack();
    const role = iam.Role.fromRoleArn(stack, 'Access', ROLE_A);
    const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE, sourceModelKey: kms.Key.fromKeyArn(stack, 'Key', SHARER_KEY), dataAccessRole: role });
    // The same ARN through another construct is the same role.
    const endpoint = model.addEndpoint('Live', { dataAccessRole: iam.Role.fromRoleArn(stack, 'SameAccess', ROLE_A) });
    const template = Template.fromStack(stack);

    const policies = passRolePolicies(template);
    expect(Object.keys(policies)).toHaveLength(1);
    const [policyId] = Object.keys(policies);
    expect(policies[policyId].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: ROLE_A, Condition: TO_COMPREHEND },
    ]);
    expect(dependsOn(template, logicalIdOf(model))).toContain(policyId);
    expect(dependsOn(template, logicalIdOf(endpoint))).toContain(policyId);
    // The default policy no longer names the role: it passes only the stack's own service roles.
    expect(JSON.stringify(policiesOf(template, 'ComprehendProviderHandlerRole')[
      Object.keys(policiesOf(template, 'ComprehendProviderHandlerRole')).find(id => id.includes('DefaultPolicy'))!
    ])).not.toContain(ROLE_A);
  });

  test('two roles: two policies, each resource depending on its own role\'s only', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    const a = model.addEndpoint('A', { dataAccessRole: iam.Role.fromRoleArn(stack, 'RoleA', ROLE_A) });
    const b = model.addEndpoint('B', { dataAccessRole: iam.Role.fromRoleArn(stack, 'RoleB', ROLE_B) });
    const template = Template.fromStack(stack);

    const policies = passRolePolicies(template);
    const policyOf = (arn: string) => Object.keys(policies).find(id => policies[id].Properties.PolicyDocument.Statement[0].Resource === arn)!;
    expect(Object.keys(policies)).toHaveLength(2);
    expect(dependsOn(template, logicalIdOf(a)).filter(id => id in policies)).toEqual([policyOf(ROLE_A)]);
    expect(dependsOn(template, logicalIdOf(b)).filter(id => id in policies)).toEqual([policyOf(ROLE_B)]);
  });

  test('the library\'s own service roles get none: the default policy\'s statement on the stack\'s path covers them', () => {
    const stack = importerStack();
    const model = new ImportedComprehendModel(stack, 'Model', {
      sourceModelArn: SOURCE,
      sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', SHARER_KEY),
      modelKey: new kms.Key(stack, 'ModelKey'),
    });
    const endpoint = model.addEndpoint('Live');
    const template = Template.fromStack(stack);

    expect(model.role).toBeDefined();
    expect(endpoint.dataAccessRole).toBeDefined();
    expect(passRolePolicies(template)).toEqual({});
    for (const resource of [model, endpoint]) {
      expect(dependsOn(template, logicalIdOf(resource)).filter(id => id.startsWith('ComprehendProviderPassRole'))).toEqual([]);
    }
  });

  test('switching an endpoint from role A to role B: B\'s policy has another logical id, and A\'s leaves the template', () => {
    const synth = (roleArn: string) => {
      const stack = importerStack();
      new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE })
        .addEndpoint('Live', { dataAccessRole: iam.Role.fromRoleArn(stack, 'Access', roleArn) });
      return Template.fromStack(stack);
    };
    const before = synth(ROLE_A);
    const after = synth(ROLE_B);

    const [idA] = Object.keys(passRolePolicies(before));
    const [idB] = Object.keys(passRolePolicies(after));
    expect(idA).toMatch(/^ComprehendProviderPassRole/);
    expect(idB).toMatch(/^ComprehendProviderPassRole/);
    expect(idB).not.toEqual(idA);
    // A's policy is a removed resource, which CloudFormation deletes in the cleanup phase, after the rollback could need it.
    expect(after.toJSON().Resources).not.toHaveProperty(idA);
    const [endpointId] = Object.keys(after.findResources('Custom::ComprehendModelEndpoint'));
    expect(Object.keys(before.findResources('Custom::ComprehendModelEndpoint'))).toEqual([endpointId]);
    expect(dependsOn(after, endpointId)).toContain(idB);
    expect(dependsOn(after, endpointId)).not.toContain(idA);
  });

  test('the policy is the role\'s, not the resource\'s: another resource passing the same role keeps the same logical id', () => {
    const synth = (endpointId: string) => {
      const stack = importerStack();
      new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE })
        .addEndpoint(endpointId, { dataAccessRole: iam.Role.fromRoleArn(stack, 'Access', ROLE_A) });
      return Object.keys(passRolePolicies(Template.fromStack(stack)));
    };

    expect(synth('Live')).toEqual(synth('Renamed'));
  });

  test('a role of the stack and a role of another stack with the same logical id: two policies', () => {
    const app = new App();
    const env = { account: IMPORTER, region: 'us-west-2' };
    const roles = new Stack(app, 'Roles', { env });
    const importer = new Stack(app, 'Importer', { env });
    const assumedBy = new iam.ServicePrincipal('comprehend.amazonaws.com');
    const theirs = new iam.Role(roles, 'Access', { assumedBy });
    const ours = new iam.Role(importer, 'Access', { assumedBy });
    const logicalId = (role: iam.Role) => Stack.of(role).resolve((role.node.defaultChild as iam.CfnRole).logicalId);
    expect(logicalId(theirs)).toEqual(logicalId(ours));
    const model = new ImportedComprehendModel(importer, 'Model', { sourceModelArn: SOURCE });
    model.addEndpoint('Theirs', { dataAccessRole: theirs });
    model.addEndpoint('Ours', { dataAccessRole: ours });

    const statements = Object.values(passRolePolicies(Template.fromStack(importer))).map(p => p.Properties.PolicyDocument.Statement[0].Resource);
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual({ 'Fn::GetAtt': [logicalId(ours), 'Arn'] });
    expect(statements).toContainEqual({ 'Fn::ImportValue': expect.stringMatching(/^Roles:ExportsOutputFnGetAttAccess/) });
  });

  test(`at most ${MAX_PASSED_ROLES} roles per stack: the error counts them and names the constructs that bring the others`, () => {
    const build = (roles: number) => {
      const stack = importerStack();
      const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
      const recognizer = new ImportedComprehendModel(stack, 'Recognizer', { sourceModelArn: SOURCE_RECOGNIZER });
      for (let i = 0; i < roles; i++) {
        const role = iam.Role.fromRoleArn(stack, `Role${i}`, `arn:aws:iam::${IMPORTER}:role/access-${i}`);
        // Each role passed twice: they count once.
        model.addEndpoint(`Endpoint${i}`, { dataAccessRole: role });
        recognizer.addEndpoint(`Endpoint${i}`, { dataAccessRole: role });
      }
      return stack;
    };

    expect(Object.keys(passRolePolicies(Template.fromStack(build(MAX_PASSED_ROLES))))).toHaveLength(MAX_PASSED_ROLES);
    expect(() => Template.fromStack(build(MAX_PASSED_ROLES + 2))).toThrow(
      `[Importer/ComprehendProvider] the imports and endpoints of this stack bring ${MAX_PASSED_ROLES + 2} roles of their own ` +
      `(dataAccessRole); expected at most ${MAX_PASSED_ROLES}: the handler role passes each through an inline policy of its own, ` +
      `and IAM allows a role 10,240 characters of inline policies in all. The roles past ${MAX_PASSED_ROLES} are those of ` +
      `Importer/Model/Endpoint${MAX_PASSED_ROLES} ("arn:aws:iam::${IMPORTER}:role/access-${MAX_PASSED_ROLES}"), ` +
      `Importer/Model/Endpoint${MAX_PASSED_ROLES + 1} ("arn:aws:iam::${IMPORTER}:role/access-${MAX_PASSED_ROLES + 1}"): let ` +
      'them share a role, leave dataAccessRole unset where the library\'s own role serves (a copy under modelKey), or move them ' +
      'to another stack.',
    );
  });
});
