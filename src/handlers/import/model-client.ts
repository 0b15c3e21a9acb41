// Handler side: the Comprehend calls of the import lifecycle, the same for both model types.
import {
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  EndpointStatus,
  ImportModelCommand,
  ListEndpointsCommand,
  ModelStatus,
  ResourceNotFoundException,
  Tag,
} from '@aws-sdk/client-comprehend';
import { ModelType } from '../../contract/model-types';
import { comprehend } from '../common/comprehend';

/** What the lifecycle needs to know of an existing model version. */
export interface ModelDescription {
  readonly arn: string;
  readonly status: ModelStatus | 'UNKNOWN';
  readonly message?: string;
  readonly sourceModelArn?: string;
  readonly modelKmsKeyId?: string;
  readonly dataAccessRoleArn?: string;
}

/** What ImportModel is called with. */
export interface ImportModelInput {
  readonly sourceModelArn: string;
  readonly modelName: string;
  readonly versionName: string;
  readonly modelKmsKeyId?: string;
  readonly dataAccessRoleArn?: string;
  /** Every tag of the copy, the ownership tag among them. */
  readonly tags: readonly Tag[];
}

/** An endpoint attached to a model version, as ListEndpoints describes it. */
export interface EndpointUse {
  readonly arn: string;
  readonly status?: EndpointStatus;
  /** The model it serves once an update in progress is done. */
  readonly desiredModelArn?: string;
}

/** The fields both model types describe alike. */
interface ModelProperties {
  readonly Status?: ModelStatus;
  readonly Message?: string;
  readonly SourceModelArn?: string;
  readonly ModelKmsKeyId?: string;
  readonly DataAccessRoleArn?: string;
}

/** The SDK commands of each model type: describe (the properties, or undefined) and delete. */
const COMMANDS: {
  readonly [type in ModelType]: {
    describe(arn: string): Promise<ModelProperties | undefined>;
    delete(arn: string): Promise<unknown>;
  }
} = {
  [ModelType.DOCUMENT_CLASSIFIER]: {
    describe: async arn => (await comprehend.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn })))
      .DocumentClassifierProperties,
    delete: arn => comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })),
  },
  [ModelType.ENTITY_RECOGNIZER]: {
    describe: async arn => (await comprehend.send(new DescribeEntityRecognizerCommand({ EntityRecognizerArn: arn })))
      .EntityRecognizerProperties,
    delete: arn => comprehend.send(new DeleteEntityRecognizerCommand({ EntityRecognizerArn: arn })),
  },
};

/** The model version, or undefined when Comprehend does not know it. */
export async function describeModel(modelType: ModelType, arn: string): Promise<ModelDescription | undefined> {
  let properties: ModelProperties | undefined;
  try {
    properties = await COMMANDS[modelType].describe(arn);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return undefined;
    }
    throw error;
  }
  return {
    arn,
    status: properties?.Status ?? 'UNKNOWN',
    message: properties?.Message,
    sourceModelArn: properties?.SourceModelArn,
    modelKmsKeyId: properties?.ModelKmsKeyId,
    dataAccessRoleArn: properties?.DataAccessRoleArn,
  };
}

/** Starts the import and returns the new model version's ARN. */
export async function importModel(request: ImportModelInput): Promise<string> {
  const response = await comprehend.send(new ImportModelCommand({
    SourceModelArn: request.sourceModelArn,
    ModelName: request.modelName,
    VersionName: request.versionName,
    ModelKmsKeyId: request.modelKmsKeyId,
    DataAccessRoleArn: request.dataAccessRoleArn,
    Tags: [...request.tags],
  }));
  if (!response.ModelArn) {
    throw new Error(`ImportModel of ${request.sourceModelArn} returned no ModelArn`);
  }
  return response.ModelArn;
}

/** Asks Comprehend to delete the model version (asynchronous: it moves to DELETING). */
export async function deleteModel(modelType: ModelType, arn: string): Promise<void> {
  await COMMANDS[modelType].delete(arn);
}

/** The endpoints attached to the model version (ListEndpoints, filtered by ModelArn, every page). */
export async function endpointsOf(modelArn: string): Promise<EndpointUse[]> {
  const endpoints: EndpointUse[] = [];
  let nextToken: string | undefined;
  do {
    const page = await comprehend.send(new ListEndpointsCommand({ Filter: { ModelArn: modelArn }, NextToken: nextToken }));
    for (const endpoint of page.EndpointPropertiesList ?? []) {
      endpoints.push({ arn: endpoint.EndpointArn!, status: endpoint.Status, desiredModelArn: endpoint.DesiredModelArn });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return endpoints;
}
