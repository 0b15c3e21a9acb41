// Plays CloudFormation and the custom-resources Provider framework for the Comprehend resources of a stack: its
// custom resources (model copies, endpoints, model policies).
//
// It synthesizes a real CDK app, reads the template and the cloud assembly, loads the onEvent and isComplete
// handlers from the synthesized asset folders (the bundled files, not the TypeScript source), and sends them
// Create, Update and Delete events with properties resolved as CloudFormation resolves them, in CloudFormation's
// order: a resource's request starts as soon as every resource it refers to (Ref, Fn::GetAtt, DependsOn) is done, its
// references resolved to what they are by then, independent ones at once; every update first, then the cleanup
// (deleting replaced and removed resources, a resource as soon as those that refer to it are deleted). It polls
// isComplete at the waiter's interval up to its attempts, honours replacement (a new physical id on Update, then a
// Delete of the old one) and rollback.
//
// CloudFormation's record of each resource (DescribeStackResource) is kept as CloudFormation keeps it, and handed to the
// emulator (`records`), which answers the handlers with it: a request sets its resource's record to *_IN_PROGRESS when
// it is sent, and its answer to *_COMPLETE or *_FAILED; each transition is strictly later than the one before it, and
// nothing else changes a record while its request is in progress. A resource removed from the stack by an update has
// no record once the update is done; a deleted stack keeps its records, DELETE_COMPLETE, under its stack id. The
// stack's status (DescribeStacks) follows CloudFormation's: CREATE_IN_PROGRESS or UPDATE_IN_PROGRESS, then
// UPDATE_COMPLETE_CLEANUP_IN_PROGRESS and *_COMPLETE; on a failure ROLLBACK_IN_PROGRESS or UPDATE_ROLLBACK_IN_PROGRESS
// (while the rollback's requests run: a resource's record shows UPDATE_IN_PROGRESS for them, as for forward ones), then
// UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS and *_COMPLETE or *_FAILED; DELETE_IN_PROGRESS, then deleted or DELETE_FAILED.
//
// Cancellation, as CloudFormation does it: when a request of the forward operation fails, no new request starts, and
// every request still in progress is cancelled (its record CREATE_FAILED "Resource creation cancelled" or UPDATE_FAILED
// "Resource update cancelled"). The rollback then runs in reverse dependency order: a failed or cancelled Update is
// updated back (old and new properties swapped, the old physical id); a failed Create is deleted with what the
// framework answered (its placeholder id when onEvent failed, which the framework answers itself); a cancelled Create,
// which never answered, with a physical id CloudFormation makes up (STACKNAME-LOGICALID-RANDOM); a request never
// started is left alone. Nobody tells the Provider framework: a cancelled request's onEvent runs to its end, and its
// waiter keeps polling on its schedule, as Lambda and Step Functions would, until it answers, fails or runs out of
// attempts. Those lingering requests are polled during every later operation of the driver, interleaved with its own
// requests, and settle() runs the clock until every one has ended; their answers, which nobody reads, are kept in
// `cancelledOutcomes`. Whether their next poll comes before the rollback's first request or after the rollback's first
// onEvent calls, or only after the whole rollback, is an option (`cancelledPolls`): tests need every order.
//
// IAM is applied as CloudFormation applies it, when the driver is given the emulator's identity registry: each role of
// a provider's user functions gets an access key of its own (of the stack's account), the handlers call with it, and
// the role's effective policy (its inline Policies and every AWS::IAM::Policy / ManagedPolicy that names it) is
// registered with the emulator whenever it changes: new and changed policies in the update phase, before the custom
// resources that follow them; removed ones only after the cleanup's deletes (the resources that depended on them go
// first); in a rollback, the resources roll back under the new policies, then the old policies come back, and the
// policies the failed operation created go after the rollback's cleanup; on stack deletion, after every resource.
// The deployer (CloudFormation itself) calls with the unrestricted key of the account.
//
// process.env is one for the whole process, and a handler's SDK reads its credentials from it at its first call: it
// holds one provider's credentials and environment at a time, switched only while no handler invocation (of any
// driver) is in flight. A provider's invocation whose turn comes while another provider's are in flight waits for them.
import { createHash, randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
import type { ResourceStatus, StackResourceRecord } from './comprehend-emulator';
import { CREATE_FAILED_MARKER } from './fixtures';
import type { IamStatement } from './iam-evaluator';
import { VirtualClock } from './virtual-clock';
import { IMPORTED_MODEL_RESOURCE_TYPE } from '../../src/contract/import-properties';

/** The user handlers behind one Provider, with its waiter's interval and attempts. */
export interface ProviderHandlers {
  readonly onEvent: Handler;
  readonly isComplete?: Handler;
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  /** The logical id of the role the user functions run with, when the template defines it. */
  readonly role?: string;
  /**
   * The variables of the user functions, onEvent's and isComplete's together, set for the provider's calls: literal
   * strings, and those whose intrinsic functions resolve (a JSON list that names a key of the stack); the template's
   * in force, updated by each deploy.
   */
  environment: Record<string, string>;
}

/** Where the driver registers the handler roles' access keys and policies: the emulator. */
export interface IdentityRegistry {
  addAccessKey(accessKeyId: string, account: string): void;
  setIdentityPolicy(accessKeyId: string, statements: readonly IamStatement[] | undefined, principal?: string): void;
}

/** Where the driver keeps CloudFormation's records of the stack's resources, for DescribeStackResource: the emulator. */
export interface StackRecordRegistry {
  setStackResourceRecord(stackId: string, logicalId: string, record: StackResourceRecord | undefined): void;
  deleteStack(stackId: string): void;
  /** The stack's status (StackStatus), for DescribeStacks: how a handler tells an update's rollback from a forward one. */
  setStackStatus(stackId: string, status: string): void;
}

/** An IAM policy of the template in force: the roles it is attached to and its resolved statements. */
interface PolicyInForce {
  readonly roles: readonly string[];
  readonly statements: readonly IamStatement[];
}

export type Handler = (event: any) => Promise<any>;

/**
 * When the requests cancelled by a failure poll next, relative to the rollback: `beforeRollback`, the rollback's first
 * request waits until each has polled once more (or ended); `afterRollbackOnEvent`, their polls wait until the onEvent
 * of every request the rollback starts at once has returned; `afterRollback`, until the whole rollback is done (their
 * executions held back, as Lambda's concurrency limit or Step Functions may), so they still poll in the operation after.
 */
export type CancelledPollOrder = 'beforeRollback' | 'afterRollbackOnEvent' | 'afterRollback';

export interface DeployDriverOptions {
  /** The emulator's URL. */
  readonly endpoint: string;
  /** The access key id the emulator maps to the stack's account. */
  readonly accessKeyId: string;
  readonly clock: VirtualClock;
  /** Values for Fn::ImportValue. */
  readonly exports?: Record<string, string>;
  /** Called after every isComplete call (of cancelled requests too): to look at the world mid-deployment. */
  readonly onPoll?: () => void;
  /**
   * The emulator, to give each handler role an access key and its effective IAM policy. Without it every handler calls
   * with `accessKeyId`, unrestricted.
   */
  readonly iam?: IdentityRegistry;
  /** The emulator, to answer DescribeStackResource with the driver's records. Without it the records stay in the driver. */
  readonly records?: StackRecordRegistry;
  /**
   * When cancelled requests poll next, relative to the rollback (see CancelledPollOrder); deploy() may override it.
   * @default 'afterRollbackOnEvent'
   */
  readonly cancelledPolls?: CancelledPollOrder;
  /**
   * Where an environment-agnostic template is deployed, as a StackSet deploys one stack instance per account and Region
   * (its stack named `StackSet-NAME-UUID`); a stack with an account and Region of its own is deployed there.
   */
  readonly instance?: { readonly account: string; readonly region: string; readonly stackName?: string };
}

export interface DeployOptions {
  /** Overrides the driver's `cancelledPolls` for this deployment. */
  readonly cancelledPolls?: CancelledPollOrder;
}

/** A resource the driver runs (a model copy, an endpoint, a model policy) as CloudFormation knows it after a deployment. */
export interface DeployedResource {
  readonly physicalResourceId: string;
  readonly properties: Record<string, any>;
  readonly data: Record<string, string>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /** The resources of the stack it refers to, which CloudFormation creates before it and deletes after it. */
  readonly dependsOn: readonly string[];
}

/** A resource of the template the driver runs, before its properties are resolved. */
interface TemplateResource {
  readonly type: string;
  readonly properties: Record<string, any>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  readonly dependsOn: readonly string[];
}

type RequestType = 'Create' | 'Update' | 'Delete';

/** One request to a resource, as the framework answered it. */
export interface Outcome {
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId?: string;
  readonly data?: Record<string, string>;
  readonly reason?: string;
  /** isComplete calls it took. */
  readonly polls: number;
  /** When the framework had the answer, on the driver's clock (epoch milliseconds). */
  readonly answeredAt: number;
}

/** How a cancelled request ended, which CloudFormation no longer waited for. */
export interface CancelledOutcome extends Outcome {
  /** When CloudFormation cancelled it (epoch milliseconds). */
  readonly cancelledAt: number;
}

export interface DeployResult {
  readonly status: 'COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED' | 'DELETE_FAILED';
  /** Every request answered, in order of completion: the forward ones, then cleanup or rollback. */
  readonly outcomes: Outcome[];
  /** The reasons of the failed requests. */
  readonly failures: string[];
  /** The requests in progress that the failure cancelled (their answers go to the driver's cancelledOutcomes). */
  readonly cancelled: ReadonlyArray<{ readonly logicalId: string; readonly requestType: RequestType }>;
}

/** One handler invocation, for tests that look at the order of things. */
export interface Invocation {
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly handler: 'onEvent' | 'isComplete';
  /** Whether CloudFormation had cancelled the request when the invocation started. */
  readonly cancelled: boolean;
  /** The event the handler was given (isComplete's with onEvent's answer merged in). */
  readonly event: any;
  readonly startedAt: number;
  endedAt?: number;
}

interface Request {
  readonly logicalId: string;
  readonly event: any;
}

/** One request from its start to its end, as the framework runs it: onEvent, then its waiter's polls. */
interface Task {
  readonly request: Request;
  /** Undefined when the framework answers it itself (the Delete of a create whose onEvent failed). */
  readonly handlers?: ProviderHandlers;
  state: 'onEvent' | 'waiting' | 'polling' | 'ended';
  /** The waiter's event (onEvent's answer merged in), its isComplete calls so far, and when the next is due. */
  waiter?: { readonly event: any; polls: number; dueAt: number };
  /** Where its answer goes while CloudFormation waits for it. */
  readonly answer: (outcome: Outcome) => void;
  /** When CloudFormation cancelled it; its answer then goes to cancelledOutcomes. */
  cancelledAt?: number;
  /** The polls that started after it was cancelled and have ended. */
  pollsSinceCancelled: number;
}

/** One operation of the stack (an update, its cleanup or rollback, a deletion) as the scheduler runs it. */
interface Plan {
  /** Every request of the operation, by a key of its own, with the keys whose requests must end before it starts. */
  readonly waitsFor: ReadonlyMap<string, readonly string[]>;
  /** The request of a key, built once when it may start; undefined when it needs none (a resource left unchanged). */
  readonly requestFor: (key: string) => Request | undefined;
  /** The forward operation: a failure cancels the requests in progress, and no more start. */
  readonly cancelsOnFailure?: boolean;
  /** Before requests start: the template's policies take effect. */
  readonly beforeStarts?: () => void;
  /** Whether requests may start now. */
  readonly mayStart?: () => boolean;
  /** Whether a cancelled request may poll now. */
  readonly mayPollCancelled?: (task: Task) => boolean;
  readonly onSuccess?: (outcome: Outcome) => void;
  /** The tasks it started, by key, filled as they start. */
  readonly started: Map<string, Task>;
  /** Runs until no cancelled request is left in progress, as well. */
  readonly untilSettled?: boolean;
}

/** One operation in progress: what it answered, what ended, what is yet to start, and what it waits for. */
interface PlanRun {
  readonly outcomes: Outcome[];
  /** The keys whose requests ended (or needed none). */
  readonly ended: Set<string>;
  readonly unstarted: Set<string>;
  /** The request of each key, built once. */
  readonly requests: Map<string, Request | undefined>;
  /** The requests in progress that CloudFormation waits for. */
  readonly own: Task[];
  readonly cancelled: Task[];
  /** When a request of the forward operation failed. */
  failedAt?: number;
}

/**
 * How long after a failure CloudFormation cancels the requests still in progress: answers it has by then complete.
 * Independent waiters that poll in the same round land milliseconds apart on the clock (real time runs with it), so
 * without this moment which of them the failure cancels would be chance.
 */
const CANCELLATION_DELAY_MS = 1_000;

const CANCELLED_REASON: Partial<Record<RequestType, string>> = {
  Create: 'Resource creation cancelled',
  Update: 'Resource update cancelled',
};

/**
 * The handler invocations in flight, of every driver, each with the owner of its sleeps: process.env holds one
 * provider's credentials and environment at a time (see the header), switched only while none is in flight.
 */
const inFlight = new Map<Promise<void>, { readonly owner: object; readonly handlers: ProviderHandlers }>();
/** The provider whose environment process.env holds now, and the values its variables replaced. */
let environment: {
  readonly holder: ProviderHandlers;
  readonly replaced: Record<string, string | undefined>;
  readonly values: Record<string, string>;
} | undefined;

export class DeployDriver {
  /** The resources of the stack, by logical id. */
  public readonly resources = new Map<string, DeployedResource>();
  /** How each cancelled request ended, once it has: CloudFormation no longer waited for it. */
  public readonly cancelledOutcomes: CancelledOutcome[] = [];
  /** Every handler invocation, in order of start. */
  public readonly invocations: Invocation[] = [];
  private readonly stackGuid = randomUUID();
  /** The providers of the stack, by service token. */
  private readonly providers = new Map<string, ProviderHandlers>();
  private readonly resourceTypes = new Map<string, string>();
  /** What the resources of the deployment in progress answered so far, ahead of `resources`. */
  private readonly inProgress = new Map<string, { physicalResourceId: string; data: Record<string, string> }>();
  /** The template's IAM policies in force now, by logical id (a role's inline policies as `ROLE#inline`). */
  private policies = new Map<string, PolicyInForce>();
  /** The access key of each handler role, by the role's logical id. */
  private readonly roleKeys = new Map<string, string>();
  /** CloudFormation's records of each resource, every transition in order; undefined: the resource left the stack. */
  private readonly records = new Map<string, Array<StackResourceRecord | undefined>>();
  /** The cancelled requests still in progress: their onEvent runs, or their waiter polls. */
  private readonly lingering: Task[] = [];
  /** Whether a create of the stack completed (a failed create's records stay, DELETE_COMPLETE, as a ROLLBACK_COMPLETE stack's). */
  private created = false;
  /** The operation in progress. */
  private currentPlan?: Plan;
  private currentStack?: Stack;
  private template: any;

  constructor(private readonly options: DeployDriverOptions) {}

  /**
   * Deploys `stack`: creates the stack the first time, then updates it to each new definition (a stack of the
   * same name, account and Region in a fresh app, since constructs cannot change once built).
   */
  public async deploy(stack: Stack, deployOptions: DeployOptions = {}): Promise<DeployResult> {
    const desired = this.load(stack);
    this.inProgress.clear();
    this.setStackStatus(this.created ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS');
    const sent = new Map<string, Record<string, any>>();
    const policiesBefore = new Map(this.policies);
    const { outcomes: forward, cancelled } = await this.operate({
      waitsFor: new Map([...desired].map(([logicalId, want]) => [logicalId, want.dependsOn])),
      requestFor: logicalId => this.forwardRequest(logicalId, desired, sent),
      cancelsOnFailure: true,
      // The update phase: new and changed policies take effect before the resources that come after them.
      beforeStarts: () => this.applyPolicies(false),
      onSuccess: outcome => this.inProgress.set(outcome.logicalId, { physicalResourceId: outcome.physicalResourceId!, data: outcome.data ?? {} }),
      started: new Map(),
    });
    if (!forward.some(o => o.status === 'FAILED')) {
      this.applyPolicies(false);
      return this.cleanUp(desired, sent, forward);
    }
    const order = deployOptions.cancelledPolls ?? this.options.cancelledPolls ?? 'afterRollbackOnEvent';
    return this.rollBack(desired, sent, forward, cancelled, policiesBefore, order);
  }

  /** The forward request of a resource, its properties resolved now: a Create, an Update, or none when unchanged. */
  private forwardRequest(logicalId: string, desired: Map<string, TemplateResource>, sent: Map<string, Record<string, any>>): Request | undefined {
    const properties = this.resolve(desired.get(logicalId)!.properties, this.template);
    sent.set(logicalId, properties);
    const have = this.resources.get(logicalId);
    if (!have) {
      return { logicalId, event: this.event('Create', logicalId, properties) };
    }
    if (JSON.stringify(have.properties) !== JSON.stringify(properties)) {
      return { logicalId, event: this.event('Update', logicalId, properties, have.physicalResourceId, have.properties) };
    }
    return undefined;
  }

  /** After a successful update: the new state, then the replaced and removed resources deleted, dependents first. */
  private async cleanUp(desired: Map<string, TemplateResource>, sent: Map<string, Record<string, any>>, forward: Outcome[]): Promise<DeployResult> {
    const cleanup = new Map<string, Request>();
    const cleanupDeps = new Map<string, readonly string[]>();
    for (const outcome of forward) {
      const had = this.resources.get(outcome.logicalId);
      if (had && had.physicalResourceId !== outcome.physicalResourceId && had.updateReplacePolicy !== 'Retain') {
        cleanup.set(outcome.logicalId, { logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, had.properties, had.physicalResourceId) });
        cleanupDeps.set(outcome.logicalId, had.dependsOn);
      }
    }
    const removed = [...this.resources.keys()].filter(id => !desired.has(id));
    for (const logicalId of removed) {
      const had = this.resources.get(logicalId)!;
      if (!retains(had.deletionPolicy)) {
        cleanup.set(logicalId, { logicalId, event: this.event('Delete', logicalId, had.properties, had.physicalResourceId) });
        cleanupDeps.set(logicalId, had.dependsOn);
      } else {
        this.putRecord(logicalId, 'DELETE_SKIPPED', had.physicalResourceId);
      }
      this.resources.delete(logicalId);
    }
    for (const [logicalId, want] of desired) {
      const answered = this.inProgress.get(logicalId) ?? this.resources.get(logicalId)!;
      this.resources.set(logicalId, {
        physicalResourceId: answered.physicalResourceId,
        properties: sent.get(logicalId)!,
        data: answered.data,
        deletionPolicy: want.deletionPolicy,
        updateReplacePolicy: want.updateReplacePolicy,
        dependsOn: want.dependsOn,
      });
    }
    this.inProgress.clear();
    const updated = this.created;
    this.created = true;
    if (updated) {
      this.setStackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    }
    // CloudFormation does not fail a stack update for a failed cleanup; it reports it.
    const { outcomes: cleaned } = await this.sendInReverseOrder(cleanup, cleanupDeps);
    this.setStackStatus(updated ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE');
    // The cleanup phase deletes the removed policies after the resources that depended on them.
    this.applyPolicies(true);
    // The update is done: the resources it removed are no longer the stack's.
    removed.forEach(logicalId => this.removeRecord(logicalId));
    return {
      status: 'COMPLETE',
      outcomes: [...forward, ...cleaned],
      failures: cleaned.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`),
      cancelled: [],
    };
  }

  /**
   * After a failed update: what was done or cancelled is undone, dependents first; new resources of replacements are
   * deleted. The requests the failure cancelled poll on, before or after the rollback's first requests (`order`).
   */
  private async rollBack(desired: Map<string, TemplateResource>, sent: Map<string, Record<string, any>>, forward: Outcome[],
    cancelled: Task[], policiesBefore: Map<string, PolicyInForce>, order: CancelledPollOrder): Promise<DeployResult> {
    const rollback = new Map<string, Request>();
    const deps = new Map<string, readonly string[]>();
    const createdHere: string[] = [];
    const undo = (logicalId: string, answered: Outcome | undefined) => {
      const had = this.resources.get(logicalId);
      deps.set(logicalId, desired.get(logicalId)!.dependsOn);
      if (!had) {
        createdHere.push(logicalId);
      }
      if (!had && desired.get(logicalId)!.deletionPolicy === 'Retain') {
        // Retain keeps a resource even when the operation that created it rolls back: no Delete is sent (CloudFormation
        // User Guide, DeletionPolicy attribute; RetainExceptOnCreate exists to delete in exactly that case).
        this.putRecord(logicalId, 'DELETE_SKIPPED', answered?.physicalResourceId);
      } else if (!had) {
        // Deleted also under RetainExceptOnCreate: "If the stack operation that created the resource is rolled back,
        // CloudFormation deletes the resource" (CloudFormation User Guide, DeletionPolicy attribute). A failed create
        // is deleted with what the framework answered (the placeholder when onEvent failed); a cancelled one never
        // answered, so CloudFormation makes an id up.
        const physicalId = answered ? answered.physicalResourceId ?? CREATE_FAILED_MARKER : this.madeUpPhysicalId(logicalId);
        rollback.set(logicalId, { logicalId, event: this.event('Delete', logicalId, sent.get(logicalId)!, physicalId) });
      } else {
        const physicalId = answered?.status === 'SUCCESS' ? answered.physicalResourceId! : had.physicalResourceId;
        rollback.set(logicalId, { logicalId, event: this.event('Update', logicalId, had.properties, physicalId, sent.get(logicalId)!) });
      }
    };
    forward.forEach(outcome => undo(outcome.logicalId, outcome));
    cancelled.forEach(task => undo(task.request.logicalId, undefined));
    this.inProgress.clear();
    // The stack's status tells the rollback's Updates from forward ones (a resource's record shows UPDATE_IN_PROGRESS for both).
    this.setStackStatus(this.created ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'ROLLBACK_IN_PROGRESS');
    const { outcomes: rolledBack } = await this.sendInReverseOrder(rollback, deps, this.cancelledPollGates(cancelled, rollback, deps, order));
    // The resources rolled back under the new policies; now the old policies come back (those the failed operation
    // created stay until its rollback cleanup is done).
    this.restorePolicies(policiesBefore, false);
    if (this.created) {
      this.setStackStatus('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    }
    const rollbackCleanup = new Map<string, Request>();
    for (const outcome of rolledBack) {
      const forwardOutcome = forward.find(o => o.logicalId === outcome.logicalId);
      if (outcome.requestType === 'Update' && forwardOutcome?.status === 'SUCCESS'
        && forwardOutcome.physicalResourceId !== outcome.physicalResourceId) {
        rollbackCleanup.set(outcome.logicalId, { logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, sent.get(outcome.logicalId)!, forwardOutcome.physicalResourceId) });
      }
    }
    const { outcomes: cleaned } = await this.sendInReverseOrder(rollbackCleanup, deps,
      order === 'afterRollback' ? { mayPollCancelled: task => !cancelled.includes(task) } : {});
    this.restorePolicies(policiesBefore, true);
    if (this.created) {
      // An update rolled back: the resources it created are not the stack's (a failed create keeps them, DELETE_COMPLETE).
      createdHere.forEach(logicalId => this.removeRecord(logicalId));
    }
    const all = [...forward, ...rolledBack, ...cleaned];
    const rollbackFailed = [...rolledBack, ...cleaned].some(o => o.status === 'FAILED');
    this.setStackStatus(`${this.created ? 'UPDATE_ROLLBACK' : 'ROLLBACK'}_${rollbackFailed ? 'FAILED' : 'COMPLETE'}`);
    return {
      status: rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE',
      outcomes: all,
      failures: all.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`),
      cancelled: cancelled.map(task => ({ logicalId: task.request.logicalId, requestType: task.request.event.RequestType })),
    };
  }

  /**
   * What holds the rollback or the cancelled requests back, so that the cancelled requests' next poll comes first
   * (`beforeRollback`), or the onEvent calls of the rollback's first requests do (`afterRollbackOnEvent`).
   */
  private cancelledPollGates(cancelled: Task[], rollback: Map<string, Request>, deps: Map<string, readonly string[]>,
    order: CancelledPollOrder): Pick<Plan, 'mayStart' | 'mayPollCancelled'> {
    if (order === 'beforeRollback') {
      return { mayStart: () => cancelled.every(task => task.state === 'ended' || task.pollsSinceCancelled > 0) };
    }
    if (order === 'afterRollback') {
      return { mayPollCancelled: task => !cancelled.includes(task) };
    }
    const first = [...rollback.keys()].filter(id => reverseWaits(id, rollback, deps).length === 0);
    return {
      mayPollCancelled: task => !cancelled.includes(task)
        || first.every(id => ['waiting', 'polling', 'ended'].includes(this.taskOf(id)?.state ?? 'none')),
    };
  }

  /**
   * Deletes the stack: every resource unless its DeletionPolicy retains it, dependents first. A resource whose Delete
   * fails stays in the stack (DELETE_FAILED), with the policies, so destroy() again retries it, as deleting the stack
   * again does.
   */
  public async destroy(): Promise<DeployResult> {
    this.setStackStatus('DELETE_IN_PROGRESS');
    const requests = new Map<string, Request>();
    const deps = new Map<string, readonly string[]>();
    for (const [logicalId, had] of this.resources) {
      deps.set(logicalId, had.dependsOn);
      if (!retains(had.deletionPolicy)) {
        requests.set(logicalId, { logicalId, event: this.event('Delete', logicalId, had.properties, had.physicalResourceId) });
      } else {
        this.putRecord(logicalId, 'DELETE_SKIPPED', had.physicalResourceId);
      }
    }
    const { outcomes } = await this.sendInReverseOrder(requests, deps);
    const failed = new Set(outcomes.filter(o => o.status === 'FAILED').map(o => o.logicalId));
    [...this.resources.keys()].filter(id => !failed.has(id)).forEach(id => this.resources.delete(id));
    if (failed.size === 0) {
      // The policies go last: every resource that depended on them is deleted by now.
      this.restorePolicies(new Map(), true);
      this.options.records?.deleteStack(this.stackId);
      this.created = false;
    } else {
      this.setStackStatus('DELETE_FAILED');
    }
    const failures = outcomes.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`);
    return { status: failures.length > 0 ? 'DELETE_FAILED' : 'COMPLETE', outcomes, failures, cancelled: [] };
  }

  /**
   * Runs the clock until every cancelled request has ended: its onEvent returned, and its waiter answered, failed or ran
   * out of attempts. Their answers are in cancelledOutcomes.
   */
  public async settle(): Promise<CancelledOutcome[]> {
    await this.operate({ waitsFor: new Map(), requestFor: () => undefined, started: new Map(), untilSettled: true });
    return this.cancelledOutcomes;
  }

  /** The cancelled requests still in progress, by logical id and request type. */
  public get inProgressCancelled(): string[] {
    return this.lingering.map(task => `${task.request.logicalId} ${task.request.event.RequestType}`);
  }

  /** The stack's id (its ARN), as the events carry it. */
  public get stackId(): string {
    return `arn:aws:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/${this.stackGuid}`;
  }

  /** CloudFormation's record of a resource now; undefined when it has none. */
  public recordOf(logicalId: string): StackResourceRecord | undefined {
    const history = this.records.get(logicalId) ?? [];
    return history[history.length - 1];
  }

  /** Every record CloudFormation kept of a resource, in order (undefined: it left the stack). */
  public recordsOf(logicalId: string): ReadonlyArray<StackResourceRecord | undefined> {
    return this.records.get(logicalId) ?? [];
  }

  /** The access key the handlers of the role whose logical id starts with `rolePrefix` call with. */
  public accessKeyOf(rolePrefix: string): string {
    const keys = [...this.roleKeys].filter(([role]) => role.startsWith(rolePrefix));
    return keys.length === 1 ? keys[0][1] : fail(`${keys.length} handler roles start with ${rolePrefix}`);
  }

  /**
   * Sends onEvent only, for every copy `stack` adds, as when the deployment is cancelled while the copies are
   * still importing (their records CREATE_FAILED, cancelled). destroy() then deletes them with the physical ids onEvent
   * answered. One at a time, outside the scheduler: a handler's wait moves the clock on by itself (virtual-clock.ts).
   */
  public async startCreates(stack: Stack): Promise<string[]> {
    if (inFlight.size > 0) {
      throw new Error(`startCreates() while ${inFlight.size} handler invocation(s) are in flight: settle() first`);
    }
    const desired = this.load(stack);
    this.setStackStatus(this.created ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS');
    this.applyPolicies(false);
    releaseEnvironment();
    const started: string[] = [];
    for (const [logicalId, want] of desired) {
      if (!this.resources.has(logicalId)) {
        const properties = this.resolve(want.properties, this.template);
        const event = this.event('Create', logicalId, properties);
        const handlers = this.handlersOf(event);
        this.useCredentials(handlers);
        this.putRecord(logicalId, 'CREATE_IN_PROGRESS');
        const result = await handlers.onEvent(event);
        this.putRecord(logicalId, 'CREATE_FAILED', undefined, CANCELLED_REASON.Create);
        this.resources.set(logicalId, { ...want, properties, physicalResourceId: result.PhysicalResourceId, data: {} });
        started.push(result.PhysicalResourceId);
      }
    }
    return started;
  }

  /** Sends requests in reverse dependency order: a resource's once the requests of those that refer to it have ended. */
  private async sendInReverseOrder(requests: Map<string, Request>, deps: Map<string, readonly string[]>,
    gates: Pick<Plan, 'mayStart' | 'mayPollCancelled'> = {}): Promise<{ outcomes: Outcome[] }> {
    return this.operate({
      waitsFor: new Map([...requests.keys()].map(id => [id, reverseWaits(id, requests, deps)])),
      requestFor: id => requests.get(id),
      started: new Map(),
      ...gates,
    });
  }

  /**
   * Sends the requests at once, as CloudFormation does for independent resources, and waits them out (the cancelled
   * requests of earlier operations poll meanwhile).
   */
  public async send(requests: Request[]): Promise<Outcome[]> {
    const { outcomes } = await this.operate({
      waitsFor: new Map(requests.map((_, index) => [String(index), []])),
      requestFor: key => requests[Number(key)],
      started: new Map(),
    });
    return outcomes;
  }

  /** The task of the operation in progress that runs `key`'s request. */
  private taskOf(key: string): Task | undefined {
    return this.currentPlan?.started.get(key);
  }

  /**
   * Runs one operation, as CloudFormation and the Provider framework do: a request starts once the requests it waits for
   * have ended, and each resource's waiter polls on its own schedule, as the framework starts one state machine
   * execution per event: isComplete at once after onEvent answers, then `intervalSeconds` after each answer, up to its
   * attempts. The cancelled requests of earlier operations go on alongside. A handler that waits (the SDK's backoff, an
   * import's place in the stack's window) sleeps on the clock (the bundles' handlerClock, set in loadProviders), as the
   * invocation that made the sleep. The clock moves on only while no handler works: when every invocation in flight is
   * asleep, or none is in flight, to the first wake-up, poll or cancellation due; handlers asleep at the same time wait
   * out their sleeps together, as concurrent Lambda invocations do. Otherwise the driver waits, in real time, for a
   * handler to answer or fall asleep, or for the next poll or wake-up due.
   */
  private async operate(plan: Plan): Promise<{ outcomes: Outcome[]; cancelled: Task[] }> {
    this.currentPlan = plan;
    try {
      // While it runs, a sleep outside the invocations it runs is an error (virtual-clock.ts).
      return await this.options.clock.drive(() => this.runPlan(plan));
    } finally {
      this.currentPlan = undefined;
      if (inFlight.size === 0) {
        releaseEnvironment();
      }
    }
  }

  private async runPlan(plan: Plan): Promise<{ outcomes: Outcome[]; cancelled: Task[] }> {
    const clock = this.options.clock;
    const run: PlanRun = { outcomes: [], ended: new Set(), unstarted: new Set(plan.waitsFor.keys()), requests: new Map(), own: [], cancelled: [] };
    for (;;) {
      // A misuse of the clock (a sleep with no owner, an invocation sleeping twice at once) ends the scenario.
      clock.check();
      // Sleepers whose wake-up the real time reached.
      clock.wakeDue();
      const cancellationDue = run.failedAt !== undefined && run.own.length > 0 ? run.failedAt + CANCELLATION_DELAY_MS : Infinity;
      if (clock.now() >= cancellationDue) {
        run.cancelled.push(...run.own.splice(0).map(task => this.cancel(task)));
      }
      this.startReady(plan, run);
      const polling = [...run.own, ...this.lingering.filter(task => plan.mayPollCancelled?.(task) ?? true)];
      this.pollDue(polling);
      if (run.unstarted.size === 0 && run.own.length === 0 && (!plan.untilSettled || this.lingering.length === 0)) {
        return { outcomes: run.outcomes, cancelled: run.cancelled };
      }
      const pollsDue = polling.filter(t => t.state === 'waiting' && mayUseEnvironment(t.handlers!)).map(t => t.waiter!.dueAt);
      await this.waitForNext(Math.min(cancellationDue, ...pollsDue), run);
    }
  }

  /** Starts the requests that may start; one that needs none, or is answered at once, may let others start too. */
  private startReady(plan: Plan, run: PlanRun): void {
    let progressed = true;
    while (progressed && (plan.mayStart?.() ?? true)) {
      progressed = false;
      const ready = [...run.unstarted].filter(key => plan.waitsFor.get(key)!.every(dep => run.ended.has(dep)));
      if (ready.length > 0) {
        plan.beforeStarts?.();
      }
      for (const key of ready) {
        if (!run.requests.has(key)) {
          run.requests.set(key, plan.requestFor(key));
        }
        const request = run.requests.get(key);
        const handlers = request === undefined || isCreateFailedDelete(request.event) ? undefined : this.handlersOf(request.event);
        if (handlers && !mayUseEnvironment(handlers)) {
          continue;
        }
        run.unstarted.delete(key);
        if (request === undefined) {
          run.ended.add(key);
        } else {
          const task = this.start(request, handlers, outcome => this.answered(plan, run, key, outcome));
          plan.started.set(key, task);
          if (task.state !== 'ended') {
            run.own.push(task);
          }
        }
        progressed ||= run.ended.has(key);
      }
    }
  }

  /** CloudFormation has the answer of `key`'s request; in the forward operation, a failure starts no more requests. */
  private answered(plan: Plan, run: PlanRun, key: string, outcome: Outcome): void {
    run.outcomes.push(outcome);
    run.ended.add(key);
    const index = run.own.indexOf(plan.started.get(key)!);
    if (index >= 0) {
      run.own.splice(index, 1);
    }
    if (outcome.status === 'SUCCESS') {
      plan.onSuccess?.(outcome);
    } else if (plan.cancelsOnFailure) {
      run.failedAt ??= this.options.clock.now();
      run.unstarted.clear();
    }
  }

  /**
   * Until something may happen: when no handler works (none in flight, or every one asleep), the clock moves on to
   * `nextDue` or the first wake-up; otherwise the driver waits in real time for a handler to answer or fall asleep, or
   * for that moment.
   */
  private async waitForNext(nextDue: number, run: PlanRun): Promise<void> {
    const clock = this.options.clock;
    const invocations = [...inFlight.values()].map(i => i.owner);
    const next = Math.min(nextDue, clock.nextWakeOf(invocations));
    if (invocations.every(invocation => clock.isAsleep(invocation))) {
      if (!Number.isFinite(next)) {
        throw new Error(`the deploy driver is stuck: ${[...run.unstarted].join(', ') || 'nothing'} waits to start, `
          + `${run.own.length + this.lingering.length} request(s) are in progress, but no handler runs and nothing is due`);
      }
      clock.advanceTo(next);
      return;
    }
    const wait = Number.isFinite(next) ? Math.max(next - clock.now(), 0) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const due = wait === undefined ? [] : [new Promise(resolve => { timer = setTimeout(resolve, wait); })];
    await Promise.race([...inFlight.keys(), clock.nextSleep(), ...due]);
    // A timer left running would keep the process alive after the last deploy.
    clearTimeout(timer);
  }

  /** Sends one request: its record IN_PROGRESS, then onEvent (the framework answers a failed create's Delete itself). */
  private start(request: Request, handlers: ProviderHandlers | undefined, answer: (outcome: Outcome) => void): Task {
    const { logicalId, event } = request;
    const task: Task = { request, handlers, state: 'onEvent', answer, pollsSinceCancelled: 0 };
    this.putRecord(logicalId, `${event.RequestType.toUpperCase()}_IN_PROGRESS` as ResourceStatus, event.PhysicalResourceId);
    if (!handlers) {
      this.finish(task, { logicalId, requestType: 'Delete', status: 'SUCCESS', physicalResourceId: CREATE_FAILED_MARKER, polls: 0 });
      return task;
    }
    holdEnvironment(handlers, () => this.useCredentials(handlers));
    this.invoke(task, 'onEvent', () => this.onEvent(task, handlers));
    return task;
  }

  /** onEvent of one request: the answer, or a waiter for isComplete. */
  private async onEvent(task: Task, handlers: ProviderHandlers): Promise<void> {
    const { request: { event, logicalId } } = task;
    try {
      const result = overLambda(await handlers.onEvent(event)) ?? {};
      const physicalResourceId = result.PhysicalResourceId ?? (event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId);
      if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
        throw new Error(`DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${physicalResourceId}"`);
      }
      if (handlers.isComplete) {
        task.waiter = { event: { ...event, ...result, PhysicalResourceId: physicalResourceId }, polls: 0, dueAt: this.options.clock.now() };
        task.state = 'waiting';
      } else {
        this.finish(task, { logicalId, requestType: event.RequestType, status: 'SUCCESS', physicalResourceId, data: result.Data ?? {}, polls: 0 });
      }
    } catch (error) {
      this.finish(task, {
        logicalId,
        requestType: event.RequestType,
        status: 'FAILED',
        physicalResourceId: event.PhysicalResourceId ?? (event.RequestType === 'Create' ? CREATE_FAILED_MARKER : undefined),
        reason: (error as Error).message,
        polls: 0,
      });
    }
  }

  /** Starts the polls due of `tasks` whose provider may run now; a waiter past its attempts fails instead. */
  private pollDue(tasks: Task[]): void {
    const now = this.options.clock.now();
    for (const task of tasks.filter(t => t.state === 'waiting' && t.waiter!.dueAt <= now && mayUseEnvironment(t.handlers!))) {
      const waiter = task.waiter!;
      if (waiter.polls > task.handlers!.maxAttempts) {
        this.finish(task, this.waiterOutcome(task, { status: 'FAILED', reason: 'Operation timed out' }));
        continue;
      }
      holdEnvironment(task.handlers!, () => this.useCredentials(task.handlers!));
      task.state = 'polling';
      const sinceCancelled = task.cancelledAt !== undefined;
      this.invoke(task, 'isComplete', async () => {
        await this.poll(task);
        if (sinceCancelled) {
          task.pollsSinceCancelled++;
        }
        this.options.onPoll?.();
      });
    }
  }

  /** One isComplete call of a waiter: it answers, or polls again after the interval. */
  private async poll(task: Task): Promise<void> {
    const waiter = task.waiter!;
    waiter.polls++;
    try {
      const result = overLambda(await task.handlers!.isComplete!(waiter.event));
      if (result.IsComplete) {
        this.finish(task, this.waiterOutcome(task, { status: 'SUCCESS', data: { ...waiter.event.Data, ...result.Data } }));
        return;
      } else if (result.Data && Object.keys(result.Data).length > 0) {
        throw new Error('"Data" is not allowed if "IsComplete" is "False"');
      }
    } catch (error) {
      this.finish(task, this.waiterOutcome(task, { status: 'FAILED', reason: (error as Error).message }));
      return;
    }
    waiter.dueAt = this.options.clock.now() + task.handlers!.intervalSeconds * 1000;
    task.state = 'waiting';
  }

  private waiterOutcome(task: Task, answer: Pick<Outcome, 'status' | 'data' | 'reason'>): Omit<Outcome, 'answeredAt'> {
    const { event, polls } = task.waiter!;
    return { logicalId: task.request.logicalId, requestType: event.RequestType, physicalResourceId: event.PhysicalResourceId, polls, ...answer };
  }

  /** Runs a handler invocation of `task`, tracked as in flight, its sleeps its own. */
  private invoke(task: Task, handler: Invocation['handler'], work: () => Promise<void>): void {
    const clock = this.options.clock;
    const invocation: Invocation = {
      logicalId: task.request.logicalId,
      requestType: task.request.event.RequestType,
      handler,
      cancelled: task.cancelledAt !== undefined,
      event: handler === 'onEvent' ? task.request.event : task.waiter!.event,
      startedAt: clock.now(),
    };
    this.invocations.push(invocation);
    const owner = {};
    const tracked: Promise<void> = clock.run(owner, work).finally(() => {
      invocation.endedAt = clock.now();
      inFlight.delete(tracked);
    });
    inFlight.set(tracked, { owner, handlers: task.handlers! });
  }

  /** The framework has the answer: CloudFormation's record shows it, unless CloudFormation cancelled the request. */
  private finish(task: Task, outcome: Omit<Outcome, 'answeredAt'>): void {
    task.state = 'ended';
    const answered: Outcome = { ...outcome, answeredAt: this.options.clock.now() };
    if (task.cancelledAt !== undefined) {
      this.lingering.splice(this.lingering.indexOf(task), 1);
      this.cancelledOutcomes.push({ ...answered, cancelledAt: task.cancelledAt });
      return;
    }
    const status = `${answered.requestType.toUpperCase()}_${answered.status === 'SUCCESS' ? 'COMPLETE' : 'FAILED'}` as ResourceStatus;
    this.putRecord(answered.logicalId, status, answered.physicalResourceId, answered.reason);
    task.answer(answered);
  }

  /** CloudFormation stops waiting for `task`: its record shows the cancellation, and it goes on among the lingering. */
  private cancel(task: Task): Task {
    const { logicalId, event } = task.request;
    // When CloudFormation recorded the cancellation: the clock's now, or a millisecond after the record's last change.
    task.cancelledAt = this.putRecord(logicalId, `${event.RequestType.toUpperCase()}_FAILED` as ResourceStatus, event.PhysicalResourceId,
      CANCELLED_REASON[event.RequestType as RequestType]).lastUpdatedTimestamp;
    this.lingering.push(task);
    return task;
  }

  /** The stack's status now, handed to the emulator (DescribeStacks). */
  private setStackStatus(status: string): void {
    this.options.records?.setStackStatus(this.stackId, status);
  }

  /** A new record of `logicalId`, strictly later than its last one, handed to the emulator. */
  private putRecord(logicalId: string, resourceStatus: ResourceStatus, physicalResourceId?: string,
    resourceStatusReason?: string): StackResourceRecord {
    const history = this.records.get(logicalId) ?? [];
    const last = Math.max(0, ...history.map(r => r?.lastUpdatedTimestamp ?? 0));
    const record: StackResourceRecord = {
      logicalResourceId: logicalId,
      physicalResourceId,
      resourceType: this.resourceTypes.get(logicalId) ?? IMPORTED_MODEL_RESOURCE_TYPE,
      resourceStatus,
      resourceStatusReason,
      lastUpdatedTimestamp: Math.max(this.options.clock.now(), last + 1),
    };
    this.records.set(logicalId, [...history, record]);
    this.options.records?.setStackResourceRecord(this.stackId, logicalId, record);
    return record;
  }

  /** `logicalId` is no longer a resource of the stack: CloudFormation has no record of it. */
  private removeRecord(logicalId: string): void {
    this.records.set(logicalId, [...this.records.get(logicalId) ?? [], undefined]);
    this.options.records?.setStackResourceRecord(this.stackId, logicalId, undefined);
  }

  /** The physical id CloudFormation gives the Delete of a Create that never answered: STACKNAME-LOGICALID-RANDOM. */
  private madeUpPhysicalId(logicalId: string): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    return `${this.stackName}-${logicalId}-${[...randomBytes(12)].map(byte => alphabet[byte % alphabet.length]).join('')}`;
  }

  /** The event CloudFormation sends. */
  public event(requestType: RequestType, logicalId: string, properties: Record<string, any>, physicalResourceId?: string,
    oldProperties?: Record<string, any>): any {
    return {
      RequestType: requestType,
      ServiceToken: properties.ServiceToken,
      ResponseURL: 'https://cloudformation-custom-resource-response.example/',
      StackId: this.stackId,
      RequestId: randomUUID(),
      LogicalResourceId: logicalId,
      ResourceType: this.resourceTypes.get(logicalId) ?? IMPORTED_MODEL_RESOURCE_TYPE,
      ResourceProperties: properties,
      ...(physicalResourceId === undefined ? {} : { PhysicalResourceId: physicalResourceId }),
      ...(oldProperties === undefined ? {} : { OldResourceProperties: oldProperties }),
    };
  }

  /** Synthesizes `stack`, loads the handlers of its providers, and returns the resources the driver runs. */
  private load(stack: Stack): Map<string, TemplateResource> {
    this.currentStack = stack;
    const { template, assemblyDir } = this.synth();
    this.template = template;
    this.loadProviders(template, assemblyDir);
    const runs = (type: string) => type.startsWith('Custom::');
    const desired = new Map<string, TemplateResource>();
    for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
      if (runs(String(resource.Type))) {
        this.resourceTypes.set(logicalId, resource.Type);
        const referred = [...references(resource.Properties), ...[resource.DependsOn ?? []].flat()];
        desired.set(logicalId, {
          type: resource.Type,
          properties: resource.Properties,
          deletionPolicy: resource.DeletionPolicy,
          updateReplacePolicy: resource.UpdateReplacePolicy,
          dependsOn: [...new Set(referred)].filter(id => id !== logicalId && runs(String(template.Resources[id]?.Type ?? ''))),
        });
      }
    }
    return desired;
  }

  private get stack(): Stack {
    return this.currentStack ?? fail('deploy a stack first');
  }

  /** The account the stack deploys to: its own, or the instance's for an environment-agnostic template. */
  private get account(): string {
    return Token.isUnresolved(this.stack.account) ? this.options.instance?.account ?? fail('an environment-agnostic stack needs an instance') : this.stack.account;
  }

  private get region(): string {
    return Token.isUnresolved(this.stack.region) ? this.options.instance?.region ?? fail('an environment-agnostic stack needs an instance') : this.stack.region;
  }

  private get stackName(): string {
    return this.options.instance?.stackName ?? this.stack.stackName;
  }

  private synth(): { template: any; assemblyDir: string } {
    const stage = this.stack.node.root as any;
    const assembly = stage.synth({ force: true });
    const artifact = assembly.getStackArtifact(this.stack.artifactId);
    return { template: artifact.template, assemblyDir: assembly.directory };
  }

  /** The user handlers behind each Provider of the stack, from the bundled assets. */
  private loadProviders(template: any, assemblyDir: string): void {
    const resources = template.Resources as Record<string, any>;
    const roleOf = (reference: any): string | undefined => {
      const role = resources[reference['Fn::GetAtt'][0]].Properties.Role;
      const roleId = role?.['Fn::GetAtt']?.[0];
      return resources[roleId]?.Type === 'AWS::IAM::Role' ? roleId : undefined;
    };
    // As Lambda runs it: the function's Handler is FILE.EXPORT, the file a module of the function's asset.
    const userFunction = (reference: any) => {
      const properties = resources[reference['Fn::GetAtt'][0]].Properties;
      const hash = String(properties.Code.S3Key).replace(/\.zip$/, '');
      const [file, exported] = String(properties.Handler).split('.');
      const asset = loadFresh(path.join(assemblyDir, this.assetPath(assemblyDir, hash), `${file}.js`));
      // The handlers' waits go through the bundle's clock (src/handlers/common/clock.ts): this driver's virtual one.
      const handlerClock = asset.handlerClock ?? fail(`no handlerClock in asset ${hash}`);
      handlerClock.sleep = (ms: number) => this.options.clock.sleep(ms);
      const handler = asset[exported];
      return typeof handler === 'function' ? handler as Handler : fail(`no function ${properties.Handler} in asset ${hash}`);
    };
    for (const [logicalId, resource] of Object.entries(resources)) {
      const variables = resource.Type === 'AWS::Lambda::Function' ? resource.Properties.Environment?.Variables : undefined;
      const serviceToken = variables?.USER_ON_EVENT_FUNCTION_ARN ? this.getAtt(logicalId, 'Arn', template) : undefined;
      const environmentOf = () => Object.assign({}, ...[variables.USER_ON_EVENT_FUNCTION_ARN, variables.USER_IS_COMPLETE_FUNCTION_ARN]
        .filter(reference => reference !== undefined)
        .map(reference => this.resolvedStrings(resources[reference['Fn::GetAtt'][0]].Properties.Environment?.Variables ?? {}, template)));
      if (serviceToken && this.providers.has(serviceToken)) {
        // The functions are updated before the resources that use them; their rollback comes after (dependents first).
        this.providers.get(serviceToken)!.environment = environmentOf();
      }
      if (!serviceToken || this.providers.has(serviceToken)) {
        continue;
      }
      const waiter = variables.WAITER_STATE_MACHINE_ARN ? resources[variables.WAITER_STATE_MACHINE_ARN.Ref] : undefined;
      const definition = JSON.stringify(waiter?.Properties.DefinitionString ?? '');
      this.providers.set(serviceToken, {
        onEvent: userFunction(variables.USER_ON_EVENT_FUNCTION_ARN),
        isComplete: variables.USER_IS_COMPLETE_FUNCTION_ARN ? userFunction(variables.USER_IS_COMPLETE_FUNCTION_ARN) : undefined,
        intervalSeconds: Number(/IntervalSeconds\\":(\d+)/.exec(definition)?.[1] ?? 0),
        maxAttempts: Number(/MaxAttempts\\":(\d+)/.exec(definition)?.[1] ?? 0),
        role: roleOf(variables.USER_ON_EVENT_FUNCTION_ARN),
        environment: environmentOf(),
      });
      const role = roleOf(variables.USER_ON_EVENT_FUNCTION_ARN);
      if (role !== undefined && this.options.iam) {
        this.keyOf(role);
      }
      const isCompleteRole = variables.USER_IS_COMPLETE_FUNCTION_ARN ? roleOf(variables.USER_IS_COMPLETE_FUNCTION_ARN) : undefined;
      if (isCompleteRole !== undefined && isCompleteRole !== roleOf(variables.USER_ON_EVENT_FUNCTION_ARN)) {
        throw new Error(`${logicalId}: onEvent and isComplete run with different roles; the driver gives a provider one key`);
      }
    }
  }

  /**
   * Makes the template's IAM policies that resolve now the ones in force (new and changed ones take effect); with
   * `removeGone`, the policies the template no longer has are removed too.
   */
  private applyPolicies(removeGone: boolean): void {
    if (!this.options.iam) {
      return;
    }
    const definitions = this.templatePolicies();
    const next = new Map(this.policies);
    for (const [logicalId, definition] of definitions) {
      try {
        const documents = this.resolve(definition.documents, this.template) as Array<{ Statement?: IamStatement | IamStatement[] }>;
        next.set(logicalId, { roles: definition.roles, statements: documents.flatMap(d => [d.Statement ?? []].flat()) });
      } catch {
        // It refers to a resource that is not there yet: CloudFormation creates it later, after that resource.
      }
    }
    if (removeGone) {
      [...next.keys()].filter(id => !definitions.has(id)).forEach(id => next.delete(id));
    }
    this.putPolicies(next);
  }

  /** Brings back the policies of `before`; with `removeNew`, the policies created since go too. */
  private restorePolicies(before: Map<string, PolicyInForce>, removeNew: boolean): void {
    if (!this.options.iam) {
      return;
    }
    const next = new Map([...this.policies, ...before]);
    if (removeNew) {
      [...next.keys()].filter(id => !before.has(id)).forEach(id => next.delete(id));
    }
    this.putPolicies(next);
  }

  /** Puts `policies` in force and registers each handler role's effective policy with the emulator. */
  private putPolicies(policies: Map<string, PolicyInForce>): void {
    this.policies = policies;
    for (const [role, key] of this.roleKeys) {
      const statements = [...policies.values()].filter(p => p.roles.includes(role)).flatMap(p => p.statements);
      const principal = `arn:aws:sts::${this.account}:assumed-role/${this.physicalId(role, this.template.Resources[role] ?? {})}/handler`;
      this.options.iam!.setIdentityPolicy(key, statements, principal);
    }
  }

  /**
   * The IAM policies of the template, unresolved: every AWS::IAM::Policy and AWS::IAM::ManagedPolicy with the roles of
   * the template it is attached to (its Roles, and the roles whose ManagedPolicyArns name it), and each role's inline
   * Policies as `ROLE#inline`. AWS managed policies (ARNs of no resource here) are not modelled: no handler role has one.
   */
  private templatePolicies(): Map<string, { roles: string[]; documents: any[] }> {
    const resources = this.template.Resources as Record<string, any>;
    const policies = new Map<string, { roles: string[]; documents: any[] }>();
    const refs = (values: any): string[] => [values ?? []].flat().map((v: any) => v?.Ref).filter((v: any): v is string => typeof v === 'string');
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
        const attachedBy = Object.entries(resources)
          .filter(([, r]) => r.Type === 'AWS::IAM::Role' && refs(r.Properties?.ManagedPolicyArns).includes(logicalId))
          .map(([id]) => id);
        policies.set(logicalId, { roles: [...refs(resource.Properties.Roles), ...attachedBy], documents: [resource.Properties.PolicyDocument] });
      } else if (resource.Type === 'AWS::IAM::Role' && resource.Properties?.Policies) {
        policies.set(`${logicalId}#inline`, { roles: [logicalId], documents: resource.Properties.Policies.map((p: any) => p.PolicyDocument) });
      }
    }
    return policies;
  }

  /** The access key of a handler role, made (and registered as the stack's account) the first time. */
  private keyOf(role: string): string {
    let key = this.roleKeys.get(role);
    if (key === undefined) {
      key = `ASIA${createHash('sha256').update(`${this.stackId}/${role}`).digest('hex').slice(0, 16).toUpperCase()}`;
      this.roleKeys.set(role, key);
      this.options.iam!.addAccessKey(key, this.account);
    }
    return key;
  }

  /** What answers an event: the Provider behind the service token. */
  private handlersOf(event: any): ProviderHandlers {
    return this.providers.get(event.ServiceToken) ?? fail(`no provider behind ${event.ServiceToken}`);
  }

  private assetPath(assemblyDir: string, hash: string): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, `${this.stack.artifactId}.assets.json`), 'utf8'));
    return manifest.files[hash].source.path;
  }

  /**
   * The SDK in the handlers reads its endpoint and credentials from the environment, as in Lambda: the key of the
   * provider's role, or the deployer's (every handler when IAM is not applied).
   */
  private useCredentials(handlers?: ProviderHandlers): void {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_COMPREHEND: this.options.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.options.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: (handlers?.role && this.roleKeys.get(handlers.role)) ?? this.options.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'emulator-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  }

  /** Resolves intrinsic functions as CloudFormation would; every scalar becomes a string. */
  /** The variables that are strings once resolved; those that do not resolve yet are left out. */
  private resolvedStrings(variables: Record<string, unknown>, template: any): Record<string, string> {
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      try {
        const text = this.resolve(value, template);
        if (typeof text === 'string') {
          resolved[name] = text;
        }
      } catch {
        // A reference to a resource not deployed yet: the variable is not one the handlers read.
      }
    }
    return resolved;
  }

  private resolve(value: any, template: any): any {
    if (Array.isArray(value)) {
      return value.map(v => this.resolve(v, template));
    }
    if (value === null || typeof value !== 'object') {
      return typeof value === 'string' ? value : String(value);
    }
    const [fn] = Object.keys(value);
    const arg = value[fn];
    switch (fn) {
      case 'Ref': return this.ref(arg, template);
      case 'Fn::GetAtt': return this.getAtt(arg[0], arg[1], template);
      case 'Fn::Join': return (this.resolve(arg[1], template) as string[]).join(arg[0]);
      case 'Fn::Select': return this.resolve(arg[1], template)[Number(arg[0])];
      case 'Fn::Split': return String(this.resolve(arg[1], template)).split(arg[0]);
      case 'Fn::ImportValue': return this.options.exports?.[this.resolve(arg, template)] ?? fail(`no export ${arg}`);
      default:
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, template)]));
    }
  }

  private ref(name: string, template: any): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': this.region,
      'AWS::AccountId': this.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
      'AWS::StackId': this.stackId,
    };
    if (pseudo[name]) {
      return pseudo[name];
    }
    const resource = template.Resources[name] ?? fail(`Ref to unknown ${name}`);
    const answered = this.inProgress.get(name) ?? this.resources.get(name);
    return answered?.physicalResourceId ?? this.physicalId(name, resource);
  }

  private getAtt(logicalId: string, attribute: string, template: any): string {
    const resource = template.Resources[logicalId] ?? fail(`GetAtt of unknown ${logicalId}`);
    const answered = this.inProgress.get(logicalId) ?? this.resources.get(logicalId);
    if (String(resource.Type).startsWith('Custom::')) {
      return answered?.data[attribute] ?? fail(`${logicalId}.${attribute} is not available yet`);
    }
    const id = this.physicalId(logicalId, resource);
    if (attribute !== 'Arn') {
      return `${id}.${attribute}`;
    }
    switch (resource.Type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${this.account}:role${this.resolve(resource.Properties?.Path ?? '/', template)}${id}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${this.region}:${this.account}:key/${id}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${this.region}:${this.account}:function:${id}`;
      default: return `arn:aws:${resource.Type.split('::')[1].toLowerCase()}:${this.region}:${this.account}:${id}`;
    }
  }

  /** The stable name CloudFormation would give a resource of this stack. */
  private physicalId(logicalId: string, resource: any): string {
    const suffix = createHash('sha256').update(`${this.stackId}/${logicalId}`).digest('hex').slice(0, 12);
    return resource.Type === 'AWS::KMS::Key' ? `${suffix.slice(0, 8)}-0000-4000-8000-${suffix}` : `${this.stackName}-${logicalId}-${suffix}`;
  }
}

/** Whether a DeletionPolicy keeps the resource when the stack is deleted or the resource is removed by an update. */
function retains(deletionPolicy: string | undefined): boolean {
  // RetainExceptOnCreate "behaves like Retain for stack operations, except for the stack operation that initially
  // created the resource" (CloudFormation User Guide, DeletionPolicy attribute): see rollBack for that one.
  return deletionPolicy === 'Retain' || deletionPolicy === 'RetainExceptOnCreate';
}

/** The Delete of a create that failed before onEvent answered: the framework answers it without the handlers. */
function isCreateFailedDelete(event: any): boolean {
  return event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER;
}

/** The logical ids a value refers to (Ref, Fn::GetAtt), anywhere in it. */
function references(value: any): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(references);
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  return Object.entries(value).flatMap(([key, v]) => {
    if (key === 'Ref' && typeof v === 'string') {
      return [v];
    }
    if (key === 'Fn::GetAtt') {
      return [(v as string[])[0]];
    }
    return references(v);
  });
}

/** The requests of `requests` that must end before `id`'s: those of the resources that refer to it. */
function reverseWaits(id: string, requests: ReadonlyMap<string, unknown>, deps: ReadonlyMap<string, readonly string[]>): string[] {
  return [...requests.keys()].filter(other => other !== id && (deps.get(other) ?? []).includes(id));
}

/** Whether `handlers` may run now: process.env is theirs, or no invocation is in flight to lose it. */
function mayUseEnvironment(handlers: ProviderHandlers): boolean {
  return inFlight.size === 0 || (environment?.holder === handlers && environment.values === handlers.environment);
}

/** Gives process.env to `handlers`: their credentials (`useCredentials`) and their functions' variables. */
function holdEnvironment(handlers: ProviderHandlers, useCredentials: () => void): void {
  if (environment?.holder === handlers && environment.values === handlers.environment) {
    return;
  }
  releaseEnvironment();
  useCredentials();
  const replaced = Object.fromEntries(Object.keys(handlers.environment).map(name => [name, process.env[name]]));
  Object.assign(process.env, handlers.environment);
  // The values held: a deploy that changes the functions' variables gives the provider new ones (load()).
  environment = { holder: handlers, replaced, values: handlers.environment };
}

/** Puts back the variables the provider holding process.env replaced. */
function releaseEnvironment(): void {
  for (const [name, value] of Object.entries(environment?.replaced ?? {})) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
  environment = undefined;
}

/** A fresh copy of a bundled handler: its SDK client then takes the credentials of the driver that loads it. */
function loadFresh(file: string): any {
  let loaded: any;
  if (typeof jest !== 'undefined') {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the asset is plain CommonJS, chosen at run time
      loaded = require(file);
    });
  } else {
    delete require.cache[require.resolve(file)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the asset is plain CommonJS, chosen at run time
    loaded = require(file);
  }
  return loaded;
}

function fail(message: string): never {
  throw new Error(message);
}

/** The variables whose value is a plain string, as Lambda would set them (the others refer to resources). */
/** What the framework gets back from invoking a handler: its answer as JSON (an undefined value leaves its key out). */
function overLambda<T>(answer: T): T {
  return answer === undefined ? answer : JSON.parse(JSON.stringify(answer));
}
