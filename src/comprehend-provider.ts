import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { configureProviders } from './private/provider-settings';

/**
 * Settings of the Lambda functions and the state machine that run this library's custom resources in a stack: the
 * Comprehend provider (imports and endpoints) and the model policy provider (shares), their handlers and the
 * `custom-resources` Provider framework's own functions.
 */
export interface ComprehendProviderProps {
  /**
   * The VPC every function of the providers runs in. The functions call Comprehend, CloudFormation, Lambda, Step
   * Functions and CloudFormation's response URL (Amazon S3), so the subnets need a route to them: a NAT gateway, or
   * VPC endpoints for `comprehend`, `cloudformation`, `lambda`, `states` and `s3` (subnets that are all isolated, without
   * those endpoints in the app, are a synth-time warning). The functions' roles get the AWS managed policy
   * `AWSLambdaVPCAccessExecutionRole`.
   *
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` the functions run.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the functions in `vpc`.
   *
   * @default - a security group per function, allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * How long the log groups the library creates keep the functions' and the state machine's logs. Not with `logGroup`.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A log group of yours that every function and the state machine log to, instead of the log groups the library
   * creates. The functions' roles are allowed to write to it.
   *
   * @default - a log group per function and one for the state machine, kept for `logRetention`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Memory of the library's handler functions, in MB (128 to 10,240). The framework's functions keep the Provider's.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * How long one invocation of a handler function may run: room for the SDK's retries when Comprehend throttles many
   * models of the stack at once. 1 to 14 minutes, so that the framework's functions, which wait for the handler and
   * run 15 at most, can still answer. A deploy waits for an import across many invocations, up to the model's `timeout`.
   *
   * @default - 5 minutes for the Comprehend provider's handlers, 2 minutes for the model policy handler
   */
  readonly timeout?: Duration;

  /**
   * The key that encrypts the functions' environment variables, the handlers' and the framework's.
   *
   * @default - the AWS managed key of Lambda
   */
  readonly environmentEncryption?: kms.IKey;

  /**
   * What the waiter state machine, which polls an import until the copy is usable, logs. With `LogLevel.OFF` it logs
   * nothing and has no log group.
   *
   * @default sfn.LogLevel.ALL
   */
  readonly waiterLogLevel?: sfn.LogLevel;

  /**
   * The instruction set of every function of the providers: the library's handlers and the framework's. The
   * handlers are plain JavaScript and run on either. `lambda.Architecture.ARM_64` (Graviton) costs less per
   * GB-second; it is not the default because the library also deploys to the aws-iso and aws-iso-f partitions, where
   * Lambda's arm64 availability is not published.
   *
   * @default lambda.Architecture.X86_64 (Lambda's default)
   */
  readonly architecture?: lambda.Architecture;

  /**
   * The Node.js runtime of every function of the providers: the library's handlers and, when given, the framework's.
   * A Node.js runtime at least as new as the default, such as a newer one that Lambda adds before this library moves.
   *
   * @default lambda.Runtime.NODEJS_24_X for the handlers; the framework's functions keep the Provider's choice (the newest
   * Node.js runtime the installed aws-cdk-lib knows)
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The format of the library's handler functions' logs. `applicationLogLevel` and `systemLogLevel` need `JSON`
   * (Lambda filters levels only in JSON): with either of them and no format, the format is `JSON`; with `TEXT` they
   * are an error. The framework's functions log `JSON` whatever this says: the Provider keeps the events they pass on
   * out of their logs by a level, which needs `JSON`.
   *
   * @default - text (`JSON` when a log level is given)
   */
  readonly loggingFormat?: lambda.LoggingFormat;

  /**
   * The least severe level of the functions' own log records that Lambda keeps, the handlers' and the framework's.
   * The framework's functions keep only `FATAL` records unless this is given: they log each event they pass on at
   * `INFO` (without the response URL), and the waiter's isComplete function fails with the event as its message at
   * each poll that finds the import not done (`ERROR`). Needs `loggingFormat` `JSON`, or no format.
   *
   * @default - the handlers keep Lambda's (`INFO` with `JSON` logs, every record with text); the framework's functions
   * keep the Provider's, `FATAL`
   */
  readonly applicationLogLevel?: lambda.ApplicationLogLevel;

  /**
   * The least severe level of the Lambda runtime's own log records (START, END, REPORT and the like) that Lambda keeps,
   * for every function of the providers. Needs `loggingFormat` `JSON`, or no format.
   *
   * @default - Lambda's: `INFO` with `JSON` logs, every record with text
   */
  readonly systemLogLevel?: lambda.SystemLogLevel;
}

/**
 * The settings of this library's custom resource providers in a stack. Every ImportedComprehendModel, ModelEndpoint
 * and SharedModelPolicy of a stack runs through one provider per kind, created with the first of them, so the settings
 * are set once per stack, before the first of them is created:
 *
 * ```ts
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import * as logs from 'aws-cdk-lib/aws-logs';
 * import { ComprehendProvider } from 'cdk-comprehend-model-import';
 *
 * const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcName: 'shared' });
 * ComprehendProvider.configure(this, { vpc, logRetention: logs.RetentionDays.TEN_YEARS });
 * ```
 *
 * The settings belong to one stack: a nested stack has providers of its own, so configure it with the nested stack
 * (or a construct in it) as `scope`. `PermissionsBoundary.of()` and `Tags.of()` reach the providers' roles and
 * functions as they reach the rest of the stack.
 */
export class ComprehendProvider {
  /**
   * Sets how the providers of `scope`'s stack run. Calling it again with the same settings changes nothing; with
   * other settings, or (unless it asks for nothing) after the stack's first model, endpoint or share created a
   * provider with the defaults, it is an error that names both places. A stack none of whose constructs runs through a
   * provider is a synth-time warning (`cdk-comprehend-model-import:unusedProviderSettings`): the settings reach nothing.
   */
  public static configure(scope: Construct, props: ComprehendProviderProps): void {
    configureProviders(scope, props);
  }

  private constructor() {}
}
