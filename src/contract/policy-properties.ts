// The contract between SharedModelPolicy and its handler, and the rules of a Comprehend resource-based policy.

/** The custom resource type of a model's resource-based policy. */
export const MODEL_POLICY_RESOURCE_TYPE = 'Custom::ComprehendModelPolicy';

/** Resource properties, as CloudFormation hands them to the handler. */
export interface ModelPolicyProperties {
  /** The model version the policy is attached to. */
  readonly ModelArn: string;
  /** The policy document, as JSON. */
  readonly ResourcePolicy: string;
}

/** The limits of a Comprehend resource-based policy (PutResourcePolicy's ResourcePolicy: 1 to 20,000 characters). */
export const MAX_POLICY_LENGTH = 20_000;
const POLICY_CHARACTERS = /^[\u0009\u000A\u000D\u0020-\u00FF]*$/;

/**
 * The Sid of a SharedModelPolicy's statement as its handler writes it: this prefix and the first 24 hex characters of a
 * hash of the stack instance and the logical resource, so the handler tells its own statements from others'.
 */
export const SHARE_SID_PREFIX = 'CdkShare';
export const SHARE_SID_HASH_LENGTH = 24;

/** A Sid of a SharedModelPolicy's statement, to measure the policy with before the stack instance (its hash) is known. */
export const SHARE_SID_PLACEHOLDER = SHARE_SID_PREFIX + '0'.repeat(SHARE_SID_HASH_LENGTH);

/** The text of a policy with these statements (each a JSON text), as the policy handler writes a new one. */
export function policyText(statements: readonly string[]): string {
  return `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`;
}

/** Why `policy` cannot be the resource-based policy of `modelArn`, or undefined when it can. */
export function explainInvalidPolicy(modelArn: string, policy: string): string | undefined {
  if (policy.length < 1 || policy.length > MAX_POLICY_LENGTH) {
    return `the resource policy of ${modelArn} is ${policy.length} characters long; expected 1 to ${MAX_POLICY_LENGTH} characters. ` +
      'Name fewer importers, or whole accounts rather than many principals';
  }
  const outside = [...policy].find(character => !POLICY_CHARACTERS.test(character));
  if (outside !== undefined) {
    const codePoint = `U+${outside.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `the resource policy of ${modelArn} contains "${outside}" (${codePoint}); expected only Latin-1 characters ` +
      '(tab, line breaks and U+0020 to U+00FF)';
  }
  return undefined;
}

/**
 * An importer a model's resource-based policy may name: an account ID, or an IAM principal ARN of one account (its root,
 * a role or a user) with no wildcard (`*`, `?`) in its name. Anything wider would let others import the model, and the
 * key-policy statements would grant it too. SharedModelPolicy checks it at synth time, its handler at deploy time.
 */
export const ACCOUNT_OR_IAM_PRINCIPAL = /^([0-9]{12}|arn:aws[a-z-]*:iam::[0-9]{12}:(root|role\/[^*?]+|user\/[^*?]+))$/;

/** The members of a statement a share writes (the handler gives it its Sid), and a Condition that narrows it. */
const STATEMENT_MEMBERS = new Set(['Sid', 'Effect', 'Action', 'Principal', 'Resource', 'Condition']);

/**
 * Why `statement` (resolved) is not of the form a share writes, or undefined when it is: Effect Allow, Action exactly
 * `comprehend:ImportModel` (a string or a list of one), Resource `*` (the model version the policy is attached to; a
 * string or a list of one), a Principal (whose importers are checked apart), and a Condition if any, which can only
 * narrow an Allow; nothing else (no NotAction, NotPrincipal or NotResource). A share grants importing the model, and
 * nothing else.
 */
export function explainInvalidStatement(statement: unknown): string | undefined {
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) {
    return 'is not an object';
  }
  const members = statement as Record<string, unknown>;
  const one = (value: unknown, expected: string) => value === expected || (Array.isArray(value) && value.length === 1 && value[0] === expected);
  return [
    ...Object.keys(members).filter(member => !STATEMENT_MEMBERS.has(member)).map(member => `has ${member}`),
    members.Effect !== 'Allow' ? `has Effect ${JSON.stringify(members.Effect)}` : undefined,
    !one(members.Action, 'comprehend:ImportModel') ? `has Action ${JSON.stringify(members.Action)}` : undefined,
    !one(members.Resource, '*') ? `has Resource ${JSON.stringify(members.Resource)}` : undefined,
  ].filter(found => found !== undefined).join(', ') || undefined;
}

/** What a share's statements may be, for the messages that refuse one. */
export const SHARE_STATEMENT_FORM = 'A share writes only statements of the form { "Effect": "Allow", "Action": ' +
  '"comprehend:ImportModel", "Resource": "*", "Principal": { "AWS": importers } }, and a Condition that narrows one, ' +
  'without NotAction, NotPrincipal or NotResource';
