// What `npx projen contract:aws` creates, by name, and what a run costs, with the basis of each figure. Pure: no SDK
// and no AWS call, so the command prints it before its opt-in check and before it loads anything heavy. Another
// command (integ:aws, run-integ.ts) reuses planLines(), costEstimate() and the names.
import type { AwsContractEnvironment } from './environment';
import { NAME_MAX_LENGTH } from '../../../src/contract/model-arn';

/** The day the prices below were read from the stored public pages. */
export const PRICES_READ_ON = '2026-12-01';

export interface Price {
  /** US dollars per unit. */
  readonly usd: number;
  readonly unit: string;
  /** The figure as the source states it. */
  readonly text: string;
  readonly source: string;
}

const COMPREHEND_PRICING = 'https://aws.amazon.com/comprehend/pricing/ (the English page is stored only in a transcription, ' +
  'https://raw.githubusercontent.com/api-evangelist/amazon-comprehend/refs/heads/main/plans/amazon-comprehend-plans-pricing.yml, ' +
  'whose figures were found verbatim on the page; the same figures as bench/waiting-cost.ts PRICES.comprehendDescribe)';

/** The public prices (US East (N. Virginia) and US West (Oregon)), fixed here: a change is a change of this constant. */
export const PRICES = {
  training: { usd: 3, unit: 'hour of training', text: '$3 per hour for model training (billed by the second)', source: COMPREHEND_PRICING },
  modelManagement: { usd: 0.5, unit: 'model-month', text: '$0.50 per month for custom model management', source: COMPREHEND_PRICING },
  endpoint: {
    usd: 0.0005,
    unit: 'inference-unit second',
    text: '$0.0005 per IU per second; endpoints are billed in one-second increments, with a minimum of 60 seconds',
    source: COMPREHEND_PRICING,
  },
  kmsKey: {
    usd: 1,
    unit: 'key-month',
    text: '$1/month per customer managed key (prorated hourly); no charge for a key scheduled for deletion',
    source: 'https://aws.amazon.com/kms/pricing/',
  },
} as const satisfies Record<string, Price>;

/** The endpoint price's minimum: a shorter-lived endpoint is billed 60 seconds. */
export const ENDPOINT_MINIMUM_SECONDS = 60;

/** Hours in a month, to prorate a monthly price (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/**
 * What the contract tests do on AWS, as counted from the register's rows (docs/aws-assumptions.md) and estimated
 * (nothing has run on AWS yet): low and high of each.
 */
export const WORKLOAD = {
  /** Training the source classifier once, on the tiny generated set ("tens of minutes"). */
  trainingMinutes: [20, 60],
  /**
   * Endpoints of 1 IU that live from their creation to their deletion: one each for describe-endpoint-during-swap,
   * delete-busy-endpoint, delete-served-model, endpoint-tags-applied-at-creation and endpoint-reads-without-s3, and
   * possibly endpoint-on-untrained-model (should Comprehend accept it).
   */
  endpoints: 6,
  /**
   * Endpoints counted at 2 IU for their whole life: update-busy-endpoint's, which the test raises to 2 IU once it is in
   * service (the test then tries to lower it to 1 while that update runs, which is refused); counting all of its life
   * at 2 IU overstates the low figure a little.
   */
  twoUnitEndpoints: 1,
  endpointMinutes: [10, 20],
  /**
   * The two that wait for CloudWatch, from creation to deletion: idle-minute-datapoint's stands 25 minutes in service
   * (30-45 in all), endpoint-metrics-namespace's waits up to 15 for its metric (7-35): 20-45 each, on average.
   */
  idleEndpoints: 2,
  idleEndpointMinutes: [20, 45],
  /** The imports: each test that imports makes its own copies (describe-endpoint-during-swap two), deleted when it ends. */
  imports: 18,
  importMinutes: [5, 15],
  /**
   * How long a run takes, and keeps its KMS key before teardown schedules its deletion: the tests run one after the
   * other, and most wait for an import (5-15 min) and its deletion, some for an endpoint too, the rollback rows for
   * three ten-minute waits of their function: about 3 to 8 hours in all.
   */
  runHours: [3, 8],
} as const;

export interface CostItem {
  readonly item: string;
  readonly lowUsd: number;
  readonly highUsd: number;
  /** Whether it is paid again by a run that reuses the trained source. */
  readonly everyRun: boolean;
  readonly basis: string;
}

export interface CostEstimate {
  readonly items: readonly CostItem[];
  /** A first run: trains the source once. */
  readonly firstRun: { readonly lowUsd: number; readonly highUsd: number };
  /** A later run: the source is reused by name. */
  readonly laterRun: { readonly lowUsd: number; readonly highUsd: number };
  /** What the kept source costs while it exists, between runs. */
  readonly keptSourceUsdPerMonth: number;
  readonly pricesReadOn: string;
}

/** Seconds billed for an endpoint of `units` inference units that lives `seconds`. */
export function endpointUsd(seconds: number, units = 1): number {
  return Math.max(seconds, ENDPOINT_MINIMUM_SECONDS) * units * PRICES.endpoint.usd;
}

/** The endpoints' cost, low (`end` 0) or high (1). */
function endpointsUsd(end: 0 | 1): number {
  const w = WORKLOAD;
  return w.endpoints * endpointUsd(w.endpointMinutes[end] * 60)
    + w.twoUnitEndpoints * endpointUsd(w.endpointMinutes[end] * 60, 2)
    + w.idleEndpoints * endpointUsd(w.idleEndpointMinutes[end] * 60);
}

const sum = (items: readonly CostItem[], key: 'lowUsd' | 'highUsd') => items.reduce((total, i) => total + i[key], 0);

/** The estimate of a run, from PRICES and WORKLOAD. */
export function costEstimate(): CostEstimate {
  const w = WORKLOAD;
  const training = PRICES.training.usd;
  const items: CostItem[] = [
    {
      item: 'Training the source classifier once (first run only)',
      lowUsd: (w.trainingMinutes[0] / 60) * training,
      highUsd: (w.trainingMinutes[1] / 60) * training,
      everyRun: false,
      basis: `${w.trainingMinutes[0]}-${w.trainingMinutes[1]} min × ${PRICES.training.text}`,
    },
    {
      item: `Endpoints: ${w.endpoints} of 1 IU, ${w.twoUnitEndpoints} raised to 2 IU, and ${w.idleEndpoints} that wait for CloudWatch`,
      lowUsd: endpointsUsd(0),
      highUsd: endpointsUsd(1),
      everyRun: true,
      basis: `${w.endpoints} × ${w.endpointMinutes[0]}-${w.endpointMinutes[1]} min at 1 IU, ${w.twoUnitEndpoints} × ` +
        `${w.endpointMinutes[0]}-${w.endpointMinutes[1]} min at 2 IU and ${w.idleEndpoints} × ` +
        `${w.idleEndpointMinutes[0]}-${w.idleEndpointMinutes[1]} min at 1 IU, each from creation to deletion, × ${PRICES.endpoint.text}`,
    },
    {
      item: `Imports: about ${w.imports} copies of the source`,
      lowUsd: 0,
      highUsd: w.imports * (w.importMinutes[1] / 60) * training,
      everyRun: true,
      basis: 'whether an import is billed is not documented on the pricing page: low, not billed; high, billed as training ' +
        `time, ${w.imports} × ${w.importMinutes[1]} min × ${PRICES.training.text}`,
    },
    {
      item: `Model management: the ${w.imports} copies, and the source in its first month`,
      lowUsd: w.imports * PRICES.modelManagement.usd * (w.runHours[0] / HOURS_PER_MONTH),
      highUsd: (w.imports + 1) * PRICES.modelManagement.usd,
      everyRun: true,
      basis: `${PRICES.modelManagement.text}: whether it is prorated is not stated; low, prorated over a ${w.runHours[0]} h ` +
        'run; high, a whole month for each copy and for the source',
    },
    {
      item: 'The KMS key of the run, in the importer account',
      lowUsd: PRICES.kmsKey.usd * (w.runHours[0] / HOURS_PER_MONTH),
      highUsd: PRICES.kmsKey.usd * (w.runHours[1] / HOURS_PER_MONTH),
      everyRun: true,
      basis: `${w.runHours[0]}-${w.runHours[1]} h × ${PRICES.kmsKey.text}; teardown schedules its deletion (7 days)`,
    },
    {
      item: 'S3: the training set (about 20 kB) and requests; CloudFormation, IAM, STS',
      lowUsd: 0,
      highUsd: 0.01,
      everyRun: true,
      basis: 'a few kilobytes stored and a few hundred requests; IAM, STS and CloudFormation stacks of AWS resources do not bill',
    },
  ];
  const later = items.filter(i => i.everyRun);
  return {
    items,
    firstRun: { lowUsd: sum(items, 'lowUsd'), highUsd: sum(items, 'highUsd') },
    // A later run does not pay the source's first month either: that is the kept source's standing cost.
    laterRun: { lowUsd: sum(later, 'lowUsd'), highUsd: sum(later, 'highUsd') - PRICES.modelManagement.usd },
    keptSourceUsdPerMonth: PRICES.modelManagement.usd,
    pricesReadOn: PRICES_READ_ON,
  };
}

export const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;

/** The estimate as printed before a run starts. */
export function costLines(estimate: CostEstimate = costEstimate()): string[] {
  return [
    `Estimated cost (public prices read ${estimate.pricesReadOn}; nothing of it has been measured on AWS):`,
    ...estimate.items.map(i => `  - ${i.item}: ${usd(i.lowUsd)}-${usd(i.highUsd)} (${i.basis})`),
    `  First run (trains the source): ${usd(estimate.firstRun.lowUsd)}-${usd(estimate.firstRun.highUsd)}`,
    `  Later run (reuses it): ${usd(estimate.laterRun.lowUsd)}-${usd(estimate.laterRun.highUsd)}`,
    `  The kept source between runs: ${usd(estimate.keptSourceUsdPerMonth)} a month (${PRICES.modelManagement.text}).`,
    `  Prices: ${Object.values(PRICES).map(p => `${p.text} [${p.source.split(' ')[0]}]`).join('; ')}.`,
  ];
}

// Names. Every name this tool gives ends with the run's id, except the source's, which later runs reuse.

/** The source classifier, its bucket and its training role: kept between runs (--remove-source deletes them). */
export function sourceNames(sharerAccount: string, region: string) {
  return {
    bucket: `contract-aws-training-${sharerAccount}-${region}`,
    trainingKey: 'training/two-labels.csv',
    trainingRole: 'contract-aws-comprehend-training',
    classifier: 'contract-aws-source',
  } as const;
}

/** A run's id: its start (UTC, to the minute) and 4 random characters, e.g. 2612011200k3x9. */
export function newRunId(now = new Date(), random = Math.random): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(2, 12);
  const suffix = Array.from({ length: 4 }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 36)]).join('');
  return `${stamp}${suffix}`;
}

/** A name this run gives (what a test makes, the run's fixtures): matches RUN_NAME. */
const RUN_ID = '\\d{10}[0-9a-z]{4}';
export const RUN_NAME = new RegExp(`^contract-.+-(${RUN_ID})$`);

/**
 * `contract-PURPOSE-RUNID` within `max` characters (63 for Comprehend names, 64 for IAM roles): the purpose is cut, never
 * the run id, so that a cleanup still finds it by name.
 */
export function runScopedName(purpose: string, runId: string, max = NAME_MAX_LENGTH): string {
  const room = max - 'contract-'.length - 1 - runId.length;
  const cut = purpose.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, room).replace(/-+$/, '');
  return `contract-${cut}-${runId}`;
}

/**
 * What a run makes in the importer account: one CloudFormation stack with the KMS key, its alias, and the two roles
 * Comprehend may assume: the import's and the endpoint's (the library's two service roles).
 */
export function runNames(runId: string) {
  return {
    stack: runScopedName('aws', runId),
    keyAlias: `alias/${runScopedName('aws', runId)}`,
    importRole: runScopedName('aws-import', runId, 64),
    endpointRole: runScopedName('aws-endpoint', runId, 64),
  } as const;
}

export interface PlanOptions {
  readonly removeSource?: boolean;
  /** Defaults to a placeholder: the plan is printed before the run has an id. */
  readonly runId?: string;
}

/** What a run creates, by account and name, and what it keeps. */
export function planLines(env: AwsContractEnvironment, options: PlanOptions = {}): string[] {
  const runId = options.runId ?? 'RUNID';
  const run = runNames(runId);
  const source = sourceNames('SHARER_ACCOUNT', env.region);
  const kept = options.removeSource ? 'deleted at the end (--remove-source)' : 'kept: the next run reuses it by name';
  return [
    `Plan, in ${env.region}:`,
    `Sharer account (profile ${env.sharerProfile}):`,
    `  - S3 bucket ${source.bucket} (public access blocked, SSE-S3) with ${source.trainingKey}, a training set the run generates ` +
      `(${TRAINING_SET.labels.length} labels × ${TRAINING_SET.documentsPerLabel} documents), ${kept}`,
    `  - IAM role ${source.trainingRole}, which Comprehend assumes to read it, ${kept}`,
    `  - Comprehend document classifier ${source.classifier}, version v1 (v2, v3… if one failed to train): trained once, ${kept}`,
    '  - resource-based policies on it, put and deleted by the tests; the run\'s sweep deletes its policy whole at the end, ' +
      'which also removes statements this tool did not write (those of a sharer-side stack of integ:aws left deployed, say)',
    `Importer account (profile ${env.importerProfile}), deleted at the end of the run:`,
    `  - CloudFormation stack ${run.stack}: a KMS key (${run.keyAlias}; its deletion scheduled with the minimum 7-day window) ` +
      `and IAM roles ${run.importRole} and ${run.endpointRole} with the library's import and endpoint service-role permissions on it`,
    `  - for each test that needs one, an IAM role contract-PURPOSE-XXXX-${runId} with that test's policy only`,
    `  - the tests' imported copies (about ${WORKLOAD.imports}), endpoints (about ` +
      `${WORKLOAD.endpoints + WORKLOAD.twoUnitEndpoints + WORKLOAD.idleEndpoints}, 1 inference unit each but one raised to 2) and ` +
      `stacks, named contract-PURPOSE-${runId} and tagged contract-aws=${runId} where the run can tag them, deleted by each test, then by the run's sweep`,
  ];
}

/** The generated training set's shape (fixtures.ts writes it): see TRAINING_SET's comment there for the minimum. */
export const TRAINING_SET = {
  labels: ['WEATHER', 'SPORTS'],
  /**
   * Comprehend's documented minimum is 50 training documents per class in multi-class mode ("Guidelines and quotas",
   * Document classification, General: "Minimum number of training documents per class (multi-class mode) | 50",
   * https://docs.aws.amazon.com/comprehend/latest/dg/guidelines-and-limits.html, as stored in
   * awsdocs/amazon-comprehend-developer-guide doc_source/guidelines-and-limits.md). Comprehend holds 10-20% of the
   * input out as test documents (ClassifierMetadata.NumberOfTestDocuments), so 80 per class leaves at least 64 to train on.
   */
  documentsPerLabel: 80,
} as const;
