// CloudFormation events as the custom-resources Provider framework hands them to our handlers.
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { ImportProperties } from '../../src/shared/import-properties';

export const STACK_ID = 'arn:aws:cloudformation:us-west-2:444455556666:stack/Importer/0f1e2d3c-aaaa-bbbb-cccc-111122223333';
export const SOURCE_CLASSIFIER = 'arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1';
export const SOURCE_RECOGNIZER = 'arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/products/version/v3';
/** The marker the framework gives a create that failed before onEvent returned a physical id. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

export function properties(overrides: Partial<ImportProperties> = {}): ImportProperties {
  return {
    SourceModelArn: SOURCE_CLASSIFIER,
    ModelType: 'document-classifier',
    RemovalPolicy: 'destroy',
    TimeoutSeconds: '3000',
    ...overrides,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:us-west-2:444455556666:function:framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: STACK_ID,
  RequestId: 'request-1',
  LogicalResourceId: 'Classifier1234ABCD',
  ResourceType: 'Custom::ComprehendImportedModel',
};

function resourceProperties(props: ImportProperties) {
  return { ServiceToken: common.ServiceToken, ...props } as CloudFormationCustomResourceCreateEvent['ResourceProperties'];
}

export function createEvent(props: ImportProperties = properties()): CloudFormationCustomResourceCreateEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: resourceProperties(props) };
}

export function updateEvent(
  physicalResourceId: string,
  props: ImportProperties,
  oldProps: ImportProperties,
): CloudFormationCustomResourceUpdateEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: resourceProperties(props),
    OldResourceProperties: resourceProperties(oldProps),
  };
}

export function deleteEvent(physicalResourceId: string, props: ImportProperties = properties()): CloudFormationCustomResourceDeleteEvent {
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalResourceId, ResourceProperties: resourceProperties(props) };
}

/** The isComplete event: the CloudFormation event with onEvent's answer merged in, as the framework does. */
export function waiterEvent<E extends { RequestType: string }>(
  event: E,
  onEventResult: { PhysicalResourceId: string; Data?: Record<string, string> },
) {
  return { ...event, ...onEventResult } as E & { PhysicalResourceId: string; Data?: Record<string, string> };
}
