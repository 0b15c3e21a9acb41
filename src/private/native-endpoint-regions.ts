/**
 * The Regions whose CloudFormation has both native endpoint types, `AWS::Comprehend::DocumentClassifierEndpoint` and
 * `AWS::Comprehend::EntityRecognizerEndpoint`.
 *
 * Source: the per-Region resource specifications bundled in cfn-lint 1.58.0 (`cfnlint/data/schemas/providers/*.json`),
 * the same data aws-cdk-lib's template check reads. Of the commercial Regions that run Comprehend, only these four
 * have the types; elsewhere a template with them fails (`E3006 … does not exist in 'eu-west-1'`), so ModelEndpoint
 * serves through the library's provider there. The other Regions listed are in the isolated and sovereign partitions.
 */
export const NATIVE_ENDPOINT_REGIONS: readonly string[] = [
  'us-east-1',
  'us-west-2',
  'eu-central-1',
  'ap-south-1',
  'eu-isoe-west-1',
  'eusc-de-east-1',
  'us-iso-east-1',
  'us-iso-west-1',
  'us-isob-east-1',
  'us-isob-west-1',
  'us-isof-east-1',
  'us-isof-south-1',
];
