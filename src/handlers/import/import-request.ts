// Handler side: an event of the import resource, read once at the handler's entry into one typed request. The
// properties are checked and completed here, at deploy time, where tokens are resolved.
import { createHash } from 'crypto';
import type { Tag } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { QualityGate, readQualityGate } from './quality-gate';
import {
  DATA_FAILED_REPLACEMENT,
  DATA_NEW_COPY,
  DATA_REPLACED_COPY,
  DEFAULT_TIMEOUT_SECONDS,
  ImportProperties,
  MAX_TIMEOUT_SECONDS,
} from '../../contract/import-properties';
import {
  explainInvalidModelArn,
  explainInvalidName,
  explainSourceRegion,
  formatModelArn,
  ModelArnParts,
  parseModelArn,
} from '../../contract/model-arn';
import { MODEL_TYPES, ModelType } from '../../contract/model-types';
import { EventData } from '../common/event-data';
import { locateStack, ownerTag, readUserTags } from '../common/ownership';

/** The event of an import resource, as the Provider framework hands it to onEvent (isComplete adds to it). */
export type ImportEvent = CdkCustomResourceEvent<ImportProperties>;

/**
 * What onEvent tells isComplete about an import: its deadline; whether this event imports a new copy (which the quality
 * gate judges); for a replacement with `noWorseThanReplaced`, the copy it replaces; and in the rollback of a failed
 * replacement, the copy that replacement left. The last two are physical ids of the Update as CloudFormation sent it,
 * which isComplete's event no longer carries: the framework gives it the physical id onEvent answered.
 */
export type ImportEventData = EventData & {
  readonly [DATA_NEW_COPY]?: string;
  readonly [DATA_REPLACED_COPY]?: string;
  readonly [DATA_FAILED_REPLACEMENT]?: string;
};

/** One event of an import resource, as the handlers act on it. */
export type ImportRequest = CreateImport | UpdateImport | DeleteImport;

/** A new copy. */
export interface CreateImport {
  readonly requestType: 'Create';
  readonly spec: ImportSpec;
  /** In isComplete: the ARN onEvent answered. */
  readonly physicalResourceId?: string;
}

/** New properties for a copy: new tags on the same copy, or a new copy. */
export interface UpdateImport {
  readonly requestType: 'Update';
  readonly spec: ImportSpec;
  /** The properties it replaces, or undefined when they do not read: in a rollback they are the ones that just failed. */
  readonly previous?: ImportSpec;
  readonly physicalResourceId: string;
}

/**
 * A copy leaving the stack. Read leniently: a delete must never fail on a property. Whatever the construct's
 * removalPolicy, a Delete that arrives deletes: CloudFormation's DeletionPolicy decides whether it is sent.
 */
export interface DeleteImport {
  readonly requestType: 'Delete';
  readonly physicalResourceId: string;
  /**
   * The copy to delete: the physical id, when it is a model ARN. Otherwise CloudFormation made the physical id up (it
   * cancelled the Create before the answer, when another resource failed): the copy the Create would have made, named
   * from the same properties; undefined when they do not read.
   */
  readonly copyArn?: string;
  /** The copy's type; undefined with copyArn. */
  readonly modelType?: ModelType;
  /** Whether copyArn was derived from the properties: what a cancelled Create may have made, or may still make. */
  readonly derived: boolean;
  /** The ownership tag a copy of this resource carries: only such a copy is deleted. */
  readonly ownerTag: Tag;
}

/** Reads the event once: everything the handlers need of it, checked. */
export function readImportRequest(event: ImportEvent & { readonly PhysicalResourceId?: string }): ImportRequest {
  switch (event.RequestType) {
    case 'Create':
      return {
        requestType: 'Create',
        spec: readImportSpec(event.ResourceProperties, event.StackId, event.LogicalResourceId),
        physicalResourceId: event.PhysicalResourceId,
      };
    case 'Update':
      return {
        requestType: 'Update',
        spec: readImportSpec(event.ResourceProperties, event.StackId, event.LogicalResourceId),
        previous: readPreviousSpec(event.OldResourceProperties, event.StackId, event.LogicalResourceId),
        physicalResourceId: event.PhysicalResourceId,
      };
    case 'Delete': {
      const recorded = parseModelArn(event.PhysicalResourceId);
      const wouldMake = recorded ? undefined : readPreviousSpec(event.ResourceProperties, event.StackId, event.LogicalResourceId);
      return {
        requestType: 'Delete',
        physicalResourceId: event.PhysicalResourceId,
        copyArn: recorded ? event.PhysicalResourceId : wouldMake?.targetArn,
        modelType: recorded?.modelType ?? wouldMake?.source.modelType,
        derived: !recorded,
        ownerTag: ownerTag(event.StackId, event.LogicalResourceId),
      };
    }
  }
}

/** One import, as the handlers act on it. */
export interface ImportSpec {
  readonly sourceModelArn: string;
  readonly source: ModelArnParts;
  readonly modelName: string;
  readonly versionName: string;
  /** The account the copy is imported into: the stack's. */
  readonly account: string;
  /** The ARN the copy gets: names are always given, so Comprehend's answer is predictable. */
  readonly targetArn: string;
  readonly modelKmsKeyId?: string;
  readonly dataAccessRoleArn?: string;
  /** The user's tags, without the ownership tag. */
  readonly tags: readonly Tag[];
  /** The ownership tag: this stack instance and logical resource. */
  readonly ownerTag: Tag;
  readonly timeoutSeconds: number;
  /** The bounds a new copy must meet before it may serve; undefined without a gate. */
  readonly qualityGate?: QualityGate;
}

/**
 * Reads and checks the properties of one import. Everything the construct could not check at synth time
 * (because it was a token) is checked here, with the same words.
 */
export function readImportSpec(properties: ImportProperties, stackId: string, logicalId: string): ImportSpec {
  const stack = locateStack(stackId);
  const sourceModelArn = properties.SourceModelArn;
  const problem = explainInvalidModelArn('sourceModelArn', sourceModelArn ?? '');
  if (problem) {
    throw new Error(problem);
  }
  const source = parseModelArn(sourceModelArn)!;
  if (properties.ModelType && properties.ModelType !== source.modelType) {
    throw new Error(
      `sourceModelArn "${sourceModelArn}" is ${MODEL_TYPES[source.modelType].withArticle}, but modelType says ${properties.ModelType}; ` +
      'make them agree',
    );
  }
  const regionProblem = explainSourceRegion(sourceModelArn, source.region, stack.region);
  if (regionProblem) {
    throw new Error(regionProblem);
  }
  for (const [prop, value] of [['modelName', properties.ModelName], ['versionName', properties.VersionName]] as const) {
    const nameProblem = value === undefined ? undefined : explainInvalidName(prop, value);
    if (nameProblem) {
      throw new Error(nameProblem);
    }
  }
  const tags = readUserTags(properties.Tags, 'copies');
  const timeoutSeconds = Number(properties.TimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new Error(`timeout "${properties.TimeoutSeconds}" seconds is out of range; expected 1 to ${MAX_TIMEOUT_SECONDS} seconds`);
  }

  const modelName = properties.ModelName ?? source.modelName;
  const versionName = properties.VersionName ?? defaultVersionName(stackId, logicalId, {
    sourceModelArn,
    modelName,
    modelKmsKeyId: properties.ModelKmsKeyId,
    dataAccessRoleArn: properties.DataAccessRoleArn,
  });
  return {
    sourceModelArn,
    source,
    modelName,
    versionName,
    account: stack.account,
    targetArn: formatModelArn({ ...stack, modelType: source.modelType, modelName, versionName }),
    modelKmsKeyId: properties.ModelKmsKeyId,
    dataAccessRoleArn: properties.DataAccessRoleArn,
    tags,
    ownerTag: ownerTag(stackId, logicalId),
    timeoutSeconds,
    qualityGate: readQualityGate(properties.QualityGate, source.modelType),
  };
}

/**
 * The spec of properties that may not read, or undefined: those an Update replaces (in a rollback, the ones that just
 * failed, and the rollback must still go through), or those of a Delete.
 */
function readPreviousSpec(oldProperties: ImportProperties, stackId: string, logicalId: string): ImportSpec | undefined {
  try {
    return readImportSpec(oldProperties, stackId, logicalId);
  } catch {
    return undefined;
  }
}

/** Whether the imports are the same copy: what differs otherwise needs a new copy. */
export function sameCopy(a: ImportSpec, b: ImportSpec): boolean {
  return a.targetArn === b.targetArn
    && a.sourceModelArn === b.sourceModelArn
    && sameKey(a.modelKmsKeyId, b.modelKmsKeyId)
    && a.dataAccessRoleArn === b.dataAccessRoleArn;
}

/**
 * The copy a failed replacement left, when `request` (an Update as CloudFormation sends it to onEvent) is the rollback of
 * that replacement; undefined otherwise. Only for onEvent: in isComplete the physical id is the one onEvent answered.
 * CloudFormation never records the physical id of a replacement whose update failed, so its rollback returns to the
 * old copy (the physical id matches the properties it restores, not the failed ones it leaves) and sends the new copy
 * no Delete: the rollback itself removes it. A successful replacement rolled back because a sibling failed is not one:
 * its physical id is the new copy, and CloudFormation deletes that in the cleanup.
 */
export function failedReplacementOf(request: UpdateImport): string | undefined {
  const { spec, previous, physicalResourceId } = request;
  const isRollbackOfFailedReplacement = previous !== undefined
    && !sameCopy(previous, spec)
    && physicalResourceId === spec.targetArn
    && previous.targetArn !== physicalResourceId;
  return isRollbackOfFailedReplacement ? previous.targetArn : undefined;
}

/** Whether two KMS key references (ID or ARN) name the same key. */
export function sameKey(a: string | undefined, b: string | undefined): boolean {
  const keyId = (ref: string | undefined) => ref?.split('/').pop();
  return keyId(a) === keyId(b);
}

/**
 * A version name unique to this stack instance and resource, and to the inputs that need a new copy, so a
 * retried create finds its own copy, two stacks never share one, and a replacement never collides with the
 * copy it replaces.
 */
function defaultVersionName(stackId: string, logicalId: string, inputs: Record<string, string | undefined>): string {
  const hash = createHash('sha256').update(JSON.stringify([stackId, logicalId, inputs])).digest('hex');
  // Logical ids are alphanumeric, so the name always matches Comprehend's pattern.
  return `${logicalId.slice(0, 40)}-${hash.slice(0, 16)}`;
}
