// Handler side: the custom-resources Provider framework's contract with our handlers.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ImportProperties } from '../shared/import-properties';

/** What onEvent returns to the framework. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The event isComplete receives: the CloudFormation event with what onEvent returned. */
export type IsCompleteEvent = CloudFormationCustomResourceEvent & {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
};

/** What isComplete returns to the framework. Data is allowed only once complete. */
export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** The import's properties as CloudFormation sent them. */
export function importProperties(properties: CloudFormationCustomResourceEvent['ResourceProperties']): ImportProperties {
  return properties as unknown as ImportProperties;
}
