// What `npx projen contract:aws` and `npx projen integ:aws` need from the environment before they touch AWS: the
// sharer's and the importer's profiles, and an opt-in in so many words. Nothing here calls AWS.
import * as path from 'path';

/** The opt-in: CONTRACT_AWS_CONFIRM must hold exactly this. */
export const CONFIRM_VALUE = 'create-billable-resources';

/**
 * The tag every resource this tool makes carries: the run's id, or SOURCE_TAG on the kept source's classifier, bucket
 * and training role. The sweep deletes, and the tool writes to, only what carries it. Here, in a module that loads no
 * SDK, so that the AWS target (loaded by every build) and the fixtures share one.
 */
export const TAG_KEY = 'contract-aws';
/** The tag's value on the kept source's classifier, bucket and training role. */
export const SOURCE_TAG = 'source';

/** Where a run keeps its fixtures' description, the observations and the report (gitignored). */
export const RUN_DIR = path.join(__dirname, '..', '..', '..', 'contract-aws');

export interface AwsContractEnvironment {
  /** The AWS CLI/SDK profile of the account that trains and shares the source model. */
  readonly sharerProfile: string;
  /** The profile of the account that imports it (another account). */
  readonly importerProfile: string;
  /** @default us-west-2 */
  readonly region: string;
}

/** What a run made, or found and reused, for the tests: written to RUN_DIR/fixtures.json, read by the AWS target. */
export interface AwsFixtures {
  readonly region: string;
  readonly partition: string;
  readonly sharerAccount: string;
  readonly importerAccount: string;
  readonly sharerProfile: string;
  readonly importerProfile: string;
  /** The trained source classifier version (trained once, reused by name by later runs). */
  readonly sourceClassifierArn: string;
  /** A customer managed key of the importer made for this run, and the import and endpoint roles on it (the library's two service roles). */
  readonly importerKeyArn: string;
  readonly importerImportRoleArn: string;
  readonly importerEndpointRoleArn: string;
  /** Names every resource this run made (`contract-…-RUNID`), so that a cleanup finds what a crash left. */
  readonly runId: string;
}

export const ENV = {
  sharerProfile: 'CONTRACT_AWS_SHARER_PROFILE',
  importerProfile: 'CONTRACT_AWS_IMPORTER_PROFILE',
  region: 'CONTRACT_AWS_REGION',
  confirm: 'CONTRACT_AWS_CONFIRM',
} as const;

/**
 * The environment, or why the command must not start: without both profiles, with one profile for both sides, or
 * without the opt-in. `command` is how the user ran it, for the message.
 */
export function readEnvironment(command: string, env: NodeJS.ProcessEnv = process.env):
{ readonly environment?: AwsContractEnvironment; readonly refusal?: string; readonly confirmed: boolean } {
  const sharerProfile = env[ENV.sharerProfile] ?? '';
  const importerProfile = env[ENV.importerProfile] ?? '';
  const region = env[ENV.region] || 'us-west-2';
  const missing = [
    ...sharerProfile === '' ? [`${ENV.sharerProfile} (the profile of the account that trains and shares the source model)`] : [],
    ...importerProfile === '' ? [`${ENV.importerProfile} (the profile of another account, which imports it)`] : [],
  ];
  if (missing.length > 0) {
    return {
      confirmed: false,
      refusal: `${command} creates billable resources in two AWS accounts and needs both named. Not set: ${missing.join('; ')}. ` +
        `Then run it again to see what it would create and cost, and set ${ENV.confirm}=${CONFIRM_VALUE} to let it. ` +
        'Nothing was created (docs/contract-aws.md).',
    };
  }
  if (sharerProfile === importerProfile) {
    return {
      confirmed: false,
      refusal: `${ENV.sharerProfile} and ${ENV.importerProfile} are both '${sharerProfile}': the contract tests need two accounts, ` +
        'since an import copies a model from another account. Nothing was created (docs/contract-aws.md).',
    };
  }
  const environment = { sharerProfile, importerProfile, region };
  const confirmed = env[ENV.confirm] === CONFIRM_VALUE;
  return confirmed ? { environment, confirmed } : {
    environment,
    confirmed,
    refusal: `${command} stops here: set ${ENV.confirm}=${CONFIRM_VALUE} to let it create the resources above, ` +
      'which it deletes when it ends, but for the trained source (its classifier, bucket and training role), kept for the next run' +
      `${env[ENV.confirm] ? ` (${ENV.confirm} is '${env[ENV.confirm]}')` : ''}. Nothing was created.`,
  };
}
