import { createHash } from 'crypto';
import {
  CfnDeletionPolicy,
  CfnResource,
  CustomResource,
  Duration,
  Fn,
  ITaggable,
  Lazy,
  RemovalPolicy,
  Stack,
  TagManager,
  TagType,
  Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { ComprehendModelBase, IImportedComprehendModel } from './comprehend-model-base';
import { invalidProp, requireModelArn } from './errors';
import { ModelImportProvider, SERVICE_ROLE_PATH } from './provider/model-import-provider';
import { stackSingleton } from './provider/stack-singleton';
import {
  ATTRIBUTE_MODEL_ARN,
  ATTRIBUTE_MODEL_NAME,
  ATTRIBUTE_VERSION_NAME,
  DEFAULT_TIMEOUT_SECONDS,
  IMPORTED_MODEL_RESOURCE_TYPE,
  ImportProperties,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS,
  MAX_TIMEOUT_SECONDS,
  REMOVAL_POLICY_DESTROY,
  REMOVAL_POLICY_RETAIN,
} from './shared/import-properties';
import { explainInvalidName, MODEL_ARN_FORM, ModelType } from './shared/model-arn';

/**
 * Properties of an ImportedComprehendModel.
 */
export interface ImportedComprehendModelProps {
  /**
   * The ARN of the model version to import, shared with this account by its owner.
   *
   * For example `arn:aws:comprehend:us-west-2:111122223333:document-classifier/foo/version/bar`.
   * It must be in this stack's Region: Comprehend imports only within one Region.
   */
  readonly sourceModelArn: string;

  /**
   * Whether the source is a document classifier or an entity recognizer.
   *
   * @default - read from `sourceModelArn`; required when `sourceModelArn` is a token
   */
  readonly modelType?: ModelType;

  /**
   * The name of the new model in this account.
   *
   * 1-63 letters, digits and hyphens, starting and ending with a letter or digit.
   *
   * @default - the source model's name
   */
  readonly modelName?: string;

  /**
   * The name of the new model version in this account.
   *
   * Leave it unset unless you need a fixed name: the default is unique to the stack, the construct and the
   * inputs that need a new copy (source, names, keys, role), so replacements never collide. With a fixed
   * name, a change that needs a new copy fails, because the old copy still holds the name.
   *
   * @default - derived at deploy time from the stack, the construct and the inputs that need a new copy
   */
  readonly versionName?: string;

  /**
   * The sharer's customer managed KMS key that encrypts the source model.
   *
   * Only needed when the source is encrypted with a customer managed key: the service role gets permission
   * to use it (the sharer's key policy must allow this account too).
   *
   * @default - the source is encrypted with an AWS owned key
   */
  readonly sourceModelKey?: kms.IKey;

  /**
   * A customer managed KMS key of this account to encrypt the new model with.
   *
   * @default - an AWS owned key
   */
  readonly modelKey?: kms.IKey;

  /**
   * The service role Comprehend uses to reach the KMS keys during the import.
   *
   * When you bring your own, it must trust `comprehend.amazonaws.com` and allow the KMS actions on the keys;
   * the construct does not change it.
   *
   * @default - a role with exactly the documented permissions when `sourceModelKey` or `modelKey` is set;
   * no role otherwise
   */
  readonly dataAccessRole?: iam.IRole;

  /**
   * What happens to the copy when it leaves the stack (stack deletion or replacement).
   *
   * `RemovalPolicy.DESTROY` deletes it; `RemovalPolicy.RETAIN` leaves it in the account.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long to wait for the copy to become usable before failing.
   *
   * At most 55 minutes: CloudFormation gives a custom resource one hour. A deletion waits up to 55 minutes
   * whatever this says, because a copy that is still importing must finish before it can be deleted.
   *
   * @default Duration.minutes(50)
   */
  readonly timeout?: Duration;

  /**
   * Tags for the new model. `Tags.of(scope).add()` reaches it too.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/**
 * Attributes of a Comprehend model version defined outside this construct.
 */
export interface ImportedComprehendModelAttributes {
  /** The ARN of the model version. */
  readonly modelArn: string;

  /**
   * Whether the model is a document classifier or an entity recognizer.
   *
   * @default - read from `modelArn`; required when `modelArn` is a token
   */
  readonly modelType?: ModelType;
}

/**
 * A copy, in this account, of an Amazon Comprehend custom model shared from another account.
 *
 * Runs `ImportModel` through a custom resource, waits until the copy is usable (`TRAINED` or
 * `TRAINED_WITH_WARNING`), and deletes the copy with the stack unless told to retain it.
 * When a customer managed KMS key is involved, it creates the service role Comprehend needs, with exactly
 * the permissions the Comprehend documentation lists.
 *
 * @example
 * new ImportedComprehendModel(this, 'Classifier', {
 *   sourceModelArn: 'arn:aws:comprehend:us-east-1:111122223333:document-classifier/support-tickets/version/v1',
 * });
 */
export class ImportedComprehendModel extends ComprehendModelBase implements ITaggable {
  /**
   * A model version defined elsewhere, from its ARN.
   */
  public static fromModelArn(scope: Construct, id: string, modelArn: string): IImportedComprehendModel {
    return ImportedComprehendModel.fromModelAttributes(scope, id, { modelArn });
  }

  /**
   * A model version defined elsewhere, from its attributes.
   */
  public static fromModelAttributes(
    scope: Construct,
    id: string,
    attrs: ImportedComprehendModelAttributes,
  ): IImportedComprehendModel {
    const parts = Token.isUnresolved(attrs.modelArn) ? undefined : requireModelArn('modelArn', attrs.modelArn, scope);
    const modelType = attrs.modelType ?? parts?.modelType;
    if (!modelType) {
      throw invalidProp(
        'modelType is required when modelArn is a token: the model type cannot be read from an ARN known only at deploy time',
        scope,
      );
    }
    if (parts && parts.modelType !== modelType) {
      throw invalidProp(`modelArn "${attrs.modelArn}" is a ${parts.modelType}, but modelType says ${modelType}`, scope);
    }

    class Import extends ComprehendModelBase {
      public readonly modelArn = attrs.modelArn;
      public readonly modelType = modelType!;
      // arn:…:TYPE/NAME[/version/VERSION] split on "/" puts the name second.
      public readonly modelName = parts?.modelName ?? Fn.select(1, Fn.split('/', attrs.modelArn));
    }
    return new Import(scope, id);
  }

  /**
   * The ARN of the copy, known once it is usable.
   * @attribute
   */
  public readonly modelArn: string;

  /**
   * The name of the copy.
   * @attribute
   */
  public readonly modelName: string;

  /**
   * The version name of the copy (the default one is chosen at deploy time).
   * @attribute
   */
  public readonly versionName: string;

  /** Whether the copy is a document classifier or an entity recognizer. */
  public readonly modelType: ModelType;

  /**
   * The service role Comprehend uses during the import, if there is one. The role this library creates is shared by
   * the imports of the stack that involve the same keys.
   */
  public readonly role?: iam.IRole;

  /** Tags of the new model. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: ImportedComprehendModelProps) {
    super(scope, id);

    this.modelType = this.validateSource(props);
    this.validateNames(props);
    const timeout = validateTimeout(this, props.timeout);
    const removalPolicy = validateRemovalPolicy(this, props.removalPolicy);
    this.validateModelKey(props.modelKey);

    this.tags = new TagManager(TagType.KEY_VALUE, IMPORTED_MODEL_RESOURCE_TYPE);
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      this.tags.setTag(key, value);
    }
    // Tags.of() adds tags after construction, so the limits are checked when the app is synthesized.
    this.node.addValidation({ validate: () => validateTags(this.tags.tagValues()) });

    this.role = props.dataAccessRole ?? this.createServiceRole(props.sourceModelKey, props.modelKey);

    const provider = ModelImportProvider.of(this);
    provider.allowImportFrom(props.sourceModelArn, this.modelType);
    provider.allowManaging(this.modelType);
    if (this.role) {
      provider.allowPassing(props.dataAccessRole ? this.role.roleArn : serviceRoleArnPattern(this));
    }

    // The handlers' contract, with Lazy values where the answer comes at synth time.
    const properties: { [name in keyof ImportProperties]: unknown } = {
      SourceModelArn: props.sourceModelArn,
      ModelType: this.modelType,
      ModelName: props.modelName,
      VersionName: props.versionName,
      ModelKmsKeyId: props.modelKey?.keyArn,
      DataAccessRoleArn: this.role?.roleArn,
      Tags: Lazy.any({ produce: () => this.tags.renderTags() }),
      RemovalPolicy: Lazy.string({ produce: () => handlerRemovalPolicy(resource) }),
      TimeoutSeconds: String(timeout.toSeconds()),
    };
    const customResource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: IMPORTED_MODEL_RESOURCE_TYPE,
      properties,
      removalPolicy,
    });
    const resource = customResource.node.defaultChild as CfnResource;
    // applyRemovalPolicy() then reaches the CloudFormation resource, and through it the handlers.
    this.node.defaultChild = resource;

    this.modelArn = customResource.getAttString(ATTRIBUTE_MODEL_ARN);
    this.modelName = customResource.getAttString(ATTRIBUTE_MODEL_NAME);
    this.versionName = customResource.getAttString(ATTRIBUTE_VERSION_NAME);
  }

  private validateSource(props: ImportedComprehendModelProps): ModelType {
    const arn = props.sourceModelArn;
    if (Token.isUnresolved(arn)) {
      if (!props.modelType) {
        throw invalidProp(
          'modelType is required when sourceModelArn is a token: the model type decides the permissions, and a ' +
          'token is only resolved at deploy time (where the handler checks the ARN)',
          this,
        );
      }
      return props.modelType;
    }
    const source = requireModelArn('sourceModelArn', arn, this);
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region) && source.region !== stack.region) {
      throw invalidProp(
        `sourceModelArn "${arn}" is in Region ${source.region}, but the stack is in ${stack.region}; ` +
        'Comprehend imports only within one Region, so deploy this stack to the source model\'s Region',
        this,
      );
    }
    const stackPartition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
    if (stackPartition && source.partition !== stackPartition) {
      throw invalidProp(
        `sourceModelArn "${arn}" is in partition ${source.partition}, but the stack's Region ${stack.region} is in ` +
        `${stackPartition}; expected ${MODEL_ARN_FORM} in the stack's partition`,
        this,
      );
    }
    if (props.modelType && props.modelType !== source.modelType) {
      throw invalidProp(
        `sourceModelArn "${arn}" is a ${source.modelType}, but modelType says ${props.modelType}; leave modelType unset or make them agree`,
        this,
      );
    }
    return source.modelType;
  }

  private validateNames(props: ImportedComprehendModelProps): void {
    for (const [prop, value] of [['modelName', props.modelName], ['versionName', props.versionName]] as const) {
      const problem = value === undefined || Token.isUnresolved(value) ? undefined : explainInvalidName(prop, value);
      if (problem) {
        throw invalidProp(problem, this);
      }
    }
  }

  private validateModelKey(modelKey: kms.IKey | undefined): void {
    const keyAccount = modelKey?.env.account;
    const account = Stack.of(this).account;
    if (keyAccount && !Token.isUnresolved(keyAccount) && !Token.isUnresolved(account) && keyAccount !== account) {
      throw invalidProp(
        `modelKey is a key of account ${keyAccount}; expected a customer managed key of this account (${account}), ` +
        'because Comprehend encrypts the copy with a key of the importing account',
        this,
      );
    }
  }

  /**
   * The documented service role, when a customer managed key is involved. The imports of a stack that involve the
   * same keys share one: its permissions are the same for each, and a role per import would add an IAM role and
   * its policy to the template for every model.
   */
  private createServiceRole(sourceModelKey?: kms.IKey, modelKey?: kms.IKey): iam.IRole | undefined {
    const keys = [sourceModelKey, modelKey].filter((key): key is kms.IKey => key !== undefined);
    if (keys.length === 0) {
      return undefined;
    }
    // A key is the same key when it has the same ARN, or (for a key of the app, its ARN a token) the same construct.
    const identity = [sourceModelKey, modelKey]
      .map(key => key === undefined ? '-' : Token.isUnresolved(key.keyArn) ? key.node.addr : key.keyArn)
      .join('|');
    const id = `ComprehendImportServiceRole${createHash('sha256').update(identity).digest('hex').slice(0, 8)}`;
    return stackSingleton(this, id, (stack, roleId) => new iam.Role(stack, roleId, {
      path: SERVICE_ROLE_PATH,
      description: 'Lets Amazon Comprehend use the KMS keys of the model imports of this stack that involve them',
      // Confused-deputy protection: only Comprehend acting for this account may assume the role.
      assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      inlinePolicies: {
        ModelImportKeys: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: keys.map(key => key.keyArn) }),
            new iam.PolicyStatement({
              actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
              resources: keys.map(key => key.keyArn),
              conditions: { StringEquals: { 'kms:ViaService': [`s3.${stack.region}.amazonaws.com`] } },
            }),
          ],
        }),
      },
    }));
  }
}

/** The ARNs of every service role this library creates in the stack's account. */
function serviceRoleArnPattern(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${SERVICE_ROLE_PATH.slice(1)}*`,
  });
}

function validateTimeout(scope: Construct, timeout: Duration | undefined): Duration {
  const value = timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
  const seconds = value.toSeconds();
  if (seconds < 60 || seconds > MAX_TIMEOUT_SECONDS) {
    throw invalidProp(
      `timeout ${value.toHumanString()} is out of range; expected 1 to ${MAX_TIMEOUT_SECONDS / 60} minutes ` +
      '(CloudFormation gives a custom resource one hour)',
      scope,
    );
  }
  return value;
}

function validateRemovalPolicy(scope: Construct, removalPolicy: RemovalPolicy | undefined): RemovalPolicy {
  const value = removalPolicy ?? RemovalPolicy.DESTROY;
  if (value !== RemovalPolicy.DESTROY && value !== RemovalPolicy.RETAIN) {
    throw invalidProp(
      `removalPolicy ${value} is not supported; expected RemovalPolicy.DESTROY or RemovalPolicy.RETAIN`,
      scope,
    );
  }
  return value;
}

function validateTags(tags: Record<string, string>): string[] {
  const entries = Object.entries(tags);
  const errors: string[] = [];
  if (entries.length > MAX_TAGS) {
    errors.push(`tags: ${entries.length} tags, more than the ${MAX_TAGS} a Comprehend model can have`);
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) {
      continue;
    }
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
      errors.push(`tags: key "${key}" is ${key.length} characters long; expected 1 to ${MAX_TAG_KEY_LENGTH}`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      errors.push(`tags: key "${key}" starts with "aws:", which AWS reserves; expected a key without that prefix`);
    }
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      errors.push(`tags: value of "${key}" is ${value.length} characters long; expected at most ${MAX_TAG_VALUE_LENGTH}`);
    }
  }
  return errors;
}

/** What the handlers do on delete, read from the resource's DeletionPolicy so the two never disagree. */
function handlerRemovalPolicy(resource: CfnResource): string {
  const policy = resource.cfnOptions.deletionPolicy;
  return policy === CfnDeletionPolicy.RETAIN || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE
    ? REMOVAL_POLICY_RETAIN
    : REMOVAL_POLICY_DESTROY;
}
