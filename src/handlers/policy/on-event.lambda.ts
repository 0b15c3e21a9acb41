// Attaches a resource-based policy to a model version (PutResourcePolicy, overwriting) and removes it on delete.
import { DeleteResourcePolicyCommand, PutResourcePolicyCommand, ResourceNotFoundException } from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { explainInvalidModelArn, parseModelArn } from '../../contract/model-arn';
import { explainInvalidPolicy, ModelPolicyProperties } from '../../contract/policy-properties';
import { comprehend, logEvent } from '../common/comprehend';

export async function handler(event: CdkCustomResourceEvent<ModelPolicyProperties>): Promise<CdkCustomResourceResponse> {
  logEvent(event);
  if (event.RequestType === 'Delete') {
    return removePolicy(event.PhysicalResourceId);
  }
  const { ModelArn, ResourcePolicy } = event.ResourceProperties;
  const problem = explainInvalidModelArn('modelArn', ModelArn ?? '') ?? explainInvalidPolicy(ModelArn, ResourcePolicy ?? '');
  if (problem) {
    throw new Error(problem);
  }
  // No revision id: CloudFormation owns the policy, so the template's policy overwrites whatever is there.
  await comprehend.send(new PutResourcePolicyCommand({ ResourceArn: ModelArn, ResourcePolicy }));
  // A new model ARN is a new physical id: CloudFormation then deletes the policy from the old model.
  return { PhysicalResourceId: ModelArn };
}

async function removePolicy(physicalResourceId: string): Promise<CdkCustomResourceResponse> {
  if (!parseModelArn(physicalResourceId)) {
    // A create that failed before it attached anything.
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    await comprehend.send(new DeleteResourcePolicyCommand({ ResourceArn: physicalResourceId }));
  } catch (error) {
    // No policy, or no model: either way nothing is shared any more.
    if (!(error instanceof ResourceNotFoundException)) {
      throw error;
    }
  }
  return { PhysicalResourceId: physicalResourceId };
}
