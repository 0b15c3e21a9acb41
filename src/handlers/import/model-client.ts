// Handler side: the Comprehend calls of the import lifecycle, the same for both model types.
import {
  DeleteDocumentClassifierCommand,
  DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand,
  DescribeEntityRecognizerCommand,
  EndpointStatus,
  ImportModelCommand,
  JobStatus,
  ListDocumentClassificationJobsCommand,
  ListEndpointsCommand,
  ListEntitiesDetectionJobsCommand,
  ModelStatus,
  ResourceNotFoundException,
  StopTrainingDocumentClassifierCommand,
  StopTrainingEntityRecognizerCommand,
  Tag,
} from '@aws-sdk/client-comprehend';
import { EvaluationMetric } from '../../contract/evaluation-metrics';
import { ModelType } from '../../contract/model-types';
import { comprehend } from '../common/comprehend';
import { mutating } from '../common/request-guard';

/** What the lifecycle needs to know of an existing model version. */
export interface ModelDescription {
  readonly arn: string;
  readonly status: ModelStatus | 'UNKNOWN';
  readonly message?: string;
  /** When the import (or training) was submitted. */
  readonly submitTime?: Date;
  readonly sourceModelArn?: string;
  readonly modelKmsKeyId?: string;
  readonly dataAccessRoleArn?: string;
  /** The metrics Comprehend reports for the version's test documents; undefined when it reports none. */
  readonly evaluationMetrics?: EvaluationMetrics;
}

/** Evaluation metrics by botocore's member name; a metric Comprehend does not report is absent. */
export type EvaluationMetrics = { readonly [metric in EvaluationMetric]?: number };

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

/** An asynchronous inference job that uses a model version, as List*Jobs describes it. */
export interface JobUse {
  readonly id?: string;
  readonly arn?: string;
  readonly name?: string;
  readonly status?: JobStatus;
}

/** The fields both model types describe alike. */
interface ModelProperties {
  readonly Status?: ModelStatus;
  readonly Message?: string;
  readonly SubmitTime?: Date;
  readonly SourceModelArn?: string;
  readonly ModelKmsKeyId?: string;
  readonly DataAccessRoleArn?: string;
  /** ClassifierMetadata.EvaluationMetrics, or RecognizerMetadata.EvaluationMetrics. */
  readonly EvaluationMetrics?: { readonly [member in EvaluationMetric]?: number };
}

/** One page of a type's asynchronous jobs in one status, reduced to what tells which model each uses. */
interface JobPage {
  readonly jobs: ReadonlyArray<JobUse & { readonly modelArn?: string }>;
  readonly nextToken?: string;
}

/**
 * The SDK commands of each model type: describe (the properties, or undefined), delete, stop an import, and list the
 * asynchronous jobs in one status (ListDocumentClassificationJobs / ListEntitiesDetectionJobs).
 */
const COMMANDS: {
  readonly [type in ModelType]: {
    describe(arn: string): Promise<ModelProperties | undefined>;
    delete(arn: string): Promise<unknown>;
    stop(arn: string): Promise<unknown>;
    listJobs(status: JobStatus, nextToken: string | undefined): Promise<JobPage>;
  }
} = {
  [ModelType.DOCUMENT_CLASSIFIER]: {
    describe: async arn => {
      const properties = (await comprehend.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn }))).DocumentClassifierProperties;
      return properties && { ...properties, EvaluationMetrics: properties.ClassifierMetadata?.EvaluationMetrics };
    },
    delete: arn => comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })),
    stop: arn => comprehend.send(new StopTrainingDocumentClassifierCommand({ DocumentClassifierArn: arn })),
    listJobs: async (status, nextToken) => {
      const page = await comprehend.send(new ListDocumentClassificationJobsCommand({ Filter: { JobStatus: status }, NextToken: nextToken }));
      return {
        jobs: (page.DocumentClassificationJobPropertiesList ?? []).map(job => ({
          id: job.JobId, arn: job.JobArn, name: job.JobName, status: job.JobStatus, modelArn: job.DocumentClassifierArn,
        })),
        nextToken: page.NextToken,
      };
    },
  },
  [ModelType.ENTITY_RECOGNIZER]: {
    describe: async arn => {
      const properties = (await comprehend.send(new DescribeEntityRecognizerCommand({ EntityRecognizerArn: arn }))).EntityRecognizerProperties;
      return properties && { ...properties, EvaluationMetrics: properties.RecognizerMetadata?.EvaluationMetrics };
    },
    delete: arn => comprehend.send(new DeleteEntityRecognizerCommand({ EntityRecognizerArn: arn })),
    stop: arn => comprehend.send(new StopTrainingEntityRecognizerCommand({ EntityRecognizerArn: arn })),
    listJobs: async (status, nextToken) => {
      const page = await comprehend.send(new ListEntitiesDetectionJobsCommand({ Filter: { JobStatus: status }, NextToken: nextToken }));
      return {
        jobs: (page.EntitiesDetectionJobPropertiesList ?? []).map(job => ({
          id: job.JobId, arn: job.JobArn, name: job.JobName, status: job.JobStatus, modelArn: job.EntityRecognizerArn,
        })),
        nextToken: page.NextToken,
      };
    },
  },
};

/**
 * The job statuses of a job that still holds its model: it was accepted, runs, or is being stopped (JobStatus of
 * botocore's Comprehend model; COMPLETED, FAILED and STOPPED jobs hold nothing).
 */
const ACTIVE_JOB_STATUSES: readonly JobStatus[] = [JobStatus.SUBMITTED, JobStatus.IN_PROGRESS, JobStatus.STOP_REQUESTED];

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
    submitTime: properties?.SubmitTime,
    sourceModelArn: properties?.SourceModelArn,
    modelKmsKeyId: properties?.ModelKmsKeyId,
    dataAccessRoleArn: properties?.DataAccessRoleArn,
    evaluationMetrics: readEvaluationMetrics(properties?.EvaluationMetrics),
  };
}

/** The metrics that are numbers, by botocore's member name; undefined when there is none. */
function readEvaluationMetrics(reported: ModelProperties['EvaluationMetrics']): EvaluationMetrics | undefined {
  const metrics: { [metric in EvaluationMetric]?: number } = {};
  for (const metric of Object.values(EvaluationMetric)) {
    const value = reported?.[metric];
    if (typeof value === 'number' && Number.isFinite(value)) {
      metrics[metric] = value;
    }
  }
  return Object.keys(metrics).length > 0 ? metrics : undefined;
}

/** Starts the import and returns the new model version's ARN. */
export async function importModel(request: ImportModelInput): Promise<string> {
  const response = await mutating(() => comprehend.send(new ImportModelCommand({
    SourceModelArn: request.sourceModelArn,
    ModelName: request.modelName,
    VersionName: request.versionName,
    ModelKmsKeyId: request.modelKmsKeyId,
    DataAccessRoleArn: request.dataAccessRoleArn,
    Tags: [...request.tags],
  })));
  if (!response.ModelArn) {
    throw new Error(`ImportModel of ${request.sourceModelArn} returned no ModelArn`);
  }
  return response.ModelArn;
}

/** Asks Comprehend to delete the model version (asynchronous: it moves to DELETING). */
export async function deleteModel(modelType: ModelType, arn: string): Promise<void> {
  await mutating(() => COMMANDS[modelType].delete(arn));
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

/**
 * Asks Comprehend to stop the import of the model version (StopTrainingDocumentClassifier /
 * StopTrainingEntityRecognizer). botocore: a TRAINING job is put into STOP_REQUESTED, then STOPPED; one that completes
 * first is put into TRAINED.
 */
export async function stopImport(modelType: ModelType, arn: string): Promise<void> {
  await mutating(() => COMMANDS[modelType].stop(arn));
}

/**
 * The asynchronous inference jobs that use the model version and still hold it. botocore's List*Jobs filters take "only
 * one filter at a time" and none by model, so each active status is listed on its own, every page, and the jobs are
 * matched on their model's ARN here.
 */
export async function activeJobsOf(modelType: ModelType, modelArn: string): Promise<JobUse[]> {
  // By job: one that changes status between two listings (IN_PROGRESS, then STOP_REQUESTED) is named once.
  const jobs = new Map<string, JobUse>();
  for (const status of ACTIVE_JOB_STATUSES) {
    let nextToken: string | undefined;
    do {
      const page = await COMMANDS[modelType].listJobs(status, nextToken);
      for (const { modelArn: usedModel, ...job } of page.jobs) {
        if (usedModel === modelArn) {
          jobs.set(job.arn ?? job.id ?? String(jobs.size), job);
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return [...jobs.values()];
}
