import { Aws, Fn } from 'aws-cdk-lib';

/**
 * `STACK_NAME/STACK_GUID` of the deployed stack instance, read at deploy time from its StackId
 * (`arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/STACK_NAME/STACK_GUID`). The ownership tag of every copy and
 * endpoint the stack creates starts with it, so IAM conditions can name "this stack's own" without a list.
 */
export function stackInstance(): string {
  return Fn.select(1, Fn.split('stack/', Aws.STACK_ID));
}

/** The GUID of the deployed stack instance: unique to it, also across Regions and after a stack of the name is deleted. */
export function stackGuid(): string {
  return Fn.select(2, Fn.split('/', Aws.STACK_ID));
}
