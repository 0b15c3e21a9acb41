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
import { holdsExactly, mergeStatements, PolicyDocument, Statement, statementsOf } from './policy-document';
import { explainInvalidPrincipals, explainInvalidStatements } from './policy-principals';
import { explainInvalidModelArn, parseModelArn } from '../../contract/model-arn';
import { explainInvalidPolicy, ModelPolicyProperties, SHARE_SID_HASH_LENGTH, SHARE_SID_PREFIX } from '../../contract/policy-properties';
import { comprehend, logEvent } from '../common/comprehend';

/**
 * The tests' hook: the clock the SDK's backoff waits on, which the deploy driver sets to its virtual clock. Lambda
 * calls only onEvent.
 */
export { handlerClock } from '../common/clock';

/**
 * How many writes the handler makes before it gives up: a write refused because the policy changed between its read
 * and its write, or one that a concurrent writer overwrote (its statements missing on the read-back), is tried again.
 */
const MAX_WRITES = 5;

export async function onEvent(event: CdkCustomResourceEvent<ModelPolicyProperties>): Promise<CdkCustomResourceResponse> {
  logEvent(event);
  const sid = statementId(event.StackId, event.LogicalResourceId);
  if (event.RequestType === 'Delete') {
    // The physical id is the model's ARN; or CloudFormation made it up, having cancelled the Create before its answer
    // (another resource failed), and the Create may have attached its statements all the same: the model named in the
    // properties loses them. Properties that do not read are a Create that failed before attaching anything.
    const modelArn = parseModelArn(event.PhysicalResourceId) ? event.PhysicalResourceId : event.ResourceProperties?.ModelArn;
    if (modelArn && parseModelArn(modelArn)) {
      await mergePolicy(modelArn, sid, []);
    }
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const { ModelArn, ResourcePolicy } = event.ResourceProperties;
  const problem = explainInvalidModelArn('modelArn', ModelArn ?? '') ?? explainInvalidPolicy(ModelArn, ResourcePolicy ?? '');
  if (problem) {
    throw new Error(problem);
  }
  const policy = JSON.parse(ResourcePolicy) as PolicyDocument;
  const principalProblem = explainInvalidStatements(ModelArn, policy) ?? explainInvalidPrincipals(ModelArn, policy);
  if (principalProblem) {
    throw new Error(principalProblem);
  }
  const ours = statementsOf(policy).map((statement, index) => ({ ...statement, Sid: index === 0 ? sid : `${sid}${index}` }));
  await mergePolicy(ModelArn, sid, ours);
  // A new model ARN is a new physical id: CloudFormation then deletes this resource's statements from the old model.
  return { PhysicalResourceId: ModelArn };
}

/**
 * The Sid of this resource's statements: unique to the stack instance (its StackId) and the logical resource, so two
 * SharedModelPolicy constructs on one model, in two stacks or two apps, never touch each other's statements.
 */
export function statementId(stackId: string, logicalId: string): string {
  return SHARE_SID_PREFIX + createHash('sha256').update(`${stackId}/${logicalId}`).digest('hex').slice(0, SHARE_SID_HASH_LENGTH);
}

/**
 * Replaces this resource's statements (those whose Sid starts with `sid`) with `ours` in the model's policy, until a
 * read shows them there. Each write carries the revision it read. A first policy has no revision to carry (botocore:
 * "If you are creating a new policy that has no prior version, don't use this parameter"), so two first writes can
 * both succeed and the later one drops the earlier one's statements: the read after each write tells, and the merge is
 * made again on the revision read. What no read can tell: a first write of another writer that lands after this
 * handler's read-back (both having read no policy) still drops these statements, and that writer's own read-back shows
 * only its own. The window is the time between the two writers' reads and writes. A policy left with no statement is
 * deleted.
 */
async function mergePolicy(modelArn: string, sid: string, ours: Statement[]): Promise<void> {
  for (let writes = 0; ; writes++) {
    const current = await readPolicy(modelArn);
    if (holdsExactly(current?.document, sid, ours)) {
      return;
    }
    if (writes >= MAX_WRITES) {
      throw new Error(
        `The resource policy of ${modelArn} kept changing: after ${MAX_WRITES} writes it still does not hold this ` +
        `resource's statements (Sid ${sid}...) as written. Other writers are changing it at the same time; deploy again ` +
        'once they are done.',
      );
    }
    if (writes > 0) {
      console.log(`The policy of ${modelArn} does not hold this resource's statements as written: merging again (write ${writes + 1})`);
    }
    const merged = mergeStatements(current?.document, sid, ours);
    // Removing statements never makes a policy longer: a Delete is never refused for what others wrote.
    if (ours.length > 0) {
      requireFits(modelArn, merged, ours.length);
    }
    try {
      await writePolicy(modelArn, merged, current?.revisionId);
    } catch (error) {
      // The service's error for a stale revision is not documented (docs/aws-assumptions.md, stale-policy-revision): a
      // changed revision on a new read tells.
      if ((await readPolicy(modelArn))?.revisionId === current?.revisionId) {
        throw error;
      }
      console.log(`The policy of ${modelArn} changed while it was being written: reading it again`);
    }
  }
}

/**
 * Fails, writing nothing, when the merged policy would be longer than Comprehend takes: this resource's statements fit on
 * their own (checked before), so the statements already in the policy count too, such as another SharedModelPolicy's.
 */
function requireFits(modelArn: string, merged: PolicyDocument | undefined, ownStatements: number): void {
  const problem = merged === undefined ? undefined : explainInvalidPolicy(modelArn, JSON.stringify(merged));
  if (problem) {
    const others = statementsOf(merged!).length - ownStatements;
    throw new Error(`${problem}. With this resource's statements, it holds ${others} more that are already there (other ` +
      'stacks\' or constructs\' shares of this model version, or statements set by hand): every share of one model version ' +
      'counts against that limit');
  }
}

/** Writes `document` on the revision read; deletes the policy when there is no document (no statement left). */
async function writePolicy(modelArn: string, document: PolicyDocument | undefined, revisionId: string | undefined): Promise<void> {
  if (document === undefined) {
    await comprehend.send(new DeleteResourcePolicyCommand({ ResourceArn: modelArn, PolicyRevisionId: revisionId }));
  } else {
    await comprehend.send(new PutResourcePolicyCommand({
      ResourceArn: modelArn,
      ResourcePolicy: JSON.stringify(document),
      PolicyRevisionId: revisionId,
    }));
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
