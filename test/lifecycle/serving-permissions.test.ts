// Which models an endpoint may serve and which keys an import may encrypt with (issue 33), at run time: the bundled
// handlers under the handler role's policies as the templates define them, IAM enforced by the emulator. An endpoint
// serves this stack's own copies (their ownership tag, aws:ResourceTag) and the models the app names
// (fromModelArn() / fromModelAttributes(): CreateEndpoint on their exact ARNs, and SERVABLE_MODEL_ARNS in the
// functions' environment); an import encrypts with the keys the app declares (modelKey: comprehend:ModelKmsKey, and
// MODEL_KMS_KEY_ARNS). A template changed by hand, as someone who may update the stack could change it, is refused by
// the handlers before any call; with the handlers' check bypassed too (the same hand adds the model or key to the
// functions' environment), IAM refuses CreateEndpoint and ImportModel, and cannot refuse UpdateEndpoint's target model
// (its Service Authorization Reference entry lists no model resource), which one test documents.
//
// Every scenario runs until each cancelled waiter has ended (settle), then asserts what is left in the importer account,
// the stack's final status as CloudFormation answers it, and the calls IAM refused.
import { App, CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { ACCESS_KEYS, Harness, startHarness } from './harness';
import { IComprehendModel, ImportedComprehendModel, ModelEndpoint } from '../../src';
import { MODEL_KEYS_ENV, SERVABLE_MODELS_ENV } from '../../src/contract/declared-resources';
import { OWNER_TAG_KEY } from '../../src/contract/import-properties';
import { EmulatorCall } from '../support/comprehend-emulator';
import { DeployDriver, DeployResult } from '../support/deploy-driver';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SOURCE_CLASSIFIER } from '../support/fixtures';

jest.setTimeout(180_000);

/** The account's own key: the deployer's (CloudFormation's) and the test's; the handlers call with their role's. */
const ACCOUNT_KEY = Object.entries(ACCESS_KEYS).find(([, account]) => account === IMPORTER)![0];
const MODEL_ARN = (name: string) => `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${name}/version/v1`;
const ENDPOINT_ARN = (name: string) => `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/${name}`;
/** A model of the importer account made by hand (no ownership tag), which the app names through fromModelArn(). */
const HANDMADE = MODEL_ARN('handmade');
/** Another model made by hand, which no app of this account names. */
const STRAY = MODEL_ARN('stray');
/** A key of the importer account that no import of the stack declares. */
const OTHER_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/0000aaaa-bbbb-cccc-dddd-eeeeffff0000`;
const FAILURE = 'The model artifacts could not be decrypted';
/** The Comprehend calls that change something; the others only read. */
const MUTATING = /^(ImportModel|CreateEndpoint|UpdateEndpoint|Delete|StopTraining|TagResource|UntagResource|PutResourcePolicy)/;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  // Made by hand, each with a tag of its owner's (which must stay as it is).
  for (const arn of [HANDMADE, STRAY]) {
    h.emulator.addTrainedModel(arn).tags.set('owner', 'ana');
  }
});
afterEach(async () => {
  await h.stop();
});

/** A definition of a stack of the importer account (the same name again is an update), built by `build`. */
function definition(build: (stack: Stack) => void, stackName = 'Importer'): Stack {
  const stack = new Stack(new App(), stackName, { env: { account: IMPORTER, region: REGION } });
  build(stack);
  return stack;
}

/** The copy `Tickets` of the sharer's classifier. */
function tickets(stack: Construct, props: { modelKey?: boolean } = {}): ImportedComprehendModel {
  return new ImportedComprehendModel(stack, 'Tickets', {
    sourceModelArn: SOURCE_CLASSIFIER,
    modelKey: props.modelKey ? new kms.Key(stack, 'ModelKey') : undefined,
  });
}

/** The copy `Invoices`, whose import ends IN_ERROR `afterMs` after it is submitted. */
function failingInvoices(stack: Construct, afterMs: number): ImportedComprehendModel {
  h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: afterMs - 10_000, failWith: FAILURE });
  return new ImportedComprehendModel(stack, 'Invoices', { sourceModelArn: OTHER_SOURCE_CLASSIFIER });
}

/** An endpoint of the stack named `name` (construct id `id` at the stack's root) serving `model`. */
function serve(stack: Stack, id: string, model: IComprehendModel, name: string): ModelEndpoint {
  return new ModelEndpoint(stack, id, { model, endpointName: name });
}

/** The model `arn` as the app names it (fromModelArn()). */
function named(stack: Stack, id: string, arn: string): IComprehendModel {
  return ImportedComprehendModel.fromModelArn(stack, id, arn);
}

/**
 * Changes a property of the synthesized template by hand, as someone who may update the stack could: the CloudFormation
 * resource of `construct` gets `value` at `propertyPath`, whatever the construct rendered.
 */
function tamper(construct: IConstruct, propertyPath: string, value: unknown): void {
  (construct.node.defaultChild as CfnResource).addPropertyOverride(propertyPath, value);
}

/** Adds `arns` to the variable `name` of both provider functions, the same hand's change that bypasses the handlers' check. */
function tamperEnvironment(stack: Stack, name: string, arns: string[]): void {
  const functions = stack.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction
    && /\/ComprehendProvider\/(OnEvent|IsComplete)\/Resource$/.test(c.node.path));
  expect(functions).toHaveLength(2);
  functions.forEach(fn => fn.addPropertyOverride(`Environment.Variables.${name}`, JSON.stringify(arns)));
}

/** The value of the variable `name` in the synthesized template's provider functions (both hold the same). */
function declaredIn(stack: Stack, name: string): unknown[] {
  const template = (stack.node.root as App).synth().getStackByName(stack.stackName).template;
  return Object.values<any>(template.Resources)
    .filter(r => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.[name] !== undefined)
    .map(r => r.Properties.Environment.Variables[name]);
}

function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** What h.leftInAccount() shows for `model` (a short name: `handmade`) and the endpoint `name` serving it. */
function servedBy(modelName: string, name: string): string[] {
  return [`document-classifier-endpoint/${name} IN_SERVICE on document-classifier/${modelName}/version/v1`];
}

/** What h.leftInAccount() shows for the hand-made models: they are there, TRAINED, whatever the stack did. */
const HANDMADE_MODELS = ['document-classifier/handmade/version/v1 TRAINED', 'document-classifier/stray/version/v1 TRAINED'];

/** The calls the handlers made (signed with a handler role's key, not the account's), of `operation` if given. */
function handlerCalls(operation?: string | RegExp): EmulatorCall[] {
  return h.emulator.calls.filter(c => c.accessKeyId !== ACCOUNT_KEY
    && (operation === undefined || (typeof operation === 'string' ? c.operation === operation : operation.test(c.operation))));
}

/** The calls that changed or tried to change `arn` (named as the resource, or as the model an endpoint serves). */
function changesOf(arn: string): string[] {
  return h.emulator.calls
    .filter(c => c.service === 'comprehend' && MUTATING.test(c.operation) && Object.values(c.input ?? {}).includes(arn))
    .map(c => `${c.operation} ${c.outcome}`);
}

/** A hand-made model as it is now: TRAINED, its tags. */
function looksOf(arn: string): { status: string; tags: Record<string, string> } | undefined {
  const model = h.emulator.model(arn);
  return model && { status: h.emulator.statusOf(model), tags: Object.fromEntries(model.tags) };
}
const UNTOUCHED = { status: 'TRAINED', tags: { owner: 'ana' } };

/** The copies of the importer account that import `source`. */
function copiesOf(source: string): string[] {
  return h.emulator.modelsOf(IMPORTER).filter(m => m.sourceModelArn === source).map(m => m.arn);
}

/** The resources of the Allow statements for `action` in the handler role's policy in force. */
function allowedResources(driver: DeployDriver, action: string): string[] {
  return (h.emulator.identityPolicy(driver.accessKeyOf('ComprehendProviderHandlerRole')) ?? [])
    .filter(s => s.Effect === 'Allow' && [s.Action ?? []].flat().includes(action))
    .flatMap(s => [s.Resource ?? []].flat());
}

async function settled(driver: DeployDriver, ...others: DeployDriver[]): Promise<void> {
  for (const d of [driver, ...others]) {
    await d.settle();
    expect(d.inProgressCancelled).toEqual([]);
  }
}

function failuresOf(result: DeployResult, construct: IConstruct): string[] {
  return result.failures.filter(f => f.startsWith(`${logicalId(construct)}: `));
}

describe('serving an own copy', () => {
  test('created (CREATE_COMPLETE), its endpoint removed (the copy kept), the stack deleted: nothing left, nothing refused', async () => {
    const driver = h.driver();
    const v1 = definition(stack => tickets(stack).addEndpoint('Live', { endpointName: 'tickets-live' }));

    const created = await driver.deploy(v1);
    await settled(driver);

    expect(created).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('CREATE_COMPLETE');
    const [copy] = copiesOf(SOURCE_CLASSIFIER);
    const copyName = copy.split(':').pop()!;
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, `${copyName} TRAINED`,
      `document-classifier-endpoint/tickets-live IN_SERVICE on ${copyName}`].sort());
    expect(h.emulator.model(copy)!.tags.get(OWNER_TAG_KEY)).toMatch(/^Importer\/[0-9a-f-]{36}\/Tickets[0-9A-F]{8}$/);
    // Allowed by the copy's ownership tag: no statement names the copy, and the app declares no model to the handlers.
    expect(allowedResources(driver, 'comprehend:CreateEndpoint')).not.toContain(copy);
    expect(allowedResources(driver, 'comprehend:CreateEndpoint').every(r => r.endsWith('/*'))).toBe(true);
    expect(handlerCalls('CreateEndpoint').map(c => `${c.input.ModelArn} ${c.outcome}`)).toEqual([`${copy} OK`]);
    expect(h.refusedChanges()).toEqual([]);

    const removed = await driver.deploy(definition(stack => tickets(stack)));
    await settled(driver);

    expect(removed).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('UPDATE_COMPLETE');
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, `${copyName} TRAINED`].sort());
    expect(handlerCalls('DeleteEndpoint').map(c => `${c.input.EndpointArn} ${c.outcome}`)).toEqual([`${ENDPOINT_ARN('tickets-live')} OK`]);
    expect(changesOf(copy)).toEqual(['CreateEndpoint OK']);
    expect(h.refusedChanges()).toEqual([]);

    const deleted = await driver.destroy();
    await settled(driver);

    expect(deleted).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('DELETE_COMPLETE');
    expect(h.leftInAccount()).toEqual(HANDMADE_MODELS);
    expect(changesOf(copy)).toEqual(['CreateEndpoint OK', 'DeleteDocumentClassifier OK']);
    expect(h.refusedChanges()).toEqual([]);
  });
});

describe('serving a model the app names (fromModelArn), made by hand and untagged', () => {
  test('served by its exact ARN; the endpoint removed by an update and the stack deleted: the model never touched', async () => {
    const driver = h.driver();
    const v1 = definition(stack => serve(stack, 'Live', named(stack, 'Handmade', HANDMADE), 'handmade-live'));

    const created = await driver.deploy(v1);
    await settled(driver);

    expect(created).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('CREATE_COMPLETE');
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, ...servedBy('handmade', 'handmade-live')].sort());
    // CreateEndpoint on its exact ARN (it has no ownership tag); nothing else of the account's models is servable.
    expect(allowedResources(driver, 'comprehend:CreateEndpoint')).toContain(HANDMADE);
    expect(allowedResources(driver, 'comprehend:CreateEndpoint')).not.toContain(STRAY);
    expect(changesOf(HANDMADE)).toEqual(['CreateEndpoint OK']);
    expect(looksOf(HANDMADE)).toEqual(UNTOUCHED);
    expect(h.refusedChanges()).toEqual([]);

    // The endpoint removed: the stack keeps an import, so its provider stays.
    const removed = await driver.deploy(definition(stack => tickets(stack)));
    await settled(driver);

    expect(removed).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('UPDATE_COMPLETE');
    expect(h.emulator.endpointNow(ENDPOINT_ARN('handmade-live'))).toBeUndefined();
    expect(handlerCalls('DeleteEndpoint').map(c => `${c.input.EndpointArn} ${c.outcome}`)).toEqual([`${ENDPOINT_ARN('handmade-live')} OK`]);
    expect(allowedResources(driver, 'comprehend:CreateEndpoint')).not.toContain(HANDMADE);
    expect(changesOf(HANDMADE)).toEqual(['CreateEndpoint OK']);
    expect(looksOf(HANDMADE)).toEqual(UNTOUCHED);
    expect(h.refusedChanges()).toEqual([]);

    // Served again, and the stack deleted with the endpoint in it.
    expect((await driver.deploy(v1)).status).toBe('COMPLETE');
    const deleted = await driver.destroy();
    await settled(driver);

    expect(deleted).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('DELETE_COMPLETE');
    expect(h.leftInAccount()).toEqual(HANDMADE_MODELS);
    expect(changesOf(HANDMADE)).toEqual(['CreateEndpoint OK', 'CreateEndpoint OK']);
    expect(looksOf(HANDMADE)).toEqual(UNTOUCHED);
    expect(h.refusedChanges()).toEqual([]);
  });

  test('a create that fails elsewhere rolls back: the endpoint on it deleted, the model untouched (ROLLBACK_COMPLETE)', async () => {
    const driver = h.driver();
    let invoices!: ImportedComprehendModel;
    // The endpoint is IN_SERVICE 120 s in; Invoices fails 200 s in.
    const v1 = definition(stack => {
      serve(stack, 'Live', named(stack, 'Handmade', HANDMADE), 'handmade-live');
      invoices = failingInvoices(stack, 200_000);
    });

    const result = await driver.deploy(v1);
    await settled(driver);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual(failuresOf(result, invoices));
    expect(result.failures).toEqual([expect.stringContaining(FAILURE)]);
    expect(await h.stackStatus(driver)).toBe('ROLLBACK_COMPLETE');
    expect(h.leftInAccount()).toEqual(HANDMADE_MODELS);
    expect(handlerCalls('DeleteEndpoint').filter(c => c.outcome === 'OK').map(c => c.input.EndpointArn)).toEqual([ENDPOINT_ARN('handmade-live')]);
    expect(changesOf(HANDMADE)).toEqual(['CreateEndpoint OK']);
    expect(looksOf(HANDMADE)).toEqual(UNTOUCHED);
    expect(h.refusedChanges()).toEqual([]);
  });
});

/**
 * The foreign models a tampered template names: a model made by hand that the app does not name, and a copy another
 * stack of the account imported (its ownership tag names that stack). `prepare` makes it and returns its ARN and the
 * driver of the other stack, if any.
 */
const FOREIGN: Array<[string, () => Promise<{ arn: string; other?: DeployDriver }>]> = [
  ['a model made by hand that the app does not name', async () => ({ arn: STRAY })],
  ['a copy of another stack', async () => {
    const other = h.driver();
    const result = await other.deploy(definition(stack => new ImportedComprehendModel(stack, 'Invoices', { sourceModelArn: OTHER_SOURCE_CLASSIFIER }), 'Other'));
    expect(result.status).toBe('COMPLETE');
    const [arn] = copiesOf(OTHER_SOURCE_CLASSIFIER);
    expect(h.emulator.model(arn)!.tags.get(OWNER_TAG_KEY)).toMatch(/^Other\//);
    return { arn, other };
  }],
];

/** The refusal of the endpoint handler for `modelArn`. */
const NOT_SERVABLE = (modelArn: string) => new RegExp(`may not serve ModelArn ${modelArn.replace(/[/.]/g, '\\$&')}: .*Nothing was changed`);

describe.each(FOREIGN)('a foreign model: %s', (_, prepare) => {
  /**
   * The importer stack: Tickets served by `Live` (its ModelArn changed by hand to `foreign`), and the hand-made model
   * the app names served by `Named`; with `bypass`, the same hand adds `foreign` to SERVABLE_MODEL_ARNS.
   */
  function tampered(foreign: string, bypass: boolean): { stack: Stack; live: ModelEndpoint } {
    let live!: ModelEndpoint;
    const stack = definition(s => {
      live = serve(s, 'Live', tickets(s), 'tickets-live');
      serve(s, 'Named', named(s, 'Handmade', HANDMADE), 'handmade-live');
      tamper(live, 'ModelArn', foreign);
      if (bypass) {
        tamperEnvironment(s, SERVABLE_MODELS_ENV, [HANDMADE, foreign]);
      }
    });
    return { stack, live };
  }

  test('a create that names it: refused by the handler before any call; rolled back, nothing left, the model untouched', async () => {
    const { arn: foreign, other } = await prepare();
    const foreignBefore = looksOf(foreign);
    const driver = h.driver();
    const { stack, live } = tampered(foreign, false);
    // What the template now says: the endpoint serves the foreign model, which the functions' environment does not list.
    const template = (stack.node.root as App).synth().getStackByName('Importer').template;
    expect(template.Resources[logicalId(live)].Properties.ModelArn).toBe(foreign);

    const result = await driver.deploy(stack);
    await settled(driver, ...other ? [other] : []);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(failuresOf(result, live)).toEqual([expect.stringMatching(NOT_SERVABLE(foreign))]);
    expect(await h.stackStatus(driver)).toBe('ROLLBACK_COMPLETE');
    expect(handlerCalls('CreateEndpoint').filter(c => c.input.EndpointName === 'tickets-live')).toEqual([]);
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, ...copiesOf(OTHER_SOURCE_CLASSIFIER).map(c => `${c.split(':').pop()} TRAINED`)].sort());
    expect(copiesOf(SOURCE_CLASSIFIER)).toEqual([]);
    expect(changesOf(foreign)).toEqual([]);
    expect(looksOf(foreign)).toEqual(foreignBefore);
    expect(h.refusedChanges()).toEqual([]);
  });

  test('a create that names it, the handler\'s check bypassed (the environment lists it too): IAM refuses CreateEndpoint', async () => {
    const { arn: foreign, other } = await prepare();
    const foreignBefore = looksOf(foreign);
    const driver = h.driver();
    const { stack, live } = tampered(foreign, true);

    const result = await driver.deploy(stack);
    await settled(driver, ...other ? [other] : []);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(failuresOf(result, live)).toEqual([expect.stringMatching(/AccessDenied|not authorized/)]);
    expect(await h.stackStatus(driver)).toBe('ROLLBACK_COMPLETE');
    // The handler let it through; IAM's CreateEndpoint statements (this stack's ownership tag, the exact ARN of the
    // model the app names) did not.
    const attempts = handlerCalls('CreateEndpoint').filter(c => c.input.EndpointName === 'tickets-live');
    expect(attempts.map(c => `${c.input.ModelArn} ${c.outcome}`)).toEqual([`${foreign} AccessDeniedException`]);
    expect(h.refusedChanges()).toEqual([`CreateEndpoint ${JSON.stringify(attempts[0].input)}`]);
    expect(allowedResources(driver, 'comprehend:CreateEndpoint')).not.toContain(foreign);
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, ...copiesOf(OTHER_SOURCE_CLASSIFIER).map(c => `${c.split(':').pop()} TRAINED`)].sort());
    expect(changesOf(foreign)).toEqual(['CreateEndpoint AccessDeniedException']);
    expect(looksOf(foreign)).toEqual(foreignBefore);
  });

  test('an update that moves an endpoint to it: refused by the handler, the endpoint stays on its copy (UPDATE_ROLLBACK_COMPLETE)', async () => {
    const { arn: foreign, other } = await prepare();
    const foreignBefore = looksOf(foreign);
    const driver = h.driver();
    let live!: ModelEndpoint;
    expect((await driver.deploy(definition(s => { live = serve(s, 'Live', tickets(s), 'tickets-live'); }))).status).toBe('COMPLETE');
    const [copy] = copiesOf(SOURCE_CLASSIFIER);

    const result = await driver.deploy(definition(s => {
      live = serve(s, 'Live', tickets(s), 'tickets-live');
      tamper(live, 'ModelArn', foreign);
    }));
    await settled(driver, ...other ? [other] : []);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(failuresOf(result, live)).toEqual([expect.stringMatching(NOT_SERVABLE(foreign))]);
    expect(result.failures).toHaveLength(1);
    expect(await h.stackStatus(driver)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(h.emulator.endpointNow(ENDPOINT_ARN('tickets-live'))).toMatchObject({ status: 'IN_SERVICE', modelArn: copy });
    expect(handlerCalls('UpdateEndpoint')).toEqual([]);
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, ...copiesOf(OTHER_SOURCE_CLASSIFIER).map(c => `${c.split(':').pop()} TRAINED`),
      `${copy.split(':').pop()} TRAINED`, `document-classifier-endpoint/tickets-live IN_SERVICE on ${copy.split(':').pop()}`].sort());
    expect(changesOf(foreign)).toEqual([]);
    expect(looksOf(foreign)).toEqual(foreignBefore);
    expect(h.refusedChanges()).toEqual([]);
  });

  test('an update that moves an endpoint to it, the handler\'s check bypassed: IAM cannot refuse UpdateEndpoint\'s target '
    + 'model, and the endpoint moves (documented gap); its Delete still never touches the model', async () => {
    const { arn: foreign, other } = await prepare();
    const foreignBefore = looksOf(foreign);
    const driver = h.driver();
    let live!: ModelEndpoint;
    expect((await driver.deploy(definition(s => { live = serve(s, 'Live', tickets(s), 'tickets-live'); }))).status).toBe('COMPLETE');

    const result = await driver.deploy(definition(s => {
      live = serve(s, 'Live', tickets(s), 'tickets-live');
      tamper(live, 'ModelArn', foreign);
      tamperEnvironment(s, SERVABLE_MODELS_ENV, [foreign]);
    }));
    await settled(driver, ...other ? [other] : []);

    // UpdateEndpoint is authorized on the endpoint alone (the Service Authorization Reference lists no model resource for
    // it): the handlers' check, from the functions' environment, is the only guard, and a hand that changes both gets past.
    expect(result).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('UPDATE_COMPLETE');
    expect(handlerCalls('UpdateEndpoint').map(c => `${c.input.DesiredModelArn} ${c.outcome}`)).toEqual([`${foreign} OK`]);
    expect(h.emulator.endpointNow(ENDPOINT_ARN('tickets-live'))).toMatchObject({ status: 'IN_SERVICE', modelArn: foreign });
    expect(h.refusedChanges()).toEqual([]);

    const deleted = await driver.destroy();
    await settled(driver);

    expect(deleted).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, ...copiesOf(OTHER_SOURCE_CLASSIFIER).map(c => `${c.split(':').pop()} TRAINED`)].sort());
    expect(changesOf(foreign)).toEqual(['UpdateEndpoint OK']);
    expect(looksOf(foreign)).toEqual(foreignBefore);
    expect(h.refusedChanges()).toEqual([]);
  });
});

// The rollback's Update names a model the failed template no longer declares: the endpoint handler lets it through only
// while DescribeStacks says UPDATE_ROLLBACK_IN_PROGRESS, which needs cloudformation:DescribeStacks on the stack in the
// handler role's policy (without it, the rollback fails: UPDATE_ROLLBACK_FAILED, the endpoint left on the copy).
describe('a rollback to a model the app no longer names', () => {
  test.each([
    ['once the endpoint serves the copy', 240_000, false],
    ['while the endpoint is UPDATING to the copy', 100_000, true],
  ])('an endpoint moved from a fromModelArn model to an own copy, a sibling failing %s: the rollback returns it to the '
    + 'model (UPDATE_ROLLBACK_COMPLETE), nothing left over', async (_, failAfterMs, cancelsTheMove) => {
    const driver = h.driver();
    const v1 = definition(stack => serve(stack, 'Live', named(stack, 'Handmade', HANDMADE), 'tickets-live'));
    expect((await driver.deploy(v1)).status).toBe('COMPLETE');
    expect(h.emulator.endpointNow(ENDPOINT_ARN('tickets-live'))).toMatchObject({ status: 'IN_SERVICE', modelArn: HANDMADE });
    // Tickets is imported 70 s in, and the endpoint then UPDATING to it for 60 s; Invoices fails then or after.
    let invoices!: ImportedComprehendModel;
    let live!: ModelEndpoint;
    const v2 = definition(stack => {
      live = serve(stack, 'Live', tickets(stack), 'tickets-live');
      invoices = failingInvoices(stack, failAfterMs);
    });

    // The failed template's functions, whose environment the rollback runs with, no longer list the model.
    expect(declaredIn(v1, SERVABLE_MODELS_ENV)).toEqual([JSON.stringify([HANDMADE]), JSON.stringify([HANDMADE])]);
    expect(declaredIn(v2, SERVABLE_MODELS_ENV)).toEqual(['[]', '[]']);

    const result = await driver.deploy(v2);
    await settled(driver);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual(failuresOf(result, invoices));
    expect(result.failures).toEqual([expect.stringContaining(FAILURE)]);
    expect(result.cancelled).toEqual(cancelsTheMove ? [{ logicalId: logicalId(live), requestType: 'Update' }] : []);
    expect(await h.stackStatus(driver)).toBe('UPDATE_ROLLBACK_COMPLETE');
    // The endpoint went to the copy, and back to the hand-made model, which the failed template's functions no longer
    // listed: the handler let the rollback's UpdateEndpoint through because the stack was rolling back (DescribeStacks).
    const updates = handlerCalls('UpdateEndpoint');
    expect(updates.filter(c => c.outcome === 'OK').map(c => c.input.DesiredModelArn === HANDMADE ? 'handmade' : 'copy')).toEqual(['copy', 'handmade']);
    const back = updates.find(c => c.outcome === 'OK' && c.input.DesiredModelArn === HANDMADE)!;
    const statusAsked = handlerCalls('DescribeStacks').filter(c => c.at <= back.at);
    expect(statusAsked.map(c => c.outcome)).toContain('OK');
    expect(h.emulator.endpointNow(ENDPOINT_ARN('tickets-live'))).toMatchObject({ status: 'IN_SERVICE', modelArn: HANDMADE });
    expect(h.leftInAccount()).toEqual([...HANDMADE_MODELS, ...servedBy('handmade', 'tickets-live')].sort());
    expect(copiesOf(SOURCE_CLASSIFIER)).toEqual([]);
    expect(looksOf(HANDMADE)).toEqual(UNTOUCHED);
    expect(h.refusedChanges()).toEqual([]);
    expect(handlerCalls(/^DescribeStacks$/).filter(c => c.outcome !== 'OK')).toEqual([]);
  });
});

describe('the key an import encrypts its copy with', () => {
  test('a declared modelKey: the copy is encrypted with it, IAM allows exactly it; the stack deleted, nothing left', async () => {
    const driver = h.driver();
    let copyResource!: ImportedComprehendModel;
    const result = await driver.deploy(definition(stack => { copyResource = tickets(stack, { modelKey: true }); }));
    await settled(driver);

    expect(result).toMatchObject({ status: 'COMPLETE', failures: [] });
    expect(await h.stackStatus(driver)).toBe('CREATE_COMPLETE');
    const key = driver.resources.get(logicalId(copyResource))!.properties.ModelKmsKeyId;
    expect(key).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${IMPORTER}:key/`));
    const [copy] = copiesOf(SOURCE_CLASSIFIER);
    expect(h.emulator.model(copy)!.modelKmsKeyId).toBe(key);
    const keyed = (h.emulator.identityPolicy(driver.accessKeyOf('ComprehendProviderHandlerRole')) ?? [])
      .filter(s => [s.Action ?? []].flat().includes('comprehend:ImportModel'));
    expect(keyed.map(s => s.Condition ?? null)).toStrictEqual([{
      StringLike: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: expect.any(String) },
      ArnEquals: { 'comprehend:ModelKmsKey': [key] },
    }]);
    expect(h.refusedChanges()).toEqual([]);

    expect((await driver.destroy()).status).toBe('COMPLETE');
    await settled(driver);
    expect(h.leftInAccount()).toEqual(HANDMADE_MODELS);
  });

  describe.each([
    ['an import with a declared modelKey', true],
    ['an import without a key', false],
  ])('%s, its ModelKmsKeyId changed by hand to another key', (_, keyed) => {
    test('refused by the handler before ImportModel: rolled back, nothing left', async () => {
      const driver = h.driver();
      let copyResource!: ImportedComprehendModel;
      const result = await driver.deploy(definition(stack => {
        copyResource = tickets(stack, { modelKey: keyed });
        tamper(copyResource, 'ModelKmsKeyId', OTHER_KEY);
      }));
      await settled(driver);

      expect(result.status).toBe('ROLLBACK_COMPLETE');
      expect(result.failures).toEqual([expect.stringMatching(new RegExp(
        `^${logicalId(copyResource)}: .*ModelKmsKeyId ${OTHER_KEY} .* is not a key the app declares: .*Nothing was imported`))]);
      expect(await h.stackStatus(driver)).toBe('ROLLBACK_COMPLETE');
      expect(handlerCalls('ImportModel')).toEqual([]);
      expect(h.leftInAccount()).toEqual(HANDMADE_MODELS);
      expect(h.refusedChanges()).toEqual([]);
    });

    test('the handler\'s check bypassed (the environment lists the key): IAM\'s comprehend:ModelKmsKey condition refuses ImportModel', async () => {
      const driver = h.driver();
      let copyResource!: ImportedComprehendModel;
      const result = await driver.deploy(definition(stack => {
        copyResource = tickets(stack, { modelKey: keyed });
        tamper(copyResource, 'ModelKmsKeyId', OTHER_KEY);
        tamperEnvironment(stack, MODEL_KEYS_ENV, [OTHER_KEY]);
      }));
      await settled(driver);

      expect(result.status).toBe('ROLLBACK_COMPLETE');
      expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^${logicalId(copyResource)}: .*(AccessDenied|not authorized)`))]);
      expect(await h.stackStatus(driver)).toBe('ROLLBACK_COMPLETE');
      const attempts = handlerCalls('ImportModel');
      expect(attempts.map(c => `${c.input.ModelKmsKeyId} ${c.outcome}`)).toEqual([`${OTHER_KEY} AccessDeniedException`]);
      expect(h.refusedChanges()).toEqual([`ImportModel ${JSON.stringify(attempts[0].input)}`]);
      expect(h.leftInAccount()).toEqual(HANDMADE_MODELS);
    });
  });
});
