import { Aws, Fn } from 'aws-cdk-lib';

/** The GUID of the deployed stack instance: unique to it, also across Regions and after a stack of the name is deleted. */
export function stackGuid(): string {
  // arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/STACK_NAME/STACK_GUID; a stack name has no "/".
  return Fn.select(2, Fn.split('/', Aws.STACK_ID));
}

/**
 * The ownership tags of the copies and endpoints of the deployed stack instance, as an IAM `StringLike` pattern:
 * `STACK_NAME/STACK_GUID/*` (the tag is `STACK_NAME/STACK_GUID/LOGICAL_ID`), so IAM conditions can name "this stack's
 * own" without a list.
 */
export function ownedByThisStack(): string {
  return Fn.join('', [Aws.STACK_NAME, '/', stackGuid(), '/*']);
}
