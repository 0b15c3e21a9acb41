// Handler side: the deploy-time check of the importers a share names. At synth time SharedModelPolicy refuses a
// principal it can read; a token (a CfnParameter, Fn.importValue) is only resolved here, and a `*` then would share
// the model with everyone.
import { PolicyDocument, statementsOf } from './policy-document';
import { ACCOUNT_OR_IAM_PRINCIPAL } from '../../contract/policy-properties';

/** The members SharedModelPolicy writes in a statement (the handler gives it its Sid); any other is refused. */
const STATEMENT_MEMBERS = new Set(['Sid', 'Effect', 'Action', 'Principal', 'Resource']);

/**
 * Why a statement of `policy` (this resource's statements, resolved) is not of the one form SharedModelPolicy writes,
 * undefined when all are: Effect Allow, Action exactly `comprehend:ImportModel` (a string or a list of one), Resource
 * `*` (the model version the policy is attached to; a string or a list of one), a Principal (checked by
 * explainInvalidPrincipals), and no other member (no Condition, NotAction, NotPrincipal or NotResource). A share
 * grants importing the model, and nothing else.
 */
export function explainInvalidStatements(modelArn: string, policy: PolicyDocument): string | undefined {
  const one = (value: unknown, expected: string) => value === expected || (Array.isArray(value) && value.length === 1 && value[0] === expected);
  const statements = statementsOf(policy);
  for (const [index, statement] of statements.entries()) {
    const problem = statement === null || typeof statement !== 'object' || Array.isArray(statement)
      ? 'is not an object'
      : [
        ...Object.keys(statement).filter(member => !STATEMENT_MEMBERS.has(member)).map(member => `has ${member}`),
        statement.Effect !== 'Allow' ? `has Effect ${JSON.stringify(statement.Effect)}` : undefined,
        !one(statement.Action, 'comprehend:ImportModel') ? `has Action ${JSON.stringify(statement.Action)}` : undefined,
        !one(statement.Resource, '*') ? `has Resource ${JSON.stringify(statement.Resource)}` : undefined,
      ].filter(found => found !== undefined).join(', ') || undefined;
    if (problem) {
      return `statement ${index + 1} of ${statements.length} of the resource policy of ${modelArn} ${problem}: ` +
        `${JSON.stringify(statement).slice(0, 500)}. A share writes only statements of the form { "Effect": "Allow", ` +
        '"Action": "comprehend:ImportModel", "Resource": "*", "Principal": { "AWS": importers } }, without Condition, ' +
        'NotAction, NotPrincipal or NotResource; check the value that a token (a parameter, an import) resolved to, ' +
        'and what was added to SharedModelPolicy.resourcePolicy';
    }
  }
  return undefined;
}

/**
 * Why the principals of `policy` (this resource's statements, resolved) do not all name one account or an IAM principal
 * of one account; undefined when they do. Every statement's Principal must be `{ AWS: value or list }`: a bare `*`,
 * another kind of principal (a service, a federated identity) or a wildcard would let others import the model.
 */
export function explainInvalidPrincipals(modelArn: string, policy: PolicyDocument): string | undefined {
  for (const statement of statementsOf(policy)) {
    const principal = statement.Principal;
    const kinds = principal !== null && typeof principal === 'object' && !Array.isArray(principal) ? Object.keys(principal) : [];
    if (kinds.length !== 1 || kinds[0] !== 'AWS') {
      return `the resource policy of ${modelArn} has the principal ${JSON.stringify(principal)}, which is not an account ` +
        'or an IAM principal of one account; expected { "AWS": ... } with an account ID or an ARN ' +
        'arn:PARTITION:iam::ACCOUNT:root, :role/NAME or :user/NAME';
    }
    for (const value of [(principal as { AWS: unknown }).AWS].flat()) {
      if (typeof value !== 'string' || !ACCOUNT_OR_IAM_PRINCIPAL.test(value)) {
        return `importer principal ${JSON.stringify(value)} of ${modelArn} is not an account or an IAM principal of one ` +
          'account; expected a 12-digit account ID or an ARN arn:PARTITION:iam::ACCOUNT:root, arn:PARTITION:iam::ACCOUNT:role/NAME ' +
          'or arn:PARTITION:iam::ACCOUNT:user/NAME, with no wildcard (* or ?) in it. Check the value that the token ' +
          '(a parameter, an import) resolved to';
      }
    }
  }
  return undefined;
}
