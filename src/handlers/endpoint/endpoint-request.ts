// Handler side: an event of the endpoint resource, read once at the handler's entry into one typed request. The
// properties are checked here, at deploy time, where tokens are resolved, with the words the construct uses at synth.
import type { Tag } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import {
  ENDPOINT_NAME_MAX_LENGTH,
  ENDPOINT_NAME_PATTERN,
  EndpointProperties,
  MAX_INFERENCE_UNITS,
} from '../../contract/endpoint-properties';
import { explainInvalidModelArn, parseModelArn } from '../../contract/model-arn';
import { MODEL_TYPES, ModelType, modelTypeOfEndpointResource } from '../../contract/model-types';
import { locateStack, ownerTag, readUserTags } from '../common/ownership';

/** The event of an endpoint resource, as the Provider framework hands it to onEvent (isComplete adds to it). */
export type EndpointEvent = CdkCustomResourceEvent<EndpointProperties>;

/** One event of an endpoint resource, as the handlers act on it. */
export type EndpointRequest = CreateEndpoint | UpdateEndpoint | DeleteEndpoint;

/** A new endpoint. */
export interface CreateEndpoint {
  readonly requestType: 'Create';
  readonly spec: EndpointSpec;
}

/**
 * New properties for an endpoint: the same endpoint moved, resized or retagged in place, or a new one (a new name); in a
 * rollback, the old properties again.
 */
export interface UpdateEndpoint {
  readonly requestType: 'Update';
  readonly spec: EndpointSpec;
  /** The properties it replaces, or undefined when they do not read: in a rollback they are the ones that just failed. */
  readonly previous?: EndpointSpec;
  readonly physicalResourceId: string;
}

/** An endpoint leaving the stack. Read leniently: a delete must never fail on a property. */
export interface DeleteEndpoint {
  readonly requestType: 'Delete';
  /** The endpoint's ARN, or one CloudFormation made up (it cancelled the Create before the answer). */
  readonly physicalResourceId: string;
  /**
   * The endpoint to delete: the physical id, when it is an endpoint ARN; otherwise the endpoint the cancelled Create
   * would have made, named from the same properties; undefined when they do not read.
   */
  readonly endpointArn?: string;
  /** Whether endpointArn was derived from the properties: what a cancelled Create may have made, or may still make. */
  readonly derived: boolean;
  /** The ownership tag an endpoint of this resource carries: only such an endpoint is deleted. */
  readonly ownerTag: Tag;
}

/** One endpoint, as the handlers act on it. */
export interface EndpointSpec {
  readonly endpointName: string;
  /** The ARN the endpoint has: its name, type, account and Region make it. */
  readonly endpointArn: string;
  readonly modelArn: string;
  readonly modelType: ModelType;
  readonly desiredInferenceUnits: number;
  readonly dataAccessRoleArn?: string;
  /** The user's tags, without the ownership tag. */
  readonly tags: readonly Tag[];
  readonly ownerTag: Tag;
  /** The stack instance (the event's StackId), whose copies the endpoint may serve. */
  readonly stackId: string;
}

/** Reads the event once: everything the handlers need of it, checked. */
export function readEndpointRequest(event: EndpointEvent): EndpointRequest {
  switch (event.RequestType) {
    case 'Create':
      return { requestType: 'Create', spec: readEndpointSpec(event.ResourceProperties, event.StackId, event.LogicalResourceId) };
    case 'Update':
      return {
        requestType: 'Update',
        spec: readEndpointSpec(event.ResourceProperties, event.StackId, event.LogicalResourceId),
        previous: readPreviousSpec(event.OldResourceProperties, event.StackId, event.LogicalResourceId),
        physicalResourceId: event.PhysicalResourceId,
      };
    case 'Delete': {
      const recorded = isEndpointArn(event.PhysicalResourceId);
      return {
        requestType: 'Delete',
        physicalResourceId: event.PhysicalResourceId,
        endpointArn: recorded ? event.PhysicalResourceId
          : readPreviousSpec(event.ResourceProperties, event.StackId, event.LogicalResourceId)?.endpointArn,
        derived: !recorded,
        ownerTag: ownerTag(event.StackId, event.LogicalResourceId),
      };
    }
  }
}

/** Reads and checks the properties of one endpoint. */
export function readEndpointSpec(properties: EndpointProperties, stackId: string, logicalId: string): EndpointSpec {
  const stack = locateStack(stackId);
  const name = properties.EndpointName ?? '';
  if (name.length > ENDPOINT_NAME_MAX_LENGTH || !ENDPOINT_NAME_PATTERN.test(name)) {
    throw new Error(
      `endpointName "${name}" is not a valid endpoint name; expected 1-${ENDPOINT_NAME_MAX_LENGTH} letters, digits and ` +
      'hyphens, starting and ending with a letter or digit',
    );
  }
  const modelArn = properties.ModelArn ?? '';
  const problem = explainInvalidModelArn('model', modelArn);
  if (problem) {
    throw new Error(problem);
  }
  const model = parseModelArn(modelArn)!;
  if (properties.ModelType !== model.modelType) {
    throw new Error(
      `model "${modelArn}" is ${MODEL_TYPES[model.modelType].withArticle}, but the endpoint was defined for ` +
      `${properties.ModelType}; make them agree`,
    );
  }
  if (model.region !== stack.region || model.account !== stack.account) {
    throw new Error(
      `model "${modelArn}" is in account ${model.account} and Region ${model.region}, but this stack deploys to account ` +
      `${stack.account} and Region ${stack.region}; an endpoint serves a model of its own account and Region (import it first)`,
    );
  }
  const units = Number(properties.DesiredInferenceUnits);
  if (!Number.isInteger(units) || units < 1 || units > MAX_INFERENCE_UNITS) {
    throw new Error(
      `desiredInferenceUnits ${properties.DesiredInferenceUnits} is out of range; expected a whole number from 1 to ${MAX_INFERENCE_UNITS}`,
    );
  }
  const tags = readUserTags(properties.Tags, 'endpoints');
  return {
    endpointName: name,
    endpointArn: `arn:${stack.partition}:comprehend:${stack.region}:${stack.account}:${MODEL_TYPES[model.modelType].endpointResource}/${name}`,
    modelArn,
    modelType: model.modelType,
    desiredInferenceUnits: units,
    dataAccessRoleArn: properties.DataAccessRoleArn,
    tags,
    ownerTag: ownerTag(stackId, logicalId),
    stackId,
  };
}

/** Whether `arn` is an endpoint ARN (not the framework's placeholder, nor a physical id CloudFormation made up). */
export function isEndpointArn(arn: string): boolean {
  const resource = arn.split(':')[5]?.split('/')[0];
  return arn.startsWith('arn:') && resource !== undefined && modelTypeOfEndpointResource(resource) !== undefined;
}

/** The spec of properties that may not read (an Update's old ones, a Delete's), or undefined. */
function readPreviousSpec(oldProperties: EndpointProperties, stackId: string, logicalId: string): EndpointSpec | undefined {
  try {
    return readEndpointSpec(oldProperties, stackId, logicalId);
  } catch {
    return undefined;
  }
}

/**
 * The endpoint a failed or cancelled rename left, when `request` (an Update as CloudFormation sends it to onEvent) is the
 * rollback of that rename; undefined otherwise. CloudFormation never learnt the new endpoint's ARN, so its rollback
 * returns to the old endpoint (the physical id matches the properties it restores) and sends the new one no Delete: the
 * rollback itself removes it. A rename that succeeded, rolled back because a sibling failed, is not one: its physical
 * id is the new endpoint, and CloudFormation deletes that in the cleanup.
 */
export function failedRenameOf(request: UpdateEndpoint): string | undefined {
  const { spec, previous, physicalResourceId } = request;
  const isRollbackOfFailedRename = previous !== undefined
    && previous.endpointArn !== spec.endpointArn
    && physicalResourceId === spec.endpointArn;
  return isRollbackOfFailedRename ? previous.endpointArn : undefined;
}
