import { Arn, ArnFormat, IResource, Names, Resource, ResourceProps, Stack, Token, Validations } from 'aws-cdk-lib';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
// Type-only: a model creates its endpoints (a value import the other way), an endpoint's props only name the model.
import type { IComprehendModel } from './comprehend-model';
import { MODEL_TYPES, ModelType, modelTypeOfEndpointResource } from './contract/model-types';
import { invalidProp } from './private/errors';
import { explainInvalidEndpointTags } from './private/tags';

/** Comprehend's limit of inference units per endpoint (each serves 100 characters a second). */
const MAX_INFERENCE_UNITS = 10;
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const ENDPOINT_NAME_MAX_LENGTH = 40;
const ENDPOINT_ARN_FORM = 'arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier-endpoint/NAME (or entity-recognizer-endpoint/NAME)';

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
  readonly model: IComprehendModel;
}

/**
 * Attributes of a Comprehend endpoint defined outside this construct.
 */
export interface ModelEndpointAttributes {
  /**
   * The endpoint's ARN, such as `arn:aws:comprehend:us-west-2:111122223333:document-classifier-endpoint/NAME`.
   */
  readonly endpointArn: string;

  /**
   * The type of the model the endpoint serves.
   *
   * @default - read from `endpointArn`; required when `endpointArn` is a token
   */
  readonly modelType?: ModelType;
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

  /** The type of the model the endpoint serves. */
  readonly modelType: ModelType;

  /** Lets `grantee` perform `actions` on the endpoint. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Lets `grantee` run real-time inference with the endpoint: `comprehend:ClassifyDocument` for a classifier's
   * endpoint, `comprehend:DetectEntities` for an entity recognizer's.
   */
  grantInference(grantee: iam.IGrantable): iam.Grant;

  /** Lets `grantee` classify documents with the endpoint (`comprehend:ClassifyDocument`); classifiers only. */
  grantClassify(grantee: iam.IGrantable): iam.Grant;

  /** Lets `grantee` detect entities with the endpoint (`comprehend:DetectEntities`); entity recognizers only. */
  grantDetectEntities(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What every Comprehend endpoint offers, whether defined here or referenced by ARN.
 */
abstract class ModelEndpointBase extends Resource implements IModelEndpoint {
  public abstract readonly endpointArn: string;
  public abstract readonly endpointName: string;
  public abstract readonly modelType: ModelType;

  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.endpointArn] });
  }

  public grantInference(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, MODEL_TYPES[this.modelType].inferenceAction);
  }

  public grantClassify(grantee: iam.IGrantable): iam.Grant {
    return this.grantInferenceOf(grantee, ModelType.DOCUMENT_CLASSIFIER);
  }

  public grantDetectEntities(grantee: iam.IGrantable): iam.Grant {
    return this.grantInferenceOf(grantee, ModelType.ENTITY_RECOGNIZER);
  }

  private grantInferenceOf(grantee: iam.IGrantable, servedType: ModelType): iam.Grant {
    if (this.modelType !== servedType) {
      const served = MODEL_TYPES[this.modelType];
      throw invalidProp(
        `${MODEL_TYPES[servedType].inferenceAction} needs an endpoint of ${MODEL_TYPES[servedType].withArticle}, but this ` +
        `endpoint serves ${served.withArticle}; use ${served.inferenceGrant} or grantInference()`,
        this,
      );
    }
    return this.grantInference(grantee);
  }
}

/**
 * A Comprehend endpoint serving a custom model: a document classifier endpoint or an entity recognizer
 * endpoint, after the model's type.
 *
 * It refers to the model by its ARN, so CloudFormation creates it after the model and deletes it before.
 */
export class ModelEndpoint extends ModelEndpointBase {
  /**
   * An endpoint defined elsewhere, from its ARN.
   */
  public static fromEndpointArn(scope: Construct, id: string, endpointArn: string): IModelEndpoint {
    return ModelEndpoint.fromEndpointAttributes(scope, id, { endpointArn });
  }

  /**
   * An endpoint defined elsewhere, from its attributes.
   */
  public static fromEndpointAttributes(scope: Construct, id: string, attrs: ModelEndpointAttributes): IModelEndpoint {
    const arn = attrs.endpointArn;
    const parts = splitEndpointArn(arn);
    let typeInArn: ModelType | undefined;
    if (!Token.isUnresolved(arn)) {
      typeInArn = parts?.service === 'comprehend' ? modelTypeOfEndpointResource(parts.resource) : undefined;
      if (!parts || !typeInArn || !parts.resourceName || !ENDPOINT_NAME.test(parts.resourceName)) {
        throw invalidProp(`endpointArn "${arn}" is not a Comprehend endpoint ARN; expected ${ENDPOINT_ARN_FORM}`, scope);
      }
      if (attrs.modelType && attrs.modelType !== typeInArn) {
        throw invalidProp(`endpointArn "${arn}" serves ${MODEL_TYPES[typeInArn].withArticle}, but modelType says ${attrs.modelType}`, scope);
      }
    }
    const modelType = typeInArn ?? attrs.modelType;
    if (!modelType) {
      throw invalidProp(
        'modelType is required when endpointArn is a token: the model type cannot be read from an ARN known only at deploy time',
        scope,
      );
    }

    class Import extends ModelEndpointBase {
      public readonly endpointArn = arn;
      public readonly endpointName = parts!.resourceName!;
      public readonly modelType = modelType!;
    }
    return new Import(scope, id, { environmentFromArn: arn });
  }

  /**
   * The endpoint's ARN.
   * @attribute
   */
  public readonly endpointArn: string;

  /**
   * The endpoint's name.
   * @attribute
   */
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
    this.endpointName = endpointName;
    this.checkNameIsFree(props.endpointName);

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
    // Tags.of() adds tags after construction, so the limits are checked when the app is synthesized.
    this.node.addValidation({
      validate: () => explainInvalidEndpointTags({ ...props.tags, ...endpoint.cdkTagManager.tagValues() }),
    });
    this.endpointArn = endpoint.attrArn;
  }

  /** An endpoint name is one endpoint per account and Region: two endpoints of a stack cannot both have it. */
  private checkNameIsFree(givenName: string | undefined): void {
    if (givenName === undefined || Token.isUnresolved(givenName)) {
      return;
    }
    const other = Stack.of(this).node.findAll()
      .find(c => c instanceof ModelEndpoint && c !== this && c.endpointName === givenName);
    if (other) {
      throw invalidProp(
        `endpointName "${givenName}" is the name of ${other.node.path} too, and an endpoint name is one endpoint per ` +
        'account and Region; give one of them another endpointName, or leave it unset for a name unique to the construct',
        this,
      );
    }
  }
}

/** The parts of an endpoint ARN (`…:TYPE-endpoint/NAME`), or undefined when it is no ARN at all. */
function splitEndpointArn(arn: string) {
  try {
    return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    return undefined;
  }
}
