// Contract tests of ImportModel: who may import the sharer's source, and what the copy is while and after it imports.
import { DeleteDocumentClassifierCommand } from '@aws-sdk/client-comprehend';
import { assumption } from './assumption';
import {
  attempt, describeModel, errorName, GONE, importCopy, IMPORT_DEADLINE_MS, IMPORT_POLL_MS, modelStatus, Outcome, said, shareSource,
  TERMINAL_STATUSES, unshareSource, USABLE_STATUSES, waitForModel, WAITS_FOR_IMPORT,
} from './steps';
import { MAX_TIMEOUT_SECONDS } from '../../src/contract/import-properties';
import { explainImportDenied } from '../../src/handlers/import/import-denied';
import { readImportSpec } from '../../src/handlers/import/import-request';

/** The longest an import may take: the handlers' timeout prop allows at most 55 minutes. */
const IMPORT_BOUND_MS = MAX_TIMEOUT_SECONDS * 1000;
/** How far the other side's clock may be from the SubmitTime Comprehend reports. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** How long a copy ImportModel answered for may take to be described. */
const VISIBLE_WITHIN_MS = 30_000;

assumption('import-authorized-on-source', async target => {
  await shareSource(target);
  const owner = target.name('import-authorized');
  // The identity policy names the SOURCE as the resource: the copy does not exist when IAM judges the request.
  const client = await target.clientWithPolicy('import-tag-condition', [{
    Effect: 'Allow',
    Action: 'comprehend:ImportModel',
    Resource: target.sourceClassifierArn,
    Condition: { StringEquals: { 'aws:RequestTag/contract-owner': owner } },
  }]);
  const untagged = await attempt(importCopy(target, 'import-authorized-untagged', {}, client));
  const tagged = await attempt(importCopy(target, 'import-authorized-tagged', { Tags: [{ Key: 'contract-owner', Value: owner }] }, client));
  return `untagged: ${untagged.name}; tagged: ${tagged.name}`;
}, WAITS_FOR_IMPORT);

assumption('import-refused-without-share', async target => {
  await unshareSource(target);
  const purpose = 'import-unshared';
  const refused = await attempt(importCopy(target, purpose));
  if (refused.name === 'accepted') {
    return 'accepted';
  }
  // The library's own reading of the refusal, with the spec its handler would have built for this import.
  const stackId = `arn:${target.partition}:cloudformation:${target.region}:${target.importer.accountId}:stack/contract/00000000-0000-4000-8000-000000000000`;
  const spec = readImportSpec({ SourceModelArn: target.sourceClassifierArn, ModelName: target.name(purpose) }, stackId, 'Copy');
  // The handler explains any AccessDeniedException of this import as the missing share, "most likely" when the
  // message lacks IAM's reason: the row is about IAM's wording, so only an explanation with the reason holds.
  const explanation = explainImportDenied(refused.error, spec);
  if (explanation === undefined) {
    return `${refused.name}, not recognised: ${refused.message.slice(0, 200)}`;
  }
  return explanation.includes('most likely')
    ? `${refused.name}, recognised as most likely the missing share (without IAM's reason): ${refused.message.slice(0, 200)}`
    : `${refused.name}, recognised as the missing share by IAM's reason`;
});

assumption('copy-reports-metrics', async target => {
  await shareSource(target);
  const arn = await importCopy(target, 'copy-metrics');
  await waitForModel(target, target.importer.comprehend, arn, USABLE_STATUSES);
  const copy = (await describeModel(target.importer.comprehend, arn)).ClassifierMetadata?.EvaluationMetrics;
  const source = (await describeModel(target.sharer.comprehend, target.sourceClassifierArn)).ClassifierMetadata?.EvaluationMetrics;
  if (copy === undefined) {
    return 'none';
  }
  return canonical(copy) === canonical(source) ? 'the source\'s evaluation metrics' : `different: copy ${canonical(copy)}, source ${canonical(source)}`;
}, WAITS_FOR_IMPORT);

assumption('copy-submit-time', async target => {
  await shareSource(target);
  const importedAt = target.now();
  const arn = await importCopy(target, 'copy-submit-time');
  // Waiting costs nothing extra: the copy cannot be deleted before its import ends anyway.
  await waitForModel(target, target.importer.comprehend, arn, TERMINAL_STATUSES);
  const copy = (await describeModel(target.importer.comprehend, arn)).SubmitTime?.getTime();
  const source = (await describeModel(target.sharer.comprehend, target.sourceClassifierArn)).SubmitTime?.getTime();
  if (copy !== undefined && copy === source) {
    return 'the source\'s';
  }
  if (copy !== undefined && source !== undefined && copy >= importedAt - CLOCK_SKEW_MS && copy > source) {
    return 'the import\'s';
  }
  return `${iso(copy)}, the import began at ${iso(importedAt)}, the source was submitted at ${iso(source)}`;
}, WAITS_FOR_IMPORT);

assumption('import-statuses', async target => {
  await shareSource(target);
  const client = target.importer.comprehend;
  const arn = await importCopy(target, 'import-statuses');
  // Every status a poll sees, from right after ImportModel until the import ends (each one once, in order), and when
  // each was first seen: how long each lasts is for the report; the order, and the handlers' 55-minute bound, are the row.
  // TRAINED_WITH_WARNING is a TRAINED to the handlers (and the row); a copy not yet described at first (a GONE in the
  // first 30 seconds) is the import-visible-at-once row's, not this one's.
  const started = target.now();
  const seen: Array<{ readonly status: string; readonly at: number }> = [];
  for (;;) {
    const raw = await modelStatus(client, arn);
    const elapsed = target.now() - started;
    const status = raw === 'TRAINED_WITH_WARNING' ? 'TRAINED' : raw;
    const early = status === GONE && elapsed < VISIBLE_WITHIN_MS;
    if (!early && seen[seen.length - 1]?.status !== status) {
      seen.push({ status, at: elapsed });
    }
    if (!early && (TERMINAL_STATUSES.includes(status) || status === GONE) || elapsed >= IMPORT_DEADLINE_MS) {
      const details = seen.map(({ status: s, at }, i) => `${s} from ${Math.round(at / 1000)} s`
        + (i === seen.length - 1 ? '' : ` for ${Math.round((seen[i + 1].at - at) / 1000)} s`)).join(', ');
      const order = seen.map(({ status: s }) => s).join(', ');
      return { answer: elapsed > IMPORT_BOUND_MS ? `${order}, after ${Math.round(elapsed / 60_000)} minutes (over 55)` : order, details };
    }
    await target.wait(IMPORT_POLL_MS);
  }
}, WAITS_FOR_IMPORT);

assumption('delete-while-importing', async target => {
  await shareSource(target);
  const arn = await importCopy(target, 'delete-while-importing');
  return errorName(target.importer.comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })));
}, WAITS_FOR_IMPORT);

assumption('import-visible-at-once', async target => {
  await shareSource(target);
  const arn = await importCopy(target, 'import-visible');
  // Comprehend may be eventually consistent: a copy it answered for might not be described for a moment.
  for (let waited = 0; ; waited += IMPORT_POLL_MS) {
    if (await modelStatus(target.importer.comprehend, arn) !== GONE) {
      return waited === 0 ? 'described at once' : `described after ${waited / 1000} s`;
    }
    if (waited >= VISIBLE_WITHIN_MS) {
      return `not described within ${VISIBLE_WITHIN_MS / 1000} s`;
    }
    await target.wait(IMPORT_POLL_MS);
  }
}, WAITS_FOR_IMPORT);

assumption('model-kms-key-condition', async target => {
  await shareSource(target);
  // Made-up keys of the importer: IAM judges comprehend:ModelKmsKey as a string, before Comprehend looks at the key.
  const keyArn = (id: string) => `arn:${target.partition}:kms:${target.region}:${target.importer.accountId}:key/${id}`;
  const key = keyArn('00000000-0000-4000-8000-000000000000');
  const keyed = await target.clientWithPolicy('import-kms-condition', [{
    Effect: 'Allow',
    Action: 'comprehend:ImportModel',
    Resource: target.sourceClassifierArn,
    Condition: { ArnEquals: { 'comprehend:ModelKmsKey': key } },
  }]);
  // The library's statement for imports without a key: the key absent from the request context.
  const unkeyed = await target.clientWithPolicy('import-kms-absent', [{
    Effect: 'Allow',
    Action: 'comprehend:ImportModel',
    Resource: target.sourceClassifierArn,
    Condition: { Null: { 'comprehend:ModelKmsKey': 'true' } },
  }]);
  // Without a DataAccessRoleArn Comprehend refuses a keyed import itself, once IAM let it through; that refusal (or an
  // import) is what IAM's consent looks like. A refusal IAM did not make but that is not Comprehend's validation either
  // (throttling, say) proves nothing, and shows up as such.
  const passedIam = (outcome: Outcome<unknown>) => ['accepted', 'InvalidRequestException', 'KmsKeyValidationException'].includes(outcome.name);
  const asSent = await attempt(importCopy(target, 'import-kms-condition', { ModelKmsKeyId: key }, keyed));
  const otherKey = await attempt(importCopy(target, 'import-kms-other', { ModelKmsKeyId: keyArn('11111111-1111-4111-8111-111111111111') }, keyed));
  const noKey = await attempt(importCopy(target, 'import-kms-absent', {}, unkeyed));
  // IAM's own refusal of the action, not another AccessDeniedException (a KMS one, say, once IAM let the call through).
  const refusedByIam = (outcome: Outcome<unknown>) =>
    outcome.name === 'AccessDeniedException' && /not authorized to perform: comprehend:ImportModel/.test(outcome.message);
  const holds = passedIam(asSent) && refusedByIam(otherKey) && passedIam(noKey);
  return holds ? 'the ModelKmsKeyId as sent'
    : `the key as sent: ${said(asSent)}; another key: ${said(otherKey)}; no key, under Null true: ${said(noKey)}`;
}, WAITS_FOR_IMPORT);

/** JSON with sorted keys, so two metrics objects compare by their values. */
function canonical(value: Record<string, unknown> | object | undefined): string {
  return value === undefined ? 'none' : JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));
}

function iso(epochMs: number | undefined): string {
  return epochMs === undefined ? 'none' : new Date(epochMs).toISOString();
}
