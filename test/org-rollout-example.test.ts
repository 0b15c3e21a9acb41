// The organization rollout example (examples/org-rollout.ts): what a reader copies from it must be what it says.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { defineOrgRollout, Organization } from '../examples/org-rollout-stacks';
import { IMPORTED_MODEL_RESOURCE_TYPE } from '../src/contract/import-properties';
import { MODEL_POLICY_RESOURCE_TYPE } from '../src/contract/policy-properties';

const ORG: Organization = {
  organizationId: 'o-a1b2c3d4e5',
  organizationalUnitId: 'ou-a1b2-c3d4e5f6',
  sharerAccount: '111122223333',
  administratorAccount: '999988887777',
  regions: ['us-east-1', 'eu-west-1'],
  importerAccounts: ['222200000000', '222200001111'],
};

function synthesized() {
  const app = new App();
  const { shares, buckets, rollout } = defineOrgRollout(app, ORG);
  const assembly = app.synth();
  const stackSetTemplate = JSON.parse(fs.readFileSync(path.join(assembly.directory, rollout.stackSetStack.templateFile), 'utf8'));
  return { shares, buckets, rollout: Template.fromStack(rollout), stackSet: Template.fromJSON(stackSetTemplate) };
}

test('the StackSet deploys to the OU as it joins, with the IAM capability and a stated tolerance and concurrency', () => {
  const { rollout } = synthesized();

  rollout.hasResourceProperties('AWS::CloudFormation::StackSet', {
    PermissionModel: 'SERVICE_MANAGED',
    CallAs: 'DELEGATED_ADMIN',
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
    Capabilities: ['CAPABILITY_IAM'],
    OperationPreferences: { FailureToleranceCount: 9, MaxConcurrentCount: 10, RegionConcurrencyType: 'PARALLEL' },
    StackInstancesGroup: [{
      DeploymentTargets: { OrganizationalUnitIds: [ORG.organizationalUnitId] },
      Regions: ORG.regions,
    }],
  });
  // The library's handlers and the Provider framework's code reach the bucket of each Region.
  rollout.resourceCountIs('Custom::CDKBucketDeployment', ORG.regions.length);
});

test('each Region shares its model version with the accounts of the OU, and its asset bucket is readable by the organization', () => {
  const { shares, buckets } = synthesized();

  for (const share of shares) {
    const policy = Template.fromStack(share).findResources(MODEL_POLICY_RESOURCE_TYPE);
    const [properties] = Object.values(policy).map(resource => resource.Properties);
    expect(properties.ModelArn).toBe(`arn:aws:comprehend:${share.region}:${ORG.sharerAccount}:document-classifier/support-tickets/version/v3`);
    expect(JSON.parse(properties.ResourcePolicy).Statement[0].Principal.AWS)
      .toEqual(ORG.importerAccounts.map(account => `arn:aws:iam::${account}:root`));
  }
  for (const bucket of buckets) {
    const template = Template.fromStack(bucket);
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: `support-tickets-rollout-${ORG.administratorAccount}-${bucket.region}` });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:GetObject',
          Principal: { AWS: '*' },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG.organizationId } },
        })]),
      },
    });
  }
});

test('every instance imports its own Region\'s model version, serves it, scales it and watches it for idleness', () => {
  const { stackSet } = synthesized();

  stackSet.hasResource(IMPORTED_MODEL_RESOURCE_TYPE, {
    Properties: Match.objectLike({
      SourceModelArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':comprehend:', { Ref: 'AWS::Region' }, `:${ORG.sharerAccount}:document-classifier/support-tickets/version/v3`]] },
      ModelType: 'document-classifier',
    }),
    // Kept when the account leaves the OU; deleted when the instance's creation rolls back, so its retry starts clean.
    DeletionPolicy: 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
  });
  stackSet.resourceCountIs('Custom::ComprehendModelEndpoint', 1);
  stackSet.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
  stackSet.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^OnCall') }] });
  // The topic's key lets CloudWatch publish (the AWS managed key of SNS would not).
  stackSet.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OnCallKey'), 'Arn'] } });
  stackSet.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([Match.objectLike({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      })]),
    },
  });
});
