// Handler side: the deploy-time check of the importers a share names. At synth time SharedModelPolicy refuses a
// principal it can read; a token (a CfnParameter, Fn.importValue) is only resolved here, and a `*` then would share
// the model with everyone.
import { PolicyDocument, statementsOf } from './policy-document';
import { ACCOUNT_OR_IAM_PRINCIPAL, explainInvalidStatement, SHARE_STATEMENT_FORM } from '../../contract/policy-properties';

/**
 * Why a statement of `policy` (this resource's statements, resolved) is not of the form a share writes
 * (explainInvalidStatement), undefined when all are. SharedModelPolicy refuses the same at synth when the whole policy is
 * known; a token (a parameter, an import) is only resolved here.
 */
export function explainInvalidStatements(modelArn: string, policy: PolicyDocument): string | undefined {
  const statements = statementsOf(policy);
  for (const [index, statement] of statements.entries()) {
    const problem = explainInvalidStatement(statement);
    if (problem) {
      return `statement ${index + 1} of ${statements.length} of the resource policy of ${modelArn} ${problem}: ` +
        `${JSON.stringify(statement).slice(0, 500)}. ${SHARE_STATEMENT_FORM}; check the value that a token (a parameter, ` +
        'an import) resolved to, and what was added to SharedModelPolicy.resourcePolicy';
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
