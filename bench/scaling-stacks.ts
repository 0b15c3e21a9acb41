// The stacks the synth benchmark compares: N imports with this library, and the same N imports as a user would
// write them by hand with one AwsCustomResource per model.
import { App, AppProps, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ImportedComprehendModel } from '../src';

export const ACCOUNT = '444455556666';
export const REGION = 'us-west-2';
const SHARER = '111122223333';
const SHARER_KEY = `arn:aws:kms:${REGION}:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** How a stack of the benchmark imports its models. */
export type Approach = 'library' | 'diy';

export interface ScalingCase {
  readonly approach: Approach;
  /** Both customer managed keys: the sharer's on the source, one of this account on the copies. */
  readonly keys: boolean;
}

/** A stack importing `models` classifiers, each from a source model of its own, in an app of its own. */
export function scalingStack(scalingCase: ScalingCase, models: number, appProps: AppProps = {}): Stack {
  const app = new App(appProps);
  const stack = new Stack(app, 'Importer', { env: { account: ACCOUNT, region: REGION } });
  const keys = scalingCase.keys ? {
    sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', SHARER_KEY),
    modelKey: new kms.Key(stack, 'ModelKey', { enableKeyRotation: true }),
  } : undefined;
  const build = scalingCase.approach === 'library' ? addLibraryImport : diyImporter(stack, keys);
  for (let i = 0; i < models; i++) {
    build(stack, i, keys);
  }
  return stack;
}

interface Keys {
  readonly sourceModelKey: kms.IKey;
  readonly modelKey: kms.IKey;
}

function sourceArn(i: number): string {
  return `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/model-${i}/version/v1`;
}

function addLibraryImport(stack: Stack, i: number, keys?: Keys): void {
  new ImportedComprehendModel(stack, `Model${i}`, { sourceModelArn: sourceArn(i), ...keys });
}

/**
 * The hand-written alternative: importModel on create, deleteDocumentClassifier on delete, and a policy scoped to
 * the model. With keys, the user writes the documented service role once and passes it to every import. It does
 * not wait for the copy to be TRAINED, nor handle updates, throttling or retained copies.
 */
function diyImporter(stack: Stack, keys?: Keys): (stack: Stack, i: number) => void {
  const role = keys ? new iam.Role(stack, 'ComprehendDataAccess', {
    assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
    inlinePolicies: {
      Keys: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: [keys.sourceModelKey.keyArn, keys.modelKey.keyArn] }),
          new iam.PolicyStatement({
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [keys.sourceModelKey.keyArn, keys.modelKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
          }),
        ],
      }),
    },
  }) : undefined;

  return (scope, i) => {
    const copyArn = `arn:aws:comprehend:${REGION}:${ACCOUNT}:document-classifier/model-${i}/version/copy`;
    const statements = [
      new iam.PolicyStatement({ actions: ['comprehend:ImportModel'], resources: [sourceArn(i), copyArn] }),
      new iam.PolicyStatement({ actions: ['comprehend:DeleteDocumentClassifier'], resources: [copyArn] }),
    ];
    if (role) {
      statements.push(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn] }));
    }
    new cr.AwsCustomResource(scope, `Model${i}`, {
      onCreate: {
        service: 'Comprehend',
        action: 'importModel',
        parameters: {
          SourceModelArn: sourceArn(i),
          ModelName: `model-${i}`,
          VersionName: 'copy',
          ...(keys && role ? { ModelKmsKeyId: keys.modelKey.keyArn, DataAccessRoleArn: role.roleArn } : {}),
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('ModelArn'),
      },
      onDelete: {
        service: 'Comprehend',
        action: 'deleteDocumentClassifier',
        parameters: { DocumentClassifierArn: new cr.PhysicalResourceIdReference() },
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements(statements),
      installLatestAwsSdk: false,
    });
  };
}
