// The stacks the synth benchmark compares: N imports with this library, and the same N imports as a user would write
// them by hand, three ways (the baselines of bench/RESULTS.md, issue 22).
import * as path from 'path';
import { App, AppProps, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ImportedComprehendModel } from '../src';

export const ACCOUNT = '444455556666';
export const REGION = 'us-west-2';
const SHARER = '111122223333';
const SHARER_KEY = `arn:aws:kms:${REGION}:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/**
 * How a stack of the benchmark imports its models:
 * - `library`: one ImportedComprehendModel per model;
 * - `diy-no-wait`: one Lambda function (bench/diy-handler/no-wait.js) as the ServiceToken of one CustomResource per
 *   model; it answers CloudFormation as soon as ImportModel returns, so it does not wait for the copy;
 * - `diy-waiting`: the same handler logic on a `cr.Provider` whose isComplete describes the copy until it is usable
 *   (bench/diy-handler/waiting.js), aws-cdk-lib's defaults;
 * - `diy-aws-custom-resource`: one AwsCustomResource per model, each adding a policy of its own to the singleton role.
 */
export const APPROACHES = ['library', 'diy-no-wait', 'diy-waiting', 'diy-aws-custom-resource'] as const;
export type Approach = typeof APPROACHES[number];

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
  const build = BUILDERS[scalingCase.approach](stack, keys);
  for (let i = 0; i < models; i++) {
    build(i);
  }
  return stack;
}

interface Keys {
  readonly sourceModelKey: kms.IKey;
  readonly modelKey: kms.IKey;
}

/** Given the stack (and its keys), what adds the import of model `i`. */
type Builder = (stack: Stack, keys?: Keys) => (i: number) => void;

const BUILDERS: Record<Approach, Builder> = {
  'library': (stack, keys) => i => {
    new ImportedComprehendModel(stack, `Model${i}`, { sourceModelArn: sourceArn(i), ...keys });
  },
  'diy-no-wait': diyNoWait,
  'diy-waiting': diyWaiting,
  'diy-aws-custom-resource': diyAwsCustomResource,
};

function sourceArn(i: number): string {
  return `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/model-${i}/version/v1`;
}

/** What every hand-written import passes to ImportModel (the copy's key and service role only with keys). */
function importProperties(i: number, keys?: Keys, role?: iam.IRole): Record<string, string> {
  return {
    SourceModelArn: sourceArn(i),
    ModelName: `model-${i}`,
    VersionName: 'copy',
    ...(keys && role ? { ModelKmsKeyId: keys.modelKey.keyArn, DataAccessRoleArn: role.roleArn } : {}),
  };
}

/** With keys, every hand-written approach writes the documented service role once and passes it to every import. */
function dataAccessRole(stack: Stack, keys?: Keys): iam.Role | undefined {
  if (!keys) {
    return undefined;
  }
  const keyArns = [keys.sourceModelKey.keyArn, keys.modelKey.keyArn];
  return new iam.Role(stack, 'ComprehendDataAccess', {
    assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
    inlinePolicies: {
      Keys: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: keyArns }),
          new iam.PolicyStatement({
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: keyArns,
            conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
          }),
        ],
      }),
    },
  });
}

/** The Lambda asset of the hand-written handlers, run on the runtime's own SDK. */
const DIY_HANDLER_CODE = path.join(__dirname, 'diy-handler');
const DIY_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** The actions of the hand-written handlers, one statement each, on every resource. */
function wildcardStatements(actions: string[]): iam.PolicyStatement[] {
  return actions.map(action => new iam.PolicyStatement({ actions: [action], resources: ['*'] }));
}

/**
 * The no-wait DIY: one function, the ServiceToken of one CustomResource per model, that calls ImportModel on create,
 * deletes the copy on delete and answers CloudFormation itself; one role, one statement per action on `*`. It does
 * not wait for the copy to be usable, nor handle updates, throttling (beyond the SDK's retries), validation or
 * ownership.
 */
function diyNoWait(stack: Stack, keys?: Keys): (i: number) => void {
  const role = dataAccessRole(stack, keys);
  const handler = new lambda.Function(stack, 'ImportModelHandler', {
    runtime: DIY_RUNTIME,
    code: lambda.Code.fromAsset(DIY_HANDLER_CODE),
    handler: 'no-wait.handler',
    timeout: Duration.minutes(1),
  });
  for (const statement of wildcardStatements([
    'comprehend:ImportModel', 'comprehend:DeleteDocumentClassifier', 'comprehend:DeleteEntityRecognizer',
    ...(role ? ['iam:PassRole'] : []),
  ])) {
    handler.addToRolePolicy(statement);
  }
  return i => {
    new CustomResource(stack, `Model${i}`, {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::ImportModel',
      properties: importProperties(i, keys, role),
    });
  };
}

/**
 * The waiting DIY: the same handler logic on a `cr.Provider` whose isComplete describes the copy until it is
 * TRAINED, on aws-cdk-lib's defaults (query interval, total timeout, logging); one role for both user handlers, one
 * statement per action on `*`. It waits, but handles no updates, throttling (beyond the SDK's retries), validation or
 * ownership.
 */
function diyWaiting(stack: Stack, keys?: Keys): (i: number) => void {
  const role = dataAccessRole(stack, keys);
  const handlerRole = new iam.Role(stack, 'ImportModelHandlerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
  });
  for (const statement of wildcardStatements([
    'comprehend:ImportModel', 'comprehend:DescribeDocumentClassifier', 'comprehend:DescribeEntityRecognizer',
    'comprehend:DeleteDocumentClassifier', 'comprehend:DeleteEntityRecognizer',
    ...(role ? ['iam:PassRole'] : []),
  ])) {
    handlerRole.addToPolicy(statement);
  }
  const code = lambda.Code.fromAsset(DIY_HANDLER_CODE);
  const provider = new cr.Provider(stack, 'ImportModelProvider', {
    onEventHandler: new lambda.Function(stack, 'ImportModelOnEvent', {
      runtime: DIY_RUNTIME, code, handler: 'waiting.onEvent', role: handlerRole, timeout: Duration.minutes(1),
    }),
    isCompleteHandler: new lambda.Function(stack, 'ImportModelIsComplete', {
      runtime: DIY_RUNTIME, code, handler: 'waiting.isComplete', role: handlerRole, timeout: Duration.minutes(1),
    }),
  });
  return i => {
    new CustomResource(stack, `Model${i}`, {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ImportModel',
      properties: importProperties(i, keys, role),
    });
  };
}

/**
 * The AwsCustomResource DIY: importModel on create, deleteDocumentClassifier on delete, and a policy scoped to the
 * model, which aws-cdk-lib adds to the singleton role as one AWS::IAM::Policy per model. It does not wait for the
 * copy, nor handle updates, throttling or retained copies.
 */
function diyAwsCustomResource(stack: Stack, keys?: Keys): (i: number) => void {
  const role = dataAccessRole(stack, keys);
  return i => {
    const copyArn = `arn:aws:comprehend:${REGION}:${ACCOUNT}:document-classifier/model-${i}/version/copy`;
    const statements = [
      new iam.PolicyStatement({ actions: ['comprehend:ImportModel'], resources: [sourceArn(i), copyArn] }),
      new iam.PolicyStatement({ actions: ['comprehend:DeleteDocumentClassifier'], resources: [copyArn] }),
    ];
    if (role) {
      statements.push(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn] }));
    }
    new cr.AwsCustomResource(stack, `Model${i}`, {
      onCreate: {
        service: 'Comprehend',
        action: 'importModel',
        parameters: importProperties(i, keys, role),
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
