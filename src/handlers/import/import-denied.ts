// Handler side: what an ImportModel that IAM refused means, for the import of another account's model.
import { ImportSpec } from './import-request';
import { describeError } from '../common/comprehend';

/**
 * IAM's words for a request that no resource-based policy allows: "User: PRINCIPAL is not authorized to perform: ACTION
 * on resource: RESOURCE because no resource-based policy allows the ACTION action" (IAM User Guide, "Troubleshooting
 * access denied error messages"). Every other reason it gives (an identity-based policy, a permissions boundary, a
 * session, service control or resource control policy, an explicit deny anywhere) is not fixed by adding the account to
 * the share, and stays in IAM's words.
 */
const IAM_REFUSAL = /is not authorized to perform: (\S+) on resource: (\S+?)(?: (because|with) (.*))?$/;

/**
 * Why the ImportModel of `spec` was refused, as the stack's user can act on it, when the refusal is the sharer's: the
 * model's resource-based policy does not name this account yet, as for an account that just joined an organizational
 * unit a StackSet deploys to. Undefined for any other error, which is reported in Comprehend's own words.
 *
 * Comprehend documents no error for an import its resource-based policy does not allow; AccessDeniedException is AWS's
 * common error for a refused request (Amazon Comprehend API Reference, "Common Errors"), and the one IAM answers for a
 * cross-account request that no resource-based policy allows.
 */
export function explainImportDenied(error: unknown, spec: ImportSpec): string | undefined {
  const { account, source } = spec;
  if (!(error instanceof Error) || error.name !== 'AccessDeniedException' || source.account === account) {
    return undefined;
  }
  const refusal = IAM_REFUSAL.exec(error.message);
  const sharers = refusal === null
    || refusal[1] === 'comprehend:ImportModel' && refusal[2] === spec.sourceModelArn
      && (refusal[3] === undefined || refusal[4].startsWith('no resource-based policy allows'));
  if (!sharers) {
    return undefined;
  }
  // Without IAM's reason the policy is the likeliest cause, not the certain one (docs/aws-assumptions.md,
  // import-refused-without-share).
  const cause = refusal?.[3] === undefined ? 'most likely because the model version\'s resource-based policy' : 'the model version\'s resource-based policy';
  return `ImportModel of ${spec.sourceModelArn} into account ${account} was refused: ${cause}, in the sharer's account ` +
    `${source.account}, does not let account ${account} import it (yet). The sharer must add ${account} to that policy ` +
    '(importerAccounts of its SharedModelPolicy); then retry this stack instance: deploy the stack again, or for a ' +
    'StackSet\'s instance, update it from the StackSet (aws cloudformation update-stack-instances). Nothing was ' +
    `imported. Comprehend said: ${describeError(error)}`;
}
