// Issue 18 end to end: removals, replacements, concurrent shares and changes made by hand lose nothing, and IAM
// enforces ownership. Every scenario runs the bundled handlers through the deploy driver with IAM enforced: each
// handler role calls with its own key under the template's policies, applied in CloudFormation's order, and the
// emulator refuses what they do not allow. Each asserts what the emulator holds afterwards, not only the outcome.
import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DeleteEndpointCommand,
  DescribeDocumentClassifierCommand,
  ImportModelCommand,
  TagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Harness, startHarness } from './harness';
import { ImportedComprehendModel, ImportedComprehendModelProps, ModelEndpointOptions, SharedModelPolicy } from '../../src';
import { OWNER_TAG_KEY } from '../../src/contract/import-properties';
import { EmulatorCall } from '../support/comprehend-emulator';
import {
  IMPORTER,
  OTHER_SOURCE_CLASSIFIER,
  REGION,
  sharerStack,
  SHARER,
  SHARER_KEY,
  SOURCE_CLASSIFIER,
  SOURCE_CLASSIFIER_V2,
  SOURCE_RECOGNIZER,
  STRANGER,
} from '../support/fixtures';

jest.setTimeout(180_000);

/** eu-west-1 has no native endpoint type: an endpoint there is the provider's custom resource, run by the handlers. */
const CUSTOM_REGION = 'eu-west-1';
const inRegion = (arn: string, region = CUSTOM_REGION) => arn.replace(`:${REGION}:`, `:${region}:`);
const endpointArn = (name = 'tickets-live') => `arn:aws:comprehend:${CUSTOM_REGION}:${IMPORTER}:document-classifier-endpoint/${name}`;
const HANDLER_ROLE = 'ComprehendProviderHandlerRole';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

async function start(options: { shareWithImporter?: boolean; recordCalls?: boolean } = {}): Promise<Harness> {
  h = await startHarness(7, options.shareWithImporter ?? true, { recordCalls: options.recordCalls });
  for (const arn of [SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2, SOURCE_RECOGNIZER]) {
    h.emulator.addTrainedModel(inRegion(arn), { sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
  }
  return h;
}

interface Serving {
  readonly model?: Partial<ImportedComprehendModelProps>;
  /** The endpoint, or none. */
  readonly endpoint?: ModelEndpointOptions | false;
  /** A recognizer copy besides the classifier. */
  readonly recognizer?: boolean;
}

/** An importer stack in eu-west-1: the classifier's copy, optionally its endpoint and a recognizer copy. */
function servingStack({ model = {}, endpoint = {}, recognizer = false }: Serving, stackName = 'Serving'): Stack {
  const stack = new Stack(new App(), stackName, { env: { account: IMPORTER, region: CUSTOM_REGION } });
  const copy = new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn: inRegion(SOURCE_CLASSIFIER), ...model });
  if (endpoint !== false) {
    copy.addEndpoint('Live', { endpointName: 'tickets-live', ...endpoint });
  }
  if (recognizer) {
    new ImportedComprehendModel(stack, 'Products', { sourceModelArn: inRegion(SOURCE_RECOGNIZER) });
  }
  return stack;
}

/** The importer's copies as the emulator holds them now. */
function copies(account = IMPORTER) {
  return h.emulator.modelsOf(account).map(m => ({ arn: m.arn, kind: m.kind, status: h.emulator.statusOf(m), tags: Object.fromEntries(m.tags) }));
}

const refused = () => h.emulator.calls.filter(c => c.outcome === 'AccessDeniedException');
const callsOf = (...operations: string[]) => h.emulator.calls.filter(c => operations.includes(c.operation));
const statementsOf = (arn: string) => JSON.parse(h.emulator.model(arn)?.resourcePolicy ?? '{"Statement":[]}').Statement as Array<{ Sid: string; Principal: any }>;
const sharedWith = (arn: string) => statementsOf(arn).filter(s => /^CdkShare/.test(s.Sid)).map(s => s.Principal.AWS);

describe('a Delete has the permissions it needs, whatever else the deployment removes', () => {
  test('an endpoint removed while its import stays: the endpoint is gone, the cleanup does not fail', async () => {
    await start();
    const driver = h.driver();
    expect((await driver.deploy(servingStack({}))).failures).toEqual([]);
    const [copy] = copies();

    const result = await driver.deploy(servingStack({ endpoint: false }));

    expect(result.failures).toEqual([]);
    expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType} ${o.status}`)).toEqual(['TicketsLive Delete SUCCESS']);
    expect(h.emulator.endpointNow(endpointArn())).toBeUndefined();
    expect(copies()).toEqual([copy]);
    expect(callsOf('DeleteEndpoint').map(c => c.outcome)).toContain('OK');
    expect(refused()).toEqual([]);
  });

  test('the last recognizer copy removed while a classifier stays: the recognizer copy is gone', async () => {
    await start();
    const driver = h.driver();
    expect((await driver.deploy(servingStack({ endpoint: false, recognizer: true }))).failures).toEqual([]);
    expect(copies().map(c => c.kind).sort()).toEqual(['document-classifier', 'entity-recognizer']);

    const result = await driver.deploy(servingStack({ endpoint: false }));

    expect(result.failures).toEqual([]);
    h.clock.advance(60_000);
    expect(copies()).toEqual([expect.objectContaining({ kind: 'document-classifier', status: 'TRAINED' })]);
    expect(callsOf('DeleteEntityRecognizer').map(c => c.outcome)).toContain('OK');
    expect(refused()).toEqual([]);
  });

  // A stack name that ends in "stack", as in its StackId's "stack/NAME/GUID": the ownership pattern must still match.
  test.each(['Serving', 'comprehend-stack'])('a whole stack deleted (%s): nothing is left, and nothing was refused', async stackName => {
    await start();
    const driver = h.driver();
    expect((await driver.deploy(servingStack({ recognizer: true }, stackName))).failures).toEqual([]);
    expect(copies()).toHaveLength(2);

    const result = await driver.destroy();

    expect(result.failures).toEqual([]);
    expect(result.status).toBe('COMPLETE');
    h.clock.advance(60_000);
    expect(copies()).toEqual([]);
    expect(h.emulator.endpointNow(endpointArn())).toBeUndefined();
    expect(refused()).toEqual([]);
  });
});

describe('shares', () => {
  function sharing(shares: Record<string, { modelArn: string; importers: string[] }>): Stack {
    const stack = sharerStack();
    for (const [id, { modelArn, importers }] of Object.entries(shares)) {
      new SharedModelPolicy(stack, id, { modelArn, importerAccounts: importers });
    }
    return stack;
  }

  test('a share moved from v1 to v2: v1\'s statement is removed, v2\'s is present', async () => {
    await start({ shareWithImporter: false });
    const driver = h.driver(SHARER);
    expect((await driver.deploy(sharing({ Share: { modelArn: SOURCE_CLASSIFIER, importers: [IMPORTER] } }))).failures).toEqual([]);
    expect(sharedWith(SOURCE_CLASSIFIER)).toEqual([`arn:aws:iam::${IMPORTER}:root`]);

    const result = await driver.deploy(sharing({ Share: { modelArn: SOURCE_CLASSIFIER_V2, importers: [IMPORTER] } }));

    expect(result.failures).toEqual([]);
    expect(sharedWith(SOURCE_CLASSIFIER)).toEqual([]);
    expect(sharedWith(SOURCE_CLASSIFIER_V2)).toEqual([`arn:aws:iam::${IMPORTER}:root`]);
    // The v1 statement's removal ran in the cleanup phase, under the policy that still named v1.
    const onV1 = callsOf('PutResourcePolicy', 'DeleteResourcePolicy').filter(c => c.input.ResourceArn === SOURCE_CLASSIFIER);
    expect(onV1.map(c => c.outcome)).not.toContain('AccessDeniedException');
    expect(refused()).toEqual([]);
    // The importer can import v2 and no longer v1.
    const importer = await h.driver(IMPORTER).deploy(h.stack({ Tickets: {} }));
    expect(importer.failures[0]).toMatch(`ImportModel of ${SOURCE_CLASSIFIER} into account ${IMPORTER} was refused`);
  });

  test('a share removed: its statement is gone, the other share\'s stays', async () => {
    await start({ shareWithImporter: false });
    const driver = h.driver(SHARER);
    const both = {
      Tickets: { modelArn: SOURCE_CLASSIFIER, importers: [IMPORTER] },
      Invoices: { modelArn: OTHER_SOURCE_CLASSIFIER, importers: [IMPORTER] },
    };
    expect((await driver.deploy(sharing(both))).failures).toEqual([]);

    const result = await driver.deploy(sharing({ Invoices: both.Invoices }));

    expect(result.failures).toEqual([]);
    expect(sharedWith(SOURCE_CLASSIFIER)).toEqual([]);
    expect(sharedWith(OTHER_SOURCE_CLASSIFIER)).toEqual([`arn:aws:iam::${IMPORTER}:root`]);
    expect(refused()).toEqual([]);

    const destroyed = await driver.destroy();
    expect(destroyed.failures).toEqual([]);
    expect(sharedWith(OTHER_SOURCE_CLASSIFIER)).toEqual([]);
  });

  test('two first-time shares of one model in one stack, interleaved (both read before either writes), keep both statements', async () => {
    await start({ shareWithImporter: false });
    const driver = h.driver(SHARER);

    const result = await driver.deploy(sharing({
      ForImporter: { modelArn: SOURCE_CLASSIFIER, importers: [IMPORTER] },
      ForStranger: { modelArn: SOURCE_CLASSIFIER, importers: [STRANGER] },
    }));

    expect(result.failures).toEqual([]);
    // The interleaving really happened: both described the model (no policy yet) before either put one.
    const policyCalls = callsOf('DescribeResourcePolicy', 'PutResourcePolicy').map(c => `${c.operation} ${c.outcome}`);
    expect(policyCalls.slice(0, 2)).toEqual(['DescribeResourcePolicy ResourceNotFoundException', 'DescribeResourcePolicy ResourceNotFoundException']);
    expect(policyCalls.slice(2, 4)).toEqual(['PutResourcePolicy OK', 'PutResourcePolicy OK']);
    expect(sharedWith(SOURCE_CLASSIFIER).sort()).toEqual([`arn:aws:iam::${IMPORTER}:root`, `arn:aws:iam::${STRANGER}:root`]);
    expect(refused()).toEqual([]);
  });
});

describe('Delete means delete', () => {
  test('a stack create with a successful RETAIN_ON_UPDATE_OR_DELETE import and a failing sibling rolls back and leaves no copy', async () => {
    await start();
    h.emulator.importBehaviour.set(OTHER_SOURCE_CLASSIFIER, { trainMs: 120_000, failWith: 'The model artifacts could not be decrypted' });

    const result = await h.driver().deploy(h.stack({
      Kept: { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE },
      Broken: { sourceModelArn: OTHER_SOURCE_CLASSIFIER },
    }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.outcomes.map(o => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')} ${o.requestType} ${o.status}`)).toEqual(
      expect.arrayContaining(['Kept Create SUCCESS', 'Broken Create FAILED', 'Kept Delete SUCCESS']));
    h.clock.advance(60_000);
    expect(copies()).toEqual([]);
    expect(callsOf('DeleteDocumentClassifier').map(c => c.outcome)).toContain('OK');
    expect(refused()).toEqual([]);

    // Created again under the same name, the stack does not trip over a copy the first attempt left.
    h.emulator.importBehaviour.delete(OTHER_SOURCE_CLASSIFIER);
    const again = await h.driver().deploy(h.stack({ Kept: { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE } }));
    expect(again.failures).toEqual([]);
  });

  test('RETAIN_ON_UPDATE_OR_DELETE: removed by an update, the copy stays (no Delete is sent)', async () => {
    await start();
    const driver = h.driver();
    const other = { sourceModelArn: SOURCE_CLASSIFIER_V2 };
    await driver.deploy(h.stack({ Kept: { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }, Other: other }));

    const result = await driver.deploy(h.stack({ Other: other }));

    expect(result.failures).toEqual([]);
    expect(copies()).toHaveLength(2);
    expect(h.emulator.count('DeleteDocumentClassifier')).toBe(0);
  });
});

describe('in use by a job fails fast', () => {
  test.each([
    ['classifier', SOURCE_CLASSIFIER, 'ListDocumentClassificationJobs'],
    ['recognizer', SOURCE_RECOGNIZER, 'ListEntitiesDetectionJobs'],
  ])('a %s copy used by an IN_PROGRESS job: the stack delete fails within a few polls naming the job, and succeeds once the job ends', async (_, source, listing) => {
    await start();
    const driver = h.driver();
    await driver.deploy(h.stack({ Copy: { sourceModelArn: source } }));
    const [copy] = copies();
    // 120 active jobs of another model come first: the copy's job is on the second page of the listing.
    const elsewhere = `${copy.arn.split('/version/')[0]}/version/someone-elses`;
    for (let i = 0; i < 120; i++) {
      h.emulator.addJob(elsewhere, { status: 'IN_PROGRESS' });
    }
    const job = h.emulator.addJob(copy.arn, { status: 'IN_PROGRESS', jobName: 'nightly' });

    const failed = await driver.destroy();

    expect(failed.status).toBe('DELETE_FAILED');
    expect(failed.failures).toHaveLength(1);
    expect(failed.failures[0]).toContain(job.jobId);
    expect(failed.failures[0]).not.toMatch(/timeout/i);
    expect(failed.outcomes[0].polls).toBeLessThanOrEqual(3);
    expect(copies()).toEqual([copy]);
    expect(callsOf(listing).map(c => c.outcome)).toContain('OK');
    expect(callsOf(listing).filter(c => c.outcome !== 'OK')).toEqual([]);

    h.emulator.finishJob(job);
    const deleted = await driver.destroy();

    expect(deleted.failures).toEqual([]);
    h.clock.advance(60_000);
    expect(copies()).toEqual([]);
    expect(refused()).toEqual([]);
  });
});

describe('statuses and deadlines', () => {
  test('an unknown status is waited on, and the create fails at the deadline without deleting', async () => {
    // This emulator reports a status outside botocore's enum on purpose: its answers are not recorded for the check.
    await start({ recordCalls: false });
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { unknownStatus: 'SOMETHING_NEW', trainMs: 10 * 60_000 });
    const seen: Array<{ at: number; statuses: string[] }> = [];
    const driver = h.driver(IMPORTER, {}, () => seen.push({ at: h.clock.now(), statuses: copies().map(c => c.status) }));

    const result = await driver.deploy(h.stack({ Tickets: { timeout: Duration.minutes(5) } }));

    const create = result.outcomes.find(o => o.requestType === 'Create')!;
    expect(create.status).toBe('FAILED');
    expect(create.reason).toMatch(/SOMETHING_NEW/);
    // It waited to the deadline (5 minutes, 20 polls of 15 s), and nothing was deleted or stopped before it failed.
    expect(create.polls).toBeGreaterThanOrEqual(20);
    // Until then, the copy was there, in its unknown status.
    expect(new Set(seen.filter(p => p.at <= create.answeredAt).flatMap(p => p.statuses))).toEqual(new Set(['SOMETHING_NEW']));
    const beforeFailure = (c: EmulatorCall) => c.at <= create.answeredAt;
    expect(callsOf('DeleteDocumentClassifier', 'StopTrainingDocumentClassifier').filter(beforeFailure)).toEqual([]);
    expect(refused()).toEqual([]);
  });

  // Under RETAIN CloudFormation sends the failed create no Delete: the handler deletes the stopped copy itself.
  test.each([
    ['DESTROY', RemovalPolicy.DESTROY],
    ['RETAIN', RemovalPolicy.RETAIN],
  ])('an import that would take 2 hours under the default timeout (%s): stopped at the deadline, the rollback completes, nothing is left', async (_, removalPolicy) => {
    await start();
    h.emulator.importBehaviour.set(SOURCE_CLASSIFIER, { trainMs: 2 * 60 * 60_000 });

    const result = await h.driver().deploy(h.stack({ Tickets: { removalPolicy } }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toHaveLength(1);
    expect(callsOf('StopTrainingDocumentClassifier').map(c => c.outcome)).toContain('OK');
    h.clock.advance(60_000);
    expect(copies()).toEqual([]);
    expect(callsOf('DeleteDocumentClassifier').map(c => c.outcome)).toContain('OK');
    expect(refused()).toEqual([]);
  });
});

describe('nothing is changed before ownership is proven', () => {
  test('an update that finds its endpoint re-created by hand under its name touches nothing and fails', async () => {
    await start();
    const driver = h.driver();
    await driver.deploy(servingStack({}));
    const [copy] = copies();
    // Deleted out of band and re-created by hand under the same name: no ownership tag.
    const theirs = h.emulator.addEndpoint(endpointArn(), copy.arn);
    theirs.tags.set('owner', 'ana');
    const before = h.emulator.calls.length;

    const result = await driver.deploy(servingStack({ endpoint: { desiredInferenceUnits: 2, tags: { team: 'nlp' } } }));

    expect(result.status).not.toBe('COMPLETE');
    expect(result.failures[0]).toMatch(/tickets-live/);
    const during = h.emulator.calls.slice(before);
    const mutating = ['UpdateEndpoint', 'TagResource', 'UntagResource', 'DeleteEndpoint', 'CreateEndpoint'];
    expect(during.filter(c => mutating.includes(c.operation))).toEqual([]);
    expect(h.emulator.endpointNow(endpointArn())).toMatchObject({ status: 'IN_SERVICE', modelArn: copy.arn, units: 1 });
    expect(Object.fromEntries(h.emulator.endpointNow(endpointArn())!.tags)).toEqual({ owner: 'ana' });
  });

  test('an update that finds its copy re-created by hand under its name (no owner tag) touches nothing and fails', async () => {
    await start();
    const driver = h.driver();
    await driver.deploy(h.stack({ Tickets: { versionName: 'pinned', tags: { team: 'nlp' } } }));
    const [copy] = copies();
    // Re-imported by hand under the same name and version: no ownership tag.
    const model = h.emulator.model(copy.arn)!;
    model.tags.clear();
    model.tags.set('team', 'theirs');
    const before = h.emulator.calls.length;

    const result = await driver.deploy(h.stack({ Tickets: { versionName: 'pinned', tags: { team: 'search' } } }));

    expect(result.status).not.toBe('COMPLETE');
    expect(result.failures[0]).toContain(copy.arn.split('/')[1]);
    const during = h.emulator.calls.slice(before);
    expect(during.filter(c => ['TagResource', 'UntagResource', 'DeleteDocumentClassifier', 'StopTrainingDocumentClassifier'].includes(c.operation))).toEqual([]);
    expect(copies()).toEqual([{ ...copy, tags: { team: 'theirs' } }]);
  });
});

describe('IAM refuses what the handler role does not own', () => {
  /** A client that calls as the stack's handler role, with its key, and does not retry. */
  function asHandlerRole(key: string): ComprehendClient {
    return new ComprehendClient({
      endpoint: h.emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: key, secretAccessKey: 'emulator-secret' },
      maxAttempts: 1,
    });
  }
  const denied = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ name: 'AccessDeniedException' });

  test('mutating calls on resources without the stack\'s owner tag, and imports without the tag or from other sharers or types, are refused', async () => {
    await start();
    // A model of the same sharer that is not shared with this account, and a classifier of another account.
    const unshared = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/unshared/version/v1`;
    const elsewhere = `arn:aws:comprehend:${REGION}:${STRANGER}:document-classifier/tickets/version/v1`;
    h.emulator.addTrainedModel(unshared);
    h.emulator.addTrainedModel(elsewhere, { sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
    const driver = h.driver();
    await driver.deploy(h.stack({ Tickets: {} }));
    const [ours] = copies();
    // Another stack's copy, and an endpoint made by hand.
    await h.driver().deploy(h.stack({ Theirs: { sourceModelArn: SOURCE_CLASSIFIER_V2 } }, IMPORTER, 'OtherStack'));
    const theirs = copies().find(c => c.arn !== ours.arn)!;
    const byHand = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/by-hand`;
    h.emulator.addEndpoint(byHand, theirs.arn);
    const client = asHandlerRole(driver.accessKeyOf(HANDLER_ROLE));
    const ownerTag = { Key: OWNER_TAG_KEY, Value: ours.tags[OWNER_TAG_KEY] };

    // Reading reaches any resource: that is how the handler tells its own from others'.
    await expect(client.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: theirs.arn }))).resolves.toBeDefined();
    await denied(client.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: theirs.arn })));
    await denied(client.send(new TagResourceCommand({ ResourceArn: theirs.arn, Tags: [ownerTag] })));
    await denied(client.send(new DeleteEndpointCommand({ EndpointArn: byHand })));
    // ImportModel needs the stack's owner tag in the request, and a sharer account and model type the app imports from.
    await denied(client.send(new ImportModelCommand({ SourceModelArn: SOURCE_CLASSIFIER, VersionName: 'untagged' })));
    await denied(client.send(new ImportModelCommand({ SourceModelArn: elsewhere, VersionName: 'other', Tags: [ownerTag] })));
    await denied(client.send(new ImportModelCommand({ SourceModelArn: SOURCE_RECOGNIZER, VersionName: 'other', Tags: [ownerTag] })));
    // Which models of that sharer this account may import is the sharer's to say, in each model's resource-based policy.
    await expect(client.send(new ImportModelCommand({ SourceModelArn: unshared, VersionName: 'other', Tags: [ownerTag] })))
      .rejects.toThrow(`on resource: ${unshared} because no resource-based policy allows the comprehend:ImportModel action`);
    // The owner's own copy: the same calls are allowed.
    await expect(client.send(new TagResourceCommand({ ResourceArn: ours.arn, Tags: [{ Key: 'team', Value: 'nlp' }] }))).resolves.toBeDefined();

    expect(refused().map(c => c.output.Message)).toEqual([
      expect.stringMatching(new RegExp(`^User: arn:aws:sts::${IMPORTER}:assumed-role/.+ is not authorized to perform: comprehend:DeleteDocumentClassifier on resource: ${theirs.arn} because no identity-based policy allows the comprehend:DeleteDocumentClassifier action$`)),
      expect.stringContaining(`comprehend:TagResource on resource: ${theirs.arn}`),
      expect.stringContaining(`comprehend:DeleteEndpoint on resource: ${byHand}`),
      expect.stringContaining(`comprehend:ImportModel on resource: ${SOURCE_CLASSIFIER}`),
      expect.stringContaining(`comprehend:ImportModel on resource: ${elsewhere}`),
      expect.stringContaining(`comprehend:ImportModel on resource: ${SOURCE_RECOGNIZER}`),
      // The sharer's refusal: the handler role allowed it, the model's resource-based policy does not.
      expect.stringContaining(`comprehend:ImportModel on resource: ${unshared} because no resource-based policy allows`),
    ]);
    // Nothing changed.
    expect(copies().find(c => c.arn === theirs.arn)).toEqual(theirs);
    expect(h.emulator.endpointNow(byHand)).toMatchObject({ status: 'IN_SERVICE' });
    expect(copies()).toHaveLength(2);
  });
});

describe('iam:PassRole reaches this stack\'s own service roles only', () => {
  const SECURE_SOURCE = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/secure/version/v1`;

  test('an import under the sharer\'s key passes the stack\'s service role (its path names the stack instance); another stack\'s role is refused', async () => {
    await start();
    h.emulator.addTrainedModel(SECURE_SOURCE, { encryptionKeyId: SHARER_KEY, sharedWith: [`arn:aws:iam::${IMPORTER}:root`] });
    const stack = new Stack(new App(), 'Importer', { env: { account: IMPORTER, region: REGION } });
    new ImportedComprehendModel(stack, 'Secure', { sourceModelArn: SECURE_SOURCE, sourceModelKey: kms.Key.fromKeyArn(stack, 'SharerKey', SHARER_KEY) });
    const driver = h.driver();

    const result = await driver.deploy(stack);

    expect(result.failures).toEqual([]);
    const [copy] = h.emulator.modelsOf(IMPORTER);
    const servicePath = new RegExp(`^arn:aws:iam::${IMPORTER}:role/cdk-comprehend-model-import/[0-9a-f-]{36}/.+$`);
    expect(copy.dataAccessRoleArn).toMatch(servicePath);
    expect(refused()).toEqual([]);

    // The same role name under another stack instance's path: the handler role may not pass it.
    const othersRole = copy.dataAccessRoleArn!.replace(/cdk-comprehend-model-import\/[0-9a-f-]{36}\//, 'cdk-comprehend-model-import/00000000-0000-4000-8000-000000000000/');
    const client = new ComprehendClient({
      endpoint: h.emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: driver.accessKeyOf(HANDLER_ROLE), secretAccessKey: 'emulator-secret' },
      maxAttempts: 1,
    });
    const ownerTag = { Key: OWNER_TAG_KEY, Value: copy.tags.get(OWNER_TAG_KEY)! };
    await expect(client.send(new ImportModelCommand({ SourceModelArn: SECURE_SOURCE, VersionName: 'x', DataAccessRoleArn: othersRole, Tags: [ownerTag] })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining(`iam:PassRole on resource: ${othersRole}`) });
    expect(h.emulator.modelsOf(IMPORTER)).toHaveLength(1);
  });
});
