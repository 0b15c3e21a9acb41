// Handler side: the Comprehend calls of the endpoint lifecycle (one set of operations for both endpoint types).
import {
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  EndpointStatus,
  ResourceNotFoundException,
  Tag,
  UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import { comprehend } from '../common/comprehend';
import { mutating } from '../common/request-guard';

/** What the lifecycle needs to know of an existing endpoint (DescribeEndpoint's EndpointProperties). */
export interface EndpointDescription {
  readonly arn: string;
  readonly status: EndpointStatus | 'UNKNOWN';
  readonly message?: string;
  /** The model it serves now. */
  readonly modelArn?: string;
  /** The model it serves once an update in progress is done. */
  readonly desiredModelArn?: string;
  readonly desiredInferenceUnits?: number;
  readonly dataAccessRoleArn?: string;
  readonly desiredDataAccessRoleArn?: string;
}

/** What CreateEndpoint is called with. */
export interface CreateEndpointInput {
  readonly endpointName: string;
  readonly modelArn: string;
  readonly desiredInferenceUnits: number;
  readonly dataAccessRoleArn?: string;
  /** Every tag of the endpoint, the ownership tag among them. */
  readonly tags: readonly Tag[];
}

/** The changes UpdateEndpoint is called with; only what differs is sent. */
export interface EndpointChanges {
  readonly desiredModelArn?: string;
  readonly desiredInferenceUnits?: number;
  readonly desiredDataAccessRoleArn?: string;
}

/** Starts creating the endpoint and returns its ARN. */
export async function createEndpoint(input: CreateEndpointInput): Promise<string> {
  const response = await mutating(() => comprehend.send(new CreateEndpointCommand({
    EndpointName: input.endpointName,
    ModelArn: input.modelArn,
    DesiredInferenceUnits: input.desiredInferenceUnits,
    DataAccessRoleArn: input.dataAccessRoleArn,
    Tags: [...input.tags],
  })));
  if (!response.EndpointArn) {
    throw new Error(`CreateEndpoint of ${input.endpointName} returned no EndpointArn`);
  }
  return response.EndpointArn;
}

/** The endpoint, or undefined when Comprehend does not know it. */
export async function describeEndpoint(arn: string): Promise<EndpointDescription | undefined> {
  try {
    const { EndpointProperties: endpoint } = await comprehend.send(new DescribeEndpointCommand({ EndpointArn: arn }));
    return {
      arn,
      status: endpoint?.Status ?? 'UNKNOWN',
      message: endpoint?.Message,
      modelArn: endpoint?.ModelArn,
      desiredModelArn: endpoint?.DesiredModelArn,
      desiredInferenceUnits: endpoint?.DesiredInferenceUnits,
      dataAccessRoleArn: endpoint?.DataAccessRoleArn,
      desiredDataAccessRoleArn: endpoint?.DesiredDataAccessRoleArn,
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return undefined;
    }
    throw error;
  }
}

/** Starts moving, resizing or re-roling the endpoint in place (it turns UPDATING, and keeps serving meanwhile). */
export async function updateEndpoint(arn: string, changes: EndpointChanges): Promise<void> {
  await mutating(() => comprehend.send(new UpdateEndpointCommand({
    EndpointArn: arn,
    DesiredModelArn: changes.desiredModelArn,
    DesiredInferenceUnits: changes.desiredInferenceUnits,
    DesiredDataAccessRoleArn: changes.desiredDataAccessRoleArn,
  })));
}

/** Asks Comprehend to delete the endpoint (asynchronous: it turns DELETING). */
export async function deleteEndpoint(arn: string): Promise<void> {
  await mutating(() => comprehend.send(new DeleteEndpointCommand({ EndpointArn: arn })));
}
