// Handler side: which stack and resource a Comprehend resource belongs to. Every copy and every endpoint the library
// creates carries the ownership tag, so a handler adopts, changes or deletes only what its own resource created.
import { createHash } from 'crypto';
import type { Tag } from '@aws-sdk/client-comprehend';
import { MAX_TAG_VALUE_LENGTH, MAX_USER_TAGS, OWNER_TAG_KEY } from '../../contract/import-properties';

/** Where the stack lives, from its CloudFormation stack ARN. */
export interface StackLocation {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The partition, Region and account of `stackId` (`arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID`). */
export function locateStack(stackId: string): StackLocation {
  const [arn, partition, service, region, account] = stackId.split(':');
  if (arn !== 'arn' || service !== 'cloudformation' || !region || !account) {
    throw new Error(`StackId "${stackId}" is not a CloudFormation stack ARN`);
  }
  return { partition, region, account };
}

/**
 * The ownership tag of `logicalId` in the stack `stackId`: `STACK_NAME/STACK_GUID/LOGICAL_ID`, unique to the stack
 * instance (a stack deleted and created again under its name has a new GUID). A value longer than a tag may be keeps
 * its start and ends with a hash of the whole.
 */
export function ownerTag(stackId: string, logicalId: string): Tag {
  const stack = stackId.split(':').slice(5).join(':').replace(/^stack\//, '');
  const value = `${stack}/${logicalId}`;
  if (value.length <= MAX_TAG_VALUE_LENGTH) {
    return { Key: OWNER_TAG_KEY, Value: value };
  }
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 32);
  return { Key: OWNER_TAG_KEY, Value: `${value.slice(0, MAX_TAG_VALUE_LENGTH - hash.length - 1)}-${hash}` };
}

/**
 * The user's tags of a resource the library marks (`what`, for the message): at most 49, none with the ownership tag's
 * key, which takes the 50th of Comprehend's tags.
 */
export function readUserTags(tags: readonly Tag[] | undefined, what: string): readonly Tag[] {
  const given = tags ?? [];
  const hasOwnerKey = given.some(tag => tag.Key === OWNER_TAG_KEY);
  if (given.length > MAX_USER_TAGS || hasOwnerKey) {
    throw new Error(
      `tags: ${given.length} tags${hasOwnerKey ? `, among them ${OWNER_TAG_KEY}` : ''}; expected at most ` +
      `${MAX_USER_TAGS} tags without the key ${OWNER_TAG_KEY}, which marks the ${what} this library creates`,
    );
  }
  return given;
}
