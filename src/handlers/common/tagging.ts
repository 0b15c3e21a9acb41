// Handler side: the tags of a Comprehend resource (a model version or an endpoint), which carry the ownership tag.
import {
  ConcurrentModificationException,
  ListTagsForResourceCommand,
  Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { comprehend, isTransient } from './comprehend';
import { mutating } from './request-guard';
import { OWNER_TAG_KEY } from '../../contract/import-properties';

/** The resource's tags, by key. */
export async function listTags(arn: string): Promise<Map<string, string>> {
  const { Tags } = await comprehend.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
  return new Map((Tags ?? []).map(tag => [tag.Key!, tag.Value ?? '']));
}

/** The ownership tag's value on the resource, or undefined when it has none. */
export async function ownerOf(arn: string): Promise<string | undefined> {
  return (await listTags(arn)).get(OWNER_TAG_KEY);
}

/**
 * Brings the resource's tags to `wanted`, removing those of `previous` that are no longer wanted. Tags the user never
 * gave (the ownership tag, tags set by hand) are left alone. Idempotent, so isComplete can finish what onEvent could not.
 * `requireOwner` sees the ownership tag's value (undefined when absent) of the same ListTagsForResource answer, and
 * throws when the resource is not this resource's: no tag is changed before ownership is proven.
 */
export async function reconcileTags(
  arn: string,
  previous: readonly Tag[],
  wanted: readonly Tag[],
  requireOwner: (owner: string | undefined) => void,
): Promise<void> {
  const current = await listTags(arn);
  requireOwner(current.get(OWNER_TAG_KEY));
  const wantedKeys = new Set(wanted.map(tag => tag.Key));
  const removed = previous.map(tag => tag.Key!).filter(key => !wantedKeys.has(key) && current.has(key) && key !== OWNER_TAG_KEY);
  const changed = wanted.filter(tag => current.get(tag.Key!) !== (tag.Value ?? ''));
  if (removed.length > 0) {
    await mutating(() => comprehend.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: removed })));
  }
  if (changed.length > 0) {
    await mutating(() => comprehend.send(new TagResourceCommand({ ResourceArn: arn, Tags: changed })));
  }
}

/** Whether `error` says a tag change should be tried again later: throttling, or another tag change in progress. */
export function isRetryableTagError(error: unknown): boolean {
  return isTransient(error) || error instanceof ConcurrentModificationException;
}
