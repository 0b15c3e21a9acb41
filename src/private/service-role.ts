import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { stackSingleton } from './stack-singleton';

/** The path of the service roles this library creates, so one PassRole statement covers them all. */
const SERVICE_ROLE_PATH = '/cdk-comprehend-model-import/';

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
  // A key is the same key when it has the same ARN, or (for a key of the app, its ARN a token) the same construct.
  const identity = [sourceModelKey, modelKey]
    .map(key => key === undefined ? '-' : Token.isUnresolved(key.keyArn) ? key.node.addr : key.keyArn)
    .join('|');
  const id = `ComprehendImportServiceRole${createHash('sha256').update(identity).digest('hex').slice(0, 8)}`;
  return stackSingleton(scope, id, (stack, roleId) => new iam.Role(stack, roleId, {
    path: SERVICE_ROLE_PATH,
    description: 'Lets Amazon Comprehend use the KMS keys of the model imports of this stack that involve them',
    // Confused-deputy protection: only Comprehend acting for this account may assume the role.
    assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
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

/** The ARNs of every service role this library creates in the stack's account. */
export function importServiceRoleArns(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${SERVICE_ROLE_PATH.slice(1)}*`,
  });
}
