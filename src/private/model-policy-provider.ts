import { createHash } from 'crypto';
import { Arn, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFrameworkFindings, acknowledgeWildcard, frameworkProps, synchronousServiceTimeout } from './framework';
import { HandlerFunction } from './handler-function';
import { HandlerRole } from './handler-role';
import { ProviderSettings, settingsForNewProvider } from './provider-settings';
import { stackSingleton } from './stack-singleton';
import { parseModelArn } from '../contract/model-arn';

const PROVIDER_ID = 'ComprehendModelPolicyProvider';
/**
 * The most models a stack's shares may name: each has an inline policy of its own on the handler role, up to about
 * 450 characters, and IAM allows a role 10,240 characters of inline policies in all.
 */
const MAX_SHARED_MODELS = 20;

/** The custom resource provider of every SharedModelPolicy in a stack whose model is not defined in the stack. */
export class ModelPolicyProvider extends Construct {
  /** The stack's provider, created with the first policy that needs it. */
  public static of(scope: Construct): ModelPolicyProvider {
    return stackSingleton(scope, PROVIDER_ID, (stack, id) => new ModelPolicyProvider(stack, id, settingsForNewProvider(stack, id, scope)));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;
  /**
   * The `serviceTimeout` of the custom resources: the latest their answer can come, from the handler's timeout (its
   * retries, of Comprehend's calls and of its writes, happen within one invocation) and the framework's own bound.
   */
  public readonly serviceTimeout: Duration;
  private readonly handlerRole: HandlerRole;

  private constructor(scope: Construct, id: string, settings: ProviderSettings) {
    super(scope, id);
    this.handlerRole = new HandlerRole(this, 'HandlerRole', 'Attaches and removes the resource-based policies of shared Comprehend models', settings);
    const onEventHandler = new HandlerFunction(this, 'OnEvent', {
      bundle: 'policy',
      exportName: 'onEvent',
      description: 'Attaches and removes the resource-based policy of a shared Comprehend model',
      role: this.handlerRole,
      defaultTimeout: Duration.minutes(2),
      settings,
    });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler, ...frameworkProps(this, false, settings) });
    this.serviceToken = provider.serviceToken;
    this.serviceTimeout = synchronousServiceTimeout(onEventHandler.timeout);
    acknowledgeFrameworkFindings(this, provider, [onEventHandler]);
    this.node.addValidation({ validate: () => this.explainTooManyModels() });
  }

  private explainTooManyModels(): string[] {
    const models = this.node.children.filter(child => child instanceof iam.Policy).length;
    return models <= MAX_SHARED_MODELS ? [] : [
      `the SharedModelPolicy constructs of this stack share ${models} models outside the stack (or entity recognizers of it); ` +
      `expected at most ${MAX_SHARED_MODELS}: each gets an inline policy of its own on the handler role, and IAM allows a role ` +
      '10,240 characters of inline policies. Share the others from another stack (versions of one model count once).',
    ];
  }

  /**
   * The policy of the handler role that lets it put, describe and delete the resource-based policies of the versions
   * of the model `modelArn` (`TYPE/NAME` and `TYPE/NAME/version/*`), and of nothing else; a share's custom resource
   * must depend on it.
   *
   * One policy resource per model name, whose logical id is the name's: moving a share from v1 to v2 keeps the same
   * policy, unchanged, and moving it to another model creates the new model's policy and removes the old one, which
   * CloudFormation deletes after the resources that depended on it. So a share's Delete of its old statements, sent in
   * the cleanup phase, still has its permission (an in-place update of one policy would take it away in the update
   * phase, before the cleanup).
   */
  public permissionFor(modelArn: string): iam.Policy {
    const { model, versions } = modelVersions(modelArn);
    const id = `Permission${createHash('sha256').update(JSON.stringify(Stack.of(this).resolve(model))).digest('hex').slice(0, 8)}`;
    const existing = this.node.tryFindChild(id) as iam.Policy | undefined;
    if (existing) {
      return existing;
    }
    const permission = new iam.Policy(this, id, {
      roles: [this.handlerRole],
      statements: [new iam.PolicyStatement({
        actions: ['comprehend:PutResourcePolicy', 'comprehend:DescribeResourcePolicy', 'comprehend:DeleteResourcePolicy'],
        resources: [model, versions],
      })],
    });
    acknowledgeWildcard(permission, versions, 'The resource-based policies of the versions of one shared model, so that a '
      + 'share moved from one version to another keeps its permission on the old one until its statements are removed.');
    return permission;
  }
}

/**
 * `arn:…:TYPE/NAME` and `arn:…:TYPE/NAME/version/*` of a model version ARN (`…/NAME/version/VERSION`, or `…/NAME` for
 * a model trained without a version name), also when the ARN is known only at deploy time.
 */
function modelVersions(modelArn: string): { model: string; versions: string } {
  const parts = parseModelArn(modelArn);
  const model = parts
    ? Arn.format({ partition: parts.partition, region: parts.region, account: parts.account, service: 'comprehend', resource: parts.modelType, resourceName: parts.modelName })
    : Fn.select(0, Fn.split('/version/', modelArn));
  return { model, versions: `${model}/version/*` };
}
