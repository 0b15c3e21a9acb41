import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import {
  ComprehendClient,
  ComprehendServiceException,
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  EndpointStatus,
  ImportModelCommand,
  ConcurrentModificationException,
  InternalServerException,
  JobStatus,
  ListDocumentClassificationJobsCommand,
  ListEndpointsCommand,
  ListEntitiesDetectionJobsCommand,
  ListTagsForResourceCommand,
  ModelStatus,
  ResourceInUseException,
  ResourceNotFoundException,
  ResourceUnavailableException,
  TagResourceCommand,
  TooManyRequestsException,
  UntagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { MODEL_KEYS_ENV } from '../../../src/contract/declared-resources';
import { readImportSpec } from '../../../src/handlers/import/import-request';
import { onEvent as handler } from '../../../src/handlers/provider';
import {
  CREATE_FAILED_MARKER,
  createEvent,
  declareInEnvironment,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  properties,
  recordData,
  REGION,
  SHARER,
  SOURCE_CLASSIFIER,
  SOURCE_CLASSIFIER_V2,
  SOURCE_RECOGNIZER,
  STACK_ID,
  updateEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
const cloudFormation = mockStackRecord();
const metadata = { $metadata: {} };
const COPY_PREFIX = `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/tickets/version/`;
const OWNER = OWNER_TAG;
const DEFAULT_COPY = new RegExp(`^${COPY_PREFIX}Classifier1234ABCD-[0-9a-f]{16}$`);
/** The copy a Create of the default properties makes (or adopts): its name derives from the stack and the source. */
const TARGET = readImportSpec(properties(), STACK_ID, 'Classifier1234ABCD').targetArn;
// The app declares the keys these imports use (which key an import may use is import-key.test.ts's subject).
declareInEnvironment(MODEL_KEYS_ENV, ['arn:aws:kms:us-west-2:444455556666:key/abcd', 'arn:aws:kms:us-west-2:444455556666:key/k']);
const notFound = () => new ResourceNotFoundException({ ...metadata, message: 'RESOURCE_NOT_FOUND' });

/** Comprehend knows no copy under any name: the lookup before ImportModel finds the name free. */
function namesFree() {
  comprehend.on(DescribeDocumentClassifierCommand).rejects(notFound());
  comprehend.on(DescribeEntityRecognizerCommand).rejects(notFound());
}

/** The Comprehend operations called, in order. */
const calledOperations = () => comprehend.calls().map(call => call.args[0].constructor.name.replace(/Command$/, ''));

beforeEach(() => {
  comprehend.reset();
  namesFree();
  silenceHandlerLogs();
});

/** What ImportModel was called with, and the ARN a real Comprehend would have answered. */
function importedCopy(callIndex = 0) {
  const input = comprehend.commandCalls(ImportModelCommand)[callIndex].args[0].input;
  return { input, arn: `arn:aws:comprehend:us-west-2:444455556666:document-classifier/${input.ModelName}/version/${input.VersionName}` };
}

describe('Create', () => {
  test('imports with the source name and a derived version name, and returns the new ARN', async () => {
    comprehend.on(ImportModelCommand).callsFake(input => ({
      ModelArn: `arn:aws:comprehend:us-west-2:444455556666:document-classifier/${input.ModelName}/version/${input.VersionName}`,
    }));
    const before = Date.now();

    const result = await handler(createEvent(properties({ Tags: [{ Key: 'team', Value: 'nlp' }] })));

    // A Create asks ImportModel first, with no lookup (a stack's imports start at once): nothing else is called.
    expect(calledOperations()).toEqual(['ImportModel']);
    const { input } = importedCopy();
    expect(input).toEqual({
      SourceModelArn: SOURCE_CLASSIFIER,
      ModelName: 'tickets',
      VersionName: expect.stringMatching(/^Classifier1234ABCD-[0-9a-f]{16}$/),
      // The user's tags, and the ownership tag: this stack instance and logical resource.
      Tags: [{ Key: 'team', Value: 'nlp' }, OWNER],
    });
    expect(result.PhysicalResourceId).toMatch(DEFAULT_COPY);
    // The model's own timeout (3000 s) travels to isComplete as a deadline.
    expect(Number(result.Data?.Deadline)).toBeGreaterThanOrEqual(before + 3000 * 1000);
    expect(Number(result.Data?.Deadline)).toBeLessThanOrEqual(Date.now() + 3000 * 1000);
    // The copy is this request's (the name was free), and isComplete gets CloudFormation's record of the request.
    expect(result.Data).toEqual({ Deadline: expect.any(String), NewCopy: 'true', ...recordData() });
    expect(cloudFormation.commandCalls(DescribeStackResourceCommand)[0].args[0].input).toEqual({
      StackName: STACK_ID, LogicalResourceId: 'Classifier1234ABCD',
    });
  });

  test('passes explicit names, the model key and the data access role', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: `${COPY_PREFIX}fixed` });
    const props = properties({
      ModelName: 'my-copy',
      VersionName: 'fixed',
      ModelKmsKeyId: 'arn:aws:kms:us-west-2:444455556666:key/abcd',
      DataAccessRoleArn: 'arn:aws:iam::444455556666:role/cdk-comprehend-model-import/ServiceRole',
    });

    await handler(createEvent(props));

    expect(importedCopy().input).toEqual({
      SourceModelArn: SOURCE_CLASSIFIER,
      ModelName: 'my-copy',
      VersionName: 'fixed',
      ModelKmsKeyId: 'arn:aws:kms:us-west-2:444455556666:key/abcd',
      DataAccessRoleArn: 'arn:aws:iam::444455556666:role/cdk-comprehend-model-import/ServiceRole',
      Tags: [OWNER],
    });
  });

  test('the default version name is stable for one stack and differs across stacks and sources', async () => {
    comprehend.on(ImportModelCommand).resolves({ ModelArn: `${COPY_PREFIX}x` });
    await handler(createEvent());
    await handler(createEvent());
    await handler({ ...createEvent(), StackId: STACK_ID.replace('Importer/0f1e', 'Importer/9f9e') });
    await handler(createEvent(properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') })));

    const versions = comprehend.commandCalls(ImportModelCommand).map(call => call.args[0].input.VersionName!);
    expect(versions[0]).toEqual(versions[1]);
    expect(new Set(versions).size).toBe(3);
    for (const version of versions) {
      expect(version.length).toBeLessThanOrEqual(63);
      expect(version).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    }
  });

  function nameTaken(ownerTag?: string, status = 'TRAINING') {
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(DescribeDocumentClassifierCommand).callsFake(input => ({
      DocumentClassifierProperties: { DocumentClassifierArn: input.DocumentClassifierArn, Status: status, SourceModelArn: SOURCE_CLASSIFIER },
    }));
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: ownerTag ? [{ Key: OWNER.Key, Value: ownerTag }] : [{ Key: 'team', Value: 'nlp' }] });
  }

  test('adopts the copy a previous attempt of the same resource created, once ImportModel says the name is taken: it carries this resource\'s ownership tag', async () => {
    nameTaken(OWNER.Value);

    const result = await handler(createEvent());

    expect(result.PhysicalResourceId).toEqual(TARGET);
    expect(importedCopy().arn).toEqual(TARGET);
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: TARGET });
    expect(comprehend.commandCalls(ListTagsForResourceCommand)[0].args[0].input).toEqual({ ResourceArn: TARGET });
    expect(calledOperations()).toEqual(['ImportModel', 'DescribeDocumentClassifier', 'ListTagsForResource']);
    // Still importing: not a usable copy from before, so the gate judges it as this request's.
    expect(result.Data).toMatchObject({ NewCopy: 'true' });
  });

  test.each(['TRAINED', 'TRAINED_WITH_WARNING'])('adopts its own %s copy (a retained copy back in the stack) once ImportModel says the name is taken, marked adopted', async status => {
    nameTaken(OWNER.Value, status);

    const result = await handler(createEvent());

    expect(result).toEqual({ PhysicalResourceId: TARGET, Data: { Deadline: expect.any(String), NewCopy: 'adopted', ...recordData() } });
    expect(calledOperations()).toEqual(['ImportModel', 'DescribeDocumentClassifier', 'ListTagsForResource']);
  });

  test('a name taken by a copy not visible yet: the import is left to isComplete, as this request\'s', async () => {
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));

    const result = await handler(createEvent());

    expect(result).toMatchObject({ PhysicalResourceId: TARGET, Data: { NewCopy: 'true' } });
    expect(calledOperations()).toEqual(['ImportModel', 'DescribeDocumentClassifier']);
  });

  test('refuses a copy without the ownership tag (made by hand), and never deletes it', async () => {
    nameTaken();

    await expect(handler(createEvent(properties({ ModelName: 'shared-name', VersionName: 'v1' })))).rejects.toThrow(
      /Model name "shared-name" version "v1" already exists .*and this resource did not create it: it has no cdk-comprehend-model-import:owner tag, so it was made by hand or by another tool\. It is left as it is\. Choose another versionName/,
    );
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
    // ImportModel was refused (the name is taken); the copy was only described and its tags read.
    expect(calledOperations()).toEqual(['ImportModel', 'DescribeDocumentClassifier', 'ListTagsForResource']);
  });

  test('refuses the copy of another stack, naming its owner', async () => {
    nameTaken('Other/1111aaaa-2222-3333-4444-555566667777/Classifier1234ABCD');

    await expect(handler(createEvent(properties({ VersionName: 'v1' })))).rejects.toThrow(
      'its cdk-comprehend-model-import:owner tag names Other/1111aaaa-2222-3333-4444-555566667777/Classifier1234ABCD',
    );
  });

  test('refuses a tag that would take the ownership tag\'s key, or more than 49 tags', async () => {
    await expect(handler(createEvent(properties({ Tags: [OWNER] })))).rejects.toThrow(`tags: 1 tags, among them ${OWNER.Key}; expected at most 49 tags`);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(handler(createEvent(properties({ Tags: fifty })))).rejects.toThrow('tags: 50 tags; expected at most 49 tags');
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('leaves the import to isComplete when Comprehend still throttles ImportModel after the SDK retries: nothing was looked up, so whose copy appears is unknown', async () => {
    comprehend.on(ImportModelCommand).rejects(new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' }));

    const result = await handler(createEvent());

    expect(result.PhysicalResourceId).toMatch(DEFAULT_COPY);
    expect(result.PhysicalResourceId).toEqual(importedCopy().arn);
    // isComplete decides by the copy's SubmitTime.
    expect(result).toEqual({ PhysicalResourceId: TARGET, Data: { Deadline: expect.any(String), NewCopy: 'unknown', ...recordData() } });
    expect(calledOperations()).toEqual(['ImportModel']);
  });

  test('surfaces the service error of a refused import', async () => {
    comprehend.on(ImportModelCommand).rejects(new ResourceNotFoundException({
      ...metadata, message: 'User 444455556666 is not authorized to import the model',
    }));

    await expect(handler(createEvent())).rejects.toThrow('User 444455556666 is not authorized to import the model');
  });

  /** An error the SDK's model does not list, as the SDK builds it from the response's error code. */
  const accessDenied = (because: string) => new ComprehendServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    ...metadata,
    message: `User: arn:aws:sts::${IMPORTER}:assumed-role/Handler/session is not authorized to perform: comprehend:ImportModel ` +
      `on resource: ${SOURCE_CLASSIFIER} ${because}`,
  });

  test('says the sharer must add this account when no resource-based policy allows its ImportModel', async () => {
    comprehend.on(ImportModelCommand).rejects(accessDenied('because no resource-based policy allows the comprehend:ImportModel action'));

    const failure = handler(createEvent());

    await expect(failure).rejects.toThrow(
      `ImportModel of ${SOURCE_CLASSIFIER} into account ${IMPORTER} was refused: the model version's resource-based policy, ` +
      `in the sharer's account ${SHARER}, does not let account ${IMPORTER} import it (yet). The sharer must add ${IMPORTER} ` +
      'to that policy (importerAccounts of its SharedModelPolicy); then retry this stack instance',
    );
    await expect(failure).rejects.toThrow(`Comprehend said: AccessDeniedException: User: arn:aws:sts::${IMPORTER}`);
    // Nothing to clean up: nothing was imported, and nothing else was called.
    expect(calledOperations()).toEqual(['ImportModel']);
  });

  test.each([
    ['IAM gives no reason', accessDenied('').message.trim()],
    ['the message is not IAM\'s', `Account ${IMPORTER} may not import ${SOURCE_CLASSIFIER}`],
  ])('says the policy is the likeliest cause when %s', async (_, message) => {
    comprehend.on(ImportModelCommand).rejects(new ComprehendServiceException({ name: 'AccessDeniedException', $fault: 'client', ...metadata, message }));

    await expect(handler(createEvent())).rejects.toThrow(
      `ImportModel of ${SOURCE_CLASSIFIER} into account ${IMPORTER} was refused: most likely because the model version's ` +
      `resource-based policy, in the sharer's account ${SHARER}, does not let account ${IMPORTER} import it (yet). The sharer must add`,
    );
  });

  test.each([
    ['an identity-based policy', 'because no identity-based policy allows the comprehend:ImportModel action'],
    ['a service control policy', 'with an explicit deny in a service control policy'],
    ['a permissions boundary', 'because no permissions boundary allows the comprehend:ImportModel action'],
    ['the sharer\'s explicit deny', 'with an explicit deny in a resource-based policy'],
    ['a resource control policy', 'with an explicit deny in a resource control policy'],
  ])('leaves a refusal by %s in IAM\'s words: adding the account to the share would not help', async (_, because) => {
    comprehend.on(ImportModelCommand).rejects(accessDenied(because));

    const failure = handler(createEvent());

    await expect(failure).rejects.toThrow(because);
    await expect(failure).rejects.not.toThrow('The sharer must add');
  });

  test('leaves a refusal of another action or resource (passing the role, the key) in IAM\'s words', async () => {
    const role = `arn:aws:iam::${IMPORTER}:role/ImportServiceRole`;
    comprehend.on(ImportModelCommand).rejects(new ComprehendServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      ...metadata,
      message: `User: arn:aws:sts::${IMPORTER}:assumed-role/Handler/session is not authorized to perform: iam:PassRole on resource: ${role}`,
    }));

    await expect(handler(createEvent())).rejects.toThrow(new RegExp(`^User: .* iam:PassRole on resource: ${role}$`));
  });

  test('leaves a refused import of a model of the stack\'s own account in IAM\'s words: there is no sharer', async () => {
    const ownModel = SOURCE_CLASSIFIER.replace(SHARER, IMPORTER);
    comprehend.on(ImportModelCommand).rejects(accessDenied('because no resource-based policy allows the comprehend:ImportModel action'));

    await expect(handler(createEvent(properties({ SourceModelArn: ownModel })))).rejects.toThrow(/^User: arn:aws:sts::/);
  });

  test.each([
    [{ SourceModelArn: 'arn:aws:s3:::bucket/key' }, /sourceModelArn "arn:aws:s3:::bucket\/key" is an ARN of service "s3"/],
    [{ SourceModelArn: SOURCE_RECOGNIZER }, /is an entity-recognizer, but modelType says document-classifier/],
    [{ SourceModelArn: SOURCE_CLASSIFIER.replace('us-west-2', 'eu-west-1') }, /in Region eu-west-1, but the stack is in us-west-2; Comprehend imports only within one Region/],
    [{ VersionName: 'v_1' }, /versionName "v_1" is not a valid Comprehend name/],
    [{ TimeoutSeconds: '7200' }, /timeout "7200" seconds is out of range/],
  ])('checks at deploy time what was a token at synth time: %j', async (overrides, message) => {
    await expect(handler(createEvent(properties(overrides)))).rejects.toThrow(message);
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });
});

describe('Update', () => {
  /** The properties of a replacement (another source), and the copy it makes: its name derives from the stack and the source. */
  const REPLACING = properties({ SourceModelArn: SOURCE_CLASSIFIER_V2 });
  const REPLACEMENT = readImportSpec(REPLACING, STACK_ID, 'Classifier1234ABCD').targetArn;

  async function currentCopy(props = properties()) {
    comprehend.on(ImportModelCommand).callsFake(input => ({ ModelArn: `${COPY_PREFIX}${input.VersionName}` }));
    const { PhysicalResourceId } = await handler(createEvent(props));
    comprehend.reset();
    namesFree();
    return PhysicalResourceId!;
  }

  test('changes only the tags, in place', async () => {
    const copy = await currentCopy();
    const before = properties({ Tags: [{ Key: 'keep', Value: '1' }, { Key: 'drop', Value: 'x' }, { Key: 'change', Value: 'old' }] });
    const after = properties({ Tags: [{ Key: 'keep', Value: '1' }, { Key: 'change', Value: 'new' }, { Key: 'add', Value: 'y' }] });

    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [...before.Tags!, OWNER, { Key: 'by-hand', Value: 'z' }] });

    const result = await handler(updateEvent(copy, after, before));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
    // Neither the ownership tag nor a tag set by hand is touched.
    expect(comprehend.commandCalls(UntagResourceCommand)[0].args[0].input).toEqual({ ResourceArn: copy, TagKeys: ['drop'] });
    expect(comprehend.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({
      ResourceArn: copy,
      Tags: [{ Key: 'change', Value: 'new' }, { Key: 'add', Value: 'y' }],
    });
  });

  test.each([
    ['throttled beyond the SDK\'s attempts', new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' })],
    ['a concurrent tag change', new ConcurrentModificationException({ ...metadata, message: 'Concurrent modification' })],
  ])('tag changes %s are left to isComplete, on the same copy', async (_, error) => {
    const copy = await currentCopy();
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });
    comprehend.on(TagResourceCommand).rejects(error);

    const result = await handler(updateEvent(copy, properties({ Tags: [{ Key: 'team', Value: 'nlp' }] }), properties()));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });

  test('the ownership check reads the tags before any tag is changed', async () => {
    const copy = await currentCopy();
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER, { Key: 'old', Value: 'x' }] });

    await handler(updateEvent(copy, properties({ Tags: [{ Key: 'team', Value: 'nlp' }] }), properties({ Tags: [{ Key: 'old', Value: 'x' }] })));

    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual([
      'ListTagsForResourceCommand', 'UntagResourceCommand', 'TagResourceCommand',
    ]);
  });

  test.each([
    ['without the ownership tag (re-created by hand, or its tag removed)', [{ Key: 'team', Value: 'nlp' }], /it has no cdk-comprehend-model-import:owner tag/],
    ['of another stack', [{ Key: OWNER.Key, Value: 'Other/1111/Classifier1234ABCD' }], /its cdk-comprehend-model-import:owner tag names Other\/1111\/Classifier1234ABCD/],
  ])('a tags-only update of a copy %s touches nothing and fails, naming the copy and what to do', async (_, tags, owner) => {
    const copy = await currentCopy();
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: tags });

    const update = handler(updateEvent(copy, properties({ Tags: [{ Key: 'stage', Value: 'prod' }] }), properties({ Tags: [{ Key: 'team', Value: 'nlp' }] })));

    await expect(update).rejects.toThrow(owner);
    await expect(update).rejects.toThrow(new RegExp(`\\(${copy}\\), and this resource did not create it: .*It is left as it is\\. Choose another versionName.*tag it again with ${OWNER.Key}=${OWNER.Value}`));
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['ListTagsForResourceCommand']);
  });

  test('a copy deleted out of band is imported again under the same name and physical id', async () => {
    const copy = await currentCopy();
    comprehend.on(ListTagsForResourceCommand).rejects(new ResourceNotFoundException({ ...metadata, message: 'RESOURCE_NOT_FOUND' }));
    comprehend.on(ImportModelCommand).callsFake(input => ({ ModelArn: `${COPY_PREFIX}${input.VersionName}` }));

    const result = await handler(updateEvent(copy, properties({ Tags: [{ Key: 'team', Value: 'nlp' }] }), properties()));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(importedCopy().arn).toEqual(copy);
    expect(importedCopy().input.Tags).toEqual([{ Key: 'team', Value: 'nlp' }, OWNER]);
  });

  test('a changed timeout changes nothing in Comprehend', async () => {
    const copy = await currentCopy();
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });

    const result = await handler(updateEvent(copy, properties({ TimeoutSeconds: '600' }), properties()));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['ListTagsForResourceCommand']);
  });

  // The construct now leaves out ModelType (a literal ARN) and the default TimeoutSeconds; a stack deployed when it
  // rendered them gets an Update from CloudFormation when it moves to the new template, and back in a rollback.
  test.each([
    ['from the old rendering to the new', properties(), { SourceModelArn: SOURCE_CLASSIFIER }],
    ['back, in a rollback', { SourceModelArn: SOURCE_CLASSIFIER }, properties()],
  ])('ModelType and the default TimeoutSeconds left out %s: the same copy, no import', async (_, before, after) => {
    const copy = await currentCopy(before);
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });

    const result = await handler(updateEvent(copy, after, before));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(Number(result.Data?.Deadline) - Date.now()).toBeGreaterThan(2990 * 1000);
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['ListTagsForResourceCommand']);
  });

  test('a changed source imports a new copy under a new version name, looked up first: only a free name is imported into', async () => {
    const copy = await currentCopy();
    comprehend.on(ImportModelCommand).callsFake(input => ({ ModelArn: `${COPY_PREFIX}${input.VersionName}` }));
    const newSource = SOURCE_CLASSIFIER.replace('/v1', '/v2');

    const result = await handler(updateEvent(copy, properties({ SourceModelArn: newSource }), properties()));

    expect(importedCopy().input.SourceModelArn).toEqual(newSource);
    expect(result.PhysicalResourceId).toMatch(DEFAULT_COPY);
    expect(result.PhysicalResourceId).not.toEqual(copy);
    // An Update looks its copy up before ImportModel (a rollback's copy is adopted without one), by the new name.
    expect(calledOperations()).toEqual(['DescribeDocumentClassifier', 'ImportModel']);
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: REPLACEMENT });
    expect(result.PhysicalResourceId).toEqual(REPLACEMENT);
    expect(result.Data).toEqual({ Deadline: expect.any(String), NewCopy: 'true', ...recordData() });
  });

  test('a replacement\'s copy that appears under the name between the lookup and ImportModel (another attempt) is adopted when its own', async () => {
    const copy = await currentCopy();
    comprehend.on(DescribeDocumentClassifierCommand).rejectsOnce(notFound()).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: REPLACEMENT, Status: 'SUBMITTED', SourceModelArn: SOURCE_CLASSIFIER_V2 },
    });
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });

    const result = await handler(updateEvent(copy, REPLACING, properties()));

    expect(result).toMatchObject({ PhysicalResourceId: REPLACEMENT, Data: { NewCopy: 'true' } });
    expect(calledOperations()).toEqual(['DescribeDocumentClassifier', 'ImportModel', 'DescribeDocumentClassifier', 'ListTagsForResource']);
  });

  test('a replacement\'s name taken between the lookup and ImportModel by a copy not visible yet: the import is left to isComplete, as this request\'s', async () => {
    const copy = await currentCopy();
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));

    const result = await handler(updateEvent(copy, REPLACING, properties()));

    expect(result).toMatchObject({ PhysicalResourceId: REPLACEMENT, Data: { NewCopy: 'true' } });
    expect(calledOperations()).toEqual(['DescribeDocumentClassifier', 'ImportModel', 'DescribeDocumentClassifier']);
  });

  test('a replacement whose name a copy without the ownership tag holds (made by hand) is refused on the lookup: no ImportModel, nothing deleted', async () => {
    const copy = await currentCopy();
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: REPLACEMENT, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER_V2 },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'team', Value: 'nlp' }] });
    comprehend.on(ImportModelCommand).resolves({ ModelArn: REPLACEMENT });

    await expect(handler(updateEvent(copy, REPLACING, properties()))).rejects.toThrow(
      /already exists .*and this resource did not create it: it has no cdk-comprehend-model-import:owner tag, so it was made by hand or by another tool\. It is left as it is\./,
    );
    expect(calledOperations()).toEqual(['DescribeDocumentClassifier', 'ListTagsForResource']);
  });

  test('a replacement whose ImportModel Comprehend still throttles after the SDK retries, once the lookup found the name free, is left to isComplete as this request\'s', async () => {
    const copy = await currentCopy();
    comprehend.on(ImportModelCommand).rejects(new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' }));

    const result = await handler(updateEvent(copy, REPLACING, properties()));

    expect(result).toEqual({ PhysicalResourceId: REPLACEMENT, Data: { Deadline: expect.any(String), NewCopy: 'true', ...recordData() } });
    expect(calledOperations()).toEqual(['DescribeDocumentClassifier', 'ImportModel']);
  });

  test('a replacement whose lookup Comprehend throttles itself is left to isComplete: whose copy appears is unknown', async () => {
    const copy = await currentCopy();
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' }));

    const result = await handler(updateEvent(copy, REPLACING, properties()));

    expect(result).toEqual({ PhysicalResourceId: REPLACEMENT, Data: { Deadline: expect.any(String), NewCopy: 'unknown', ...recordData() } });
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });

  test('a changed model key imports a new copy', async () => {
    const copy = await currentCopy();
    comprehend.on(ImportModelCommand).callsFake(input => ({ ModelArn: `${COPY_PREFIX}${input.VersionName}` }));

    const result = await handler(updateEvent(copy, properties({ ModelKmsKeyId: 'arn:aws:kms:us-west-2:444455556666:key/k' }), properties()));

    expect(importedCopy().input.ModelKmsKeyId).toEqual('arn:aws:kms:us-west-2:444455556666:key/k');
    expect(result.PhysicalResourceId).not.toEqual(copy);
  });

  test('fixed names and a changed source fail with what to change', async () => {
    const fixed = properties({ VersionName: 'pinned' });
    const copy = await currentCopy(fixed);
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: copy, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER },
    });
    // The old copy is this resource's own, but of another source: CloudFormation still holds it as the current one.
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });

    await expect(handler(updateEvent(copy, { ...fixed, SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') }, fixed)))
      .rejects.toThrow(/version "pinned" already exists .*imported from .*\/v1, not .*\/v2.*Choose another versionName \(or leave it unset/);
  });

  test('the rollback of a failed replacement returns to the old copy and deletes the new one, which CloudFormation forgot', async () => {
    const copy = await currentCopy();
    const failed = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') });
    comprehend.on(ImportModelCommand).callsFake(input => ({ ModelArn: `${COPY_PREFIX}${input.VersionName}` }));
    await handler(updateEvent(copy, failed, properties()));
    const forgotten = importedCopy().arn;
    comprehend.reset();
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: copy, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    // CloudFormation never recorded the failed copy: the rollback's physical id is still the old copy.
    const result = await handler(updateEvent(copy, properties(), failed));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([{ DocumentClassifierArn: forgotten }]);
    expect(comprehend.commandCalls(ListTagsForResourceCommand).map(call => call.args[0].input.ResourceArn)).toContain(forgotten);
  });

  test('the rollback of a fixed-name update that failed deletes nothing: the failed properties name the current copy', async () => {
    const fixed = properties({ VersionName: 'pinned' });
    const copy = await currentCopy(fixed);
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: copy, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    const result = await handler(updateEvent(copy, fixed, { ...fixed, SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') }));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('the rollback of a successful replacement (a sibling failed) deletes nothing: CloudFormation deletes the new copy', async () => {
    const copy = await currentCopy();
    const replaced = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace('/v1', '/v2') });
    comprehend.on(ImportModelCommand).callsFake(input => ({ ModelArn: `${COPY_PREFIX}${input.VersionName}` }));
    const { PhysicalResourceId: newCopy } = await handler(updateEvent(copy, replaced, properties()));
    comprehend.reset();
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: copy, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });

    const result = await handler(updateEvent(newCopy!, properties(), replaced));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test.each(['TRAINED', 'TRAINED_WITH_WARNING'])('the rollback of a replacement re-adopts the old %s copy with no ImportModel: the new template\'s policy, or the retired share, may refuse one', async status => {
    const copy = await currentCopy();
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: copy, Status: status as ModelStatus, SourceModelArn: SOURCE_CLASSIFIER },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });
    comprehend.on(ImportModelCommand).rejects(new ComprehendServiceException({
      name: 'AccessDeniedException', $fault: 'client', ...metadata, message: 'not authorized to perform: comprehend:ImportModel',
    }));
    const moved = properties({ SourceModelArn: SOURCE_CLASSIFIER.replace(SHARER, '121212121212') });

    const result = await handler(updateEvent(copy, properties(), moved));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(ImportModelCommand)).toEqual([]);
    // Found by the lookup and proved its own by its tag; then the failed replacement's copy is deleted, after its own check.
    expect(calledOperations()).toEqual(['DescribeDocumentClassifier', 'ListTagsForResource', 'ListTagsForResource', 'DeleteDocumentClassifier']);
    expect(comprehend.commandCalls(DescribeDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: copy });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand).map(call => call.args[0].input)).toEqual([
      { DocumentClassifierArn: readImportSpec(moved, STACK_ID, 'Classifier1234ABCD').targetArn },
    ]);
    // Its own usable copy: not marked new, so the gate never judges (and never deletes) it.
    expect(result.Data).not.toHaveProperty('NewCopy');
  });

  test('the rollback of a replacement returns to the old copy', async () => {
    const copy = await currentCopy();
    comprehend.on(ImportModelCommand).rejects(new ResourceInUseException({ ...metadata, message: 'Name already in use' }));
    comprehend.on(DescribeDocumentClassifierCommand).resolves({
      DocumentClassifierProperties: { DocumentClassifierArn: copy, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER },
    });
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });
    // CloudFormation rolls back with the old properties as the new ones, and the failed ones as old.
    const failed = properties({ SourceModelArn: `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/bad_name` });

    const result = await handler(updateEvent(copy, properties(), failed));

    expect(result.PhysicalResourceId).toEqual(copy);
  });
});

describe('Delete', () => {
  const copy = `${COPY_PREFIX}Classifier1234ABCD-0123456789abcdef`;
  beforeEach(() => {
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [OWNER] });
  });

  test('never deletes a copy without this resource\'s ownership tag', async () => {
    comprehend.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: OWNER.Key, Value: 'Other/1111/Classifier1234ABCD' }] });

    await expect(handler(deleteEvent(copy))).resolves.toMatchObject({ PhysicalResourceId: copy });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('a failed create\'s marker is no copy: the Delete looks for the one the Create would have made, by its name', async () => {
    comprehend.on(ListTagsForResourceCommand).rejects(notFound());

    const result = await handler(deleteEvent(CREATE_FAILED_MARKER));

    // isComplete looks again (the deadline), in case a call of the Create lands still.
    expect(result).toEqual({ PhysicalResourceId: CREATE_FAILED_MARKER, Data: { Deadline: expect.any(String), ...recordData() } });
    expect(comprehend.commandCalls(ListTagsForResourceCommand).map(call => call.args[0].input)).toEqual([{ ResourceArn: TARGET }]);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test('a Delete whose properties do not read (the Create failed on them, before any call) calls nothing', async () => {
    const result = await handler(deleteEvent(CREATE_FAILED_MARKER, properties({ VersionName: 'v_1' })));

    expect(result).toEqual({ PhysicalResourceId: CREATE_FAILED_MARKER, Data: { ...recordData() } });
    expect(comprehend.calls()).toHaveLength(0);
  });

  test('Delete means delete: a usable copy is deleted, also for a template that still carries a removal policy', async () => {
    // CloudFormation's DeletionPolicy decides whether a Delete is sent (RETAIN_ON_UPDATE_OR_DELETE sends one when the
    // stack operation that created the copy rolls back): the handler deletes whatever arrives.
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    const olderTemplate = { ...properties(), RemovalPolicy: 'retain-except-on-create' } as ReturnType<typeof properties>;

    const result = await handler(deleteEvent(copy, olderTemplate));

    expect(result).toEqual({ PhysicalResourceId: copy, Data: { Deadline: expect.any(String), ...recordData() } });
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['ListTagsForResourceCommand', 'DeleteDocumentClassifierCommand']);
  });

  test('asks Comprehend to delete the classifier', async () => {
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    const result = await handler(deleteEvent(copy));

    expect(result.PhysicalResourceId).toEqual(copy);
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: copy });
  });

  test('asks Comprehend to delete the entity recognizer', async () => {
    const recognizer = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/abc`;
    comprehend.on(DeleteEntityRecognizerCommand).resolves({});

    await handler(deleteEvent(recognizer, properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer' })));

    expect(comprehend.commandCalls(DeleteEntityRecognizerCommand)[0].args[0].input).toEqual({ EntityRecognizerArn: recognizer });
    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)).toHaveLength(0);
  });

  test.each([
    ['already gone', new ResourceNotFoundException({ ...metadata, message: 'not found' })],
    ['still training (a cancelled create)', new ResourceUnavailableException({ ...metadata, message: 'not in a terminal state' })],
    ['throttled', new TooManyRequestsException({ ...metadata, message: 'Rate exceeded' })],
    ['a server fault', new InternalServerException({ $metadata: { httpStatusCode: 500 }, message: 'oops' })],
  ])('succeeds and leaves the rest to isComplete when the copy is %s', async (_, error) => {
    comprehend.on(DeleteDocumentClassifierCommand).rejects(error);

    await expect(handler(deleteEvent(copy))).resolves.toMatchObject({ PhysicalResourceId: copy });
  });

  const inUse = new ResourceInUseException({ ...metadata, message: 'The model is in use' });
  const endpoint = (name: string, status: string, desiredModelArn: string) => ({
    EndpointArn: `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/${name}`, Status: status as EndpointStatus, ModelArn: copy, DesiredModelArn: desiredModelArn,
  });

  test('fails at once, naming them, while endpoints stay on the copy', async () => {
    comprehend.on(DeleteDocumentClassifierCommand).rejects(inUse);
    comprehend.on(ListEndpointsCommand).resolves({
      EndpointPropertiesList: [endpoint('live', 'IN_SERVICE', copy), endpoint('units', 'UPDATING', copy)],
    });

    await expect(handler(deleteEvent(copy))).rejects.toThrow(new RegExp(
      'Cannot delete .*: it is in use \\(ResourceInUseException: The model is in use\\) by the endpoints ' +
      '.*document-classifier-endpoint/live, .*document-classifier-endpoint/units\\. Move them to another model',
    ));
    expect(comprehend.commandCalls(ListEndpointsCommand)[0].args[0].input).toEqual({ Filter: { ModelArn: copy } });
  });

  test.each([
    ['an endpoint moving to another model', [endpoint('live', 'UPDATING', `${COPY_PREFIX}next`)]],
    ['no endpoint (the copy is still importing)', []],
  ])('waits for %s, when no job uses the copy either', async (_, endpoints) => {
    comprehend.on(DeleteDocumentClassifierCommand).rejects(inUse);
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: endpoints });
    comprehend.on(ListDocumentClassificationJobsCommand).resolves({ DocumentClassificationJobPropertiesList: [job('elsewhere', 'IN_PROGRESS', `${COPY_PREFIX}x`)] });

    await expect(handler(deleteEvent(copy))).resolves.toMatchObject({ PhysicalResourceId: copy });
  });

  const job = (id: string, status: string, model = copy) => ({
    JobId: id,
    JobArn: `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classification-job/${id}`,
    JobName: `name-${id}`,
    JobStatus: status as JobStatus,
    DocumentClassifierArn: model,
  });

  test('fails at once, naming the asynchronous jobs that use the copy, once no endpoint stays on it', async () => {
    comprehend.on(DeleteDocumentClassifierCommand).rejects(inUse);
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: [] });
    // One filter per call (botocore: "You can only set one filter at a time"), every page.
    comprehend.on(ListDocumentClassificationJobsCommand, { Filter: { JobStatus: 'SUBMITTED' } }).resolves({ DocumentClassificationJobPropertiesList: [] });
    comprehend.on(ListDocumentClassificationJobsCommand, { Filter: { JobStatus: 'IN_PROGRESS' }, NextToken: undefined }).resolves({
      DocumentClassificationJobPropertiesList: [job('other', 'IN_PROGRESS', `${COPY_PREFIX}other`)], NextToken: 'page-2',
    });
    comprehend.on(ListDocumentClassificationJobsCommand, { Filter: { JobStatus: 'IN_PROGRESS' }, NextToken: 'page-2' }).resolves({
      DocumentClassificationJobPropertiesList: [job('busy', 'IN_PROGRESS')],
    });
    comprehend.on(ListDocumentClassificationJobsCommand, { Filter: { JobStatus: 'STOP_REQUESTED' } }).resolves({
      DocumentClassificationJobPropertiesList: [job('stopping', 'STOP_REQUESTED')],
    });

    const deletion = handler(deleteEvent(copy));

    await expect(deletion).rejects.toThrow(new RegExp(
      'Cannot delete .*: it is in use \\(ResourceInUseException: The model is in use\\) by the asynchronous jobs ' +
      '.*document-classification-job/busy \\("name-busy"\\) IN_PROGRESS, .*document-classification-job/stopping .*STOP_REQUESTED\\. ' +
      'Wait for them to finish, or stop them \\(comprehend:StopDocumentClassificationJob\\), then delete again',
    ));
    await expect(deletion).rejects.not.toThrow(/other|timeout/);
    expect(comprehend.commandCalls(ListDocumentClassificationJobsCommand).map(call => call.args[0].input)).toEqual([
      { Filter: { JobStatus: 'SUBMITTED' } },
      { Filter: { JobStatus: 'IN_PROGRESS' } },
      { Filter: { JobStatus: 'IN_PROGRESS' }, NextToken: 'page-2' },
      { Filter: { JobStatus: 'STOP_REQUESTED' } },
    ]);
  });

  test('an entity recognizer\'s jobs are the entities detection jobs, matched on EntityRecognizerArn', async () => {
    const recognizer = `arn:aws:comprehend:${REGION}:${IMPORTER}:entity-recognizer/products/version/abc`;
    comprehend.on(DeleteEntityRecognizerCommand).rejects(inUse);
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: [] });
    comprehend.on(ListEntitiesDetectionJobsCommand).resolves({ EntitiesDetectionJobPropertiesList: [] });
    comprehend.on(ListEntitiesDetectionJobsCommand, { Filter: { JobStatus: 'SUBMITTED' } }).resolves({
      EntitiesDetectionJobPropertiesList: [{ JobId: 'queued', JobStatus: 'SUBMITTED', EntityRecognizerArn: recognizer }],
    });

    await expect(handler(deleteEvent(recognizer, properties({ SourceModelArn: SOURCE_RECOGNIZER, ModelType: 'entity-recognizer' }))))
      .rejects.toThrow(/by the asynchronous job queued SUBMITTED\. Wait for it to finish, or stop it \(comprehend:StopEntitiesDetectionJob\)/);
    expect(comprehend.commandCalls(ListEntitiesDetectionJobsCommand)).toHaveLength(3);
    expect(comprehend.commandCalls(ListDocumentClassificationJobsCommand)).toHaveLength(0);
  });

  test('jobs are not listed while an endpoint stays: the endpoints are named first', async () => {
    comprehend.on(DeleteDocumentClassifierCommand).rejects(inUse);
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: [endpoint('live', 'IN_SERVICE', copy)] });

    await expect(handler(deleteEvent(copy))).rejects.toThrow(/by the endpoint .*live/);
    expect(comprehend.commandCalls(ListDocumentClassificationJobsCommand)).toHaveLength(0);
  });
});
