// The contract between ModelEndpoint (when it is a custom resource) and its handlers: property and attribute names.
// Shared by both sides, so no aws-cdk-lib import here.

/** The custom resource type of an endpoint served through the library's provider. */
export const MODEL_ENDPOINT_RESOURCE_TYPE = 'Custom::ComprehendModelEndpoint';

/** Resource properties, as CloudFormation hands them to the handlers (every scalar is a string). */
export interface EndpointProperties {
  /** Create-only, as in CloudFormation's endpoint types: a new name is a new endpoint. */
  readonly EndpointName: string;
  /** The model version served; a new one moves the same endpoint to it in place (UpdateEndpoint DesiredModelArn). */
  readonly ModelArn: string;
  /** The type of the model served, which is the endpoint's type (`document-classifier` or `entity-recognizer`). */
  readonly ModelType: string;
  /** Sent to Comprehend only when it changes in the template, so a deploy keeps what an auto scaler set. */
  readonly DesiredInferenceUnits: string;
  /** The role Comprehend uses to read a model encrypted with a customer managed key. */
  readonly DataAccessRoleArn?: string;
  readonly Tags?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
}

/** Attributes (`Fn::GetAtt`) of an endpoint. */
export const ATTRIBUTE_ENDPOINT_ARN = 'EndpointArn';

/** Comprehend's limit of inference units per endpoint (each serves 100 characters a second). */
export const MAX_INFERENCE_UNITS = 10;
/** Endpoint names: botocore's `ComprehendEndpointName` shape (max 40, this pattern). */
export const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const ENDPOINT_NAME_MAX_LENGTH = 40;
