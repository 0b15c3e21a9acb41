// The contract between ImportedComprehendModel and its handlers: property and attribute names.
// Shared by both sides, so no aws-cdk-lib import here.

/** The custom resource type of an imported model. */
export const IMPORTED_MODEL_RESOURCE_TYPE = 'Custom::ComprehendImportedModel';

/** Resource properties, as CloudFormation hands them to the handlers (every scalar is a string). */
export interface ImportProperties {
  readonly SourceModelArn: string;
  /** The model type the construct was told to expect (checked against SourceModelArn at deploy time). */
  readonly ModelType: string;
  readonly ModelName?: string;
  readonly VersionName?: string;
  readonly ModelKmsKeyId?: string;
  readonly DataAccessRoleArn?: string;
  readonly Tags?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  /** `destroy`, `retain` or `retain-except-on-create`. */
  readonly RemovalPolicy: string;
  /** How long the handlers wait for the copy to become usable (or to go away). */
  readonly TimeoutSeconds: string;
}

/** The removal policies the handlers understand. */
export const REMOVAL_POLICY_RETAIN = 'retain';
export const REMOVAL_POLICY_DESTROY = 'destroy';
/** Retained, except when the create failed: CloudFormation then sends a Delete, and the handlers delete the copy. */
export const REMOVAL_POLICY_RETAIN_EXCEPT_ON_CREATE = 'retain-except-on-create';

/**
 * The tag every copy the library imports carries: its value names the stack and the logical resource, so a handler
 * adopts or deletes only a copy it created, never one made by hand or by another stack.
 */
export const OWNER_TAG_KEY = 'cdk-comprehend-model-import:owner';

/** Attributes (`Fn::GetAtt`) of an imported model. */
export const ATTRIBUTE_MODEL_ARN = 'ModelArn';
export const ATTRIBUTE_MODEL_NAME = 'ModelName';
export const ATTRIBUTE_VERSION_NAME = 'VersionName';
export const ATTRIBUTE_STATUS = 'Status';

/**
 * Carried in `Data` from onEvent to isComplete: when the handlers give up (epoch milliseconds).
 * One provider serves every model of a stack, so each model's own timeout travels with its event.
 */
export const DATA_DEADLINE = 'Deadline';

/**
 * Carried in `Data` from onEvent to isComplete on a Delete under `retain-except-on-create`: `true` when the copy was
 * usable (its create succeeded, so it is kept), `false` when it was not (a failed create: it is deleted). Absent when
 * onEvent could not tell; isComplete then looks itself.
 */
export const DATA_KEEP = 'Keep';

/** The longest a model may ask the handlers to wait: CloudFormation's custom resource ceiling is one hour. */
export const MAX_TIMEOUT_SECONDS = 55 * 60;
/** How long the handlers wait by default. */
export const DEFAULT_TIMEOUT_SECONDS = 50 * 60;
/** How often the provider asks isComplete. */
export const QUERY_INTERVAL_SECONDS = 15;

/** The Comprehend tag limits. */
export const MAX_TAGS = 50;
/** The tags a user may give a copy: the ownership tag takes one of Comprehend's 50. */
export const MAX_USER_TAGS = MAX_TAGS - 1;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
