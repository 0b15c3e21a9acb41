import { IResource, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ModelEndpoint, ModelEndpointOptions } from './model-endpoint';
import { ModelType } from './shared/model-arn';

/**
 * An Amazon Comprehend custom model version in this account, such as one imported from another account.
 */
export interface IImportedComprehendModel extends IResource {
  /**
   * The ARN of the model version.
   * @attribute
   */
  readonly modelArn: string;

  /**
   * The name of the model.
   * @attribute
   */
  readonly modelName: string;

  /** Whether the model is a document classifier or an entity recognizer. */
  readonly modelType: ModelType;

  /** Serves the model for real-time inference: an endpoint of the model's type. */
  addEndpoint(id: string, options?: ModelEndpointOptions): ModelEndpoint;

  /**
   * Lets `grantee` start asynchronous jobs with the model: `comprehend:StartDocumentClassificationJob` for a
   * classifier, `comprehend:StartEntitiesDetectionJob` for a recognizer, on the model and on this account's jobs
   * of that kind. Passing the job's data access role to Comprehend is granted on that role.
   */
  grantStartJobs(grantee: iam.IGrantable): iam.Grant;

  /** Lets `grantee` describe the model (`comprehend:DescribeDocumentClassifier` or `DescribeEntityRecognizer`). */
  grantDescribe(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What every Comprehend model version offers, whether imported here or referenced by ARN.
 */
export abstract class ComprehendModelBase extends Resource implements IImportedComprehendModel {
  public abstract readonly modelArn: string;
  public abstract readonly modelName: string;
  public abstract readonly modelType: ModelType;

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  public addEndpoint(id: string, options: ModelEndpointOptions = {}): ModelEndpoint {
    return new ModelEndpoint(this, id, { ...options, model: this });
  }

  public grantStartJobs(grantee: iam.IGrantable): iam.Grant {
    const classifier = this.modelType === ModelType.DOCUMENT_CLASSIFIER;
    // The job's ARN is created by the call, so the job resource is this account's jobs of that kind.
    const jobs = Stack.of(this).formatArn({
      service: 'comprehend',
      resource: classifier ? 'document-classification-job' : 'entities-detection-job',
      resourceName: '*',
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [classifier ? 'comprehend:StartDocumentClassificationJob' : 'comprehend:StartEntitiesDetectionJob'],
      resourceArns: [this.modelArn, jobs],
    });
  }

  public grantDescribe(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [this.modelType === ModelType.DOCUMENT_CLASSIFIER ? 'comprehend:DescribeDocumentClassifier' : 'comprehend:DescribeEntityRecognizer'],
      resourceArns: [this.modelArn],
    });
  }
}
