// Which key a copy may be encrypted with (issue 33): ImportModel's ModelKmsKeyId must be a key the app declares
// (MODEL_KEYS_ENV, the modelKey ARNs), as the handler role's comprehend:ModelKmsKey condition says. Refused before
// ImportModel; what never calls ImportModel (adopting this resource's own copy, deleting one) is never refused for it.
import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DescribeDocumentClassifierCommand,
  ImportModelCommand,
  ListEndpointsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { MODEL_KEYS_ENV } from '../../../src/contract/declared-resources';
import { readImportSpec } from '../../../src/handlers/import/import-request';
import { isComplete, onEvent } from '../../../src/handlers/provider';
import {
  createEvent,
  declareInEnvironment,
  deleteEvent,
  IMPORTER,
  mockStackRecord,
  OWNER_TAG,
  properties,
  recordData,
  REGION,
  SOURCE_CLASSIFIER,
  STACK_ID,
  updateEvent,
  waiterEvent,
  silenceHandlerLogs,
} from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
mockStackRecord();
const metadata = { $metadata: {} };
const DECLARED_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/11111111-2222-3333-4444-555555555555`;
const OTHER_DECLARED_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/66666666-7777-8888-9999-000000000000`;
/** A key of the account that the app never named (a ModelKmsKeyId changed in the template by hand, say). */
const TAMPERED_KEY = `arn:aws:kms:${REGION}:${IMPORTER}:key/deadbeef-dead-beef-dead-beefdeadbeef`;
const ROLE = `arn:aws:iam::${IMPORTER}:role/cdk-comprehend-model-import/ServiceRole`;
const withKey = (key: string | undefined) => properties({ ModelKmsKeyId: key, DataAccessRoleArn: key ? ROLE : undefined });
const targetOf = (key: string | undefined) => readImportSpec(withKey(key), STACK_ID, 'Classifier1234ABCD').targetArn;
const notFound = () => new ResourceNotFoundException({ ...metadata, message: 'RESOURCE_NOT_FOUND' });

beforeAll(() => silenceHandlerLogs());
beforeEach(() => {
  comprehend.reset();
  comprehend.on(DescribeDocumentClassifierCommand).rejects(notFound());
  comprehend.on(ImportModelCommand).callsFake(input => ({
    ModelArn: `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier/${input.ModelName}/version/${input.VersionName}`,
  }));
  comprehend.on(ListTagsForResourceCommand).resolves({ ...metadata, Tags: [OWNER_TAG] });
});

describe('with the app\'s keys in the environment', () => {
  declareInEnvironment(MODEL_KEYS_ENV, [DECLARED_KEY, OTHER_DECLARED_KEY]);

  test.each([DECLARED_KEY, OTHER_DECLARED_KEY])('a declared key is imported with, as sent (%s)', async key => {
    await onEvent(createEvent(withKey(key)));

    expect(comprehend.commandCalls(ImportModelCommand)[0].args[0].input.ModelKmsKeyId).toBe(key);
  });

  test('an import without a key (an AWS owned key) needs none', async () => {
    await onEvent(createEvent(withKey(undefined)));

    expect(comprehend.commandCalls(ImportModelCommand)[0].args[0].input.ModelKmsKeyId).toBeUndefined();
  });

  test.each([
    ['a key the app never named', TAMPERED_KEY],
    ['a declared key written as its key ID (IAM compares the value as sent)', '11111111-2222-3333-4444-555555555555'],
    ['a declared key\'s alias', `arn:aws:kms:${REGION}:${IMPORTER}:alias/declared`],
  ])('%s is refused before ImportModel, naming it and the keys declared', async (_, key) => {
    await expect(onEvent(createEvent(withKey(key)))).rejects.toThrow(
      `ModelKmsKeyId ${key} of the import of ${SOURCE_CLASSIFIER} into ${targetOf(key)} is not a key the app declares: ` +
      `${MODEL_KEYS_ENV} of the provider's functions lists ${DECLARED_KEY}, ${OTHER_DECLARED_KEY}. Nothing was imported. ` +
      'Give the key as the import\'s modelKey (a key ARN), and deploy the app again.');
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });

  test('an Update that imports a new copy with another key is refused after its lookup, before ImportModel', async () => {
    const current = targetOf(DECLARED_KEY);

    await expect(onEvent(updateEvent(current, withKey(TAMPERED_KEY), withKey(DECLARED_KEY)))).rejects.toThrow(`ModelKmsKeyId ${TAMPERED_KEY}`);
    expect(comprehend.calls().map(call => call.args[0].constructor.name)).toEqual(['DescribeDocumentClassifierCommand']);
  });

  test('a waiter that imports what onEvent could not (throttled) is refused the same way', async () => {
    const event = waiterEvent(createEvent(withKey(TAMPERED_KEY)), { PhysicalResourceId: targetOf(TAMPERED_KEY), Data: recordData() });

    await expect(isComplete(event)).rejects.toThrow(`ModelKmsKeyId ${TAMPERED_KEY}`);
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });
});

describe('what never calls ImportModel is never refused for its key', () => {
  // The failed template declared only the new key; the rollback returns to the copy of the old one.
  declareInEnvironment(MODEL_KEYS_ENV, [OTHER_DECLARED_KEY]);

  test('the rollback of a key change re-adopts the old copy (this resource\'s tag), with no ImportModel', async () => {
    const old = targetOf(DECLARED_KEY);
    comprehend.on(DescribeDocumentClassifierCommand, { DocumentClassifierArn: old }).resolves({
      DocumentClassifierProperties: {
        DocumentClassifierArn: old, Status: 'TRAINED', SourceModelArn: SOURCE_CLASSIFIER, ModelKmsKeyId: DECLARED_KEY, DataAccessRoleArn: ROLE,
      },
    });
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});

    const result = await onEvent(updateEvent(old, withKey(DECLARED_KEY), withKey(OTHER_DECLARED_KEY)));

    expect(result.PhysicalResourceId).toBe(old);
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });

  test('a Delete of a copy encrypted with an undeclared key deletes it', async () => {
    comprehend.on(DeleteDocumentClassifierCommand).resolves({});
    comprehend.on(ListEndpointsCommand).resolves({ EndpointPropertiesList: [] });
    const copy = targetOf(TAMPERED_KEY);

    await onEvent(deleteEvent(copy, withKey(TAMPERED_KEY)));

    expect(comprehend.commandCalls(DeleteDocumentClassifierCommand)[0].args[0].input).toEqual({ DocumentClassifierArn: copy });
  });
});

describe('a missing or malformed declaration fails safe: no key is declared, and the refusal says why', () => {
  describe('unset', () => {
    declareInEnvironment(MODEL_KEYS_ENV, undefined);

    test('an import with a key is refused', async () => {
      await expect(onEvent(createEvent(withKey(DECLARED_KEY)))).rejects.toThrow(
        `lists nothing (the environment variable ${MODEL_KEYS_ENV} is not set, so it was read as declaring nothing). Nothing was imported.`);
      expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
    });

    test('an import without a key goes ahead', async () => {
      await onEvent(createEvent(withKey(undefined)));

      expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(1);
    });
  });

  describe('malformed', () => {
    declareInEnvironment(MODEL_KEYS_ENV, DECLARED_KEY);

    test('an import with a key is refused, quoting the variable', async () => {
      await expect(onEvent(createEvent(withKey(DECLARED_KEY)))).rejects.toThrow(
        `lists nothing (the environment variable ${MODEL_KEYS_ENV} is ${JSON.stringify(DECLARED_KEY)}, not a JSON array of ARNs`);
    });
  });

  describe('empty', () => {
    declareInEnvironment(MODEL_KEYS_ENV, []);

    test('an import with a key is refused: the app declares none', async () => {
      await expect(onEvent(createEvent(withKey(DECLARED_KEY)))).rejects.toThrow(`${MODEL_KEYS_ENV} of the provider's functions lists none.`);
    });
  });
});
