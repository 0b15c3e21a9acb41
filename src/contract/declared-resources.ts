// The contract between the Comprehend provider's functions and their handlers: what the app declares that no
// ownership tag can prove. The construct side writes each list into the functions' environment from the same list
// the handler role's IAM statements name, so the handlers refuse, before any call, what IAM would refuse (and what IAM
// cannot refuse: UpdateEndpoint's target model). Shared by both sides, so no aws-cdk-lib import here.

/**
 * The environment variable that lists, as a JSON array, the model version ARNs this stack may serve that are not its
 * own copies (ModelEndpoint of a model from `fromModelArn()` / `fromModelAttributes()`, or a copy of another stack).
 * The stack's own copies carry its ownership tag and need no entry.
 */
export const SERVABLE_MODELS_ENV = 'SERVABLE_MODEL_ARNS';

/**
 * The environment variable that lists, as a JSON array, the ARNs of the KMS keys the stack's imports encrypt their
 * copies with (ImportedComprehendModel's `modelKey`): ImportModel's `ModelKmsKeyId` must be one of them.
 */
export const MODEL_KEYS_ENV = 'MODEL_KMS_KEY_ARNS';
