import { App, Aws, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Capability,
  DeploymentType,
  RegionConcurrencyType,
  StackSet,
  StackSetStack,
  StackSetStackProps,
  StackSetTarget,
  StackSetTemplate,
} from 'cdk-stacksets';
import { Construct } from 'constructs';
import { alarmTopic } from './alarm-topic';
import { ImportedComprehendModel, ModelType, SharedModelPolicy } from '../src';

/** Who is who in the organization: the model factory shares, the StackSet administrator rolls out. */
export interface Organization {
  /** The organization's ID (o-…), whose accounts may read the StackSet's Lambda code. */
  readonly organizationId: string;
  /** The organizational unit whose accounts get the copy. */
  readonly organizationalUnitId: string;
  /** The model factory: the account that trains the model and shares it. */
  readonly sharerAccount: string;
  /** The account the StackSet is deployed from: the management account or a delegated administrator. */
  readonly administratorAccount: string;
  /** The Regions the StackSet deploys to; the model factory trains the model in each. */
  readonly regions: string[];
  /** The accounts of the OU today, as the pipeline lists them before it synthesizes. */
  readonly importerAccounts: string[];
}

/** The model version every account copies: the same name and version, trained in each Region by the model factory. */
export const MODEL_NAME = 'support-tickets';
export const MODEL_VERSION = 'v3';

/** The model version's ARN in `region`, or in the Region of the stack that says it (a token) when none is given. */
export function sourceModelArn(org: Organization, region: string = Aws.REGION, partition: string = Aws.PARTITION): string {
  return `arn:${partition}:comprehend:${region}:${org.sharerAccount}:document-classifier/${MODEL_NAME}/version/${MODEL_VERSION}`;
}

/** The model factory, in one Region: shares the Region's model version with the accounts of the OU. */
export class ModelShareStack extends Stack {
  constructor(scope: Construct, id: string, org: Organization, props: StackProps) {
    super(scope, id, props);
    new SharedModelPolicy(this, 'ShareSupportTickets', {
      modelArn: sourceModelArn(org, this.region, 'aws'),
      importerAccounts: org.importerAccounts,
    });
  }
}

/** The name of the StackSet's asset bucket in `region`: cdk-stacksets looks for `PREFIX-REGION`. */
export function assetBucketName(prefix: string, region: string): string {
  return `${prefix}-${region}`;
}

/**
 * The bucket of one Region that holds the StackSet's Lambda code (the library's handlers and the Provider framework's):
 * a Lambda function reads its code from a bucket of its own Region, and every account of the organization reads it.
 */
export class AssetBucketStack extends Stack {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, org: Organization, prefix: string, props: StackProps) {
    super(scope, id, props);
    this.bucket = new s3.Bucket(this, 'Assets', {
      bucketName: assetBucketName(prefix, this.region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
      principals: [new iam.OrganizationPrincipal(org.organizationId)],
    }));
  }
}

/** What every account of the OU deploys: the copy, an endpoint that scales, and an alarm when it serves nothing. */
export class ModelCopyStackSetStack extends StackSetStack {
  constructor(scope: Construct, id: string, org: Organization, props: StackSetStackProps) {
    super(scope, id, props);

    // The template is the same in every account and Region: the source is the model version of the instance's Region,
    // so its ARN is a token, and the model type says what the ARN would.
    const tickets = new ImportedComprehendModel(this, 'SupportTickets', {
      sourceModelArn: sourceModelArn(org),
      modelType: ModelType.DOCUMENT_CLASSIFIER,
      // An account that leaves the OU keeps its copy (with autoDeployRetainStacks, its whole stack); an instance whose
      // creation rolls back (its endpoint refused, say) leaves none, and its retry imports afresh.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      tags: { 'rolled-out-by': 'stackset' },
    });
    const endpoint = tickets.addEndpoint('Endpoint', { desiredInferenceUnits: 1 });
    endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 4 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
    const onCall = alarmTopic(this, 'OnCall');
    endpoint.addIdleAlarm('Idle', { idleFor: Duration.hours(24) }).addAlarmAction(new cloudwatchActions.SnsAction(onCall));
  }
}

/**
 * The StackSet administrator's stack: the StackSet stack, the copy of its Lambda code to each Region's bucket, and the
 * StackSet that deploys it to every account of the OU, now and as accounts join.
 */
export class OrgRolloutStack extends Stack {
  public readonly stackSetStack: ModelCopyStackSetStack;

  constructor(scope: Construct, id: string, org: Organization, assetBuckets: s3.IBucket[], prefix: string, props: StackProps) {
    super(scope, id, props);
    this.stackSetStack = new ModelCopyStackSetStack(this, 'ModelCopy', org, { assetBuckets, assetBucketPrefix: prefix });
    new StackSet(this, 'StackSet', {
      stackSetName: 'support-tickets-model-copy',
      description: 'Copies the support-tickets classifier into every account of the OU, with an endpoint',
      template: StackSetTemplate.fromStackSetStack(this.stackSetStack),
      target: StackSetTarget.fromOrganizationalUnits({
        regions: org.regions,
        organizationalUnits: [org.organizationalUnitId],
      }),
      deploymentType: DeploymentType.serviceManaged({
        // Deployed from a delegated administrator account, not the organization's management account.
        delegatedAdmin: true,
        // A new account of the OU gets its instance at once: share with it first (README, "Rolling out to an organization").
        autoDeployEnabled: true,
        // An account that leaves the OU keeps its stack, copy and endpoint (its instance leaves the StackSet).
        autoDeployRetainStacks: true,
      }),
      // The stack creates IAM roles, none with a fixed name.
      capabilities: [Capability.IAM],
      operationPreferences: {
        // An account that cannot import yet (the share does not name it) fails alone; ten such accounts at once stop the
        // operation in that Region, which says the share is behind the OU.
        failureToleranceCount: 9,
        // Ten accounts at a time (StackSets allows at most one more than the failure tolerance), both Regions at once:
        // each account imports against its own Comprehend quotas.
        maxConcurrentCount: 10,
        regionConcurrencyType: RegionConcurrencyType.PARALLEL,
      },
    });
  }
}

/**
 * The whole rollout: the model factory's share in each Region, an asset bucket in each Region, and the StackSet. Bucket
 * names are global, so the administrator's account makes their prefix its own.
 */
export function defineOrgRollout(app: App, org: Organization) {
  const assetBucketPrefix = `support-tickets-rollout-${org.administratorAccount}`;
  const shares = org.regions.map(region =>
    new ModelShareStack(app, `ModelShare-${region}`, org, { env: { account: org.sharerAccount, region } }));
  const buckets = org.regions.map(region =>
    new AssetBucketStack(app, `OrgRolloutAssets-${region}`, org, assetBucketPrefix, { env: { account: org.administratorAccount, region } }));
  const rollout = new OrgRolloutStack(app, 'OrgRollout', org, buckets.map(b => b.bucket), assetBucketPrefix, {
    env: { account: org.administratorAccount, region: org.regions[0] },
  });
  // The code is copied into every Region's bucket: they all exist first (a bucket of another Region is referred to by
  // name, which makes no dependency by itself).
  buckets.forEach(bucket => rollout.addStackDependency(bucket));
  return { shares, buckets, rollout };
}
