// Handler side: a resource-based policy document as the policy handler reads and writes it, and how this resource's
// statements are merged into it. Pure: no Comprehend call here.

/** One statement of a policy; the handler looks only at its Sid, and at its principals when checking them. */
export type Statement = Record<string, unknown> & { Sid?: string };

/**
 * A policy document. Everything outside `Statement` (`Version`, `Id`, and whatever else the owner put there) belongs to
 * the policy, not to this resource, and is kept as it is.
 */
export type PolicyDocument = Record<string, unknown> & { Version?: string; Statement?: Statement | Statement[] };

/** The statements of a document, a single statement read as a list of one. */
export function statementsOf(document: PolicyDocument): Statement[] {
  return document.Statement === undefined ? [] : [document.Statement].flat();
}

/** Whether `statement` is one of this resource's: its Sid starts with this resource's `sid`. */
function isOurs(statement: Statement, sid: string): boolean {
  return typeof statement.Sid === 'string' && statement.Sid.startsWith(sid);
}

/**
 * The document `current` with this resource's statements (those whose Sid starts with `sid`) replaced by `ours`;
 * every other statement and every top-level field kept. Undefined when no statement is left: the policy is deleted.
 */
export function mergeStatements(current: PolicyDocument | undefined, sid: string, ours: readonly Statement[]): PolicyDocument | undefined {
  const statements = [...statementsOf(current ?? {}).filter(statement => !isOurs(statement, sid)), ...ours];
  if (statements.length === 0) {
    return undefined;
  }
  return { ...current, Version: current?.Version ?? '2012-10-17', Statement: statements };
}

/**
 * Whether `document` holds exactly this resource's statements `ours` (none, for a delete): what the read-back after a
 * write checks, since a concurrent writer may have replaced the policy in between. Compared in a canonical form, so a
 * service that reorders keys or list members, or writes a list of one as a single value, does not count as a change.
 */
export function holdsExactly(document: PolicyDocument | undefined, sid: string, ours: readonly Statement[]): boolean {
  const found = statementsOf(document ?? {}).filter(statement => isOurs(statement, sid));
  const key = (statements: readonly Statement[]) => statements.map(canonical).sort();
  return JSON.stringify(key(found)) === JSON.stringify(key(ours));
}

/**
 * A JSON text of `value` that does not depend on key order, list order, a single value versus a list of one, or an
 * account written as its ID or its root ARN: services that store resource policies (KMS, S3) rewrite an account ID
 * principal as `arn:PARTITION:iam::ACCOUNT:root`, and what Comprehend stores is not documented (docs/aws-assumptions.md,
 * stored-policy-principal).
 */
function canonical(value: unknown): string {
  if (typeof value === 'string') {
    const account = /^(?:([0-9]{12})|arn:aws[a-z-]*:iam::([0-9]{12}):root)$/.exec(value);
    return JSON.stringify(account ? `account:${account[1] ?? account[2]}` : value);
  }
  if (Array.isArray(value)) {
    return value.length === 1 ? canonical(value[0]) : `[${value.map(canonical).sort().join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
