import { CfnResource, CustomResource, ITaggable, Lazy, TagManager, TagType, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ModelProvider } from './model-provider';
import { ATTRIBUTE_ENDPOINT_ARN, EndpointProperties, MODEL_ENDPOINT_RESOURCE_TYPE } from '../contract/endpoint-properties';
import { MAX_TIMEOUT_SECONDS } from '../contract/import-properties';
import { ModelType } from '../contract/model-types';

/** What an endpoint served through the provider is made of. */
export interface ProviderEndpointProps {
  readonly endpointName: string;
  readonly modelArn: string;
  readonly modelType: ModelType;
  readonly desiredInferenceUnits: number;
  readonly dataAccessRole?: iam.IRole;
  /**
   * Whether the library created the role: the provider's PassRole statement on the stack's own service roles covers
   * it, where a role the user brings gets a policy of its own that the endpoint depends on.
   */
  readonly roleIsOwn: boolean;
  /**
   * Whether the model served is a copy of this stack, which carries its ownership tag: CreateEndpoint is allowed on it
   * by that tag; any other model is allowed by its exact ARN, and declared to the handlers (ModelProvider.allowServing()).
   */
  readonly servesOwnCopy: boolean;
  readonly tags?: { [key: string]: string };
}

/**
 * An endpoint as a custom resource of the stack's Comprehend provider. `Tags.of()` reaches it as it reaches
 * CloudFormation's own taggable types.
 */
export class ProviderEndpoint extends Construct implements ITaggable {
  public readonly tags = new TagManager(TagType.KEY_VALUE, MODEL_ENDPOINT_RESOURCE_TYPE);
  public readonly endpointArn: string;
  /** The CloudFormation resource, for `node.defaultChild` and removal policies. */
  public readonly cfnResource: CfnResource;

  constructor(scope: Construct, id: string, props: ProviderEndpointProps) {
    super(scope, id);
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      this.tags.setTag(key, value);
    }
    const provider = ModelProvider.of(this);
    // A role the user brings is passable through a policy of its own, which stays until the cleanup phase.
    const passPermission = props.dataAccessRole && !props.roleIsOwn ? provider.allowPassing(props.dataAccessRole, scope) : undefined;
    const servePermission = props.servesOwnCopy ? undefined : provider.allowServing(props.modelArn, scope);
    const properties: { [name in keyof EndpointProperties]: unknown } = {
      EndpointName: props.endpointName,
      ModelArn: props.modelArn,
      ModelType: props.modelType,
      DesiredInferenceUnits: Tokenization.stringifyNumber(props.desiredInferenceUnits),
      DataAccessRoleArn: props.dataAccessRole?.roleArn,
      Tags: Lazy.any({ produce: () => this.tags.renderTags() }),
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: MODEL_ENDPOINT_RESOURCE_TYPE,
      properties,
      // Creating, moving and deleting an endpoint: the handlers give up MAX_TIMEOUT_SECONDS after onEvent starts, for
      // every request (src/handlers/endpoint/on-event.ts), within CloudFormation's hour.
      serviceTimeout: provider.serviceTimeout(MAX_TIMEOUT_SECONDS),
    });
    for (const permission of [passPermission, servePermission]) {
      if (permission) {
        resource.node.addDependency(permission);
      }
    }
    this.endpointArn = resource.getAttString(ATTRIBUTE_ENDPOINT_ARN);
    this.cfnResource = resource.node.defaultChild as CfnResource;
  }
}
