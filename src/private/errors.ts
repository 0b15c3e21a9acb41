import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { explainInvalidArnRegion, explainInvalidKeyArn, explainInvalidRoleArn } from './arn-rules';
import { withPartitionLiteral } from './partition-literal';
import { explainInvalidModelArn, MODEL_ARN_FORM, ModelArnParts, parseModelArn } from '../contract/model-arn';

/** An error for a prop that cannot work, located at the construct that received it. */
export function invalidProp(message: string, scope: IConstruct): Error {
  return new Error(`${scope.node.path}: ${message}`);
}

/**
 * The parts of `arn`, a model ARN known at synth time, or an error that names `prop`. Its Region must be a Region code
 * in lower case, which the service's pattern does not require.
 */
export function requireModelArn(prop: string, arn: string, scope: IConstruct): ModelArnParts {
  const parts = parseModelArn(arn);
  const problem = explainInvalidModelArn(prop, arn) ?? explainInvalidArnRegion(prop, arn, parts!.region, MODEL_ARN_FORM);
  if (problem) {
    throw invalidProp(problem, scope);
  }
  return parts!;
}

/**
 * Fails when `key` is a KMS alias (a `kms.Alias`, `Alias.fromAliasName()`, or a key imported from an alias ARN). IAM
 * matches a key's ARN, never its alias's, so the service role would get KMS permissions on a resource IAM never
 * compares with the key Comprehend uses.
 */
export function requireKeyNotAlias(prop: string, key: kms.IKey | undefined, scope: IConstruct): void {
  if (key === undefined) {
    return;
  }
  const aliasName = (key as Partial<kms.IAlias>).aliasName;
  if (aliasName !== undefined || key.keyArn.includes(':alias/') || key.keyId.startsWith('alias/')) {
    const named = aliasName !== undefined && !Token.isUnresolved(aliasName) ? ` (${aliasName})` : '';
    throw invalidProp(
      `${prop} is a KMS alias${named}; expected the key itself (kms.Key, or kms.Key.fromKeyArn() with an ARN of the form ` +
      'arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID): IAM matches permissions on the key\'s ARN, never on an alias',
      scope,
    );
  }
}

/**
 * A key or role in a message: its ARN when known at synth time (its partition written out, whatever the app's flags),
 * else its construct path.
 */
export function describeResource(arn: string, resource: IConstruct): string {
  const known = withPartitionLiteral(resource, arn);
  return Token.isUnresolved(known) ? `(${resource.node.path})` : `"${known}"`;
}

/**
 * Fails when the ARN of `key` is known at synth time and is not the ARN of a KMS key (a Region in upper case, say):
 * the checks of its account and Region, and Comprehend, would read it wrong.
 */
export function requireKeyArn(prop: string, key: kms.IKey | undefined, scope: IConstruct): void {
  const arn = key && withPartitionLiteral(scope, key.keyArn);
  const problem = arn === undefined || Token.isUnresolved(arn) ? undefined : explainInvalidKeyArn(prop, arn);
  if (problem) {
    throw invalidProp(problem, scope);
  }
}

/**
 * Fails when `role`, a data access role, has an ARN known at synth time that is not a role's, or belongs to another
 * account than the stack's (both known): Comprehend is passed only a role of the calling account (iam:PassRole).
 */
export function requireRoleOfStackAccount(prop: string, role: iam.IRole | undefined, scope: IConstruct): void {
  if (role === undefined) {
    return;
  }
  const roleArn = withPartitionLiteral(scope, role.roleArn);
  const problem = Token.isUnresolved(roleArn) ? undefined : explainInvalidRoleArn(prop, roleArn);
  if (problem) {
    throw invalidProp(problem, scope);
  }
  const account = Stack.of(scope).account;
  const roleAccount = role.env.account;
  if (!Token.isUnresolved(account) && !Token.isUnresolved(roleAccount) && roleAccount !== account) {
    throw invalidProp(
      `${prop} ${describeResource(role.roleArn, role)} is a role of account ${roleAccount}, but this stack deploys to ${account}; ` +
      'expected a role of this stack\'s account, because Comprehend can only be passed a role of the account that calls it ' +
      `(iam:PassRole): create the role in this account, or leave ${prop} unset for the role the library creates`,
      scope,
    );
  }
}
