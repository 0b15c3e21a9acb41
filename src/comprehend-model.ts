import { IResource, Resource, ResourceProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { MODEL_TYPES, ModelType } from './contract/model-types';
// A value import one way (a model creates its endpoints) and a type-only import the other way (an endpoint's props
// name its model): the circle exists only for the type checker, not at run time.
import { ModelEndpoint, ModelEndpointOptions } from './model-endpoint';

/**
 * An Amazon Comprehend custom model version: one imported by this library, or one referenced by its ARN.
 */
export interface IComprehendModel extends IResource {
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

  /**
   * The name of the model version; undefined for a model trained without one, or when the ARN is a token and no
   * version name was given.
   * @attribute
   */
  readonly versionName?: string;

  /** Whether the model is a document classifier or an entity recognizer. */
  readonly modelType: ModelType;

  /**
   * The customer managed KMS key that encrypts the model; undefined for an AWS owned key (or when not given for a
   * model referenced by ARN). An endpoint of the model gets a data access role that can read it.
   */
  readonly modelKey?: kms.IKey;

  /** Serves the model for real-time inference: an endpoint of the model's type. */
  addEndpoint(id: string, options?: ModelEndpointOptions): ModelEndpoint;

  /** Lets `grantee` perform `actions` on the model version. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

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
 * What every Comprehend model version offers, whether imported here or referenced by ARN: the base of
 * `ImportedComprehendModel` and of what its `from*()` methods return.
 */
export abstract class ComprehendModelBase extends Resource implements IComprehendModel {
  public abstract readonly modelArn: string;
  public abstract readonly modelName: string;
  public abstract readonly versionName?: string;
  public abstract readonly modelType: ModelType;
  public abstract readonly modelKey?: kms.IKey;

  /**
   * @param scope the construct's scope
   * @param id the construct's id
   * @param props `environmentFromArn` for a model referenced by ARN; nothing for one of this stack
   */
  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

  public addEndpoint(id: string, options: ModelEndpointOptions = {}): ModelEndpoint {
    return new ModelEndpoint(this, id, { ...options, model: this });
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.modelArn] });
  }

  public grantStartJobs(grantee: iam.IGrantable): iam.Grant {
    const { startJobAction, jobResource } = MODEL_TYPES[this.modelType];
    // The job's ARN is created by the call, so the job resource is this account's jobs of that kind.
    const jobs = this.stack.formatArn({ service: 'comprehend', resource: jobResource, resourceName: '*' });
    return iam.Grant.addToPrincipal({ grantee, actions: [startJobAction], resourceArns: [this.modelArn, jobs] });
  }

  public grantDescribe(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, MODEL_TYPES[this.modelType].describeAction);
  }
}
