import { Token } from 'aws-cdk-lib';
import {
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_USER_TAGS,
  OWNER_TAG_KEY,
} from '../contract/import-properties';

/**
 * What is wrong with the tags of a copy, as messages that name the prop; empty when nothing is. The ownership tag
 * takes one of Comprehend's 50 and its key is the library's.
 */
export function explainInvalidModelTags(tags: Record<string, string>): string[] {
  const errors = explainInvalidTags(tags, MAX_USER_TAGS,
    `a Comprehend model can have, less the ${OWNER_TAG_KEY} tag this library marks its copies with`);
  if (OWNER_TAG_KEY in tags) {
    errors.push(`tags: key "${OWNER_TAG_KEY}" is the library's own, which marks the copies it creates; expected another key`);
  }
  return errors;
}

/**
 * What is wrong with the tags of an endpoint: TagResource has the same limits for it as for a model, and the library
 * marks the endpoints it creates with the ownership tag too.
 */
export function explainInvalidEndpointTags(tags: Record<string, string>): string[] {
  const errors = explainInvalidTags(tags, MAX_USER_TAGS,
    `a Comprehend endpoint can have, less the ${OWNER_TAG_KEY} tag this library marks its endpoints with`);
  if (OWNER_TAG_KEY in tags) {
    errors.push(`tags: key "${OWNER_TAG_KEY}" is the library's own, which marks the endpoints it creates; expected another key`);
  }
  return errors;
}

function explainInvalidTags(tags: Record<string, string>, maxTags: number, limit: string): string[] {
  const entries = Object.entries(tags);
  const errors: string[] = [];
  if (entries.length > maxTags) {
    errors.push(`tags: ${entries.length} tags, more than the ${maxTags} ${limit}`);
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) {
      continue;
    }
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
      errors.push(`tags: key "${key}" is ${key.length} characters long; expected 1 to ${MAX_TAG_KEY_LENGTH}`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      errors.push(`tags: key "${key}" starts with "aws:", which AWS reserves; expected a key without that prefix`);
    }
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      errors.push(`tags: value of "${key}" is ${value.length} characters long; expected at most ${MAX_TAG_VALUE_LENGTH}`);
    }
  }
  return errors;
}
