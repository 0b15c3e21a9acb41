import { Token } from 'aws-cdk-lib';
import { MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS } from '../contract/import-properties';

/**
 * What is wrong with the tags of a Comprehend resource (a model version or an endpoint: TagResource has the same
 * limits for both), as messages that name the prop; empty when nothing is.
 */
export function explainInvalidTags(tags: Record<string, string>, what: string): string[] {
  const entries = Object.entries(tags);
  const errors: string[] = [];
  if (entries.length > MAX_TAGS) {
    errors.push(`tags: ${entries.length} tags, more than the ${MAX_TAGS} ${what} can have`);
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
