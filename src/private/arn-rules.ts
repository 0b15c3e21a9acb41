// ARN rules the constructs check at synth time, beyond the service's own patterns that the handlers keep to (those
// are in src/contract/): the Region of an ARN, and the ARNs of the KMS keys and IAM roles an import or endpoint names
// (ModelKmsKeyId, DataAccessRoleArn). Synth time only, so not in src/contract/.

/**
 * A Region code as AWS writes it, in lower case: an area, one or more words and a number (us-west-2, us-gov-west-1,
 * us-isob-east-1, eusc-de-east-1). Every Region that `aws-cdk-lib/region-info` knows matches it. The service's ARN
 * patterns take any letters, digits and hyphens as the Region (`US-WEST-2`, or none).
 */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z]+)+-[0-9]+$/;

/**
 * Why `region`, the Region field of the ARN `arn` given as `propName`, is not a Region, or undefined when it is one.
 * `form` is the ARN's expected form.
 */
export function explainInvalidArnRegion(propName: string, arn: string, region: string, form: string): string | undefined {
  if (REGION_PATTERN.test(region)) {
    return undefined;
  }
  const lowered = region.toLowerCase();
  const example = REGION_PATTERN.test(lowered) ? lowered : 'us-west-2';
  return `${propName} "${arn}" is malformed: "${region}" is not a Region code; expected ${form}, where REGION is a ` +
    `Region code in lower case, such as ${example}`;
}

export const KEY_ARN_FORM = 'arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID';
/**
 * A KMS key's ARN, with the Region captured as any letters, so that a Region in upper case is named as such. The
 * service's KmsKeyId shape takes any ASCII (a key id, an alias); the library needs the key's ARN (see requireKeyNotAlias).
 */
const KEY_ARN_PATTERN = /^arn:aws(?:-[^:]+)?:kms:([a-zA-Z0-9-]*):[0-9]{12}:key\/[^/]+$/;

export const ROLE_ARN_FORM = 'arn:PARTITION:iam::ACCOUNT:role/NAME';
/** botocore's IamRoleArn shape (Comprehend 2017-11-27): its pattern, anchored when used, and 20 to 2048 characters. */
const ROLE_ARN_SERVICE_PATTERN = 'arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+';
const ROLE_ARN_PATTERN = new RegExp(`^${ROLE_ARN_SERVICE_PATTERN}$`);
const ROLE_ARN_LENGTH = { min: 20, max: 2048 };

/** Why `arn` cannot be the ARN of a KMS key, in words that name `propName`, the value and the expected form. */
export function explainInvalidKeyArn(propName: string, arn: string): string | undefined {
  const match = KEY_ARN_PATTERN.exec(arn);
  if (!match) {
    return `${propName} "${arn}" is not the ARN of a KMS key; expected ${KEY_ARN_FORM}`;
  }
  return explainInvalidArnRegion(propName, arn, match[1], KEY_ARN_FORM);
}

/** Why `arn` cannot be a data access role's ARN, in words that name `propName`, the value and the expected form. */
export function explainInvalidRoleArn(propName: string, arn: string): string | undefined {
  if (arn.length < ROLE_ARN_LENGTH.min || arn.length > ROLE_ARN_LENGTH.max || !ROLE_ARN_PATTERN.test(arn)) {
    return `${propName} "${arn}" is not the ARN of an IAM role; expected ${ROLE_ARN_FORM} ` +
      `(${ROLE_ARN_LENGTH.min}-${ROLE_ARN_LENGTH.max} characters matching ${ROLE_ARN_SERVICE_PATTERN})`;
  }
  return undefined;
}
