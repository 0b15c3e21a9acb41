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
  const value = `${stackOwnerPrefix(stackId)}${logicalId}`;
  if (value.length <= MAX_TAG_VALUE_LENGTH) {
    return { Key: OWNER_TAG_KEY, Value: value };
  }
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 32);
  return { Key: OWNER_TAG_KEY, Value: `${value.slice(0, MAX_TAG_VALUE_LENGTH - hash.length - 1)}-${hash}` };
}

/**
 * How every ownership tag of the stack instance `stackId` begins: `STACK_NAME/STACK_GUID/` (a hashed long value keeps
 * it). The handler role's IAM statements match this stack's resources with the same prefix and `*`.
 */
export function stackOwnerPrefix(stackId: string): string {
  return `${stackId.split(':').slice(5).join(':').replace(/^stack\//, '')}/`;
}

/** What the app declares in one of the provider's environment variables: the ARNs, and why none could be read. */
export interface DeclaredArns {
  readonly arns: readonly string[];
  /** Set when the variable is missing or is not a JSON array of strings: then nothing is declared. */
  readonly problem?: string;
}

/**
 * The ARNs in the environment variable `variable` (src/contract/declared-resources.ts: a JSON array of strings, which
 * the construct side writes). Fails safe: a missing or malformed variable declares nothing, and `problem` says why, for
 * the message of a refusal.
 */
export function readDeclaredArns(variable: string): DeclaredArns {
  const text = process.env[variable];
  if (text === undefined) {
    return { arns: [], problem: `the environment variable ${variable} is not set, so it was read as declaring nothing` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) {
    return {
      arns: [],
      problem: `the environment variable ${variable} is ${JSON.stringify(text.slice(0, 200))}, not a JSON array of ARNs, so it ` +
        'was read as declaring nothing',
    };
  }
  return { arns: value };
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
