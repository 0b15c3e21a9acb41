// The two kinds of Comprehend custom model, and everything that differs between them, in one table for both
// runtimes. The SDK commands of each type are in src/handlers/import/model-client.ts, which reads this table's keys.

/**
 * The kind of Amazon Comprehend custom model.
 *
 * The value is the resource type that appears in the model's ARN.
 */
export enum ModelType {
  /** A custom document classifier (`arn:…:document-classifier/NAME/version/VERSION`). */
  DOCUMENT_CLASSIFIER = 'document-classifier',
  /** A custom entity recognizer (`arn:…:entity-recognizer/NAME/version/VERSION`). */
  ENTITY_RECOGNIZER = 'entity-recognizer',
}

/** What differs between the two model types: names in ARNs, IAM actions, and how messages name them. */
export interface ModelTypeFacts {
  /** The type with its article, for messages: "a document-classifier". */
  readonly withArticle: string;
  /** The resource type in an endpoint's ARN (`arn:…:document-classifier-endpoint/NAME`). */
  readonly endpointResource: string;
  /** The resource type in an asynchronous job's ARN. */
  readonly jobResource: string;
  /** The action that describes a model version. */
  readonly describeAction: string;
  /** The action that deletes a model version. */
  readonly deleteAction: string;
  /** The action that stops an import (or training) in progress. */
  readonly stopAction: string;
  /** The action that lists the asynchronous jobs of the type (a job that uses a model keeps it from being deleted). */
  readonly listJobsAction: string;
  /** The action that starts an asynchronous job with the model. */
  readonly startJobAction: string;
  /** The action that stops such a job. */
  readonly stopJobAction: string;
  /** The action that runs real-time inference on an endpoint of the model. */
  readonly inferenceAction: string;
  /** The endpoint's type-specific grant, for messages. */
  readonly inferenceGrant: string;
}

/** The facts of each model type (IAM action names from the Service Authorization Reference for Comprehend). */
export const MODEL_TYPES: { readonly [type in ModelType]: ModelTypeFacts } = {
  [ModelType.DOCUMENT_CLASSIFIER]: {
    withArticle: 'a document-classifier',
    endpointResource: 'document-classifier-endpoint',
    jobResource: 'document-classification-job',
    describeAction: 'comprehend:DescribeDocumentClassifier',
    deleteAction: 'comprehend:DeleteDocumentClassifier',
    stopAction: 'comprehend:StopTrainingDocumentClassifier',
    listJobsAction: 'comprehend:ListDocumentClassificationJobs',
    startJobAction: 'comprehend:StartDocumentClassificationJob',
    stopJobAction: 'comprehend:StopDocumentClassificationJob',
    inferenceAction: 'comprehend:ClassifyDocument',
    inferenceGrant: 'grantClassify()',
  },
  [ModelType.ENTITY_RECOGNIZER]: {
    withArticle: 'an entity-recognizer',
    endpointResource: 'entity-recognizer-endpoint',
    jobResource: 'entities-detection-job',
    describeAction: 'comprehend:DescribeEntityRecognizer',
    deleteAction: 'comprehend:DeleteEntityRecognizer',
    stopAction: 'comprehend:StopTrainingEntityRecognizer',
    listJobsAction: 'comprehend:ListEntitiesDetectionJobs',
    startJobAction: 'comprehend:StartEntitiesDetectionJob',
    stopJobAction: 'comprehend:StopEntitiesDetectionJob',
    inferenceAction: 'comprehend:DetectEntities',
    inferenceGrant: 'grantDetectEntities()',
  },
};

/** The model type whose endpoints have `resource` in their ARN, or undefined. */
export function modelTypeOfEndpointResource(resource: string): ModelType | undefined {
  return Object.values(ModelType).find(type => MODEL_TYPES[type].endpointResource === resource);
}
