// Handler side: the steps of the endpoint lifecycle that both onEvent and isComplete take.
import {
  EndpointStatus,
  ResourceInUseException,
  ResourceLimitExceededException,
  ResourceNotFoundException,
  ResourceUnavailableException,
  Tag,
} from '@aws-sdk/client-comprehend';
import { createEndpoint, deleteEndpoint, describeEndpoint, EndpointChanges, EndpointDescription, updateEndpoint } from './endpoint-client';
import { EndpointSpec, isEndpointArn } from './endpoint-request';
import { SERVABLE_MODELS_ENV } from '../../contract/declared-resources';
import { OWNER_TAG_KEY } from '../../contract/import-properties';
import { describeError, isTransient } from '../common/comprehend';
import { readDeclaredArns, stackOwnerPrefix } from '../common/ownership';
import { isStackRollingBack } from '../common/request-guard';
import { ownerOf } from '../common/tagging';

/**
 * A name left unset is derived from the construct path, so stacks built from the same code share it: the instances of
 * one StackSet do, each in its own account, and two StackSets of the same code collide in one account and Region.
 */
const DEFAULT_NAME_NOTE = 'A name left unset is the same in every stack built from the same code (the construct path ' +
  'decides it), such as the instances of two StackSets that land in one account and Region: give those an endpointName each.';

/**
 * Creates the endpoint, or adopts the one a previous attempt of this same resource already created (it carries this
 * resource's ownership tag). An endpoint of that name made by hand or by another stack fails the create, with what to
 * change: the library never adopts, and so never later changes or deletes, what it did not create.
 */
export async function createOwnEndpoint(spec: EndpointSpec): Promise<string> {
  await requireServableModel(spec, spec.modelArn);
  try {
    return await createEndpoint({
      endpointName: spec.endpointName,
      modelArn: spec.modelArn,
      desiredInferenceUnits: spec.desiredInferenceUnits,
      dataAccessRoleArn: spec.dataAccessRoleArn,
      tags: [...spec.tags, spec.ownerTag],
    });
  } catch (error) {
    if (error instanceof ResourceLimitExceededException) {
      throw new Error(
        `Cannot create endpoint "${spec.endpointName}": ${describeError(error)}. Comprehend allows 10 active endpoints and ` +
        '100 inference units per account and Region; delete endpoints nobody needs, or ask for a quota increase.',
      );
    }
    if (!(error instanceof ResourceInUseException)) {
      throw error;
    }
    let owner: string | undefined;
    try {
      owner = await ownerOf(spec.endpointArn);
    } catch (lookup) {
      // No endpoint of that name: the conflict was something else, and Comprehend's own words say what.
      throw lookup instanceof ResourceNotFoundException ? error : lookup;
    }
    if (owner !== spec.ownerTag.Value) {
      throw new Error(
        `Endpoint name "${spec.endpointName}" is already taken in this account and Region (${spec.endpointArn}), and this ` +
        `resource did not create it: ${owner === undefined
          ? `it has no ${OWNER_TAG_KEY} tag, so it was made by hand or by another tool`
          : `its ${OWNER_TAG_KEY} tag names ${owner}`}. It is left as it is. Choose another endpointName, or delete that ` +
        `endpoint first if nobody needs it. ${DEFAULT_NAME_NOTE}`,
      );
    }
    // This resource's own endpoint: a retried create.
    return spec.endpointArn;
  }
}

/**
 * Fails, before any call that changes something, unless the endpoint of `spec` may serve `modelArn`: a copy of this
 * stack instance (its ownership tag begins with `STACK_NAME/STACK_GUID/`, the pattern of the handler role's IAM
 * statements), or a model the app declares (SERVABLE_MODELS_ENV: fromModelArn(), fromModelAttributes(), another
 * stack's copy). IAM cannot limit UpdateEndpoint's target model, so this is the only guard there. The rollback of an
 * update is the exception: it returns the endpoint to the model of the template before, which was checked when it was
 * deployed, while the functions' environment may still be the failed template's (if CloudFormation rolls the endpoint
 * back before the functions, as the project assumes without a documented source: docs/aws-assumptions.md,
 * rollback-order), which may no longer declare it. An endpoint already serving or heading to the model is never asked
 * to (pendingChanges), so it needs no check.
 */
async function requireServableModel(spec: EndpointSpec, modelArn: string): Promise<void> {
  const declared = readDeclaredArns(SERVABLE_MODELS_ENV);
  if (declared.arns.includes(modelArn)) {
    return;
  }
  let owner: string | undefined;
  let found = true;
  try {
    owner = await ownerOf(modelArn);
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) {
      throw error;
    }
    found = false;
  }
  const prefix = stackOwnerPrefix(spec.stackId);
  if (owner?.startsWith(prefix)) {
    return;
  }
  let rollbackProblem: string | undefined;
  try {
    if (await isStackRollingBack(spec.stackId)) {
      console.log(`${modelArn} is not declared to ${spec.endpointName} now, but the stack is rolling back to the template that declared it`);
      return;
    }
  } catch (error) {
    if (isTransient(error)) {
      throw error;
    }
    rollbackProblem = error instanceof Error ? error.message : String(error);
  }
  const what = !found
    ? 'Comprehend does not know that model (ResourceNotFoundException)'
    : owner === undefined
      ? `that model has no ${OWNER_TAG_KEY} tag, so it was made by hand or by another tool`
      : `that model's ${OWNER_TAG_KEY} tag names ${owner}, which is not this stack (${prefix}...)`;
  const notes = [declared.problem, rollbackProblem && `and this handler ${rollbackProblem}`].filter(note => note);
  throw new Error(
    `Endpoint "${spec.endpointName}" may not serve ModelArn ${modelArn}: ${what}, and the app does not declare it ` +
    `(${SERVABLE_MODELS_ENV} of the provider's functions does not list it${notes.length > 0 ? `; ${notes.join('; ')}` : ''}). ` +
    'Nothing was changed. An endpoint serves the copies this stack imports and the models the app names: serve a copy ' +
    'of this stack (ImportedComprehendModel.addEndpoint()), or name the model with ImportedComprehendModel.fromModelArn() ' +
    'or fromModelAttributes() and serve that.',
  );
}

/** Creates the endpoint; when Comprehend is still throttling after the SDK's retries, leaves it to isComplete. */
export async function createWhenPossible(spec: EndpointSpec): Promise<string> {
  try {
    return await createOwnEndpoint(spec);
  } catch (error) {
    if (isTransient(error)) {
      console.log(`CreateEndpoint deferred to the next poll: ${describeError(error)}`);
      return spec.endpointArn;
    }
    throw error;
  }
}

/** Fails unless the endpoint carries this resource's ownership tag. */
export async function requireOwnEndpoint(spec: EndpointSpec): Promise<void> {
  checkOwnEndpoint(spec, await ownerOf(spec.endpointArn));
}

/**
 * Fails, touching nothing, unless `owner` (the value of the endpoint's ownership tag, undefined when it has none) is
 * this resource's. Every change to an endpoint (UpdateEndpoint, tags, delete) is preceded by this check in the same
 * invocation, so an endpoint re-created by hand under the name, or one whose tag was removed, is never changed.
 */
export function checkOwnEndpoint(spec: EndpointSpec, owner: string | undefined): void {
  if (owner !== spec.ownerTag.Value) {
    throw new Error(
      `Endpoint name "${spec.endpointName}" is already taken in this account and Region (${spec.endpointArn}), and this ` +
      `resource did not create it (its ${OWNER_TAG_KEY} tag is ${owner ?? 'absent'}). It is left as it is. Choose ` +
      'another endpointName, or delete that endpoint by hand if nobody needs it. If it is this resource\'s own endpoint ' +
      `and only its tag was removed, tag it again with ${OWNER_TAG_KEY}=${spec.ownerTag.Value}. ${DEFAULT_NAME_NOTE}`,
    );
  }
}

/**
 * What UpdateEndpoint must still be asked for the endpoint to match `spec`, or undefined when nothing. The model and
 * the data access role follow the template whenever they differ. The inference units are sent only when the template
 * changed them, so a deploy keeps the units an auto scaler set.
 */
export function pendingChanges(spec: EndpointSpec, previous: EndpointSpec | undefined, endpoint: EndpointDescription): EndpointChanges | undefined {
  const heading = endpoint.desiredModelArn ?? endpoint.modelArn;
  const role = endpoint.desiredDataAccessRoleArn ?? endpoint.dataAccessRoleArn;
  const unitsChanged = previous !== undefined && previous.desiredInferenceUnits !== spec.desiredInferenceUnits;
  const changes: EndpointChanges = {
    desiredModelArn: heading !== spec.modelArn ? spec.modelArn : undefined,
    desiredInferenceUnits: unitsChanged && endpoint.desiredInferenceUnits !== spec.desiredInferenceUnits ? spec.desiredInferenceUnits : undefined,
    // UpdateEndpoint cannot take a role away; a model that needs none ignores it.
    desiredDataAccessRoleArn: spec.dataAccessRoleArn !== undefined && role !== spec.dataAccessRoleArn ? spec.dataAccessRoleArn : undefined,
  };
  return Object.values(changes).some(value => value !== undefined) ? changes : undefined;
}

/**
 * Asks for the changes; when the endpoint is busy or Comprehend is throttling, leaves them to the next poll, which looks
 * again. botocore lists both ResourceInUseException and ResourceUnavailableException for UpdateEndpoint: an endpoint
 * that is not IN_SERVICE (another update still running, Application Auto Scaling changing its units) is waited for.
 * botocore documents ResourceUnavailableException only as "The specified resource is not available. Check the resource
 * and try your request again": from an endpoint that is IN_SERVICE, the endpoint is not what waiting would change, so
 * the update fails now, in Comprehend's words, rather than at the deadline.
 */
export async function updateWhenPossible(spec: EndpointSpec, arn: string, changes: EndpointChanges): Promise<void> {
  if (changes.desiredModelArn !== undefined) {
    await requireServableModel(spec, changes.desiredModelArn);
  }
  try {
    await updateEndpoint(arn, changes);
  } catch (error) {
    const busy = error instanceof ResourceUnavailableException
      ? (await describeEndpoint(arn))?.status !== EndpointStatus.IN_SERVICE
      : isTransient(error) || error instanceof ResourceInUseException;
    if (busy) {
      console.log(`UpdateEndpoint deferred to the next poll: ${describeError(error)}`);
      return;
    }
    throw error;
  }
}

/**
 * Asks Comprehend to delete the endpoint, when it carries this resource's ownership tag. `gone` when there is nothing
 * to delete (or nothing of this resource's); `pending` when the caller should look again later: deletion started, the
 * endpoint still creating or updating, or Comprehend throttling.
 */
export async function requestEndpointDeletion(arn: string, ownerTag: Tag): Promise<'gone' | 'pending'> {
  if (!isEndpointArn(arn)) {
    // A create that failed before Comprehend answered: the physical id is the framework's placeholder.
    return 'gone';
  }
  try {
    const owner = await ownerOf(arn);
    if (owner !== ownerTag.Value) {
      console.log(`${arn} is not this resource's endpoint (its ${OWNER_TAG_KEY} tag is ${owner ?? 'absent'}): left as it is`);
      return 'gone';
    }
    await deleteEndpoint(arn);
    return 'pending';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return 'gone';
    }
    if (error instanceof ResourceInUseException || isTransient(error)) {
      return 'pending';
    }
    throw error;
  }
}
