// IAM's evaluation of identity-based policies, as far as the lifecycle tests need it: the emulator asks it whether the
// caller's policy allows one action on one resource in one request context. It is written from IAM's documented
// evaluation logic (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements"), not from the library:
// - an explicit Deny in any matching statement wins; otherwise an Allow must match; otherwise the request is denied;
// - Action / NotAction: `service:Name` with the wildcards `*` and `?`, case-insensitive;
// - Resource / NotResource: ARN patterns with `*` and `?` (case-sensitive);
// - Condition: every operator of a statement must match, every key of an operator must match, and a key matches when
//   any of the policy's values matches (OR). The operators the library uses, with the set forms `ForAnyValue:` /
//   `ForAllValues:` and the `IfExists` suffix; an operator it does not know is refused when the policy is registered,
//   so a test cannot pass on a condition this evaluator silently ignored.
// Condition keys are case-insensitive; a key the request does not carry is absent (aws:ResourceTag of a resource that
// does not exist yet, aws:RequestTag of a request without tags).

/** One statement of an identity-based policy, resolved (no intrinsic functions left). */
export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** The condition keys of one request, for one resource: key (any case) → its values (one for single-valued keys). */
export type RequestContext = Record<string, readonly string[]>;

export type Decision = 'ALLOW' | 'IMPLICIT_DENY' | 'EXPLICIT_DENY';

const STRING_OPERATORS: Record<string, (value: string, pattern: string) => boolean> = {
  StringEquals: (value, pattern) => value === pattern,
  StringNotEquals: (value, pattern) => value !== pattern,
  StringEqualsIgnoreCase: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
  StringNotEqualsIgnoreCase: (value, pattern) => value.toLowerCase() !== pattern.toLowerCase(),
  StringLike: (value, pattern) => glob(pattern).test(value),
  StringNotLike: (value, pattern) => !glob(pattern).test(value),
  ArnEquals: (value, pattern) => value === pattern,
  ArnLike: (value, pattern) => glob(pattern).test(value),
  ArnNotEquals: (value, pattern) => value !== pattern,
  ArnNotLike: (value, pattern) => !glob(pattern).test(value),
  Bool: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
};

/** The negated operators: with several policy values, the key matches only when it matches none of them (IAM). */
const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);

/** Throws when `statements` use something this evaluator does not model, so a test never passes on an ignored rule. */
export function checkStatements(statements: readonly IamStatement[]): void {
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new Error(`IAM statement ${JSON.stringify(statement)}: Effect must be Allow or Deny`);
    }
    for (const operator of Object.keys(statement.Condition ?? {})) {
      if (!STRING_OPERATORS[parseOperator(operator).base] && parseOperator(operator).base !== 'Null') {
        throw new Error(`IAM condition operator ${operator} is not modelled by the emulator (test/support/iam-evaluator.ts)`);
      }
    }
  }
}

/** Whether `statements` allow `action` on `resource` in `context`. */
export function evaluate(statements: readonly IamStatement[], action: string, resource: string, context: RequestContext): Decision {
  const lowerContext = Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  const applies = (statement: IamStatement) =>
    matchesAction(statement, action) && matchesResource(statement, resource) && matchesConditions(statement, lowerContext);
  if (statements.some(s => s.Effect === 'Deny' && applies(s))) {
    return 'EXPLICIT_DENY';
  }
  return statements.some(s => s.Effect === 'Allow' && applies(s)) ? 'ALLOW' : 'IMPLICIT_DENY';
}

function matchesAction(statement: IamStatement, action: string): boolean {
  const matches = (patterns: string | readonly string[]) => list(patterns).some(p => glob(p, true).test(action));
  if (statement.NotAction !== undefined) {
    return !matches(statement.NotAction);
  }
  return statement.Action !== undefined && matches(statement.Action);
}

function matchesResource(statement: IamStatement, resource: string): boolean {
  const matches = (patterns: string | readonly string[]) => list(patterns).some(p => glob(p).test(resource));
  if (statement.NotResource !== undefined) {
    return !matches(statement.NotResource);
  }
  return statement.Resource !== undefined && matches(statement.Resource);
}

function matchesConditions(statement: IamStatement, context: RequestContext): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => matchesCondition(operator, context[key.toLowerCase()], list(values))));
}

function matchesCondition(operator: string, present: readonly string[] | undefined, values: readonly string[]): boolean {
  const { set, base, ifExists } = parseOperator(operator);
  if (base === 'Null') {
    // Null: "true" when the key must be absent, "false" when it must be present.
    return values.some(v => (v.toLowerCase() === 'true') === (present === undefined || present.length === 0));
  }
  const compare = STRING_OPERATORS[base];
  const one = (value: string) => NEGATED.has(base) ? values.every(v => compare(value, v)) : values.some(v => compare(value, v));
  if (present === undefined || present.length === 0) {
    // An absent key: ForAllValues holds vacuously; IfExists and the negated operators hold; the others do not.
    return set === 'ForAllValues' || ifExists || (set === undefined && NEGATED.has(base));
  }
  if (set === 'ForAllValues') {
    return present.every(one);
  }
  // ForAnyValue, and a single-valued key with the plain operator.
  return present.some(one);
}

function parseOperator(operator: string): { set?: 'ForAnyValue' | 'ForAllValues'; base: string; ifExists: boolean } {
  const [prefix, rest] = operator.includes(':') ? operator.split(':', 2) : [undefined, operator];
  const ifExists = rest.endsWith('IfExists');
  return {
    set: prefix === 'ForAnyValue' || prefix === 'ForAllValues' ? prefix : undefined,
    base: ifExists ? rest.slice(0, -'IfExists'.length) : rest,
    ifExists,
  };
}

/** A pattern with IAM's wildcards: `*` any run of characters (also `/` and `:`), `?` one character. */
function glob(pattern: string, ignoreCase = false): RegExp {
  const source = pattern.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}
