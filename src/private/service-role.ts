import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { stackGuid } from './stack-instance';
import { stackSingleton } from './stack-singleton';

/** The first part of the path of the service roles this library creates. */
const SERVICE_ROLE_PATH_PREFIX = 'cdk-comprehend-model-import';

/**
 * The path of the service roles of this stack instance: `/cdk-comprehend-model-import/STACK_GUID/`. One PassRole
 * statement then covers this stack's roles and no other stack's (a path without the GUID would let every stack's
 * handler pass every other stack's roles).
 */
function serviceRolePath(): string {
  return `/${SERVICE_ROLE_PATH_PREFIX}/${stackGuid()}/`;
}

/**
 * The service role Comprehend uses during an import, exactly as the Comprehend documentation describes it, when a
 * customer managed key is involved; undefined otherwise.
 *
 * The imports of a stack that involve the same keys share one: its permissions are the same for each, and a role per
 * import would add an IAM role and its policy to the template for every model.
 */
export function importServiceRole(scope: Construct, sourceModelKey?: kms.IKey, modelKey?: kms.IKey): iam.IRole | undefined {
  const keys = [sourceModelKey, modelKey].filter((key): key is kms.IKey => key !== undefined);
  if (keys.length === 0) {
    return undefined;
  }
  const id = `ComprehendImportServiceRole${keysHash(sourceModelKey, modelKey)}`;
  return stackSingleton(scope, id, (stack, roleId) => new iam.Role(stack, roleId, {
    path: serviceRolePath(),
    description: 'Lets Amazon Comprehend use the KMS keys of the model imports of this stack that involve them',
    assumedBy: comprehendForThisAccount(stack),
    inlinePolicies: {
      ModelImportKeys: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: keys.map(key => key.keyArn) }),
          new iam.PolicyStatement({
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: keys.map(key => key.keyArn),
            conditions: { StringEquals: { 'kms:ViaService': [`s3.${stack.region}.amazonaws.com`] } },
          }),
        ],
      }),
    },
  }));
}

/**
 * The data access role an endpoint passes to Comprehend to serve a model encrypted with `modelKey` (CreateEndpoint's
 * DataAccessRoleArn); the endpoints of a stack that serve models under the same key share one.
 *
 * Its permissions, and where they come from:
 * - `kms:Decrypt` on the key: botocore's Comprehend model documents DataAccessRoleArn as the role "that grants Amazon
 *   Comprehend read access to trained custom models encrypted with a customer managed key (ModelKmsKeyId)".
 * - `kms:CreateGrant` on the key, for AWS resources only: Comprehend works with a model's key through grants it creates
 *   (the import role's documented `kms:CreateGrant`, and the sharer's key policy that Comprehend documents for
 *   `kms:CreateGrant` with the model's encryption context, custom-copy-sharing).
 * - No `kms:ViaService` condition: the import role's `s3.<region>` condition is about reading model files from S3 during
 *   the import; an endpoint's reads are not documented to go through S3, and the condition would deny them if they did not
 *   (docs/aws-assumptions.md, endpoint-reads-without-s3).
 */
export function endpointServiceRole(scope: Construct, modelKey: kms.IKey): iam.IRole {
  const id = `ComprehendEndpointServiceRole${keysHash(modelKey)}`;
  return stackSingleton(scope, id, (stack, roleId) => new iam.Role(stack, roleId, {
    path: serviceRolePath(),
    description: 'Lets Amazon Comprehend read the models of this stack\'s endpoints that are encrypted with one customer managed key',
    assumedBy: comprehendForThisAccount(stack),
    inlinePolicies: {
      ServedModelKey: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [modelKey.keyArn] }),
          new iam.PolicyStatement({
            actions: ['kms:CreateGrant'],
            resources: [modelKey.keyArn],
            conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          }),
        ],
      }),
    },
  }));
}

/** Confused-deputy protection: only Comprehend acting for this account may assume the role. */
function comprehendForThisAccount(stack: Stack): iam.IPrincipal {
  return new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': stack.account },
  });
}

/**
 * A short hash that names a set of keys: a key is the same key when it has the same ARN, or (for a key of the app, its
 * ARN a token) the same construct.
 */
function keysHash(...keys: Array<kms.IKey | undefined>): string {
  const identity = keys
    .map(key => key === undefined ? '-' : Token.isUnresolved(key.keyArn) ? key.node.addr : key.keyArn)
    .join('|');
  return createHash('sha256').update(identity).digest('hex').slice(0, 8);
}

/** The ARNs of every service role this library creates in the stack instance of `scope`, and of no other stack. */
export function serviceRoleArns(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${SERVICE_ROLE_PATH_PREFIX}/${stackGuid()}/*`,
  });
}
