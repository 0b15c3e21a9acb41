import {
  Arn,
  ArnFormat,
  CfnDeletionPolicy,
  CfnResource,
  Duration,
  IResource,
  Names,
  Reference,
  Resource,
  ResourceProps,
  Stack,
  Token,
  Tokenization,
} from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
// Type-only: a model creates its endpoints (a value import the other way), an endpoint's props only name the model.
import type { IComprehendModel } from './comprehend-model';
import { ENDPOINT_NAME_MAX_LENGTH, ENDPOINT_NAME_PATTERN as ENDPOINT_NAME, MAX_INFERENCE_UNITS } from './contract/endpoint-properties';
import { IMPORTED_MODEL_RESOURCE_TYPE } from './contract/import-properties';
import { MODEL_TYPES, ModelType, modelTypeOfEndpointResource } from './contract/model-types';
import { IdleAlarmOptions } from './idle-alarm-options';
import { explainInvalidArnRegion } from './private/arn-rules';
import { checkComprehendRegion } from './private/comprehend-regions';
import { registerEndpoint } from './private/cross-account-checks';
import { invalidProp, requireRoleOfStackAccount } from './private/errors';
import { withPartitionLiteral } from './private/partition-literal';
import { ProviderEndpoint } from './private/provider-endpoint';
import { ScalableInferenceUnitsAttribute } from './private/scalable-inference-units-attribute';
import { endpointServiceRole } from './private/service-role';
import { claimName } from './private/stack-name-index';
import { explainInvalidEndpointTags } from './private/tags';
import { EnableInferenceUnitScalingProps, IScalableInferenceUnits } from './scalable-inference-units';

/**
 * The CloudWatch namespace of Comprehend's endpoint metrics. The Comprehend Developer Guide (manage-endpoints-monitor)
 * shows it as "Comprehend" in the console, whose namespaces of AWS services are `AWS/<Service>`; AWS's own tools read
 * ConsumedInferenceUnits by EndpointArn from `AWS/Comprehend`. No machine-readable AWS source lists it
 * (docs/aws-assumptions.md, endpoint-metrics-namespace).
 */
const METRICS_NAMESPACE = 'AWS/Comprehend';
/** The service-linked role Application Auto Scaling uses for Comprehend endpoints (Application Auto Scaling User Guide). */
const SCALING_ROLE_PATH = 'role/aws-service-role/comprehend.application-autoscaling.amazonaws.com';
const SCALING_ROLE_NAME = 'AWSServiceRoleForApplicationAutoScaling_ComprehendEndpoint';
const ONE_MINUTE = Duration.minutes(1);
const ONE_HOUR = Duration.hours(1);
const DEFAULT_IDLE_FOR = Duration.hours(24);
/** CloudWatch's longest evaluation (PutMetricAlarm: Period × EvaluationPeriods), in hours: 7 days. */
const MAX_IDLE_HOURS = 168;
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
   * @default - a name unique to the construct path: the same in every stack built from the same code, such as every
   * instance of a StackSet (one per account and Region, so they do not collide)
   */
  readonly endpointName?: string;

  /**
   * Tags of the endpoint. `Tags.of(scope).add()` reaches it too. At most 49: Comprehend's 50 less the tag
   * `cdk-comprehend-model-import:owner`, which marks the endpoints the library creates.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * The role Comprehend uses to read a model encrypted with a customer managed key (CreateEndpoint's
   * DataAccessRoleArn). When you bring your own, it must trust `comprehend.amazonaws.com` and allow `kms:Decrypt` and
   * `kms:CreateGrant` on the model's key.
   *
   * @default - for a model whose `modelKey` is set, a role with `kms:Decrypt` and `kms:CreateGrant` on that key,
   * trusted by Comprehend for this account only; none otherwise
   */
  readonly dataAccessRole?: iam.IRole;
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

  /** A metric of the endpoint, in Comprehend's namespace with the dimension `EndpointArn`. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The share of the provisioned inference units in use (`InferenceUtilization`); Sum, as the Comprehend Developer
   * Guide graphs it, over 1 minute.
   */
  metricInferenceUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The inference units the requests used (`ConsumedInferenceUnits`); Sum over 1 minute. */
  metricConsumedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The inference units provisioned when the requests were made (`ProvisionedInferenceUnits`); Average over 1 minute. */
  metricProvisionedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The inference units the requests asked for (`RequestedInferenceUnits`); Sum over 1 minute. */
  metricRequestedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * A CloudWatch alarm that goes to ALARM when the endpoint served no inference for `idleFor` (24 hours by default):
   * the Sum of `ConsumedInferenceUnits` is 0 in every period, and a period without a datapoint counts as idle (the
   * Developer Guide does not say whether Comprehend publishes a 0 or nothing for a minute without requests; either is
   * idle here).
   *
   * An idle endpoint costs as much as a busy one: Comprehend bills it per inference unit by the second, from its
   * creation until its deletion, and an endpoint never has fewer than 1 unit. The alarm only tells: it deletes and
   * scales nothing. Add actions to the alarm it returns, such as `alarm.addAlarmAction(new SnsAction(topic))`.
   * CloudWatch counts the time before the endpoint existed as missing data too, so a new endpoint's alarm goes to ALARM
   * within minutes of its deployment unless requests arrive; choose an `idleFor` longer than the quietest gap you expect.
   *
   * The alarm is a construct below the endpoint's, in its stack: the endpoint must be of that stack's account and
   * Region, because an alarm reads the metrics of its own account and Region.
   */
  addIdleAlarm(id: string, options?: IdleAlarmOptions): cloudwatch.Alarm;
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

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { EndpointArn: this.endpointArn },
      ...props,
    }).attachTo(this);
  }

  // The statistics are those the Comprehend Developer Guide (manage-endpoints-monitor) sets for each metric.
  public metricInferenceUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InferenceUtilization', { statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE, ...props });
  }

  public metricConsumedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConsumedInferenceUnits', { statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE, ...props });
  }

  public metricProvisionedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ProvisionedInferenceUnits', { statistic: cloudwatch.Stats.AVERAGE, period: ONE_MINUTE, ...props });
  }

  public metricRequestedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RequestedInferenceUnits', { statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE, ...props });
  }

  public addIdleAlarm(id: string, options: IdleAlarmOptions = {}): cloudwatch.Alarm {
    const idleFor = options.idleFor ?? DEFAULT_IDLE_FOR;
    const { period, periods } = idleAlarmPeriods(idleFor, this);
    const stack = Stack.of(this);
    const differs = (a: string, b: string) => !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
    if (differs(this.env.account, stack.account) || differs(this.env.region, stack.region)) {
      // The metric is read in the alarm's own account and Region, where such an endpoint publishes nothing: missing
      // data counting as idle, the alarm would always be in ALARM.
      throw invalidProp(
        `addIdleAlarm() needs an endpoint of this stack's account and Region (${stack.account}, ${stack.region}), but ` +
        `this endpoint is in account ${this.env.account}, Region ${this.env.region}; an alarm reads the metrics of its ` +
        'own account and Region, where this endpoint publishes none: add the alarm in a stack of the endpoint\'s account ' +
        'and Region',
        this,
      );
    }
    return new cloudwatch.Alarm(this, id, {
      metric: this.metricConsumedInferenceUnits({ statistic: cloudwatch.Stats.SUM, period }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      // Whether a quiet minute has a 0 or no datapoint is not documented (docs/aws-assumptions.md, idle-minute-datapoint):
      // both are idle time.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      alarmName: options.alarmName,
      alarmDescription: options.alarmDescription ??
        `Comprehend endpoint ${this.endpointName} served no inference for ${idleFor.toHumanString()}; it bills for ` +
        'its inference units until it is deleted',
      actionsEnabled: options.actionsEnabled ?? true,
    });
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
 * endpoint, after the model's type, in every Region that runs Comprehend.
 *
 * It is a custom resource of the stack's one Comprehend provider (`Custom::ComprehendModelEndpoint`) in every Region and
 * for every model: CloudFormation's own endpoint types exist in a few Regions only, and only the recognizer's carries a
 * data access role, so serving through them would change the resource's type (and replace the endpoint under the same
 * name) when the stack's Region, the model's key or the Region table changed.
 *
 * It refers to the model by its ARN, so CloudFormation creates it after the model and deletes it before; a new model
 * version moves the same endpoint to it in place, before the old one is deleted.
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
    // Checked as aws-cdk-lib writes it under @aws-cdk/core:enablePartitionLiterals, whatever the app's flags; the
    // endpoint's endpointArn is the ARN as given.
    const arn = withPartitionLiteral(scope, attrs.endpointArn);
    const parts = splitEndpointArn(arn);
    let typeInArn: ModelType | undefined;
    if (!Token.isUnresolved(arn)) {
      typeInArn = parts?.service === 'comprehend' ? modelTypeOfEndpointResource(parts.resource) : undefined;
      if (!parts || !typeInArn || !parts.resourceName || !ENDPOINT_NAME.test(parts.resourceName)) {
        throw invalidProp(`endpointArn "${arn}" is not a Comprehend endpoint ARN; expected ${ENDPOINT_ARN_FORM}`, scope);
      }
      const regionProblem = explainInvalidArnRegion('endpointArn', arn, parts.region ?? '', ENDPOINT_ARN_FORM);
      if (regionProblem) {
        throw invalidProp(regionProblem, scope);
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
      public readonly endpointArn = attrs.endpointArn;
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

  /** The role Comprehend uses to read the model, if it needs one. */
  public readonly dataAccessRole?: iam.IRole;

  private readonly desiredInferenceUnits: number;
  private readonly resource: ProviderEndpoint;
  private scaling?: ScalableInferenceUnitsAttribute;

  constructor(scope: Construct, id: string, props: ModelEndpointProps) {
    super(scope, id);
    const units = props.desiredInferenceUnits ?? 1;
    if (!Token.isUnresolved(units) && (!Number.isInteger(units) || units < 1 || units > MAX_INFERENCE_UNITS)) {
      throw invalidProp(`desiredInferenceUnits ${units} is out of range; expected a whole number from 1 to ${MAX_INFERENCE_UNITS}`, this);
    }
    const endpointName = props.endpointName ?? defaultEndpointName(this);
    if (!Token.isUnresolved(endpointName) && (endpointName.length > ENDPOINT_NAME_MAX_LENGTH || !ENDPOINT_NAME.test(endpointName))) {
      throw invalidProp(
        `endpointName "${endpointName}" is not a valid endpoint name; expected 1-${ENDPOINT_NAME_MAX_LENGTH} letters, digits and hyphens, ` +
        'starting and ending with a letter or digit',
        this,
      );
    }
    this.endpointName = endpointName;
    this.checkNameIsFree(props.endpointName);
    requireRoleOfStackAccount('dataAccessRole', props.dataAccessRole, this);
    checkComprehendRegion(this);

    this.modelType = props.model.modelType;
    this.desiredInferenceUnits = units;
    checkModelIsServable(props.model, this);
    const modelKey = props.model.modelKey;
    this.dataAccessRole = props.dataAccessRole ?? (modelKey ? endpointServiceRole(this, modelKey) : undefined);
    const endpoint = new ProviderEndpoint(this, 'Resource', {
      endpointName,
      modelArn: props.model.modelArn,
      modelType: this.modelType,
      desiredInferenceUnits: units,
      dataAccessRole: this.dataAccessRole,
      roleIsOwn: props.dataAccessRole === undefined,
      servesOwnCopy: isCopyOfStack(props.model, this),
      tags: props.tags,
    });
    this.resource = endpoint;
    // Tags.of() adds tags after construction, so the limits are checked when the app is synthesized.
    this.node.addValidation({ validate: () => explainInvalidEndpointTags({ ...props.tags, ...endpoint.tags.tagValues() }) });
    // The CloudFormation resource, so that escape hatches and applyRemovalPolicy() reach it.
    this.node.defaultChild = endpoint.cfnResource;
    // Read when the app is synthesized, so the policies both resources end with count, however they were set.
    this.node.addValidation({ validate: () => explainKeptOnCopyThatGoes(endpoint.cfnResource, props.model) });
    this.endpointArn = endpoint.endpointArn;
    // Two stacks of one account and Region cannot both have the name: the app-wide checks look for it.
    registerEndpoint(this, { endpointName });
  }

  /**
   * Lets Application Auto Scaling change the endpoint's inference units within a range; then call
   * `scaleOnUtilization()` or `scaleOnSchedule()` on the result. A deploy keeps the units the scaler set, unless
   * `desiredInferenceUnits` itself changes.
   */
  public autoScaleInferenceUnits(props: EnableInferenceUnitScalingProps): IScalableInferenceUnits {
    if (this.scaling) {
      throw invalidProp('autoScaleInferenceUnits() was already called for this endpoint; scale the result it returned', this);
    }
    const { minCapacity, maxCapacity } = props;
    if (!Number.isInteger(minCapacity) || minCapacity < 1 || minCapacity > MAX_INFERENCE_UNITS) {
      throw invalidProp(`minCapacity ${minCapacity} is out of range; expected a whole number from 1 to ${MAX_INFERENCE_UNITS}`, this);
    }
    if (!Number.isInteger(maxCapacity) || maxCapacity < minCapacity || maxCapacity > MAX_INFERENCE_UNITS) {
      throw invalidProp(
        `maxCapacity ${maxCapacity} is out of range; expected a whole number from minCapacity (${minCapacity}) to ` +
        `${MAX_INFERENCE_UNITS}, Comprehend's limit of inference units per endpoint`,
        this,
      );
    }
    const units = this.desiredInferenceUnits;
    if (!Token.isUnresolved(units) && (units < minCapacity || units > maxCapacity)) {
      // CreateEndpoint provisions desiredInferenceUnits, and a deploy that changes it sets it again, whatever the range.
      throw invalidProp(
        `desiredInferenceUnits ${units} is outside the auto scaling range ${minCapacity}-${maxCapacity}; expected a number ` +
        'of units from minCapacity to maxCapacity, which the endpoint starts with and returns to when a deploy changes it',
        this,
      );
    }
    const stack = Stack.of(this);
    this.scaling = new ScalableInferenceUnitsAttribute(this, 'InferenceUnitsScaling', {
      serviceNamespace: appscaling.ServiceNamespace.COMPREHEND,
      // Application Auto Scaling names a Comprehend endpoint by its ARN.
      resourceId: this.endpointArn,
      dimension: `comprehend:${MODEL_TYPES[this.modelType].endpointResource}:DesiredInferenceUnits`,
      role: iam.Role.fromRoleArn(this, 'ScalingRole', stack.formatArn({
        service: 'iam',
        region: '',
        resource: SCALING_ROLE_PATH,
        resourceName: SCALING_ROLE_NAME,
      })),
      minCapacity,
      maxCapacity,
    });
    // The units the scaler may set count against Comprehend's quota of inference units per account and Region.
    this.resource.scaledBy(this.scaling);
    return this.scaling;
  }

  /**
   * An endpoint name is one endpoint per account and Region: two endpoints of a stack, nested stacks included, cannot
   * both have it. Every endpoint's name is claimed, a default one too, but only a given name is refused: a default
   * name holds the hash of the construct's path.
   */
  private checkNameIsFree(givenName: string | undefined): void {
    // An index of the stack's names, not a search of its tree: one search per endpoint made N endpoints cost N² (issue 31).
    const other = claimName(this, 'endpoint', this.endpointName);
    if (givenName === undefined || Token.isUnresolved(givenName)) {
      return;
    }
    if (other) {
      throw invalidProp(
        `endpointName "${givenName}" is the name of ${other.node.path} too, and an endpoint name is one endpoint per ` +
        'account and Region; give one of them another endpointName, or leave it unset for a name unique to the construct',
        this,
      );
    }
  }
}

/**
 * The period and number of periods of an idle alarm over `idleFor`. CloudWatch's PutMetricAlarm allows Period ×
 * EvaluationPeriods up to 7 days, and up to 1 day when Period is under 1 hour: whole minutes under 1 hour are evaluated
 * minute by minute, whole hours from 1 to 168 hour by hour.
 */
function idleAlarmPeriods(idleFor: Duration, scope: Construct): { period: Duration; periods: number } {
  const expected = `expected whole minutes under 1 hour, or whole hours from 1 to ${MAX_IDLE_HOURS} (7 days)`;
  if (idleFor.isUnresolved()) {
    throw invalidProp(`idleFor is a token; ${expected}, known at synth time`, scope);
  }
  const millis = idleFor.toMilliseconds({ integral: false });
  const minutes = millis / ONE_MINUTE.toMilliseconds();
  const hours = millis / ONE_HOUR.toMilliseconds();
  if (Number.isInteger(minutes) && minutes >= 1 && minutes < 60) {
    return { period: ONE_MINUTE, periods: minutes };
  }
  if (Number.isInteger(hours) && hours >= 1 && hours <= MAX_IDLE_HOURS) {
    return { period: ONE_HOUR, periods: hours };
  }
  throw invalidProp(
    `idleFor ${idleFor.toHumanString()} is not supported; ${expected}: CloudWatch evaluates an alarm over at most 1 day ` +
    'of periods shorter than 1 hour and at most 7 days in all, and the alarm counts whole periods of 1 minute or 1 hour',
    scope,
  );
}

/**
 * The default endpoint name: the construct's path below its stack, cut from the left to leave the construct's own id
 * readable, and the hash of its whole path, so that stacks and stages holding the same constructs get distinct names.
 */
function defaultEndpointName(endpoint: Construct): string {
  const unique = Names.uniqueResourceName(endpoint, { maxLength: ENDPOINT_NAME_MAX_LENGTH, separator: '-' });
  const hash = unique.slice(-8);
  const stack = Stack.of(endpoint);
  const below = endpoint.node.scopes.slice(endpoint.node.scopes.indexOf(stack) + 1)
    .map(scope => scope.node.id.replace(/[^A-Za-z0-9]/g, ''))
    .filter(id => id.length > 0);
  const room = ENDPOINT_NAME_MAX_LENGTH - hash.length - 1;
  let readable = below.join('-');
  while (readable.length > room && below.length > 1) {
    below.shift();
    readable = below.join('-');
  }
  // A path of ids without a letter or digit leaves nothing readable: the name still says what it is.
  return `${readable.slice(-room).replace(/^-+/, '') || 'Endpoint'}-${hash}`;
}

/**
 * Comprehend serves a model only from an endpoint of the model's own account and Region (CreateEndpoint's ModelArn),
 * so a model referenced in another environment than the endpoint's stack cannot be served there.
 */
function checkModelIsServable(model: IComprehendModel, endpoint: Construct): void {
  const stack = Stack.of(endpoint);
  const differs = (a: string, b: string) => !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
  if (differs(model.env.account, stack.account) || differs(model.env.region, stack.region)) {
    throw invalidProp(
      `model ${model.modelArn} is in account ${model.env.account}, Region ${model.env.region}, but this endpoint's stack ` +
      `deploys to account ${stack.account}, Region ${stack.region}; Comprehend serves a model only from an endpoint of ` +
      'its own account and Region: copy it into this stack\'s account and Region with ImportedComprehendModel and serve ' +
      'the copy, or serve it from a stack of its own environment',
      endpoint,
    );
  }
}

/**
 * Whether `model` is a copy this stack imports (an ImportedComprehendModel of the endpoint's own stack, not of a nested
 * or other stack): it carries this stack's ownership tag. Read from its resource, since this file may not import
 * ImportedComprehendModel (which creates endpoints). A model named by such a copy's ARN (`fromModelArn(copy.modelArn)`)
 * is that copy too: declaring its ARN would put the copy's attribute in the provider's functions, which the copy
 * itself waits for (a dependency cycle CloudFormation refuses).
 */
function isCopyOfStack(model: IComprehendModel, endpoint: Construct): boolean {
  const stack = Stack.of(endpoint);
  const isCopy = (resource: unknown) => CfnResource.isCfnResource(resource)
    && resource.cfnResourceType === IMPORTED_MODEL_RESOURCE_TYPE && Stack.of(resource) === stack;
  const arn = Tokenization.reverseString(model.modelArn);
  const reference = arn.length === 1 ? arn.firstToken : undefined;
  return isCopy(model.node.defaultChild) || (reference instanceof Reference && isCopy(reference.target));
}

/** How each DeletionPolicy is set with a RemovalPolicy. */
const REMOVAL_POLICY_OF: Record<string, string> = {
  [CfnDeletionPolicy.DELETE]: 'RemovalPolicy.DESTROY',
  [CfnDeletionPolicy.RETAIN]: 'RemovalPolicy.RETAIN',
  [CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE]: 'RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE',
  [CfnDeletionPolicy.SNAPSHOT]: 'RemovalPolicy.SNAPSHOT',
};

/**
 * An endpoint that CloudFormation keeps while the copy it serves is deleted, explained: Comprehend refuses to delete a
 * copy an endpoint uses, so the stack operation would fail with the copy's Delete. Only for a copy of this app, whose
 * resource can be read (ImportedComprehendModel's default child); a model referenced by ARN is not the app's to
 * delete. A Retain endpoint is kept whenever it leaves, including when the operation that created it rolls back, so it
 * needs a Retain copy; a RetainExceptOnCreate endpoint is deleted in that rollback, so either kind of retained copy
 * serves it.
 */
function explainKeptOnCopyThatGoes(resource: CfnResource, model: IComprehendModel): string[] {
  const copy = model.node.defaultChild;
  if (!CfnResource.isCfnResource(copy) || copy.cfnResourceType !== IMPORTED_MODEL_RESOURCE_TYPE) {
    return [];
  }
  // A custom resource without a DeletionPolicy is deleted with its stack.
  const endpointPolicy = resource.cfnOptions.deletionPolicy ?? CfnDeletionPolicy.DELETE;
  const copyPolicy = copy.cfnOptions.deletionPolicy ?? CfnDeletionPolicy.DELETE;
  const endpointKept = endpointPolicy === CfnDeletionPolicy.RETAIN || endpointPolicy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  const copyKept = copyPolicy === CfnDeletionPolicy.RETAIN ||
    (copyPolicy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE && endpointPolicy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE);
  if (!endpointKept || copyKept) {
    return [];
  }
  const describe = (policy: CfnDeletionPolicy) => `DeletionPolicy ${policy} (${REMOVAL_POLICY_OF[policy] ?? policy})`;
  const onCreateRollback = copyPolicy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  const what = onCreateRollback
    ? 'if the stack operation that creates them rolls back, CloudFormation keeps the endpoint and deletes the copy, which ' +
      'Comprehend refuses while an endpoint uses it: the rollback fails (ROLLBACK_FAILED or UPDATE_ROLLBACK_FAILED)'
    : 'when the stack is deleted (or both leave it), CloudFormation keeps the endpoint and deletes the copy, which ' +
      'Comprehend refuses while an endpoint uses it: the deletion fails (DELETE_FAILED)';
  const alike = onCreateRollback ? ', or give the endpoint RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE like the copy' : '';
  return [
    `the endpoint has ${describe(endpointPolicy)}, but the copy it serves, ${model.node.path}, has ${describe(copyPolicy)}: ` +
    `${what}. Give the copy RemovalPolicy.RETAIN too${alike}, or let the endpoint go with ` +
    'the stack (RemovalPolicy.DESTROY, the default)',
  ];
}

/** The parts of an endpoint ARN (`…:TYPE-endpoint/NAME`), or undefined when it is no ARN at all. */
function splitEndpointArn(arn: string) {
  try {
    return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    return undefined;
  }
}
