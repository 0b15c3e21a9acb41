// Shares a model version: merges this resource's statements into the model's resource-based policy, and removes only
// them on delete. Statements that the owner or another stack put there stay as they are.
import { createHash } from 'crypto';
import {
  DeleteResourcePolicyCommand,
  DescribeResourcePolicyCommand,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-comprehend';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { explainInvalidModelArn, parseModelArn } from '../../contract/model-arn';
import { explainInvalidPolicy, ModelPolicyProperties } from '../../contract/policy-properties';
import { comprehend, logEvent } from '../common/comprehend';

/** How often a write is tried again after the policy changed between its read and its write. */
const MAX_ATTEMPTS = 5;

type Statement = Record<string, unknown> & { Sid?: string };
interface PolicyDocument { Version?: string; Statement?: Statement | Statement[] }

export async function handler(event: CdkCustomResourceEvent<ModelPolicyProperties>): Promise<CdkCustomResourceResponse> {
  logEvent(event);
  const sid = statementId(event.StackId, event.LogicalResourceId);
  if (event.RequestType === 'Delete') {
    if (parseModelArn(event.PhysicalResourceId)) {
      await mergePolicy(event.PhysicalResourceId, sid, []);
    }
    // Otherwise a create that failed before it attached anything.
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const { ModelArn, ResourcePolicy } = event.ResourceProperties;
  const problem = explainInvalidModelArn('modelArn', ModelArn ?? '') ?? explainInvalidPolicy(ModelArn, ResourcePolicy ?? '');
  if (problem) {
    throw new Error(problem);
  }
  const ours = statementsOf(JSON.parse(ResourcePolicy) as PolicyDocument)
    .map((statement, index) => ({ ...statement, Sid: index === 0 ? sid : `${sid}${index}` }));
  await mergePolicy(ModelArn, sid, ours);
  // A new model ARN is a new physical id: CloudFormation then deletes this resource's statements from the old model.
  return { PhysicalResourceId: ModelArn };
}

/**
 * The Sid of this resource's statements: unique to the stack instance (its StackId) and the logical resource, so two
 * SharedModelPolicy constructs on one model, in two stacks or two apps, never touch each other's statements.
 */
export function statementId(stackId: string, logicalId: string): string {
  return `CdkShare${createHash('sha256').update(`${stackId}/${logicalId}`).digest('hex').slice(0, 24)}`;
}

/**
 * Replaces this resource's statements (those whose Sid starts with `sid`) with `ours` in the model's policy: read it
 * with its revision, write with that revision, and read again when someone else wrote in between. A policy left with
 * no statement is deleted.
 */
async function mergePolicy(modelArn: string, sid: string, ours: Statement[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await readPolicy(modelArn);
    if (!current && ours.length === 0) {
      return;
    }
    const others = statementsOf(current?.document ?? {}).filter(statement => !statement.Sid?.startsWith(sid));
    const statements = [...others, ...ours];
    try {
      if (statements.length === 0) {
        await comprehend.send(new DeleteResourcePolicyCommand({ ResourceArn: modelArn, PolicyRevisionId: current?.revisionId }));
      } else {
        const document = { Version: current?.document.Version ?? '2012-10-17', Statement: statements };
        await comprehend.send(new PutResourcePolicyCommand({
          ResourceArn: modelArn,
          ResourcePolicy: JSON.stringify(document),
          PolicyRevisionId: current?.revisionId,
        }));
      }
      return;
    } catch (error) {
      // The service's error for a stale revision is not documented: a changed revision on a new read tells.
      const changed = (await readPolicy(modelArn))?.revisionId !== current?.revisionId;
      if (!changed || attempt >= MAX_ATTEMPTS) {
        throw error;
      }
      console.log(`The policy of ${modelArn} changed while it was being written: reading it again (attempt ${attempt + 1})`);
    }
  }
}

/** The model's policy and its revision; undefined when it has none. */
async function readPolicy(modelArn: string): Promise<{ document: PolicyDocument; revisionId?: string } | undefined> {
  try {
    const { ResourcePolicy, PolicyRevisionId } = await comprehend.send(new DescribeResourcePolicyCommand({ ResourceArn: modelArn }));
    return ResourcePolicy ? { document: JSON.parse(ResourcePolicy) as PolicyDocument, revisionId: PolicyRevisionId } : undefined;
  } catch (error) {
    // No policy; or no model, which a delete treats as nothing left to remove and a write reports when it writes.
    if (error instanceof ResourceNotFoundException) {
      return undefined;
    }
    throw error;
  }
}

function statementsOf(document: PolicyDocument): Statement[] {
  return document.Statement === undefined ? [] : [document.Statement].flat();
}
