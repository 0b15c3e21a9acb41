// Attaches a resource-based policy to a model version (PutResourcePolicy, overwriting) and removes it on delete.
import { ComprehendClient, DeleteResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-comprehend';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { OnEventResponse } from './events';
import { isError } from './model-client';
import { explainInvalidModelArn, parseModelArn } from '../shared/model-arn';
import { MAX_POLICY_LENGTH, ModelPolicyProperties, POLICY_CHARACTERS } from '../shared/policy-properties';

const client = new ComprehendClient({ maxAttempts: 8 });

export async function handler(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  console.log(JSON.stringify({ ...event, ResponseURL: '...' }));
  if (event.RequestType === 'Delete') {
    return removePolicy(event.PhysicalResourceId);
  }
  const { ModelArn, ResourcePolicy } = event.ResourceProperties as unknown as ModelPolicyProperties;
  const problem = explainInvalidModelArn('modelVersionArn', ModelArn ?? '');
  if (problem) {
    throw new Error(problem);
  }
  if (!ResourcePolicy || ResourcePolicy.length > MAX_POLICY_LENGTH || !POLICY_CHARACTERS.test(ResourcePolicy)) {
    throw new Error(`The resource policy of ${ModelArn} is ${ResourcePolicy?.length ?? 0} characters long; expected 1 to ${MAX_POLICY_LENGTH} Latin-1 characters`);
  }
  // No revision id: CloudFormation owns the policy, so the template's policy overwrites whatever is there.
  await client.send(new PutResourcePolicyCommand({ ResourceArn: ModelArn, ResourcePolicy }));
  // A new model ARN is a new physical id: CloudFormation then deletes the policy from the old model.
  return { PhysicalResourceId: ModelArn };
}

async function removePolicy(physicalResourceId: string): Promise<OnEventResponse> {
  if (!parseModelArn(physicalResourceId)) {
    // A create that failed before it attached anything.
    return { PhysicalResourceId: physicalResourceId };
  }
  try {
    await client.send(new DeleteResourcePolicyCommand({ ResourceArn: physicalResourceId }));
  } catch (error) {
    // No policy, or no model: either way nothing is shared any more.
    if (!isError(error, 'ResourceNotFoundException')) {
      throw error;
    }
  }
  return { PhysicalResourceId: physicalResourceId };
}
