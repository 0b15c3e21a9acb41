// The contract between ImportedComprehendModel and its handlers: property and attribute names.
// Shared by both sides, so no aws-cdk-lib import here.
import type { QualityGateProperties } from './evaluation-metrics';

/** The custom resource type of an imported model. */
export const IMPORTED_MODEL_RESOURCE_TYPE = 'Custom::ComprehendImportedModel';

/** Resource properties, as CloudFormation hands them to the handlers (every scalar is a string). */
export interface ImportProperties {
  readonly SourceModelArn: string;
  /**
   * The model type the construct was told to expect (checked against SourceModelArn at deploy time). Rendered only when
   * SourceModelArn is a token; absent, the handlers read the type from SourceModelArn (which they parse anyway).
   */
  readonly ModelType?: string;
  readonly ModelName?: string;
  readonly VersionName?: string;
  readonly ModelKmsKeyId?: string;
  readonly DataAccessRoleArn?: string;
  readonly Tags?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  /**
   * How long the handlers wait for the copy to become usable (or to go away). Rendered only when it is not
   * DEFAULT_TIMEOUT_SECONDS, which the handlers take when it is absent.
   */
  readonly TimeoutSeconds?: string;
  /** The bounds a new copy must meet; judged when the copy is usable, never part of what makes a new copy. */
  readonly QualityGate?: QualityGateProperties;
  /** ATTRIBUTE_SET: which attributes the construct may read; never part of what makes a new copy. */
  readonly AttributeSet?: string;
}

/**
 * The tag every copy and endpoint the library creates carries: its value is `STACK_NAME/STACK_GUID/LOGICAL_ID`, so a
 * handler adopts, changes or deletes only what its own resource created, never what was made by hand or by another
 * stack. The handler role's IAM policy allows the mutating calls only on resources whose tag starts with
 * `STACK_NAME/STACK_GUID/` (`aws:ResourceTag`), and the creating calls only with that tag in the request
 * (`aws:RequestTag`), so IAM refuses what the code would never do.
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
 * Carried in `Data` from onEvent to isComplete about an Update's copy: 'true' when this event imports it (the gate judges
 * it), 'unknown' when Comprehend throttled ImportModel so that onEvent could not tell a new copy from the copy a rollback
 * returns to; absent when onEvent found this resource's usable copy under the name. For a Create, 'adopted' when onEvent
 * found this resource's usable copy under the name (a retained copy it returns to): judged, but never deleted.
 */
export const DATA_NEW_COPY = 'NewCopy';
/** Carried in `Data` from onEvent to isComplete: the copy a replacement retires, for `noWorseThanReplaced`. */
export const DATA_REPLACED_COPY = 'ReplacedCopy';
/**
 * Carried in `Data` from onEvent to isComplete: the copy a failed replacement left, which the rollback removes. Only
 * onEvent can tell: it sees CloudFormation's physical id, where isComplete sees the one onEvent answered.
 */
export const DATA_FAILED_REPLACEMENT = 'FailedReplacement';
/**
 * Carried in `Data` from onEvent to isComplete: CloudFormation's record of the resource when the request began (its
 * ResourceStatus and LastUpdatedTimestamp), which a waiter finds unchanged while CloudFormation still waits for the
 * request (src/handlers/common/request-guard.ts). Endpoints carry it too.
 */
export const DATA_REQUEST = 'Request';
/**
 * What onEvent tells isComplete. The framework merges onEvent's Data into the final answer, and a key cannot be removed
 * there (a Lambda answer is JSON, where undefined is dropped), so isComplete answers these empty: none means anything to
 * a reader of the resource's attributes.
 */
export const INTERNAL_DATA = [DATA_DEADLINE, DATA_REQUEST, DATA_NEW_COPY, DATA_REPLACED_COPY, DATA_FAILED_REPLACEMENT] as const;
/**
 * The set of attributes the handlers return, as a resource property: a new set (the evaluation metrics came with 2)
 * changes the property, so CloudFormation sends the resource an Update, whose answer has every attribute of the set
 * before anything reads one. CloudFormation keeps the attributes of a resource's last answer.
 */
export const ATTRIBUTE_SET = '2';

/** The longest a model may ask the handlers to wait: CloudFormation's custom resource ceiling is one hour. */
export const MAX_TIMEOUT_SECONDS = 55 * 60;
/**
 * How long the handlers wait by default: also for the copies of stacks whose template leaves TimeoutSeconds out, so
 * changing it changes their timeout at the next deployment of the handlers.
 */
export const DEFAULT_TIMEOUT_SECONDS = 50 * 60;
/**
 * How long an import stopped at its deadline is waited on, past the deadline, to be STOPPED and deleted by the handler
 * itself: CloudFormation sends no Delete for a retained copy whose create failed.
 */
export const STOP_GRACE_SECONDS = 4 * 60;
/** How often the provider asks isComplete. */
export const QUERY_INTERVAL_SECONDS = 15;
/**
 * How long the cleanup of what a cancelled request may have made keeps looking after it starts, when it finds nothing
 * (a Delete whose physical id CloudFormation made up, a rollback's leftover): a call the cancelled request sent just
 * before CloudFormation moved on may still land. Every mutating call is one request after its proof (request-guard.ts),
 * which lands within seconds; two polls are ample.
 */
export const SETTLE_SECONDS = 2 * QUERY_INTERVAL_SECONDS;
/**
 * The environment variable of the provider's onEvent function that holds, in seconds, the window over which the
 * stack's imports spread their ImportModel calls (src/handlers/import/import-slot.ts).
 */
export const IMPORT_SPREAD_ENV = 'IMPORT_SPREAD_SECONDS';
/**
 * How many imports a second a stack's spread aims at. Comprehend's TPS quota for ImportModel is not published with a
 * figure; at 2 a second, spread at random, an import finds 5 others in the second before it about one time in twenty.
 */
export const IMPORTS_PER_SECOND = 2;

/** The Comprehend tag limits. */
export const MAX_TAGS = 50;
/** The tags a user may give a copy: the ownership tag takes one of Comprehend's 50. */
export const MAX_USER_TAGS = MAX_TAGS - 1;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
