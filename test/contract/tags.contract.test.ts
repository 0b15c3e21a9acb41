// Contract tests of tags: those ImportModel and CreateEndpoint apply, and how TagResource keys compare.
import { ComprehendClient, ListTagsForResourceCommand, Tag, TagResourceCommand } from '@aws-sdk/client-comprehend';
import { assumption } from './assumption';
import { attempt, createEndpoint, importCopy, shareSource, USABLE_STATUSES, waitForModel, WAITS_FOR_ENDPOINT, WAITS_FOR_IMPORT } from './steps';

assumption('tags-applied-at-creation', async target => {
  await shareSource(target);
  const owner = target.name('tags-at-creation');
  // The handler role may import with its ownership tag, not tag afterwards: an explicit Deny makes sure the tags come
  // with ImportModel. The listing (and the cleanup) go through the importer's full client: they only observe.
  const client = await target.clientWithPolicy('tags-at-creation', [
    { Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: target.sourceClassifierArn },
    { Effect: 'Deny', Action: 'comprehend:TagResource', Resource: '*' },
  ]);
  const imported = await attempt(importCopy(target, 'tags-at-creation', { Tags: [{ Key: 'contract-owner', Value: owner }] }, client));
  if (imported.value === undefined) {
    return `refused: ${imported.name}`;
  }
  const tags = await listTags(target.importer.comprehend, imported.value);
  return tags.some(t => t.Key === 'contract-owner' && t.Value === owner)
    ? 'listed once ImportModel returns, without comprehend:TagResource'
    : `listed: ${formatTags(tags)}`;
}, WAITS_FOR_IMPORT);

assumption('endpoint-tags-applied-at-creation', async target => {
  await shareSource(target);
  const copy = await importCopy(target, 'endpoint-tags');
  await waitForModel(target, target.importer.comprehend, copy, USABLE_STATUSES);
  const owner = target.name('endpoint-tags');
  // As for the copy: the handler role creates its endpoint with the ownership tag and may not tag it afterwards.
  const client = await target.clientWithPolicy('endpoint-tags', [
    { Effect: 'Allow', Action: 'comprehend:CreateEndpoint', Resource: '*' },
    { Effect: 'Deny', Action: 'comprehend:TagResource', Resource: '*' },
  ]);
  const created = await attempt(createEndpoint(target, 'endpoint-tags', copy, { Tags: [{ Key: 'contract-owner', Value: owner }] }, client));
  if (created.value === undefined) {
    return `refused: ${created.name}`;
  }
  const tags = await listTags(target.importer.comprehend, created.value);
  return tags.some(t => t.Key === 'contract-owner' && t.Value === owner)
    ? 'listed once CreateEndpoint returns, without comprehend:TagResource'
    : `listed: ${formatTags(tags)}`;
}, WAITS_FOR_ENDPOINT);

assumption('tag-keys-case', async target => {
  await shareSource(target);
  const arn = await importCopy(target, 'tag-keys-case');
  await waitForModel(target, target.importer.comprehend, arn, USABLE_STATUSES);
  const tagged = await attempt(target.importer.comprehend.send(new TagResourceCommand({
    ResourceArn: arn, Tags: [{ Key: 'contract-case', Value: 'lower' }, { Key: 'Contract-Case', Value: 'upper' }],
  })));
  if (tagged.name !== 'accepted') {
    return tagged.name;
  }
  const listed = (await listTags(target.importer.comprehend, arn)).filter(t => t.Key?.toLowerCase() === 'contract-case');
  const kept = listed.some(t => t.Key === 'contract-case' && t.Value === 'lower') && listed.some(t => t.Key === 'Contract-Case' && t.Value === 'upper');
  if (kept && listed.length === 2) {
    return 'kept apart';
  }
  return listed.length === 1 ? `merged into ${formatTags(listed)}` : `listed: ${formatTags(listed)}`;
}, WAITS_FOR_IMPORT);

async function listTags(client: ComprehendClient, arn: string): Promise<Tag[]> {
  return (await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? [];
}

function formatTags(tags: readonly Tag[]): string {
  return tags.length === 0 ? 'no tags' : tags.map(t => `${t.Key}=${t.Value}`).join(', ');
}
