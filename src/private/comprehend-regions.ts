// The synth-time check of the Region a construct deploys to: a Region code AWS publishes, where Amazon Comprehend is
// offered. The data (comprehend-regions-data.ts) is botocore's: data/partitions.json for the Regions of each partition,
// data/endpoints.json's services.comprehend for Comprehend's (botocore 1.44.8: 12 Regions of aws, not us-west-1, and
// us-gov-west-1, us-iso-east-1, us-isof-east-1, us-isof-south-1). cfn-lint 1.58.0's per-Region CloudFormation schemas
// agree for partition aws (us-west-1 has no AWS::Comprehend::* type) but not elsewhere: what each source says, and why
// botocore's is the one, is in projenrc/comprehend-regions.py, which writes the data (CI checks it: .ci/run).
//
// The check never reads the stack's partition: Stack.partition is a literal or AWS::Partition depending on the
// feature flag @aws-cdk/core:enablePartitionLiterals. The Region's partition is the one whose Regions list it.
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BOTOCORE_VERSION, COMPREHEND_REGIONS, PARTITION_REGIONS } from './comprehend-regions-data';
import { howToAcknowledge } from './synth-warnings';
import { COMPREHEND_PARTITIONS } from '../contract/model-arn';

/** The id of the warning about a Region code that no partition lists. */
export const UNKNOWN_REGION_WARNING = 'cdk-comprehend-model-import:unknownRegion';
/** The id of the warning about a Region where Amazon Comprehend is not offered. */
export const REGION_WITHOUT_COMPREHEND_WARNING = 'cdk-comprehend-model-import:regionWithoutComprehend';

const SOURCE = `botocore ${BOTOCORE_VERSION}'s endpoint data`;

/** A Region read from an ARN prop, for a stack whose own Region is only known at deploy time (a StackSet's, say). */
export interface RegionOfArn {
  /** The prop that holds the ARN, e.g. `sourceModelArn`. */
  readonly prop: string;
  /** The ARN, as given. */
  readonly arn: string;
  /** The ARN's Region. */
  readonly region: string;
}

/** The partition whose Regions include `region`, or undefined when none does. */
export function partitionOfRegion(region: string): string | undefined {
  return Object.keys(PARTITION_REGIONS).find(partition => PARTITION_REGIONS[partition].includes(region));
}

/** Whether Amazon Comprehend is offered in `region`. */
export function hasComprehend(region: string): boolean {
  return Object.values(COMPREHEND_REGIONS).some(regions => regions.includes(region));
}

/**
 * Warns when the Region `scope` deploys to is known at synth time (the stack's, or else the Region of `fromArn`) and is
 * not a Region code AWS publishes, or is a Region where Amazon Comprehend is not offered.
 */
export function checkComprehendRegion(scope: IConstruct, fromArn?: RegionOfArn): void {
  const stackRegion = Stack.of(scope).region;
  const fromStack = !Token.isUnresolved(stackRegion);
  const region = fromStack ? stackRegion : fromArn?.region;
  if (region === undefined || Token.isUnresolved(region)) {
    return;
  }
  const problem = explainRegion(region, fromStack ? `this stack's Region "${region}" is` : `${fromArn!.prop} "${fromArn!.arn}" is in Region "${region}", which is`);
  if (problem) {
    Annotations.of(scope).addWarningV2(problem.id, `${problem.message}: ${howToAcknowledge(problem.id)}`);
  }
}

/** What is wrong with `region` (as `subject` says it, "... is"), and the id of the warning; undefined when nothing. */
function explainRegion(region: string, subject: string): { id: string; message: string } | undefined {
  const partition = partitionOfRegion(region);
  if (partition === undefined) {
    return {
      id: UNKNOWN_REGION_WARNING,
      message: `${subject} not a Region AWS publishes (${SOURCE}); expected a Region code such as us-west-2. If the Region ` +
        'is newer than this library, acknowledge this warning',
    };
  }
  if (hasComprehend(region)) {
    return undefined;
  }
  const offered = COMPREHEND_REGIONS[partition];
  const expected = offered
    ? `expected a Region of partition ${partition} where it is: ${offered.join(', ')}`
    : `expected a Region of a partition where it is (${COMPREHEND_PARTITIONS.join(', ')})`;
  const where = offered ? 'a Region' : `in partition ${partition},`;
  return {
    id: REGION_WITHOUT_COMPREHEND_WARNING,
    message: `${subject} ${where} where Amazon Comprehend is not offered (${SOURCE}); ${expected}. If Comprehend is now ` +
      `offered in ${region}, acknowledge this warning`,
  };
}
