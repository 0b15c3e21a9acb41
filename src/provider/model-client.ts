// Handler side: the Comprehend calls of the import lifecycle, the same for both model types.
import {
  ComprehendClient,
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  ImportModelCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-comprehend';
import { ModelType } from '../shared/model-arn';

/** What the lifecycle needs to know of an existing model version. */
export interface ModelDescription {
  readonly arn: string;
  readonly status: string;
  readonly message?: string;
  readonly sourceModelArn?: string;
  readonly modelKmsKeyId?: string;
  readonly dataAccessRoleArn?: string;
}

/** What ImportModel is called with. */
export interface ImportRequest {
  readonly sourceModelArn: string;
  readonly modelName: string;
  readonly versionName: string;
  readonly modelKmsKeyId?: string;
  readonly dataAccessRoleArn?: string;
  readonly tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
}

// The SDK retries throttling and 5xx with exponential backoff and jitter; give it room to, since one
// provider serves every model of a stack and they all start at once.
const client = new ComprehendClient({ maxAttempts: 8 });

/** The model version, or undefined when Comprehend does not know it. */
export async function describeModel(modelType: ModelType, arn: string): Promise<ModelDescription | undefined> {
  try {
    if (modelType === ModelType.DOCUMENT_CLASSIFIER) {
      const { DocumentClassifierProperties: p } = await client.send(
        new DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn }),
      );
      return toDescription(p?.DocumentClassifierArn ?? arn, p);
    }
    const { EntityRecognizerProperties: p } = await client.send(
      new DescribeEntityRecognizerCommand({ EntityRecognizerArn: arn }),
    );
    return toDescription(p?.EntityRecognizerArn ?? arn, p);
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) {
      return undefined;
    }
    throw error;
  }
}

/** The fields both model types describe alike. */
interface ModelProperties {
  readonly Status?: string;
  readonly Message?: string;
  readonly SourceModelArn?: string;
  readonly ModelKmsKeyId?: string;
  readonly DataAccessRoleArn?: string;
}

function toDescription(arn: string, p: ModelProperties | undefined): ModelDescription {
  return {
    arn,
    status: p?.Status ?? 'UNKNOWN',
    message: p?.Message,
    sourceModelArn: p?.SourceModelArn,
    modelKmsKeyId: p?.ModelKmsKeyId,
    dataAccessRoleArn: p?.DataAccessRoleArn,
  };
}

/** Starts the import and returns the new model version's ARN. */
export async function importModel(request: ImportRequest): Promise<string> {
  const response = await client.send(
    new ImportModelCommand({
      SourceModelArn: request.sourceModelArn,
      ModelName: request.modelName,
      VersionName: request.versionName,
      ModelKmsKeyId: request.modelKmsKeyId,
      DataAccessRoleArn: request.dataAccessRoleArn,
      Tags: request.tags.length > 0 ? request.tags.map(t => ({ Key: t.Key, Value: t.Value })) : undefined,
    }),
  );
  if (!response.ModelArn) {
    throw new Error(`ImportModel of ${request.sourceModelArn} returned no ModelArn`);
  }
  return response.ModelArn;
}

/** Asks Comprehend to delete the model version (asynchronous: it moves to DELETING). */
export async function deleteModel(modelType: ModelType, arn: string): Promise<void> {
  if (modelType === ModelType.DOCUMENT_CLASSIFIER) {
    await client.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn }));
  } else {
    await client.send(new DeleteEntityRecognizerCommand({ EntityRecognizerArn: arn }));
  }
}

/** Adds or overwrites the given tags. */
export async function tagModel(arn: string, tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>) {
  await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags.map(t => ({ Key: t.Key, Value: t.Value })) }));
}

/** Removes the tags with the given keys. */
export async function untagModel(arn: string, keys: string[]) {
  await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: keys }));
}

/** Whether `error` is the Comprehend error called `name`. */
export function isError(error: unknown, name: string): boolean {
  return (error as { name?: string } | undefined)?.name === name;
}

/**
 * Whether `error` is passing: throttling or a server-side fault that outlived the SDK's own retries.
 * The lifecycle asks again at the next poll instead of failing the deployment.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
  if (!e) {
    return false;
  }
  return e.name === 'TooManyRequestsException'
    || e.name === 'ThrottlingException'
    || e.name === 'InternalServerException'
    || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** Comprehend's own words for an error: its name and message. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}
