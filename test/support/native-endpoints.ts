// CloudFormation's own AWS::Comprehend::DocumentClassifierEndpoint and EntityRecognizerEndpoint, for the deploy driver:
// what their resource handlers do, done through Comprehend's API (the emulator's), with the properties of their
// schemas (cfn-lint 1.58.0): EndpointName is create-only, so a new name replaces the endpoint; ModelArn,
// DesiredInferenceUnits and DataAccessRoleArn update it in place. Only what changed in the template is sent.
import {
  ComprehendClient,
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  ResourceNotFoundException,
  UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import type { ProviderHandlers } from './deploy-driver';

const NATIVE_TYPES = ['AWS::Comprehend::DocumentClassifierEndpoint', 'AWS::Comprehend::EntityRecognizerEndpoint'];

/** Whether `type` is one of the native endpoint types. */
export function isNativeEndpoint(type: string): boolean {
  return NATIVE_TYPES.includes(type);
}

/** A client with the credentials and endpoint the driver set, as CloudFormation calls with the deployer's. */
function comprehend(): ComprehendClient {
  return new ComprehendClient({});
}

async function create(props: Record<string, any>): Promise<any> {
  const { EndpointArn } = await comprehend().send(new CreateEndpointCommand({
    EndpointName: props.EndpointName,
    ModelArn: props.ModelArn,
    DesiredInferenceUnits: Number(props.DesiredInferenceUnits),
    DataAccessRoleArn: props.DataAccessRoleArn,
    Tags: props.Tags,
  }));
  return { PhysicalResourceId: EndpointArn };
}

async function onEvent(event: any): Promise<any> {
  const props = event.ResourceProperties;
  const old = event.OldResourceProperties ?? {};
  switch (event.RequestType) {
    case 'Create':
      return create(props);
    case 'Update':
      if (props.EndpointName !== old.EndpointName) {
        return create(props);
      }
      await comprehend().send(new UpdateEndpointCommand({
        EndpointArn: event.PhysicalResourceId,
        DesiredModelArn: props.ModelArn !== old.ModelArn ? props.ModelArn : undefined,
        DesiredInferenceUnits: props.DesiredInferenceUnits !== old.DesiredInferenceUnits ? Number(props.DesiredInferenceUnits) : undefined,
        DesiredDataAccessRoleArn: props.DataAccessRoleArn !== old.DataAccessRoleArn ? props.DataAccessRoleArn : undefined,
      }));
      return { PhysicalResourceId: event.PhysicalResourceId };
    default:
      try {
        await comprehend().send(new DeleteEndpointCommand({ EndpointArn: event.PhysicalResourceId }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) {
          throw error;
        }
      }
      return { PhysicalResourceId: event.PhysicalResourceId };
  }
}

async function isComplete(event: any): Promise<any> {
  let endpoint;
  try {
    endpoint = (await comprehend().send(new DescribeEndpointCommand({ EndpointArn: event.PhysicalResourceId }))).EndpointProperties!;
  } catch (error) {
    if (error instanceof ResourceNotFoundException && event.RequestType === 'Delete') {
      return { IsComplete: true };
    }
    throw error;
  }
  if (event.RequestType === 'Delete') {
    return { IsComplete: false };
  }
  if (endpoint.Status === 'FAILED') {
    throw new Error(`Endpoint ${event.PhysicalResourceId} is FAILED: ${endpoint.Message}`);
  }
  const done = endpoint.Status === 'IN_SERVICE' && endpoint.ModelArn === event.ResourceProperties.ModelArn;
  return done ? { IsComplete: true, Data: { Arn: event.PhysicalResourceId } } : { IsComplete: false };
}

/** The native types' handlers, polled as CloudFormation polls a resource: every 15 seconds, up to an hour. */
export const nativeEndpointHandlers: ProviderHandlers = { onEvent, isComplete, intervalSeconds: 15, maxAttempts: 240 };
