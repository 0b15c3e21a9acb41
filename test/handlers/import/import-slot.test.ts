// Where an import's ImportModel call falls in its stack's window (issue 22), through onEvent and the real SDK client.
import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DescribeDocumentClassifierCommand,
  ImportModelCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { DATA_DEADLINE, DEFAULT_TIMEOUT_SECONDS, IMPORT_SPREAD_ENV } from '../../../src/contract/import-properties';
import { readImportRequest } from '../../../src/handlers/import/import-request';
import { importSlotSeconds } from '../../../src/handlers/import/import-slot';
import { onEvent } from '../../../src/handlers/provider';
import { createEvent, deleteEvent, mockStackRecord, OWNER_TAG, properties, updateEvent, silenceHandlerLogs } from '../../support/fixtures';

const comprehend = mockClient(ComprehendClient);
mockStackRecord();

beforeEach(() => {
  comprehend.reset();
  silenceHandlerLogs();
});

afterEach(() => {
  delete process.env[IMPORT_SPREAD_ENV];
});

describe('importSlotSeconds', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333/Model${i}`);

  test('falls within the window, the same for every attempt of one resource', () => {
    const slots = keys.map(key => importSlotSeconds(key, 25));
    expect(Math.min(...slots)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...slots)).toBeLessThan(25);
    expect(keys.map(key => importSlotSeconds(key, 25))).toEqual(slots);
  });

  test('spreads a stack\'s imports evenly: each fifth of the window holds about a fifth of them', () => {
    const fifths = [0, 0, 0, 0, 0];
    keys.forEach(key => fifths[Math.floor(importSlotSeconds(key, 25) / 5)]++);
    for (const count of fifths) {
      expect(count).toBeGreaterThan(350);
      expect(count).toBeLessThan(450);
    }
  });

  test.each([0, -1, Number.NaN])('a window of %s waits for nothing', spread => {
    expect(importSlotSeconds(keys[0], spread)).toBe(0);
  });
});

describe('onEvent', () => {
  function answerImports(): number[] {
    const calledAt: number[] = [];
    // The name is free: the lookup before ImportModel finds no copy.
    comprehend.on(DescribeDocumentClassifierCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: 'not found' }));
    comprehend.on(ImportModelCommand).callsFake(input => {
      calledAt.push(performance.now());
      return { ModelArn: `arn:aws:comprehend:us-west-2:444455556666:document-classifier/${input.ModelName}/version/${input.VersionName}` };
    });
    return calledAt;
  }

  test('calls ImportModel once its place in the window has come', async () => {
    process.env[IMPORT_SPREAD_ENV] = '0.5';
    const calledAt = answerImports();
    const started = performance.now();

    await onEvent(createEvent());

    const slotMs = importSlotSeconds(OWNER_TAG.Value, 0.5) * 1000;
    expect(slotMs).toBeGreaterThan(50);
    expect(calledAt).toHaveLength(1);
    expect(calledAt[0] - started).toBeGreaterThanOrEqual(slotMs - 5);
  });

  test('without a window (one import in the stack) it calls ImportModel at once', async () => {
    const calledAt = answerImports();
    const started = performance.now();

    await onEvent(createEvent());

    expect(calledAt[0] - started).toBeLessThan(50);
  });

  test('counts the deadline from the request, not from the place in the window', async () => {
    process.env[IMPORT_SPREAD_ENV] = '0.5';
    answerImports();
    const requested = Date.now();

    const answer = await onEvent(createEvent());

    expect(Number(answer.Data![DATA_DEADLINE])).toBeLessThan(requested + DEFAULT_TIMEOUT_SECONDS * 1000 + 50);
  });

  test('waits at most a third of the time Lambda leaves the invocation', async () => {
    process.env[IMPORT_SPREAD_ENV] = '60';
    const calledAt = answerImports();
    const started = performance.now();

    await onEvent(createEvent(), { getRemainingTimeInMillis: () => 300 });

    expect(importSlotSeconds(OWNER_TAG.Value, 60)).toBeGreaterThan(1);
    expect(calledAt[0] - started).toBeLessThan(100 + 50);
  });

  test('a Delete and a tags-only Update call Comprehend at once, whatever the window', async () => {
    process.env[IMPORT_SPREAD_ENV] = '60';
    const copy = 'arn:aws:comprehend:us-west-2:444455556666:document-classifier/tickets/version/v1-copy';
    const firstCallAt: number[] = [];
    const record = () => {
      firstCallAt.push(performance.now());
      return {};
    };
    comprehend.on(ListTagsForResourceCommand).callsFake(() => ({ ...record(), Tags: [OWNER_TAG] }));
    comprehend.on(DeleteDocumentClassifierCommand).callsFake(record);
    comprehend.on(TagResourceCommand).callsFake(record);
    const started = performance.now();

    await onEvent(deleteEvent(copy));
    const tagged = properties({ Tags: [{ Key: 'team', Value: 'search' }] });
    const untagged = properties();
    const target = readImportRequest(createEvent(tagged));
    const physicalId = target.requestType === 'Create' ? target.spec.targetArn : '';
    await onEvent(updateEvent(physicalId, tagged, untagged));

    expect(firstCallAt.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...firstCallAt) - started).toBeLessThan(1_000);
    expect(comprehend.commandCalls(ImportModelCommand)).toHaveLength(0);
  });
});
