import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HandlerRole } from './handler-role';
import { DEFAULT_RUNTIME, handlerLogging, ProviderSettings } from './provider-settings';

/** The bundles of src/handlers/ (`npx projen bundle`): one asset per provider, whatever functions run it. */
export type HandlerBundle = 'provider' | 'policy';

/** What one handler function of a provider runs and how. */
export interface HandlerFunctionProps {
  /** The bundle and its export that Lambda invokes (`index.EXPORT`). */
  readonly bundle: HandlerBundle;
  readonly exportName: string;
  readonly description: string;
  readonly role: HandlerRole;
  /** The timeout unless the stack's settings give one. */
  readonly defaultTimeout: Duration;
  readonly settings: ProviderSettings;
}

const DEFAULT_MEMORY_MB = 256;

/**
 * A function that runs one export of a handler bundle, with the stack's provider settings. Functions of one bundle
 * share its asset: the same folder, hashed once, uploaded once.
 */
export class HandlerFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const { settings } = props;
    super(scope, id, {
      // DEFAULT_RUNTIME or a newer Node.js runtime (validated): the bundles' target, node22, runs on either.
      runtime: settings.runtime ?? DEFAULT_RUNTIME,
      // Lambda's default, x86_64, unless the settings say arm64.
      architecture: settings.architecture,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'handlers', props.bundle, 'index')),
      handler: `index.${props.exportName}`,
      description: props.description,
      role: props.role,
      memorySize: settings.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: settings.timeout ?? props.defaultTimeout,
      logGroup: props.role.logGroup(scope, `${id}Logs`),
      vpc: settings.vpc,
      vpcSubnets: settings.vpcSubnets,
      securityGroups: settings.securityGroups,
      environmentEncryption: settings.environmentEncryption,
      ...handlerLogging(settings),
    });
  }
}
