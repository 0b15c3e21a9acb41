import { Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { explainInvalidModelArn, ModelArnParts, parseModelArn } from '../contract/model-arn';

/** An error for a prop that cannot work, located at the construct that received it. */
export function invalidProp(message: string, scope: IConstruct): Error {
  return new Error(`${scope.node.path}: ${message}`);
}

/** The parts of `arn`, a model ARN known at synth time, or an error that names `prop`. */
export function requireModelArn(prop: string, arn: string, scope: IConstruct): ModelArnParts {
  const problem = explainInvalidModelArn(prop, arn);
  if (problem) {
    throw invalidProp(problem, scope);
  }
  return parseModelArn(arn)!;
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
