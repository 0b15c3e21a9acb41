// Plays CloudFormation and the custom-resources Provider framework for the Comprehend resources of a stack: its
// custom resources (model copies, endpoints, model policies).
//
// It synthesizes a real CDK app, reads the template and the cloud assembly, loads the onEvent and isComplete
// handlers from the synthesized asset folders (the bundled files, not the TypeScript source), and sends them
// Create, Update and Delete events with properties resolved as CloudFormation resolves them, in CloudFormation's
// order: a resource after the resources it refers to (Ref, Fn::GetAtt, DependsOn), its references resolved to what
// they are by then; every update first, then the cleanup (deleting replaced and removed resources, dependents first).
// It polls isComplete at the waiter's interval up to its attempts, honours replacement (a new physical id on Update,
// then a Delete of the old one) and rollback (in reverse order: a failed Update is updated back with old and new
// swapped; a failed Create is deleted, with the framework's placeholder id when onEvent failed).
//
// IAM is applied as CloudFormation applies it, when the driver is given the emulator's identity registry: each role of
// a provider's user functions gets an access key of its own (of the stack's account), the handlers call with it, and
// the role's effective policy (its inline Policies and every AWS::IAM::Policy / ManagedPolicy that names it) is
// registered with the emulator whenever it changes: new and changed policies in the update phase, before the custom
// resources that follow them; removed ones only after the cleanup's deletes (the resources that depended on them go
// first); in a rollback, the resources roll back under the new policies, then the old policies come back, and the
// policies the failed operation created go after the rollback's cleanup; on stack deletion, after every resource.
// The deployer (CloudFormation itself) calls with the unrestricted key of the account.
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
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
  /** The literal string variables of the user functions, onEvent's and isComplete's together, set for the provider's calls. */
  readonly environment: Record<string, string>;
}

/** One event in the waiter: its isComplete calls so far and when the next is due (epoch milliseconds, driver's clock). */
interface Waiter {
  readonly request: Request;
  readonly event: any;
  readonly handlers: ProviderHandlers;
  polls: number;
  dueAt: number;
  polling: boolean;
}

/** Where the driver registers the handler roles' access keys and policies: the emulator. */
export interface IdentityRegistry {
  addAccessKey(accessKeyId: string, account: string): void;
  setIdentityPolicy(accessKeyId: string, statements: readonly IamStatement[] | undefined, principal?: string): void;
}

/** An IAM policy of the template in force: the roles it is attached to and its resolved statements. */
interface PolicyInForce {
  readonly roles: readonly string[];
  readonly statements: readonly IamStatement[];
}

export type Handler = (event: any) => Promise<any>;

export interface DeployDriverOptions {
  /** The emulator's URL. */
  readonly endpoint: string;
  /** The access key id the emulator maps to the stack's account. */
  readonly accessKeyId: string;
  readonly clock: VirtualClock;
  /** Values for Fn::ImportValue. */
  readonly exports?: Record<string, string>;
  /** Called after every isComplete call: to look at the world mid-deployment. */
  readonly onPoll?: () => void;
  /**
   * The emulator, to give each handler role an access key and its effective IAM policy. Without it every handler calls
   * with `accessKeyId`, unrestricted.
   */
  readonly iam?: IdentityRegistry;
  /**
   * Where an environment-agnostic template is deployed, as a StackSet deploys one stack instance per account and Region
   * (its stack named `StackSet-NAME-UUID`); a stack with an account and Region of its own is deployed there.
   */
  readonly instance?: { readonly account: string; readonly region: string; readonly stackName?: string };
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

/** One request to a resource, as the framework answered it. */
export interface Outcome {
  readonly logicalId: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId?: string;
  readonly data?: Record<string, string>;
  readonly reason?: string;
  /** isComplete calls it took. */
  readonly polls: number;
  /** When the framework had the answer, on the driver's clock (epoch milliseconds). */
  readonly answeredAt: number;
}

export interface DeployResult {
  readonly status: 'COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED' | 'DELETE_FAILED';
  /** Every request sent, in order of completion: the forward ones, then cleanup or rollback. */
  readonly outcomes: Outcome[];
  /** The reasons of the failed requests. */
  readonly failures: string[];
}

interface Request {
  readonly logicalId: string;
  readonly event: any;
}

export class DeployDriver {
  /** The resources of the stack, by logical id. */
  public readonly resources = new Map<string, DeployedResource>();
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
  private currentStack?: Stack;
  private template: any;

  constructor(private readonly options: DeployDriverOptions) {}

  /**
   * Deploys `stack`: creates the stack the first time, then updates it to each new definition (a stack of the
   * same name, account and Region in a fresh app, since constructs cannot change once built).
   */
  public async deploy(stack: Stack): Promise<DeployResult> {
    const desired = this.load(stack);
    this.inProgress.clear();
    const forward: Outcome[] = [];
    const sent = new Map<string, Record<string, any>>();
    const policiesBefore = new Map(this.policies);
    for (const wave of dependencyWaves(desired)) {
      // The update phase: new and changed policies take effect before the resources that come after them.
      this.applyPolicies(false);
      const requests: Request[] = [];
      for (const logicalId of wave) {
        const properties = this.resolve(desired.get(logicalId)!.properties, this.template);
        sent.set(logicalId, properties);
        const have = this.resources.get(logicalId);
        if (!have) {
          requests.push({ logicalId, event: this.event('Create', logicalId, properties) });
        } else if (JSON.stringify(have.properties) !== JSON.stringify(properties)) {
          requests.push({ logicalId, event: this.event('Update', logicalId, properties, have.physicalResourceId, have.properties) });
        }
      }
      const outcomes = await this.send(requests);
      forward.push(...outcomes);
      for (const outcome of outcomes.filter(o => o.status === 'SUCCESS')) {
        this.inProgress.set(outcome.logicalId, { physicalResourceId: outcome.physicalResourceId!, data: outcome.data ?? {} });
      }
      if (outcomes.some(o => o.status === 'FAILED')) {
        break;
      }
    }
    const failures = forward.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`);
    if (failures.length === 0) {
      this.applyPolicies(false);
      return this.cleanUp(desired, sent, forward);
    }
    return this.rollBack(desired, sent, forward, policiesBefore);
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
    for (const [logicalId, had] of this.resources) {
      if (!desired.has(logicalId) && !retains(had.deletionPolicy)) {
        cleanup.set(logicalId, { logicalId, event: this.event('Delete', logicalId, had.properties, had.physicalResourceId) });
        cleanupDeps.set(logicalId, had.dependsOn);
      }
    }
    for (const logicalId of [...this.resources.keys()].filter(id => !desired.has(id))) {
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
    // CloudFormation does not fail a stack update for a failed cleanup; it reports it.
    const cleaned = await this.sendInReverseOrder(cleanup, cleanupDeps);
    // The cleanup phase deletes the removed policies after the resources that depended on them.
    this.applyPolicies(true);
    return { status: 'COMPLETE', outcomes: [...forward, ...cleaned], failures: cleaned.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`) };
  }

  /** After a failed update: what was done is undone, dependents first; new resources of replacements are deleted. */
  private async rollBack(desired: Map<string, TemplateResource>, sent: Map<string, Record<string, any>>, forward: Outcome[],
    policiesBefore: Map<string, PolicyInForce>): Promise<DeployResult> {
    const rollback = new Map<string, Request>();
    const deps = new Map<string, readonly string[]>();
    for (const outcome of forward) {
      const had = this.resources.get(outcome.logicalId);
      deps.set(outcome.logicalId, desired.get(outcome.logicalId)!.dependsOn);
      if (!had && desired.get(outcome.logicalId)!.deletionPolicy === 'Retain') {
        // Retain keeps a resource even when the operation that created it rolls back: no Delete is sent (CloudFormation
        // User Guide, DeletionPolicy attribute; RetainExceptOnCreate exists to delete in exactly that case).
        continue;
      }
      if (!had) {
        // Deleted also under RetainExceptOnCreate: "If the stack operation that created the resource is rolled back,
        // CloudFormation deletes the resource" (CloudFormation User Guide, DeletionPolicy attribute).
        // A failed create is deleted with what the framework answered: the placeholder when onEvent failed.
        rollback.set(outcome.logicalId, { logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, sent.get(outcome.logicalId)!, outcome.physicalResourceId ?? CREATE_FAILED_MARKER) });
      } else {
        const physicalId = outcome.status === 'SUCCESS' ? outcome.physicalResourceId! : had.physicalResourceId;
        rollback.set(outcome.logicalId, { logicalId: outcome.logicalId, event: this.event('Update', outcome.logicalId, had.properties, physicalId, sent.get(outcome.logicalId)!) });
      }
    }
    this.inProgress.clear();
    const rolledBack = await this.sendInReverseOrder(rollback, deps);
    // The resources rolled back under the new policies; now the old policies come back (those the failed operation
    // created stay until its rollback cleanup is done).
    this.restorePolicies(policiesBefore, false);
    const rollbackCleanup = new Map<string, Request>();
    for (const outcome of rolledBack) {
      const forwardOutcome = forward.find(o => o.logicalId === outcome.logicalId)!;
      if (outcome.requestType === 'Update' && forwardOutcome.status === 'SUCCESS'
        && forwardOutcome.physicalResourceId !== outcome.physicalResourceId) {
        rollbackCleanup.set(outcome.logicalId, { logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, sent.get(outcome.logicalId)!, forwardOutcome.physicalResourceId) });
      }
    }
    const cleaned = await this.sendInReverseOrder(rollbackCleanup, deps);
    this.restorePolicies(policiesBefore, true);
    const all = [...forward, ...rolledBack, ...cleaned];
    const rollbackFailed = [...rolledBack, ...cleaned].some(o => o.status === 'FAILED');
    return { status: rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', outcomes: all, failures: all.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`) };
  }

  /** Deletes the stack: every resource unless its DeletionPolicy retains it, dependents first. */
  /**
   * Deletes the stack: every resource unless its DeletionPolicy retains it, dependents first. A resource whose Delete
   * fails stays in the stack (DELETE_FAILED), with the policies, so destroy() again retries it, as deleting the stack
   * again does.
   */
  public async destroy(): Promise<DeployResult> {
    const requests = new Map<string, Request>();
    const deps = new Map<string, readonly string[]>();
    for (const [logicalId, had] of this.resources) {
      deps.set(logicalId, had.dependsOn);
      if (!retains(had.deletionPolicy)) {
        requests.set(logicalId, { logicalId, event: this.event('Delete', logicalId, had.properties, had.physicalResourceId) });
      }
    }
    const outcomes = await this.sendInReverseOrder(requests, deps);
    const failed = new Set(outcomes.filter(o => o.status === 'FAILED').map(o => o.logicalId));
    [...this.resources.keys()].filter(id => !failed.has(id)).forEach(id => this.resources.delete(id));
    if (failed.size === 0) {
      // The policies go last: every resource that depended on them is deleted by now.
      this.restorePolicies(new Map(), true);
    }
    const failures = outcomes.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`);
    return { status: failures.length > 0 ? 'DELETE_FAILED' : 'COMPLETE', outcomes, failures };
  }

  /** The access key the handlers of the role whose logical id starts with `rolePrefix` call with. */
  public accessKeyOf(rolePrefix: string): string {
    const keys = [...this.roleKeys].filter(([role]) => role.startsWith(rolePrefix));
    return keys.length === 1 ? keys[0][1] : fail(`${keys.length} handler roles start with ${rolePrefix}`);
  }

  /**
   * Sends onEvent only, for every copy `stack` adds, as when the deployment is cancelled while the copies are
   * still importing. destroy() then deletes them, as the rollback of the cancelled create would. One at a time, outside
   * sendTogether: a handler's wait moves the clock on by itself (virtual-clock.ts).
   */
  public async startCreates(stack: Stack): Promise<string[]> {
    const desired = this.load(stack);
    this.applyPolicies(false);
    const started: string[] = [];
    for (const [logicalId, want] of desired) {
      if (!this.resources.has(logicalId)) {
        const properties = this.resolve(want.properties, this.template);
        const event = this.event('Create', logicalId, properties);
        const handlers = this.handlersOf(event);
        this.useCredentials(handlers);
        const result = await handlers.onEvent(event);
        this.resources.set(logicalId, { ...want, properties, physicalResourceId: result.PhysicalResourceId, data: {} });
        started.push(result.PhysicalResourceId);
      }
    }
    return started;
  }

  /** Sends requests in reverse dependency order (a resource before those it refers to), independent ones at once. */
  private async sendInReverseOrder(requests: Map<string, Request>, deps: Map<string, readonly string[]>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const pending = new Set(requests.keys());
    while (pending.size > 0) {
      // Ready: nothing still pending refers to it.
      const ready = [...pending].filter(id => ![...pending].some(other => other !== id && (deps.get(other) ?? []).includes(id)));
      const wave = ready.length > 0 ? ready : [...pending];
      wave.forEach(id => pending.delete(id));
      outcomes.push(...await this.send(wave.map(id => requests.get(id)!)));
    }
    return outcomes;
  }

  /**
   * Sends the requests at once, as CloudFormation does for independent resources, and waits them out: provider by
   * provider, since each provider's handlers call with their role's key (the SDK of a handler takes the credentials
   * of the environment at its first call, so two providers' handlers must not run interleaved).
   */
  public async send(requests: Request[]): Promise<Outcome[]> {
    const groups = new Map<ProviderHandlers | undefined, Request[]>();
    for (const request of requests) {
      const handlers = isCreateFailedDelete(request.event) ? undefined : this.handlersOf(request.event);
      groups.set(handlers, [...groups.get(handlers) ?? [], request]);
    }
    const done: Outcome[] = [];
    for (const [handlers, group] of groups) {
      this.useCredentials(handlers);
      const before = { ...process.env };
      Object.assign(process.env, handlers?.environment);
      try {
        done.push(...await this.sendTogether(group));
      } finally {
        for (const name of Object.keys(handlers?.environment ?? {})) {
          if (before[name] === undefined) {
            delete process.env[name];
          } else {
            process.env[name] = before[name];
          }
        }
      }
    }
    return done;
  }

  /**
   * Runs every request at once, as CloudFormation sends a stack's independent resources, and each resource's waiter on
   * its own schedule, as the Provider framework starts one state machine execution per event: isComplete at once after
   * onEvent answers, then `intervalSeconds` after each answer, up to its attempts. A handler that waits (the SDK's
   * backoff, an import's place in the stack's window) sleeps on the clock (the bundles' handlerClock, set in
   * loadProviders), as the invocation that made the sleep. The clock moves on only while no handler works: when every
   * invocation in flight is asleep, or none is in flight, to the first wake-up or poll due; handlers asleep at the
   * same time wait out their sleeps together, as concurrent Lambda invocations do. Otherwise the driver waits, in
   * real time, for a handler to answer or fall asleep, or for the next poll or wake-up due.
   */
  private async sendTogether(requests: Request[]): Promise<Outcome[]> {
    // While it runs, a sleep outside the invocations it runs is an error (virtual-clock.ts).
    return this.options.clock.drive(() => this.runTogether(requests));
  }

  private async runTogether(requests: Request[]): Promise<Outcome[]> {
    const clock = this.options.clock;
    const done: Outcome[] = [];
    const answer = (outcome: Omit<Outcome, 'answeredAt'>) => done.push({ ...outcome, answeredAt: clock.now() });
    const waiting: Waiter[] = [];
    /** The handler invocations in flight, each with the owner of the sleeps it makes. */
    const running = new Map<Promise<void>, object>();
    const run = (work: () => Promise<void>) => {
      const invocation = {};
      const tracked: Promise<void> = clock.run(invocation, work).finally(() => running.delete(tracked));
      running.set(tracked, invocation);
    };

    for (const request of requests) {
      run(() => this.startRequest(request, answer, waiter => waiting.push(waiter)));
    }
    while (running.size > 0 || waiting.length > 0) {
      // A misuse of the clock (a sleep with no owner, an invocation sleeping twice at once) ends the scenario.
      clock.check();
      // Sleepers whose wake-up the real time reached.
      clock.wakeDue();
      const now = clock.now();
      for (const w of waiting.filter(candidate => !candidate.polling && candidate.dueAt <= now)) {
        w.polling = true;
        run(() => this.poll(w, answer).then(finished => {
          w.polling = false;
          if (finished) {
            waiting.splice(waiting.indexOf(w), 1);
          }
          this.options.onPoll?.();
        }));
      }
      const idle = waiting.filter(w => !w.polling);
      const nextDue = Math.min(...idle.map(w => w.dueAt));
      const invocations = [...running.values()];
      const next = Math.min(nextDue, clock.nextWakeOf(invocations));
      if (invocations.every(invocation => clock.isAsleep(invocation))) {
        // No handler works (none runs, or every one waits for the clock): the clock moves on.
        if (Number.isFinite(next)) {
          clock.advanceTo(next);
        }
      } else {
        // Until a handler answers or falls asleep, or the next poll or wake-up is due in real time.
        const wait = Number.isFinite(next) ? Math.max(next - clock.now(), 0) : undefined;
        let timer: NodeJS.Timeout | undefined;
        const due = wait === undefined ? [] : [new Promise(resolve => { timer = setTimeout(resolve, wait); })];
        await Promise.race([...running.keys(), clock.nextSleep(), ...due]);
        // A timer left running would keep the process alive after the last deploy.
        clearTimeout(timer);
      }
    }
    return done;
  }

  /** onEvent of one request: the answer, or a waiter for isComplete. */
  private async startRequest(request: Request, answer: (outcome: Omit<Outcome, 'answeredAt'>) => void, wait: (waiter: Waiter) => void): Promise<void> {
    const { event, logicalId } = request;
    if (isCreateFailedDelete(event)) {
      // The framework answers these itself, without calling the handlers.
      answer({ logicalId, requestType: 'Delete', status: 'SUCCESS', physicalResourceId: CREATE_FAILED_MARKER, polls: 0 });
      return;
    }
    const handlers = this.handlersOf(event);
    try {
      const result = overLambda(await handlers.onEvent(event)) ?? {};
      const physicalResourceId = result.PhysicalResourceId ?? (event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId);
      if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
        throw new Error(`DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${physicalResourceId}"`);
      }
      const resourceEvent = { ...event, ...result, PhysicalResourceId: physicalResourceId };
      if (handlers.isComplete) {
        wait({ request, event: resourceEvent, polls: 0, handlers, dueAt: this.options.clock.now(), polling: false });
      } else {
        answer({ logicalId, requestType: event.RequestType, status: 'SUCCESS', physicalResourceId, data: result.Data ?? {}, polls: 0 });
      }
    } catch (error) {
      answer({
        logicalId,
        requestType: event.RequestType,
        status: 'FAILED',
        physicalResourceId: event.PhysicalResourceId ?? (event.RequestType === 'Create' ? CREATE_FAILED_MARKER : undefined),
        reason: (error as Error).message,
        polls: 0,
      });
    }
  }

  /** One isComplete call of a waiter: whether the waiter is finished (answered or out of attempts). */
  private async poll(w: Waiter, answer: (outcome: Omit<Outcome, 'answeredAt'>) => void): Promise<boolean> {
    const base = { logicalId: w.request.logicalId, requestType: w.event.RequestType, physicalResourceId: w.event.PhysicalResourceId };
    if (w.polls > w.handlers.maxAttempts) {
      answer({ ...base, status: 'FAILED', reason: 'Operation timed out', polls: w.polls });
      return true;
    }
    w.polls++;
    try {
      const result = overLambda(await w.handlers.isComplete!(w.event));
      if (result.IsComplete) {
        answer({ ...base, status: 'SUCCESS', data: { ...w.event.Data, ...result.Data }, polls: w.polls });
        return true;
      } else if (result.Data && Object.keys(result.Data).length > 0) {
        throw new Error('"Data" is not allowed if "IsComplete" is "False"');
      }
    } catch (error) {
      answer({ ...base, status: 'FAILED', reason: (error as Error).message, polls: w.polls });
      return true;
    }
    w.dueAt = this.options.clock.now() + w.handlers.intervalSeconds * 1000;
    return false;
  }

  /** The event CloudFormation sends. */
  public event(requestType: 'Create' | 'Update' | 'Delete', logicalId: string, properties: Record<string, any>, physicalResourceId?: string, oldProperties?: Record<string, any>): any {
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

  private get stackId(): string {
    return `arn:aws:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/${this.stackGuid}`;
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
        environment: Object.assign({}, ...[variables.USER_ON_EVENT_FUNCTION_ARN, variables.USER_IS_COMPLETE_FUNCTION_ARN]
          .filter(reference => reference !== undefined)
          .map(reference => literalStrings(resources[reference['Fn::GetAtt'][0]].Properties.Environment?.Variables ?? {}))),
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

/** The resources in CloudFormation's order: each wave refers only to resources of earlier waves. */
function dependencyWaves(resources: Map<string, TemplateResource>): string[][] {
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < resources.size) {
    const wave = [...resources.keys()].filter(id => !placed.has(id) && resources.get(id)!.dependsOn.every(dep => placed.has(dep)));
    if (wave.length === 0) {
      throw new Error(`circular references among ${[...resources.keys()].filter(id => !placed.has(id)).join(', ')}`);
    }
    wave.forEach(id => placed.add(id));
    waves.push(wave);
  }
  return waves;
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
function literalStrings(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** What the framework gets back from invoking a handler: its answer as JSON (an undefined value leaves its key out). */
function overLambda<T>(answer: T): T {
  return answer === undefined ? answer : JSON.parse(JSON.stringify(answer));
}
