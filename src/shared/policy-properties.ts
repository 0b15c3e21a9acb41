// The contract between SharedModelPolicy and its handler. Shared by both sides: no aws-cdk-lib import.

/** The custom resource type of a model's resource-based policy. */
export const MODEL_POLICY_RESOURCE_TYPE = 'Custom::ComprehendModelPolicy';

/** Resource properties, as CloudFormation hands them to the handler. */
export interface ModelPolicyProperties {
  /** The model version the policy is attached to. */
  readonly ModelArn: string;
  /** The policy document, as JSON. */
  readonly ResourcePolicy: string;
}

/** The limits of a Comprehend resource-based policy. */
export const MAX_POLICY_LENGTH = 20_000;
export const POLICY_CHARACTERS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;
