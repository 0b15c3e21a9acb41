// Plays CloudFormation and the custom-resources Provider framework for the model copies of a stack.
//
// It synthesizes a real CDK app, reads the template and the cloud assembly, loads the onEvent and isComplete
// handlers from the synthesized asset folders (the bundled files, not the TypeScript source), and sends them
// Create, Update and Delete events with properties resolved as CloudFormation resolves them. It polls
// isComplete at the waiter's interval up to its attempts, honours replacement (a new physical id on Update,
// then a Delete of the old one) and rollback (a failed Update is updated back with old and new swapped; a
// failed Create is deleted, with the framework's placeholder id when onEvent failed).
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CREATE_FAILED_MARKER } from './fixtures';
import { VirtualClock } from './virtual-clock';
import { IMPORTED_MODEL_RESOURCE_TYPE } from '../../src/contract/import-properties';


/** The user handlers behind one Provider, with its waiter's interval and attempts. */
interface ProviderHandlers {
  readonly onEvent: Handler;
  readonly isComplete?: Handler;
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
}

type Handler = (event: any) => Promise<any>;

export interface DeployDriverOptions {
  /** The emulator's URL. */
  readonly endpoint: string;
  /** The access key id the emulator maps to the stack's account. */
  readonly accessKeyId: string;
  readonly clock: VirtualClock;
  /** Values for Fn::ImportValue. */
  readonly exports?: Record<string, string>;
}

/** A custom resource (a model copy, a model policy) as CloudFormation knows it after a deployment. */
export interface DeployedResource {
  readonly physicalResourceId: string;
  readonly properties: Record<string, any>;
  readonly data: Record<string, string>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
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
  readonly status: 'COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED';
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
  /** The custom resources of the stack, by logical id. */
  public readonly resources = new Map<string, DeployedResource>();
  private readonly stackGuid = randomUUID();
  /** The providers of the stack, by service token. */
  private readonly providers = new Map<string, ProviderHandlers>();
  private readonly resourceTypes = new Map<string, string>();
  private currentStack?: Stack;

  constructor(private readonly options: DeployDriverOptions) {}

  /**
   * Deploys `stack`: creates the stack the first time, then updates it to each new definition (a stack of the
   * same name, account and Region in a fresh app, since constructs cannot change once built).
   */
  public async deploy(stack: Stack): Promise<DeployResult> {
    const desired = this.load(stack);
    const forward: Request[] = [];
    for (const [logicalId, want] of desired) {
      const have = this.resources.get(logicalId);
      if (!have) {
        forward.push({ logicalId, event: this.event('Create', logicalId, want.properties) });
      } else if (JSON.stringify(have.properties) !== JSON.stringify(want.properties)) {
        forward.push({ logicalId, event: this.event('Update', logicalId, want.properties, have.physicalResourceId, have.properties) });
      }
    }
    const outcomes = await this.send(forward);
    const failures = outcomes.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`);

    if (failures.length === 0) {
      const cleanup: Request[] = [];
      for (const outcome of outcomes) {
        const want = desired.get(outcome.logicalId)!;
        const had = this.resources.get(outcome.logicalId);
        if (had && had.physicalResourceId !== outcome.physicalResourceId && had.updateReplacePolicy !== 'Retain') {
          cleanup.push({ logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, had.properties, had.physicalResourceId) });
        }
        this.resources.set(outcome.logicalId, {
          physicalResourceId: outcome.physicalResourceId!,
          properties: want.properties,
          data: outcome.data ?? {},
          deletionPolicy: want.deletionPolicy,
          updateReplacePolicy: want.updateReplacePolicy,
        });
      }
      for (const [logicalId, had] of this.resources) {
        if (!desired.has(logicalId)) {
          this.resources.delete(logicalId);
          if (had.deletionPolicy !== 'Retain') {
            cleanup.push({ logicalId, event: this.event('Delete', logicalId, had.properties, had.physicalResourceId) });
          }
        }
      }
      // CloudFormation does not fail a stack update for a failed cleanup; it reports it.
      const cleaned = await this.send(cleanup);
      return { status: 'COMPLETE', outcomes: [...outcomes, ...cleaned], failures: cleaned.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`) };
    }

    const rollback: Request[] = [];
    for (const outcome of outcomes) {
      const had = this.resources.get(outcome.logicalId);
      const want = desired.get(outcome.logicalId)!;
      if (!had) {
        // A failed create is deleted with what the framework answered: the placeholder when onEvent failed.
        rollback.push({ logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, want.properties, outcome.physicalResourceId ?? CREATE_FAILED_MARKER) });
      } else {
        const physicalId = outcome.status === 'SUCCESS' ? outcome.physicalResourceId! : had.physicalResourceId;
        rollback.push({ logicalId: outcome.logicalId, event: this.event('Update', outcome.logicalId, had.properties, physicalId, want.properties) });
      }
    }
    const rolledBack = await this.send(rollback);
    const rollbackCleanup: Request[] = [];
    for (const outcome of rolledBack) {
      const forwardOutcome = outcomes.find(o => o.logicalId === outcome.logicalId)!;
      if (outcome.requestType === 'Update' && forwardOutcome.status === 'SUCCESS'
        && forwardOutcome.physicalResourceId !== outcome.physicalResourceId) {
        const want = desired.get(outcome.logicalId)!;
        rollbackCleanup.push({ logicalId: outcome.logicalId, event: this.event('Delete', outcome.logicalId, want.properties, forwardOutcome.physicalResourceId) });
      }
    }
    const cleaned = await this.send(rollbackCleanup);
    const all = [...outcomes, ...rolledBack, ...cleaned];
    const rollbackFailed = [...rolledBack, ...cleaned].some(o => o.status === 'FAILED');
    return { status: rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', outcomes: all, failures: all.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`) };
  }

  /** Deletes the stack: every copy, unless its DeletionPolicy retains it. */
  public async destroy(): Promise<DeployResult> {
    const requests: Request[] = [];
    for (const [logicalId, had] of this.resources) {
      if (had.deletionPolicy !== 'Retain') {
        requests.push({ logicalId, event: this.event('Delete', logicalId, had.properties, had.physicalResourceId) });
      }
    }
    this.resources.clear();
    const outcomes = await this.send(requests);
    const failures = outcomes.filter(o => o.status === 'FAILED').map(o => `${o.logicalId}: ${o.reason}`);
    return { status: failures.length > 0 ? 'ROLLBACK_FAILED' : 'COMPLETE', outcomes, failures };
  }

  /**
   * Sends onEvent only, for every copy `stack` adds, as when the deployment is cancelled while the copies are
   * still importing. destroy() then deletes them, as the rollback of the cancelled create would.
   */
  public async startCreates(stack: Stack): Promise<string[]> {
    const desired = this.load(stack);
    this.useCredentials();
    const started: string[] = [];
    for (const [logicalId, want] of desired) {
      if (!this.resources.has(logicalId)) {
        const result = await this.provider(want.properties.ServiceToken).onEvent(this.event('Create', logicalId, want.properties));
        this.resources.set(logicalId, { ...want, physicalResourceId: result.PhysicalResourceId, data: {} });
        started.push(result.PhysicalResourceId);
      }
    }
    return started;
  }

  /** Sends the requests at once, as CloudFormation does for independent resources, and waits them out. */
  public async send(requests: Request[]): Promise<Outcome[]> {
    this.useCredentials();
    const done: Outcome[] = [];
    const answer = (outcome: Omit<Outcome, 'answeredAt'>) => done.push({ ...outcome, answeredAt: this.options.clock.now() });
    const waiting: Array<{ request: Request; event: any; polls: number; handlers: ProviderHandlers }> = [];

    await Promise.all(requests.map(async request => {
      const { event, logicalId } = request;
      if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER) {
        // The framework answers these itself, without calling the handlers.
        answer({ logicalId, requestType: 'Delete', status: 'SUCCESS', physicalResourceId: CREATE_FAILED_MARKER, polls: 0 });
        return;
      }
      const handlers = this.provider(event.ServiceToken);
      try {
        const result = (await handlers.onEvent(event)) ?? {};
        const physicalResourceId = result.PhysicalResourceId ?? (event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId);
        if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
          throw new Error(`DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${physicalResourceId}"`);
        }
        const resourceEvent = { ...event, ...result, PhysicalResourceId: physicalResourceId };
        if (handlers.isComplete) {
          waiting.push({ request, event: resourceEvent, polls: 0, handlers });
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
    }));

    // The waiter state machine: isComplete at once, then once per interval, up to its attempts.
    for (let attempt = 0; waiting.length > 0; attempt++) {
      if (attempt > Math.min(...waiting.map(w => w.handlers.maxAttempts))) {
        for (const w of waiting.splice(0)) {
          answer({ logicalId: w.request.logicalId, requestType: w.event.RequestType, status: 'FAILED', physicalResourceId: w.event.PhysicalResourceId, reason: 'Operation timed out', polls: w.polls });
        }
        break;
      }
      const finished = new Set<object>();
      await Promise.all(waiting.map(async w => {
        w.polls++;
        const base = {
          logicalId: w.request.logicalId,
          requestType: w.event.RequestType,
          physicalResourceId: w.event.PhysicalResourceId,
          polls: w.polls,
        };
        try {
          const result = await w.handlers.isComplete!(w.event);
          if (result.IsComplete) {
            answer({ ...base, status: 'SUCCESS', data: { ...w.event.Data, ...result.Data } });
            finished.add(w);
          } else if (result.Data && Object.keys(result.Data).length > 0) {
            throw new Error('"Data" is not allowed if "IsComplete" is "False"');
          }
        } catch (error) {
          answer({ ...base, status: 'FAILED', reason: (error as Error).message });
          finished.add(w);
        }
      }));
      waiting.splice(0, waiting.length, ...waiting.filter(w => !finished.has(w)));
      if (waiting.length > 0) {
        this.options.clock.advance(waiting[0].handlers.intervalSeconds * 1000);
      }
    }
    return done;
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

  /** Synthesizes `stack`, loads the handlers of its providers, and returns its custom resources with resolved properties. */
  private load(stack: Stack): Map<string, { properties: Record<string, any>; deletionPolicy?: string; updateReplacePolicy?: string }> {
    this.currentStack = stack;
    const { template, assemblyDir } = this.synth();
    this.loadProviders(template, assemblyDir);
    const desired = new Map<string, { properties: Record<string, any>; deletionPolicy?: string; updateReplacePolicy?: string }>();
    for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
      if (String(resource.Type).startsWith('Custom::')) {
        this.resourceTypes.set(logicalId, resource.Type);
        desired.set(logicalId, {
          properties: this.resolve(resource.Properties, template),
          deletionPolicy: resource.DeletionPolicy,
          updateReplacePolicy: resource.UpdateReplacePolicy,
        });
      }
    }
    return desired;
  }

  private get stack(): Stack {
    return this.currentStack ?? fail('deploy a stack first');
  }

  private get stackId(): string {
    return `arn:aws:cloudformation:${this.stack.region}:${this.stack.account}:stack/${this.stack.stackName}/${this.stackGuid}`;
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
    const userFunction = (reference: any) => {
      const hash = String(resources[reference['Fn::GetAtt'][0]].Properties.Code.S3Key).replace(/\.zip$/, '');
      return loadFresh(path.join(assemblyDir, this.assetPath(assemblyDir, hash), 'index.js')).handler as Handler;
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
      });
    }
  }

  private provider(serviceToken: string): ProviderHandlers {
    return this.providers.get(serviceToken) ?? fail(`no provider behind ${serviceToken}`);
  }

  private assetPath(assemblyDir: string, hash: string): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, `${this.stack.artifactId}.assets.json`), 'utf8'));
    return manifest.files[hash].source.path;
  }

  /** The SDK in the handlers reads its endpoint and credentials from the environment, as in Lambda. */
  private useCredentials(): void {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_COMPREHEND: this.options.endpoint,
      AWS_REGION: this.stack.region,
      AWS_ACCESS_KEY_ID: this.options.accessKeyId,
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
      'AWS::Region': this.stack.region,
      'AWS::AccountId': this.stack.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stack.stackName,
      'AWS::StackId': this.stackId,
    };
    if (pseudo[name]) {
      return pseudo[name];
    }
    const resource = template.Resources[name] ?? fail(`Ref to unknown ${name}`);
    return this.physicalId(name, resource);
  }

  private getAtt(logicalId: string, attribute: string, template: any): string {
    const resource = template.Resources[logicalId] ?? fail(`GetAtt of unknown ${logicalId}`);
    if (String(resource.Type).startsWith('Custom::')) {
      return this.resources.get(logicalId)?.data[attribute] ?? fail(`${logicalId}.${attribute} is not available yet`);
    }
    const id = this.physicalId(logicalId, resource);
    if (attribute !== 'Arn') {
      return `${id}.${attribute}`;
    }
    switch (resource.Type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${this.stack.account}:role${resource.Properties?.Path ?? '/'}${id}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${this.stack.region}:${this.stack.account}:key/${id}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${this.stack.region}:${this.stack.account}:function:${id}`;
      default: return `arn:aws:${resource.Type.split('::')[1].toLowerCase()}:${this.stack.region}:${this.stack.account}:${id}`;
    }
  }

  /** The stable name CloudFormation would give a resource of this stack. */
  private physicalId(logicalId: string, resource: any): string {
    const suffix = createHash('sha256').update(`${this.stackId}/${logicalId}`).digest('hex').slice(0, 12);
    return resource.Type === 'AWS::KMS::Key' ? `${suffix.slice(0, 8)}-0000-4000-8000-${suffix}` : `${this.stack.stackName}-${logicalId}-${suffix}`;
  }
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
