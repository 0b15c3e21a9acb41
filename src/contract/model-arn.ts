// The ARN and name rules of Comprehend custom models, shared by the constructs (synth time) and the handlers (deploy
// time).
import { ModelType } from './model-types';

/** The parts of a Comprehend custom model ARN. */
export interface ModelArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly modelType: ModelType;
  readonly modelName: string;
  /** Absent for a model trained without a version name. */
  readonly versionName?: string;
}

/** ModelName and VersionName as the service validates them (the docs' "256 chars, underscores" is wrong). */
export const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const NAME_MAX_LENGTH = 63;
export const MODEL_ARN_MAX_LENGTH = 256;
export const NAME_FORM = `1-${NAME_MAX_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit`;
export const MODEL_ARN_FORM =
  'arn:PARTITION:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/VERSION (or entity-recognizer/…)';

/** The service's ComprehendModelArn pattern, anchored, with the parts captured. */
const MODEL_ARN_PATTERN = new RegExp(
  '^arn:(aws(?:-[^:]+)?):comprehend:([a-zA-Z0-9-]*):([0-9]{12}):(document-classifier|entity-recognizer)/' +
    '([a-zA-Z0-9](?:-*[a-zA-Z0-9])*)(?:/version/([a-zA-Z0-9](?:-*[a-zA-Z0-9])*))?$',
);

/** Partitions in which Amazon Comprehend is offered (aws-cn is not one of them). */
export const COMPREHEND_PARTITIONS: readonly string[] = ['aws', 'aws-us-gov', 'aws-iso', 'aws-iso-f'];

/** The parts of `arn`, or undefined when it is not a Comprehend custom model ARN. */
export function parseModelArn(arn: string): ModelArnParts | undefined {
  if (arn.length > MODEL_ARN_MAX_LENGTH) {
    return undefined;
  }
  const match = MODEL_ARN_PATTERN.exec(arn);
  if (!match) {
    return undefined;
  }
  const [, partition, region, account, modelType, modelName, versionName] = match;
  return { partition, region, account, modelType: modelType as ModelType, modelName, versionName };
}

/** Formats the ARN of a model version. */
export function formatModelArn(parts: ModelArnParts): string {
  const version = parts.versionName === undefined ? '' : `/version/${parts.versionName}`;
  return `arn:${parts.partition}:comprehend:${parts.region}:${parts.account}:${parts.modelType}/${parts.modelName}${version}`;
}

/**
 * Why `arn` cannot be a source model ARN, in words that name `propName`, the value and the expected form;
 * undefined when it can.
 */
export function explainInvalidModelArn(propName: string, arn: string): string | undefined {
  const parts = parseModelArn(arn);
  if (parts) {
    if (!COMPREHEND_PARTITIONS.includes(parts.partition)) {
      return `${propName} "${arn}" is in partition "${parts.partition}", where Amazon Comprehend is not offered; expected one of ${COMPREHEND_PARTITIONS.join(', ')}`;
    }
    return undefined;
  }
  if (arn.length > MODEL_ARN_MAX_LENGTH) {
    return `${propName} is ${arn.length} characters long, more than the ${MODEL_ARN_MAX_LENGTH} Comprehend allows; expected ${MODEL_ARN_FORM}`;
  }
  const fields = arn.split(':');
  if (fields.length >= 3 && fields[0] === 'arn' && fields[2] !== 'comprehend') {
    return `${propName} "${arn}" is an ARN of service "${fields[2]}", not of Amazon Comprehend; expected ${MODEL_ARN_FORM}`;
  }
  const resource = fields.slice(5).join(':');
  const resourceType = resource.split('/')[0];
  if (fields.length >= 6 && resourceType && !Object.values(ModelType).includes(resourceType as ModelType)) {
    return `${propName} "${arn}" names a "${resourceType}", not a custom model; expected ${MODEL_ARN_FORM}`;
  }
  return `${propName} "${arn}" is not a Comprehend custom model ARN; expected ${MODEL_ARN_FORM}, where names are ${NAME_FORM}`;
}

/** Why `name` cannot be a model or version name, or undefined when it can. */
export function explainInvalidName(propName: string, name: string): string | undefined {
  if (name.length < 1 || name.length > NAME_MAX_LENGTH || !NAME_PATTERN.test(name)) {
    return `${propName} "${name}" is not a valid Comprehend name; expected ${NAME_FORM} (pattern ${NAME_PATTERN.source})`;
  }
  return undefined;
}

/**
 * Why a source model of `sourceRegion` cannot be imported by a stack of `stackRegion`, or undefined when it can. The
 * construct says it at synth time when it knows the stack's Region, the handler at deploy time otherwise (a template
 * deployed to several Regions, such as a StackSet's, knows it only there), in the same words.
 */
export function explainSourceRegion(sourceModelArn: string, sourceRegion: string, stackRegion: string): string | undefined {
  if (sourceRegion === stackRegion) {
    return undefined;
  }
  return `sourceModelArn "${sourceModelArn}" is in Region ${sourceRegion}, but the stack is in ${stackRegion}; Comprehend ` +
    'imports only within one Region, so deploy this stack to the source model\'s Region, or import the model version of ' +
    'the stack\'s Region (a template deployed to several Regions, such as a StackSet\'s, can build the ARN with AWS::Region)';
}
