// What a rollback needs stays granted (issue 32): the handlers may read their own resource's record in the stack.
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
  test('DescribeStackResource on this stack instance only (AWS::StackId), in the handler role\'s default policy', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });
    const template = Template.fromStack(stack);

    const statements = Object.entries(policiesOf(template, 'ComprehendProviderHandlerRole'))
      .filter(([id]) => id.startsWith('ComprehendProviderHandlerRoleDefaultPolicy'))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
    expect(statements.filter(s => [s.Action].flat().some((action: string) => action.startsWith('cloudformation:')))).toEqual([
      { Action: 'cloudformation:DescribeStackResource', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
    ]);
  });

  test('a stack that only serves a model referenced by ARN has it too: it does not depend on what the stack holds', () => {
    const stack = importerStack();
    ImportedComprehendModel.fromModelArn(stack, 'Elsewhere', `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/x/version/y`)
      .addEndpoint('Live');

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'cloudformation:DescribeStackResource', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } }]) },
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
