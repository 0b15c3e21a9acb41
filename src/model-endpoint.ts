import { IResource, Names, Resource, Token, Validations } from 'aws-cdk-lib';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IImportedComprehendModel } from './comprehend-model-base';
import { invalidProp } from './errors';
import { ModelType } from './shared/model-arn';

/** Comprehend's limit of inference units per endpoint (each serves 100 characters a second). */
const MAX_INFERENCE_UNITS = 10;
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const ENDPOINT_NAME_MAX_LENGTH = 40;

/**
 * Options of an endpoint, for `addEndpoint()`.
 */
export interface ModelEndpointOptions {
  /**
   * Inference units (each serves 100 characters a second): 1 to 10, Comprehend's limit per endpoint.
   *
   * @default 1
   */
  readonly desiredInferenceUnits?: number;

  /**
   * The endpoint's name: 1-40 letters, digits and hyphens, starting and ending with a letter or digit.
   *
   * @default - a name unique to the construct
   */
  readonly endpointName?: string;

  /**
   * Tags of the endpoint. `Tags.of(scope).add()` reaches it too.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/**
 * Properties of a ModelEndpoint.
 */
export interface ModelEndpointProps extends ModelEndpointOptions {
  /** The model version the endpoint serves. */
  readonly model: IImportedComprehendModel;
}

/**
 * A Comprehend endpoint for real-time inference with a custom model.
 */
export interface IModelEndpoint extends IResource {
  /**
   * The endpoint's ARN.
   * @attribute
   */
  readonly endpointArn: string;

  /**
   * The endpoint's name.
   * @attribute
   */
  readonly endpointName: string;

  /** Lets `grantee` classify documents with the endpoint (`comprehend:ClassifyDocument`); classifiers only. */
  grantClassify(grantee: iam.IGrantable): iam.Grant;

  /** Lets `grantee` detect entities with the endpoint (`comprehend:DetectEntities`); entity recognizers only. */
  grantDetectEntities(grantee: iam.IGrantable): iam.Grant;
}

/**
 * A Comprehend endpoint serving a custom model: a document classifier endpoint or an entity recognizer
 * endpoint, after the model's type.
 *
 * It refers to the model by its ARN, so CloudFormation creates it after the model and deletes it before.
 */
export class ModelEndpoint extends Resource implements IModelEndpoint {
  public readonly endpointArn: string;
  public readonly endpointName: string;
  /** The type of the model it serves. */
  public readonly modelType: ModelType;

  constructor(scope: Construct, id: string, props: ModelEndpointProps) {
    super(scope, id);
    const units = props.desiredInferenceUnits ?? 1;
    if (!Token.isUnresolved(units) && (!Number.isInteger(units) || units < 1 || units > MAX_INFERENCE_UNITS)) {
      throw invalidProp(`desiredInferenceUnits ${units} is out of range; expected a whole number from 1 to ${MAX_INFERENCE_UNITS}`, this);
    }
    const endpointName = props.endpointName ?? Names.uniqueResourceName(this, { maxLength: ENDPOINT_NAME_MAX_LENGTH, separator: '-' });
    if (!Token.isUnresolved(endpointName) && (endpointName.length > ENDPOINT_NAME_MAX_LENGTH || !ENDPOINT_NAME.test(endpointName))) {
      throw invalidProp(
        `endpointName "${endpointName}" is not a valid endpoint name; expected 1-${ENDPOINT_NAME_MAX_LENGTH} letters, digits and hyphens, ` +
        'starting and ending with a letter or digit',
        this,
      );
    }
    const tags = Object.entries(props.tags ?? {}).map(([key, value]) => ({ key, value }));
    const common = {
      modelArn: props.model.modelArn,
      desiredInferenceUnits: units,
      endpointName,
      tags: tags.length > 0 ? tags : undefined,
    };

    this.modelType = props.model.modelType;
    const endpoint = this.modelType === ModelType.DOCUMENT_CLASSIFIER
      ? new comprehend.CfnDocumentClassifierEndpoint(this, 'Resource', common)
      : new comprehend.CfnEntityRecognizerEndpoint(this, 'Resource', common);
    if (endpoint instanceof comprehend.CfnEntityRecognizerEndpoint) {
      // aws-cdk-lib's own template check carries a resource schema older than this resource type.
      Validations.of(endpoint).acknowledge({
        id: 'CloudFormation-Validate::F3006',
        reason: 'AWS::Comprehend::EntityRecognizerEndpoint is a CloudFormation resource type newer than the schema the check carries.',
      });
    }
    this.endpointArn = endpoint.attrArn;
    this.endpointName = endpointName;
  }

  public grantClassify(grantee: iam.IGrantable): iam.Grant {
    return this.grantInference(grantee, 'comprehend:ClassifyDocument', ModelType.DOCUMENT_CLASSIFIER, 'grantDetectEntities()');
  }

  public grantDetectEntities(grantee: iam.IGrantable): iam.Grant {
    return this.grantInference(grantee, 'comprehend:DetectEntities', ModelType.ENTITY_RECOGNIZER, 'grantClassify()');
  }

  private grantInference(grantee: iam.IGrantable, action: string, servedType: ModelType, instead: string): iam.Grant {
    if (this.modelType !== servedType) {
      throw invalidProp(`${action} needs an endpoint of a ${servedType}, but this endpoint serves a ${this.modelType}; use ${instead}`, this);
    }
    return iam.Grant.addToPrincipal({ grantee, actions: [action], resourceArns: [this.endpointArn] });
  }
}
