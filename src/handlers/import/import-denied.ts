// Handler side: what an ImportModel that IAM refused means, for the import of another account's model.
import { ImportSpec } from './import-request';
import { describeError } from '../common/comprehend';

/**
 * The reasons IAM gives that lie in the caller's own account: its identity-based policies, permissions boundaries,
 * session policies, service control policies and VPC endpoint policies (IAM User Guide, "Troubleshooting access denied
 * error messages": "… because no identity-based policy allows …", "… with an explicit deny in a service control
 * policy"). Any other reason, or none, points at the sharer's side: the model's resource-based policy (or a resource
 * control policy of the sharer's organization).
 */
const OWN_ACCOUNT_REASONS = /identity-based policy|permissions boundary|session policy|service control policy|VPC endpoint policy/i;

/**
 * Why the ImportModel of `spec` was refused, as the stack's user can act on it, when the refusal is the
 * sharer's: the model's policy does not name this account yet, as for an account that just joined an organizational
 * unit a StackSet deploys to. Undefined for any other error, which is reported in Comprehend's own words.
 *
 * Comprehend documents no error for an import its resource-based policy does not allow; AccessDeniedException is AWS's
 * common error for a refused request (Amazon Comprehend API Reference, "Common Errors"), and the one IAM answers for a
 * cross-account request that no resource-based policy allows.
 */
export function explainImportDenied(error: unknown, spec: ImportSpec): string | undefined {
  const { account, source } = spec;
  const denied = error instanceof Error && error.name === 'AccessDeniedException';
  if (!denied || source.account === account || OWN_ACCOUNT_REASONS.test(error.message)) {
    return undefined;
  }
  return `ImportModel of ${spec.sourceModelArn} into account ${account} was refused: the model version's resource-based policy, in ` +
    `the sharer's account ${source.account}, does not let account ${account} import it (yet). The sharer must add ` +
    `${account} to that policy (importerAccounts of its SharedModelPolicy); then retry this stack instance: deploy the ` +
    'stack again, or for a StackSet\'s instance, update it from the StackSet (aws cloudformation update-stack-instances). ' +
    `Nothing was imported. Comprehend said: ${describeError(error)}`;
}
