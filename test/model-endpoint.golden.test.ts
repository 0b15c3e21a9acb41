// Golden values of one fixed app: the endpoint's logical id, type and default name are literals here, and no Region,
// key, role or model type may change them. A change of any of them replaces the endpoint in a deployed stack (a new
// logical id or type is a new resource under the same name), so these literals change only on purpose.
import { App, Names, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedComprehendModel, ModelEndpoint } from '../src';
import { IMPORTER, REGION, SOURCE_CLASSIFIER, SOURCE_RECOGNIZER } from './support/fixtures';

const LOGICAL_ID = 'TicketsLiveD9F2C579';
const TYPE = 'Custom::ComprehendModelEndpoint';
const DEFAULT_NAME = 'Tickets-Live-C8D6884F';

const inRegion = (arn: string, region: string) => arn.replace(`:${REGION}:`, `:${region}:`);

type Variant = 'a classifier' | 'a classifier under modelKey' | 'a classifier with a dataAccessRole of the user\'s' | 'a recognizer';

const REGIONS: Array<[string, string | undefined]> = [
  ['us-west-2', 'us-west-2'],
  ['us-east-1', 'us-east-1'],
  ['eu-west-1', 'eu-west-1'],
  ['an env-agnostic stack', undefined],
];
const VARIANTS: Variant[] = ['a classifier', 'a classifier under modelKey', 'a classifier with a dataAccessRole of the user\'s', 'a recognizer'];

/** The fixed app: stack 'Serving', a copy 'Tickets' served by addEndpoint('Live'). */
function servingApp(region: string | undefined, variant: Variant): { stack: Stack; endpoint: ModelEndpoint } {
  const stack = new Stack(new App(), 'Serving', region ? { env: { account: IMPORTER, region } } : undefined);
  const source = inRegion(variant === 'a recognizer' ? SOURCE_RECOGNIZER : SOURCE_CLASSIFIER, region ?? REGION);
  const modelKey = variant === 'a classifier under modelKey' ? new kms.Key(stack, 'ModelKey') : undefined;
  const dataAccessRole = variant === 'a classifier with a dataAccessRole of the user\'s'
    ? iam.Role.fromRoleArn(stack, 'Mine', `arn:aws:iam::${IMPORTER}:role/serving`)
    : undefined;
  const model = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: source, modelKey });
  return { stack, endpoint: model.addEndpoint('Live', { dataAccessRole }) };
}

const CASES = REGIONS.flatMap(([where, region]) => VARIANTS.map(variant => [where, variant, region] as [string, Variant, string | undefined]));

describe.each(CASES)('in %s, %s', (_, variant, region) => {
  test(`the endpoint is ${LOGICAL_ID}, a ${TYPE} named ${DEFAULT_NAME}`, () => {
    const { stack, endpoint } = servingApp(region, variant);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;

    const comprehend = Object.entries(resources)
      .filter(([, r]) => r.Type.includes('Comprehend') && r.Type !== 'Custom::ComprehendImportedModel')
      .map(([id, r]) => [id, r.Type]);
    expect(comprehend).toEqual([[LOGICAL_ID, TYPE]]);
    expect(stack.getLogicalId(endpoint.node.defaultChild as any)).toBe(LOGICAL_ID);
    expect(endpoint.endpointName).toBe(DEFAULT_NAME);
    expect(resources[LOGICAL_ID].Properties.EndpointName).toBe(DEFAULT_NAME);
    expect(stack.resolve(endpoint.endpointArn)).toEqual({ 'Fn::GetAtt': [LOGICAL_ID, 'EndpointArn'] });
    // What differs between the variants is a property, never the resource.
    expect(resources[LOGICAL_ID].Properties.ModelType).toBe(variant === 'a recognizer' ? 'entity-recognizer' : 'document-classifier');
    expect(resources[LOGICAL_ID].Properties.DataAccessRoleArn === undefined).toBe(variant === 'a classifier' || variant === 'a recognizer');
  });
});

describe('the default endpoint name', () => {
  test('a long construct path: at most 40 characters, the endpoint\'s own id kept whole, the hash of the path last', () => {
    const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region: REGION } });
    const model = new ImportedComprehendModel(stack, 'CustomerSupportTicketClassifierForProduction', { sourceModelArn: SOURCE_CLASSIFIER });
    const ownId = 'RealtimeInferenceEndpoint';
    const endpoint = model.addEndpoint(ownId);
    const hash = Names.uniqueResourceName(endpoint, { maxLength: 40, separator: '-' }).slice(-8);

    expect(hash).toMatch(/^[0-9A-F]{8}$/);
    expect(endpoint.endpointName).toBe(`${ownId}-${hash}`);
    expect(endpoint.endpointName.length).toBeLessThanOrEqual(40);
  });

  test('a path that fits is kept whole, parent first', () => {
    const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region: REGION } });
    const endpoint = new ImportedComprehendModel(stack, 'Support', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint('Realtime');

    expect(endpoint.endpointName).toMatch(/^Support-Realtime-[0-9A-F]{8}$/);
  });

  test('an own id longer than the room left by the hash: its end is kept, the name still valid', () => {
    const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region: REGION } });
    const ownId = 'AnEndpointWithAVeryLongConstructIdIndeedLongerThanForty';
    const endpoint = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint(ownId);

    expect(endpoint.endpointName.length).toBe(40);
    expect(endpoint.endpointName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*-[0-9A-F]{8}$/);
    expect(ownId.endsWith(endpoint.endpointName.slice(0, -9))).toBe(true);
  });

  test('ids without a letter or digit: the name says Endpoint, and is valid', () => {
    const stack = new Stack(new App(), 'Serving', { env: { account: IMPORTER, region: REGION } });
    const endpoint = new ImportedComprehendModel(stack, '---', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint('___');

    expect(endpoint.endpointName).toMatch(/^Endpoint-[0-9A-F]{8}$/);
  });

  test('two stacks with the same construct paths get different names, the readable part alike', () => {
    const app = new App();
    const names = ['Blue', 'Green'].map(stackName => {
      const stack = new Stack(app, stackName, { env: { account: IMPORTER, region: REGION } });
      return new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint('Live').endpointName;
    });
    const staged = ['Beta', 'Prod'].map(stageName => {
      const stack = new Stack(new Stage(app, stageName), 'Serving', { env: { account: IMPORTER, region: REGION } });
      return new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: SOURCE_CLASSIFIER }).addEndpoint('Live').endpointName;
    });

    for (const pair of [names, staged]) {
      expect(pair[0]).not.toEqual(pair[1]);
      expect(pair.map(name => name.slice(0, -8))).toEqual(['Tickets-Live-', 'Tickets-Live-']);
    }
    expect(new Set([...names, ...staged, DEFAULT_NAME]).size).toBe(5);
  });
});
