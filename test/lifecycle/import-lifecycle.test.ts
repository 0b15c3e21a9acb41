// The import lifecycle end to end, offline: a real CDK app, its bundled handlers, CloudFormation's and the
// Provider framework's part played by the deploy driver, and Comprehend played by the emulator.
import { ComprehendClient, DescribeDocumentClassifierCommand } from '@aws-sdk/client-comprehend';
import { CfnResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCESS_KEYS, Harness, startHarness } from './harness';
import { ImportedComprehendModel, ModelType } from '../../src';
import { IMPORT_SPREAD_ENV, OWNER_TAG_KEY } from '../../src/contract/import-properties';
import { importSlotSeconds } from '../../src/handlers/import/import-slot';
import { IMPORTER, OTHER_SOURCE_CLASSIFIER, REGION, SHARER, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, STRANGER } from '../support/fixtures';

jest.setTimeout(120_000);

const ENDPOINT = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/tickets-live`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

/** The importer's copies as the emulator holds them now. */
function copies(account = IMPORTER) {
  return h.emulator.modelsOf(account).map(m => ({
    arn: m.arn,
    status: h.emulator.statusOf(m),
    source: m.sourceModelArn,
    tags: Object.fromEntries(m.tags),
  }));
}

test('create: the copy is imported once and ready when CloudFormation is told', async () => {
  const driver = h.driver();

  const result = await driver.deploy(h.stack({ Tickets: { tags: { team: 'nlp' } } }));

  expect(result.failures).toEqual([]);
  expect(result.status).toBe('COMPLETE');
  const [copy] = copies();
  expect(copies()).toHaveLength(1);
  expect(copy).toMatchObject({ status: 'TRAINED', source: SOURCE_CLASSIFIER });
  // The user's tags, and the ownership tag naming this stack instance and logical resource.
  expect(copy.tags).toEqual({ team: 'nlp', [OWNER_TAG_KEY]: expect.stringMatching(/^Importer\/[0-9a-f-]{36}\/Tickets[0-9A-F]{8}$/) });
  const [outcome] = result.outcomes;
  expect(outcome.data).toMatchObject({ ModelArn: copy.arn, ModelName: 'tickets', Status: 'TRAINED' });
  // A Create's onEvent imports first, with no lookup, and once; the emulator takes 70 s, so at most ⌈70/15⌉ + 1 looks.
  const comprehend = h.emulator.calls.filter(c => c.service === 'comprehend');
  expect(comprehend[0]).toMatchObject({ operation: 'ImportModel', outcome: 'OK' });
  expect(h.emulator.count('ImportModel')).toBe(1);
  expect(h.emulator.count('DescribeDocumentClassifier')).toBeLessThanOrEqual(Math.ceil(70 / 15) + 1);
  // CloudFormation's: the record read by the Create's onEvent, and the proof before ImportModel, its one mutating call.
  expect(h.emulator.calls.filter(c => c.service === 'cloudformation').map(c => `${c.operation} ${c.outcome}`))
    .toEqual(Array(2).fill('DescribeStackResource OK'));
});

test('create → IN_ERROR: the deployment fails with Comprehend\'s message, and the rollback leaves nothing', async () => {
  h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { failWith: 'The model artifacts could not be decrypted' });
  const driver = h.driver();

  const result = await driver.deploy(h.stack({ Tickets: {} }));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(/ended in status IN_ERROR: The model artifacts could not be decrypted/);
  expect(copies()).toEqual([]);
  expect(h.emulator.count('DeleteDocumentClassifier')).toBeGreaterThanOrEqual(1);
});

test('a retried create adopts the copy the first attempt started', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: {} }));
  const [[logicalId, first]] = driver.resources;
  const before = h.emulator.calls.length;

  // The same Create again (a framework retry): same stack, same logical id, same properties.
  const [retry] = await driver.send([{ logicalId, event: driver.event('Create', logicalId, first.properties) }]);

  expect(retry.status).toBe('SUCCESS');
  expect(retry.physicalResourceId).toEqual(first.physicalResourceId);
  expect(copies()).toHaveLength(1);
  // The retry's ImportModel is refused for the name (ResourceInUseException); its onEvent then finds the copy by its name
  // (DescribeDocumentClassifier) and adopts it by its ownership tag (ListTagsForResource).
  const retried = h.emulator.calls.slice(before).filter(c => c.service === 'comprehend');
  expect(retried.slice(0, 3).map(c => `${c.operation} ${c.input.DocumentClassifierArn ?? c.input.ResourceArn ?? c.input.ModelName} ${c.outcome}`)).toEqual([
    'ImportModel tickets ResourceInUseException',
    `DescribeDocumentClassifier ${first.physicalResourceId} OK`,
    `ListTagsForResource ${first.physicalResourceId} OK`,
  ]);
  expect(h.emulator.calls.filter(c => c.operation === 'ImportModel').map(c => c.outcome)).toEqual(['OK', 'ResourceInUseException']);
});

test('a name and version taken by another stack\'s copy: a clear failure, and its copy survives create and delete', async () => {
  const other = h.driver();
  await other.deploy(h.stack({ Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER, modelName: 'shared', versionName: 'v1' } }));
  const before = h.emulator.calls.length;
  const result = await h.driver().deploy(h.stack({ Tickets: { modelName: 'shared', versionName: 'v1' } }, IMPORTER, 'SecondImporter'));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(
    /Model name "shared" version "v1" already exists .*and this resource did not create it: its cdk-comprehend-model-import:owner tag names Importer\/.*\/Invoices.*Choose another versionName/,
  );
  expect(copies()).toEqual([expect.objectContaining({ source: OTHER_SOURCE_CLASSIFIER, status: 'TRAINED' })]);
  // The second stack's ImportModel is refused for the name; its onEvent then finds the copy by its name and reads its
  // ownership tag: another's, so it fails there; the framework answers the rollback's Delete of its placeholder, so
  // nothing else is called.
  const shared = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/shared/version/v1`;
  expect(h.emulator.calls.slice(before).filter(c => c.service === 'comprehend')
    .map(c => `${c.operation} ${c.input.DocumentClassifierArn ?? c.input.ResourceArn ?? `${c.input.ModelName}/${c.input.VersionName}`} ${c.outcome}`))
    .toEqual(['ImportModel shared/v1 ResourceInUseException', `DescribeDocumentClassifier ${shared} OK`, `ListTagsForResource ${shared} OK`]);
  expect(h.emulator.calls.filter(c => c.operation === 'ImportModel').map(c => c.outcome)).toEqual(['OK', 'ResourceInUseException']);
  expect(h.emulator.count('DeleteDocumentClassifier')).toBe(0);
});

test('a copy made by hand under the name survives the failed create and the stack\'s deletion', async () => {
  // Someone imported the model by hand under the name and version the stack asks for.
  await h.driver().deploy(h.stack({ Tickets: { versionName: 'v1' } }, IMPORTER, 'Scratch'));
  const [byHand] = copies();
  h.emulator.model(byHand.arn)!.tags.clear();

  const driver = h.driver();
  const result = await driver.deploy(h.stack({ Tickets: { versionName: 'v1' } }));
  const destroyed = await driver.destroy();

  expect(result.failures[0]).toMatch(/it has no cdk-comprehend-model-import:owner tag, so it was made by hand or by another tool\. It is left as it is/);
  expect(destroyed.failures).toEqual([]);
  expect(copies()).toEqual([{ ...byHand, tags: {} }]);
  expect(h.emulator.count('DeleteDocumentClassifier')).toBe(0);
});

test('a tags-only update changes the copy in place', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: { tags: { team: 'nlp', stage: 'beta' } } }));
  const [before] = copies();

  const result = await driver.deploy(h.stack({ Tickets: { tags: { team: 'search', owner: 'ana' } } }));

  expect(result.failures).toEqual([]);
  expect(copies()).toEqual([{ ...before, tags: { team: 'search', owner: 'ana', [OWNER_TAG_KEY]: before.tags[OWNER_TAG_KEY] } }]);
  expect(h.emulator.count('ImportModel')).toBe(1);
  expect(h.emulator.count('UntagResource')).toBe(1);
  expect(h.emulator.count('TagResource')).toBe(1);
});

/**
 * The stack as earlier versions of the construct rendered it: ModelType and the default TimeoutSeconds among the
 * properties, explicit Delete policies, and ImportModel on the source model's versions only (`NAME/version/*`).
 */
function asRenderedBefore(stack: Stack): Stack {
  for (const model of stack.node.findAll().filter((c): c is ImportedComprehendModel => c instanceof ImportedComprehendModel)) {
    const resource = model.node.defaultChild as CfnResource;
    resource.addPropertyOverride('ModelType', model.modelType);
    resource.addPropertyOverride('TimeoutSeconds', '3000');
    resource.addOverride('DeletionPolicy', 'Delete');
    resource.addOverride('UpdateReplacePolicy', 'Delete');
  }
  const policy = stack.node.findAll().find(c => c instanceof iam.CfnPolicy && c.node.path.includes('ComprehendProvider/HandlerRole')) as iam.CfnPolicy;
  const statements: any[] = stack.resolve(policy.policyDocument).Statement;
  const index = statements.findIndex(s => s.Action === 'comprehend:ImportModel');
  expect(statements[index].Resource).toEqual(`arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/*`);
  policy.addPropertyOverride(`PolicyDocument.Statement.${index}.Resource`, SOURCE_CLASSIFIER.replace(/\/version\/.*$/, '/version/*'));
  return stack;
}

test('a stack deployed with the old properties moves to the new template with no new import, on the same copy', async () => {
  const driver = h.driver();
  const first = await driver.deploy(asRenderedBefore(h.stack({ Tickets: { tags: { team: 'nlp' } } })));
  const [before] = copies();
  const [[logicalId, deployed]] = driver.resources;
  expect(first.failures).toEqual([]);
  expect(deployed.properties).toMatchObject({ ModelType: 'document-classifier', TimeoutSeconds: '3000' });

  const result = await driver.deploy(h.stack({ Tickets: { tags: { team: 'nlp' } } }));

  expect(result.failures).toEqual([]);
  // CloudFormation sees changed properties, so it sends an Update: the handlers read it as the same copy.
  expect(result.outcomes.map(o => `${o.requestType} ${o.status} ${o.physicalResourceId === before.arn}`)).toEqual(['Update SUCCESS true']);
  expect(driver.resources.get(logicalId)!.properties).not.toHaveProperty('ModelType');
  expect(driver.resources.get(logicalId)!.properties).not.toHaveProperty('TimeoutSeconds');
  expect(driver.resources.get(logicalId)!.physicalResourceId).toEqual(before.arn);
  expect(copies()).toEqual([before]);
  expect(h.emulator.count('ImportModel')).toBe(1);
  expect(h.emulator.count('TagResource') + h.emulator.count('UntagResource') + h.emulator.count('DeleteDocumentClassifier')).toBe(0);

  // And back, as a rollback of that update would send it; then the stack's deletion still deletes the copy.
  const back = await driver.deploy(asRenderedBefore(h.stack({ Tickets: { tags: { team: 'nlp' } } })));
  expect(back.outcomes.map(o => `${o.requestType} ${o.status} ${o.physicalResourceId === before.arn}`)).toEqual(['Update SUCCESS true']);
  expect(h.emulator.count('ImportModel')).toBe(1);
  const destroyed = await driver.destroy();
  expect(destroyed.failures).toEqual([]);
  expect(copies()).toEqual([]);
});

test('a new source replaces the copy: a new import, no collision, the old copy deleted', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: {} }));
  const [old] = copies();

  const result = await driver.deploy(h.stack({ Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2 } }));

  expect(result.failures).toEqual([]);
  expect(result.outcomes.map(o => `${o.requestType} ${o.status}`)).toEqual(['Update SUCCESS', 'Delete SUCCESS']);
  const now = copies();
  expect(now).toEqual([expect.objectContaining({ source: SOURCE_CLASSIFIER_V2, status: 'TRAINED' })]);
  expect(now[0].arn).not.toEqual(old.arn);
  expect(h.emulator.calls.filter(c => c.operation === 'ImportModel').map(c => c.outcome)).toEqual(['OK', 'OK']);
});

describe('a replacement never touches the copy it replaces before CloudFormation\'s cleanup', () => {
  test('the old copy is deleted only in the cleanup, by its Delete', async () => {
    const driver = h.driver();
    await driver.deploy(h.stack({ Tickets: {} }));
    const [old] = copies();

    await driver.deploy(h.stack({ Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2 } }));

    const deletes = h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.outcome === 'OK');
    expect(deletes.map(c => c.input.DocumentClassifierArn)).toEqual([old.arn]);
    // The one Delete of the old copy came after the new copy was complete: the cleanup's, not the update's.
    const newCopyReady = h.emulator.calls.filter(c => c.operation === 'DescribeDocumentClassifier' && c.output?.DocumentClassifierProperties?.Status === 'TRAINED'
      && c.input.DocumentClassifierArn !== old.arn);
    expect(deletes[0].at).toBeGreaterThanOrEqual(newCopyReady[newCopyReady.length - 1].at);
  });

  test('under RETAIN, the replaced copy stays in the account', async () => {
    const driver = h.driver();
    await driver.deploy(h.stack({ Tickets: { removalPolicy: RemovalPolicy.RETAIN } }));
    const [old] = copies();

    const result = await driver.deploy(h.stack({ Tickets: { removalPolicy: RemovalPolicy.RETAIN, sourceModelArn: SOURCE_CLASSIFIER_V2 } }));

    expect(result.failures).toEqual([]);
    expect(copies().map(c => c.source).sort()).toEqual([SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2]);
    expect(copies()).toContainEqual(old);
    expect(h.emulator.count('DeleteDocumentClassifier')).toBe(0);
  });

  test('a sibling fails after the replacement succeeded: the rollback returns to the old copy, intact', async () => {
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { failWith: 'The model artifacts could not be decrypted' });
    const driver = h.driver();
    await driver.deploy(h.stack({ Tickets: {} }));
    const [old] = copies();

    const result = await driver.deploy(h.stack({
      Tickets: { sourceModelArn: SOURCE_CLASSIFIER_V2 },
      Invoices: { sourceModelArn: OTHER_SOURCE_CLASSIFIER },
    }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringMatching(/^Invoices.*could not be decrypted/)]);
    expect(copies()).toEqual([old]);
    expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier' && c.input.DocumentClassifierArn === old.arn)).toEqual([]);
    // v1 was imported once, by the first deploy: the rollback found it, not a new import of it.
    expect(h.emulator.calls.filter(c => c.operation === 'ImportModel' && c.outcome === 'OK' && c.input.SourceModelArn === SOURCE_CLASSIFIER)).toHaveLength(1);
  });
});

test('fixed names and a new source: a clear failure, and the rollback keeps the old copy', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: { versionName: 'pinned' } }));
  const before = copies();

  const result = await driver.deploy(h.stack({ Tickets: { versionName: 'pinned', sourceModelArn: SOURCE_CLASSIFIER_V2 } }));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures).toHaveLength(1);
  expect(result.failures[0]).toMatch(/version "pinned" already exists .*imported from .*\/v1, not .*\/v2/);
  expect(copies()).toEqual(before);
  expect(before[0]).toMatchObject({ source: SOURCE_CLASSIFIER, status: 'TRAINED' });
});

test('a create that fails before Comprehend is called is rolled back without a Comprehend call', async () => {
  // Known only at deploy time, and in another Region: the handler refuses it.
  const driver = h.driver(IMPORTER, { SharedModelArn: SOURCE_CLASSIFIER.replace('us-west-2', 'eu-west-1') });
  const stack = h.stack({ FromExport: { sourceModelArn: Fn.importValue('SharedModelArn'), modelType: ModelType.DOCUMENT_CLASSIFIER } });

  const result = await driver.deploy(stack);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(/is in Region eu-west-1, but the stack is in us-west-2; Comprehend imports only within one Region/);
  expect(result.outcomes.map(o => `${o.requestType} ${o.status} ${o.physicalResourceId}`)).toEqual([
    'Create FAILED AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
    'Delete SUCCESS AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
  ]);
  expect(h.emulator.calls.filter(c => c.service === 'comprehend')).toEqual([]);
  // CloudFormation's: the Create's onEvent reads the resource's record before anything else; the framework answers the
  // Delete of its placeholder itself, so no handler runs for it.
  expect(h.emulator.calls.filter(c => c.service === 'cloudformation').map(c => `${c.operation} ${c.input.LogicalResourceId} ${c.outcome}`))
    .toEqual([expect.stringMatching(/^DescribeStackResource FromExport[0-9A-F]{8} OK$/)]);
});

test('deleting a copy that is already gone succeeds', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: {} }));
  const [copy] = copies();
  h.emulator.model(copy.arn)!.deletingSince = h.clock.now() - 60_000;

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  // The ownership check before deleting finds nothing: no delete is sent.
  expect(h.emulator.calls.filter(c => c.operation === 'ListTagsForResource').map(c => c.outcome)).toEqual(['OK', 'ResourceNotFoundException']);
  expect(h.emulator.count('DeleteDocumentClassifier')).toBe(0);
});

test('deleting a copy an endpoint stays on fails at once, naming the endpoint, and the copy stays', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: {} }));
  const [copy] = copies();
  h.emulator.addEndpoint(ENDPOINT, copy.arn);

  const result = await driver.destroy();

  expect(result.failures[0]).toMatch(new RegExp(`Cannot delete .*: it is in use \\(ResourceInUseException: .*\\) by the endpoint ${ENDPOINT}\\. Move them`));
  expect(result.outcomes[0].polls).toBe(0);
  expect(copies()).toEqual([copy]);
  expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier').map(c => c.outcome)).toEqual(['ResourceInUseException']);
});

test('deleting a copy whose endpoint is moving to another model waits for the move, then deletes', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: {} }));
  const [copy] = copies();
  h.emulator.addEndpoint(ENDPOINT, copy.arn);
  h.emulator.moveEndpoint(ENDPOINT, `${copy.arn.split('/version/')[0]}/version/next`);

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  expect(copies()).toEqual([]);
  const deletes = h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier').map(c => c.outcome);
  expect(deletes[0]).toBe('ResourceInUseException');
  expect(deletes).toContain('OK');
  expect(h.emulator.count('ListEndpoints')).toBeGreaterThanOrEqual(1);
});

// botocore lists both errors for deleting a model, and which one a model still importing gets is not documented
// (docs/aws-assumptions.md, delete-while-importing).
test.each(['ResourceUnavailableException', 'ResourceInUseException'] as const)('deleting during a cancelled create, answered %s, stops the import, then deletes', async error => {
  h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { trainMs: 10 * 60_000 });
  h.emulator.deleteWhileImportingError = error;
  const driver = h.driver();
  const [copyArn] = await driver.startCreates(h.stack({ Tickets: {} }));
  expect(copies()).toEqual([expect.objectContaining({ arn: copyArn, status: 'SUBMITTED' })]);

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  expect(copies()).toEqual([]);
  const deletes = h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier').map(c => c.outcome);
  expect(deletes[0]).toBe(error);
  expect(deletes).toContain('OK');
  // Delete means delete: the import is stopped (STOP_REQUESTED, then STOPPED) rather than waited out for ten minutes.
  expect(h.emulator.calls.filter(c => c.operation === 'StopTrainingDocumentClassifier').map(c => c.outcome)).toEqual(['OK']);
  expect(result.outcomes[0].polls).toBeLessThan(10);
});

test.each([
  ['RETAIN', RemovalPolicy.RETAIN],
  ['RETAIN_ON_UPDATE_OR_DELETE, for a copy whose create succeeded,', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
])('%s keeps the copy when the stack is deleted', async (_, removalPolicy) => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: { removalPolicy } }));

  const result = await driver.destroy();

  expect(result.failures).toEqual([]);
  expect(copies()).toEqual([expect.objectContaining({ status: 'TRAINED' })]);
  expect(h.emulator.count('DeleteDocumentClassifier')).toBe(0);
});

test('every operation throttled 30% of the time: create, update and delete all succeed', async () => {
  h.emulator.faults['*'] = { throttleRate: 0.3 };
  const driver = h.driver();
  const models = { A: {}, B: { sourceModelArn: SOURCE_CLASSIFIER_V2 }, C: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } };

  const created = await driver.deploy(h.stack(models));
  const updated = await driver.deploy(h.stack({ ...models, A: { tags: { team: 'x' } } }));
  const destroyed = await driver.destroy();

  expect([created.failures, updated.failures, destroyed.failures]).toEqual([[], [], []]);
  expect(copies()).toEqual([]);
  expect(h.emulator.calls.filter(c => c.outcome === 'TooManyRequestsException').length).toBeGreaterThan(5);
});

test('server errors on 10% of the calls: create and delete still succeed', async () => {
  h.emulator.faults['*'] = { serverErrorRate: 0.1 };
  const driver = h.driver();

  const created = await driver.deploy(h.stack({ A: {}, B: { sourceModelArn: SOURCE_CLASSIFIER_V2 } }));
  const destroyed = await driver.destroy();

  expect([created.failures, destroyed.failures]).toEqual([[], []]);
  expect(copies()).toEqual([]);
  expect(h.emulator.calls.filter(c => c.outcome === 'InternalServerException').length).toBeGreaterThan(0);
});

test('an import slower than the timeout fails clearly, is stopped, and the rollback removes the copy', async () => {
  h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { trainMs: 20 * 60_000 });
  const driver = h.driver();

  const result = await driver.deploy(h.stack({ Tickets: { timeout: Duration.minutes(5) } }));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(/ended in status STOPPED: .*The failed copy is being deleted\. The import did not finish within the timeout, so it was stopped\. Raise the timeout prop/);
  expect(copies()).toEqual([]);
  expect(h.emulator.calls.filter(c => c.operation === 'StopTrainingDocumentClassifier').map(c => c.outcome)).toEqual(['OK']);
  // The handler deleted the stopped copy once it was STOPPED.
  expect(h.emulator.calls.filter(c => c.operation === 'DeleteDocumentClassifier').map(c => c.outcome)).toContain('OK');
});

test('an importer the source\'s resource policy does not name is told the sharer must add it, and nothing is left', async () => {
  const driver = h.driver(STRANGER);

  const result = await driver.deploy(h.stack({ Tickets: {} }, STRANGER));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0]).toMatch(`ImportModel of ${SOURCE_CLASSIFIER} into account ${STRANGER} was refused`);
  expect(copies(STRANGER)).toEqual([]);
  // ImportModel is refused, and nothing else is called: the framework answers the rollback's Delete of its placeholder.
  expect(h.emulator.calls.filter(c => c.service === 'comprehend').map(c => `${c.operation} ${c.account} ${c.outcome}`))
    .toEqual([`ImportModel ${STRANGER} AccessDeniedException`]);
  // CloudFormation's: the record read by the Create's onEvent, and the proof before ImportModel, its one mutating call.
  expect(h.emulator.calls.filter(c => c.service === 'cloudformation').map(c => `${c.operation} ${c.account} ${c.outcome}`))
    .toEqual(Array(2).fill(`DescribeStackResource ${STRANGER} OK`));
});

describe('no failed copy is left behind', () => {
  test.each([
    ['RETAIN', RemovalPolicy.RETAIN],
    ['RETAIN_ON_UPDATE_OR_DELETE', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
  ])('a create that ends IN_ERROR under %s leaves nothing', async (_, removalPolicy) => {
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { failWith: 'The model artifacts could not be decrypted' });

    const result = await h.driver().deploy(h.stack({ Tickets: { removalPolicy } }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0]).toMatch(/ended in status IN_ERROR: The model artifacts could not be decrypted\. The failed copy is being deleted/);
    h.clock.advance(60_000);
    expect(copies()).toEqual([]);
  });

  test('a stopped import is deleted too', async () => {
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { outcome: 'STOPPED' });

    const result = await h.driver().deploy(h.stack({ Tickets: { removalPolicy: RemovalPolicy.RETAIN } }));

    expect(result.failures[0]).toMatch(/ended in status STOPPED: Training was stopped/);
    h.clock.advance(60_000);
    expect(copies()).toEqual([]);
  });

  test('a model that ends TRAINED_WITH_WARNING is usable', async () => {
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { outcome: 'TRAINED_WITH_WARNING' });

    const result = await h.driver().deploy(h.stack({ Tickets: {} }));

    expect(result.failures).toEqual([]);
    expect(result.outcomes[0].data).toMatchObject({ Status: 'TRAINED_WITH_WARNING' });
  });
});

describe('tags-only updates finish at a later poll, on the same copy', () => {
  test.each([
    // TagResource's model lists no TooManyRequestsException: it throttles with the common ThrottlingException.
    ['TagResource throttled beyond the SDK\'s attempts', 'ThrottlingException', 12],
    ['a ConcurrentModificationException', 'ConcurrentModificationException', 1],
  ])('%s', async (_, error, count) => {
    const driver = h.driver();
    await driver.deploy(h.stack({ Tickets: { tags: { team: 'nlp' } } }));
    const [before] = copies();
    h.emulator.failNext('TagResource', error, count);

    const result = await driver.deploy(h.stack({ Tickets: { tags: { team: 'search' } } }));

    expect(result.failures).toEqual([]);
    expect(copies()).toEqual([{ ...before, tags: { ...before.tags, team: 'search' } }]);
    expect(h.emulator.count('ImportModel')).toBe(1);
    expect(h.emulator.calls.filter(c => c.operation === 'TagResource').map(c => c.outcome)).toContain('OK');
  });
});

test('a copy deleted out of band comes back: a tags-only update imports it again, and its rollback goes through', async () => {
  const driver = h.driver();
  await driver.deploy(h.stack({ Tickets: { tags: { team: 'nlp' } } }));
  const [before] = copies();
  h.emulator.model(before.arn)!.deletingSince = h.clock.now() - 60_000;
  expect(copies()).toEqual([]);

  const result = await driver.deploy(h.stack({ Tickets: { tags: { team: 'search' } } }));

  expect(result.failures).toEqual([]);
  expect(result.outcomes.map(o => `${o.requestType} ${o.status} ${o.physicalResourceId === before.arn}`)).toEqual(['Update SUCCESS true']);
  expect(copies()).toEqual([{ ...before, tags: { ...before.tags, team: 'search' } }]);

  // The same again, but the update fails elsewhere in the stack: CloudFormation rolls this resource back too.
  h.emulator.model(before.arn)!.deletingSince = h.clock.now() - 60_000;
  const [logicalId, current] = [...driver.resources][0];
  const [update] = await driver.send([{ logicalId, event: driver.event('Update', logicalId, { ...current.properties, Tags: [{ Key: 'team', Value: 'x' }] }, before.arn, current.properties) }]);
  const [rollback] = await driver.send([{ logicalId, event: driver.event('Update', logicalId, current.properties, before.arn, { ...current.properties, Tags: [{ Key: 'team', Value: 'x' }] }) }]);
  expect([update.status, rollback.status]).toEqual(['SUCCESS', 'SUCCESS']);
  expect(copies()).toEqual([{ ...before, tags: { ...before.tags, team: 'search' } }]);
});

test('the emulator\'s clock is the SDK\'s: a refused request is not retried as clock skew after the clock moves on', async () => {
  const client = new ComprehendClient({
    endpoint: h.emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: Object.keys(ACCESS_KEYS).find(key => ACCESS_KEYS[key] === IMPORTER)!, secretAccessKey: 'emulator-secret' },
    maxAttempts: 8,
  });
  const missing = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/missing/version/v1`;
  for (const hours of [0, 2, 4]) {
    h.clock.advance(hours * 60 * 60_000);
    await expect(client.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: missing })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  }

  // One request each: with the real time in its Date header, the SDK saw hours of skew and retried each up to 8 times.
  expect(h.emulator.count('DescribeDocumentClassifier')).toBe(3);
});

describe('the handlers\' waits run on the driver\'s virtual clock, together, as concurrent invocations wait (issue 31)', () => {
  /** A stack of `models` whose imports wait for their places in a window of `spreadSeconds` (0: none). */
  function stackWithWindow(models: Record<string, object>, spreadSeconds: number): Stack {
    const stack = h.stack(models);
    (stack.node.findChild('ComprehendProvider').node.findChild('OnEvent') as lambda.Function).addEnvironment(IMPORT_SPREAD_ENV, String(spreadSeconds));
    return stack;
  }
  const ownerTagOf = (input: any): string => input.Tags.find((t: { Key: string }) => t.Key === OWNER_TAG_KEY).Value;

  test('imports in a 10-minute window: each ImportModel at its own place, all waited out together, in no real time', async () => {
    const stack = stackWithWindow({ A: {}, B: { sourceModelArn: SOURCE_CLASSIFIER_V2 }, C: { sourceModelArn: OTHER_SOURCE_CLASSIFIER } }, 600);
    const started = { real: performance.now(), virtual: h.clock.now() };

    const result = await h.driver().deploy(stack);

    expect(result.failures).toEqual([]);
    const imports = h.emulator.calls.filter(c => c.operation === 'ImportModel');
    expect(imports.map(c => c.outcome)).toEqual(['OK', 'OK', 'OK']);
    for (const call of imports) {
      // Its place in the window, counted from when CloudFormation sent the requests (after the driver's synth)...
      const placeMs = importSlotSeconds(ownerTagOf(call.input), 600) * 1000;
      expect(call.at - started.virtual).toBeGreaterThanOrEqual(placeMs);
      expect(call.at - started.virtual).toBeLessThan(placeMs + 10_000);
    }
    // ...the places apart (each a draw over 10 minutes), not all at the last one...
    expect(new Set(imports.map(c => Math.round(c.at / 1000))).size).toBe(3);
    // ...and none of the waits in real time.
    expect(performance.now() - started.real).toBeLessThan(30_000);
  });

  test('imports throttled at once back off together: each retried after its own backoff, not after the other\'s', async () => {
    const stack = stackWithWindow({ A: {}, B: { sourceModelArn: SOURCE_CLASSIFIER_V2 } }, 0);
    h.emulator.failNext('ImportModel', 'TooManyRequestsException', 2);
    const sleeps: Array<{ ms: number; at: number }> = [];
    const sleep = h.clock.sleep.bind(h.clock);
    h.clock.sleep = ms => {
      sleeps.push({ ms, at: h.clock.now() });
      return sleep(ms);
    };

    const result = await h.driver().deploy(stack);

    expect(result.failures).toEqual([]);
    const imports = h.emulator.calls.filter(c => c.operation === 'ImportModel');
    expect(imports.map(c => c.outcome)).toEqual(['TooManyRequestsException', 'TooManyRequestsException', 'OK', 'OK']);
    // The two backoffs (the SDK's first retry after throttling: under 1 s), from the same moment...
    expect(sleeps).toHaveLength(2);
    sleeps.forEach(s => expect(s.ms).toBeLessThan(1_000));
    expect(Math.abs(sleeps[0].at - sleeps[1].at)).toBeLessThan(250);
    // ...and each retry when its own backoff is over (give or take the request's real time), the later one not after
    // both backoffs.
    const wakeUps = sleeps.map(s => s.at + s.ms).sort((x, y) => x - y);
    const retries = imports.slice(2).map(c => c.at).sort((x, y) => x - y);
    retries.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(wakeUps[i]);
      expect(at).toBeLessThan(wakeUps[i] + 250);
    });
  });
});
