// What waiting for an import costs per model-hour: the framework's and the handler's Lambda invocations, the waiter's
// Step Functions state transitions, the Describe calls and the CloudWatch Logs they write, priced with the public
// price list. The inputs that decide it (query interval, memory, architecture, log settings) are read from the
// synthesized templates, so a change of the library's settings changes the figures; the durations and log sizes are
// assumptions, stated as such, since nothing here runs on AWS.
import { Template } from 'aws-cdk-lib/assertions';
import { ACCOUNT, REGION, scalingStack } from './scaling-stacks';

/** The day the prices below were read from the stored public pages. */
export const PRICES_READ_ON = '2026-12-01';

export interface Price {
  /** US dollars per unit. */
  readonly usd: number;
  /** The figure as the source states it. */
  readonly text: string;
  readonly source: string;
  /** How far the source bears the figure out. */
  readonly provenance: string;
}

/**
 * The public prices (US East (N. Virginia) and US West (Oregon) are the same for all of them), fixed here so that the
 * report is reproducible: a price change is a change of this constant, with its new source and date.
 */
export const PRICES = {
  lambdaRequest: {
    usd: 0.20 / 1_000_000,
    text: '$0.20 per 1M requests',
    source: 'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html',
    provenance: `AWS whitepaper "How AWS Pricing Works", read ${PRICES_READ_ON}`,
  },
  lambdaGbSecondX86: {
    usd: 0.0000166667,
    text: '$0.0000166667 per GB-second (x86, first 6 billion GB-s a month)',
    source: 'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html',
    provenance: 'the AWS page states it rounded ($0.00001667 per GB-second); the stored aws.amazon.com/lambda/pricing/ ' +
      'renders its table from unrendered price tokens, so the exact tier figure is the well-known public one, also ' +
      `stated by https://cloudchipr.com/blog/aws-lambda-pricing; read ${PRICES_READ_ON}`,
  },
  stateTransition: {
    usd: 0.025 / 1_000,
    text: '$0.025 per 1,000 state transitions (Standard)',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    provenance: 'AWS Step Functions pricing, US East (N. Virginia) and US West (Oregon) $0.0250; "each retry will be ' +
      `charged as an additional state transition"; read ${PRICES_READ_ON}`,
  },
  logsIngestionGb: {
    usd: 0.50,
    text: '$0.50 per GB ingested (Standard; vended logs first 10 TB)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    provenance: 'not found in the stored pages on AWS\'s own page (its paid-tier table is not in the stored text); the ' +
      'well-known public figure, stated by https://c3x.dev/blog/cloudwatch-logs-cost-optimization and ' +
      'https://hykell.com/knowledge-base/aws-cloudwatch-logs-pricing; Step Functions logs are billed "at the vended ' +
      `logs rate" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html); read ${PRICES_READ_ON}`,
  },
  comprehendDescribe: {
    usd: 0,
    text: '$0 per Describe call',
    source: 'https://aws.amazon.com/tr/comprehend/pricing/',
    provenance: 'Comprehend\'s pricing page bills text units of inference, $3 per hour of training, $0.50 a month of ' +
      'custom model management and endpoints per inference-unit second; control-plane calls such as ' +
      'DescribeDocumentClassifier are not among them (the English page is stored only in a transcription: ' +
      'https://raw.githubusercontent.com/api-evangelist/amazon-comprehend/refs/heads/main/plans/amazon-comprehend-plans-pricing.yml); ' +
      `read ${PRICES_READ_ON}`,
  },
} as const satisfies Record<string, Price>;

/**
 * What nobody can read from a template, so assumed: a warm invocation's billed duration and the bytes each poll
 * writes to CloudWatch Logs. Cold starts are left out: a function polled every 15 s or less mostly stays warm.
 */
export const ASSUMPTIONS = {
  /** The handler's isComplete: one DescribeDocumentClassifier / DescribeEntityRecognizer and the answer. */
  userIsCompleteMs: 150,
  /** The framework's isComplete invokes the handler synchronously, so it is billed the handler's time and its own. */
  frameworkOverheadMs: 50,
  /** START, END and REPORT lines of one invocation, in Lambda's text log format. */
  platformLogBytesText: 330,
  /** platform.start and platform.report records of one invocation, in Lambda's JSON log format. */
  platformLogBytesJson: 460,
  /** The framework's other lines per poll besides the event: the handler's answer, "retry requested", the trace. */
  frameworkOtherLogBytes: 600,
  /** One Step Functions history event without execution data (ids, type, timestamps, execution ARN). */
  waiterEventBytes: 300,
  /** Escaping of the event JSON inside the error's cause, plus the error's stack trace. */
  causeEscapeFactor: 1.2,
  causeTraceBytes: 400,
} as const;

/** The typical imports costed whole: a small model (about 70 s) and a large one. */
export const TYPICAL_IMPORT_SECONDS = [70, 30 * 60] as const;

/** What the template decides of the cost of one waiting resource. */
export interface WaiterSettings {
  /** Seconds between two polls: the waiter's Retry IntervalSeconds. */
  readonly intervalSeconds: number;
  /** Retry attempts before the waiter gives up: with the interval, how long a resource can wait. */
  readonly maxAttempts: number;
  readonly frameworkIsCompleteMemoryMb: number;
  readonly userIsCompleteMemoryMb: number;
  readonly architecture: string;
  /** The waiter's log level, OFF when it has no logging configuration. */
  readonly waiterLogLevel: string;
  /** Lambda's log format and application log level of each function ('TEXT' and undefined when unset). */
  readonly frameworkLogging: FunctionLogging;
  readonly userLogging: FunctionLogging;
  /** Bytes of an isComplete event for the resource as JSON, with ARNs at deployed length (about). */
  readonly eventBytes: number;
}

export interface FunctionLogging {
  readonly format: string;
  readonly applicationLevel?: string;
}

export interface CostLine {
  readonly item: string;
  readonly perHour: number;
  readonly unit: string;
  readonly price: Price;
  readonly usdPerHour: number;
}

export interface ApproachWaitingCost {
  readonly approach: string;
  /** Undefined for an approach that does not wait. */
  readonly settings?: WaiterSettings;
  readonly pollsPerHour: number;
  readonly lines: CostLine[];
  readonly usdPerHour: number;
  readonly usdPerPoll: number;
  readonly imports: ReadonlyArray<{ readonly seconds: number; readonly polls: number; readonly usd: number }>;
  readonly note: string;
}

export interface WaitingCost {
  readonly pricesReadOn: string;
  readonly approaches: ApproachWaitingCost[];
}

/** A synthesized template, as far as it is read here. */
export type CfnTemplate = { readonly Resources: Record<string, { readonly Type: string; readonly Properties?: any }> };

/** Lambda's memory when MemorySize is unset. */
const LAMBDA_DEFAULT_MEMORY_MB = 128;

/**
 * The cost of waiting per model-hour of this library (one ImportedComprehendModel, or `stackTemplate` if given), of
 * the waiting DIY (the same framework on aws-cdk-lib's defaults) and of the no-wait DIY. Deterministic: the same
 * templates and constants give the same figures.
 */
export function measureWaitingCost(stackTemplate?: CfnTemplate): WaitingCost {
  const library = stackTemplate ?? Template.fromStack(scalingStack({ approach: 'library', keys: false }, 1)).toJSON() as CfnTemplate;
  return {
    pricesReadOn: PRICES_READ_ON,
    approaches: [
      costOfWaiting('library', readWaiterSettings(library), 'polls every interval until the copy is usable'),
      costOfWaiting('waiting DIY', readWaiterSettings(Template.fromStack(scalingStack({ approach: 'diy-waiting', keys: false }, 1)).toJSON() as CfnTemplate),
        'aws-cdk-lib cr.Provider with isComplete on its defaults'),
      {
        approach: 'no-wait DIY',
        pollsPerHour: 0,
        lines: [],
        usdPerHour: 0,
        usdPerPoll: 0,
        imports: TYPICAL_IMPORT_SECONDS.map(seconds => ({ seconds, polls: 0, usd: 0 })),
        note: 'does not wait: it costs nothing per hour, and CloudFormation reports the copy created while it cannot tell when it is usable',
      },
    ],
  };
}

/** Reads the waiter's interval, the isComplete functions' memory, architecture and logging, and the event's size. */
export function readWaiterSettings(template: CfnTemplate): WaiterSettings {
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const framework = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Handler === 'framework.isComplete');
  if (!framework) {
    throw new Error('No framework isComplete function in the template: the stack does not wait');
  }
  const frameworkProps = framework[1].Properties;
  const userId = frameworkProps.Environment.Variables.USER_IS_COMPLETE_FUNCTION_ARN['Fn::GetAtt'][0];
  const userProps = resources[userId].Properties;

  const [machine] = ofType('AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties);
  const definition = JSON.parse(flattenJoin(machine.DefinitionString));
  const retry = Object.values<any>(definition.States).flatMap(state => state.Retry ?? [])[0];
  if ((retry.BackoffRate ?? 2) !== 1) {
    // With backoff the polls per hour are not 3600 / interval; the model below would not hold.
    throw new Error(`The waiter backs off (BackoffRate ${retry.BackoffRate}): polls per hour are not 3600 / interval`);
  }

  const architectures = new Set([frameworkProps, userProps].map(p => p.Architectures?.[0] ?? 'x86_64'));
  if (architectures.size !== 1 || !architectures.has('x86_64')) {
    throw new Error(`Architectures ${[...architectures].join(', ')}: only the x86 price is recorded`);
  }
  const [resource] = Object.entries(resources)
    .filter(([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource');
  return {
    intervalSeconds: retry.IntervalSeconds ?? 1,
    maxAttempts: retry.MaxAttempts ?? 3,
    frameworkIsCompleteMemoryMb: frameworkProps.MemorySize ?? LAMBDA_DEFAULT_MEMORY_MB,
    userIsCompleteMemoryMb: userProps.MemorySize ?? LAMBDA_DEFAULT_MEMORY_MB,
    architecture: 'x86_64',
    waiterLogLevel: machine.LoggingConfiguration?.Level ?? 'OFF',
    frameworkLogging: loggingOf(frameworkProps),
    userLogging: loggingOf(userProps),
    eventBytes: JSON.stringify(isCompleteEvent(resource[0], resource[1])).length,
  };
}

function loggingOf(props: any): FunctionLogging {
  return { format: props.LoggingConfig?.LogFormat ?? 'Text', applicationLevel: props.LoggingConfig?.ApplicationLogLevel };
}

/** A DefinitionString's text with its tokens (function ARNs) as placeholders, enough to parse it. */
function flattenJoin(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map(part => (typeof part === 'string' ? part : 'TOKEN')).join(separator);
}

/** An ARN of deployed length, for the tokens of the template (physical names are about 60 characters). */
const DEPLOYED_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${'x'.repeat(60)}`;

/** The isComplete event the framework passes on for `logicalId`, as CloudFormation and onEvent make it (about). */
function isCompleteEvent(logicalId: string, resource: { readonly Type: string; readonly Properties?: any }): object {
  const resolved = JSON.parse(JSON.stringify(resource.Properties ?? {}), (_key, value) =>
    (value && typeof value === 'object' && !Array.isArray(value) && (value.Ref || value['Fn::GetAtt'] || value['Fn::Join']) ? DEPLOYED_ARN : value));
  return {
    RequestType: 'Create',
    ServiceToken: DEPLOYED_ARN,
    ResponseURL: '...',
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Importer/${'0'.repeat(36)}`,
    RequestId: '0'.repeat(36),
    LogicalResourceId: logicalId,
    ResourceType: resource.Type,
    ResourceProperties: resolved,
    PhysicalResourceId: `arn:aws:comprehend:${REGION}:${ACCOUNT}:document-classifier/model-0/version/copy`,
  };
}

/** Bytes one poll writes to CloudWatch Logs: both functions' lines and the waiter's history events. */
function logBytesPerPoll(s: WaiterSettings): number {
  const platform = (logging: FunctionLogging) =>
    (logging.format === 'JSON' ? ASSUMPTIONS.platformLogBytesJson : ASSUMPTIONS.platformLogBytesText);
  // The framework prints the event twice (pretty, "isComplete" and "executing user function"), and throws a Retry
  // whose message is the event, which the runtime logs at ERROR; an application log level of FATAL drops all of them.
  const level = s.frameworkLogging.applicationLevel;
  const cause = s.eventBytes * ASSUMPTIONS.causeEscapeFactor + ASSUMPTIONS.causeTraceBytes;
  const frameworkInfo = level === undefined || ['TRACE', 'DEBUG', 'INFO'].includes(level)
    ? 2 * prettyBytes(s.eventBytes) + ASSUMPTIONS.frameworkOtherLogBytes : 0;
  const frameworkError = level === 'FATAL' ? 0 : cause;
  // The handler's isComplete logs nothing while the copy is importing (src/handlers/import/is-complete.ts logs only
  // unknown statuses, the quality gate and deletions); the DIY handler is assumed as quiet.
  // The waiter logs LambdaFunctionScheduled, Started and Failed per attempt at ALL, the Failed one at ERROR; the
  // Failed event carries the framework's error (the event) as its cause.
  const waiterEvents = { OFF: 0, FATAL: 0, ERROR: 1, ALL: 3 }[s.waiterLogLevel] ?? 3;
  const waiter = waiterEvents * ASSUMPTIONS.waiterEventBytes + (waiterEvents > 0 ? cause : 0);
  return platform(s.frameworkLogging) + frameworkInfo + frameworkError + platform(s.userLogging) + waiter;
}

/** JSON.stringify(event, undefined, 2) is about 1.3 times the compact JSON for a flat event like this one. */
function prettyBytes(compactBytes: number): number {
  return Math.round(compactBytes * 1.3);
}

function costOfWaiting(approach: string, s: WaiterSettings, note: string): ApproachWaitingCost {
  const polls = 3600 / s.intervalSeconds;
  const userSeconds = ASSUMPTIONS.userIsCompleteMs / 1000;
  const frameworkSeconds = (ASSUMPTIONS.userIsCompleteMs + ASSUMPTIONS.frameworkOverheadMs) / 1000;
  const line = (item: string, perPoll: number, unit: string, price: Price): CostLine =>
    ({ item, perHour: perPoll * polls, unit, price, usdPerHour: perPoll * polls * price.usd });
  const lines = [
    line('Lambda invocations (framework isComplete + handler isComplete)', 2, 'requests', PRICES.lambdaRequest),
    line(`Lambda duration, framework isComplete (${s.frameworkIsCompleteMemoryMb} MB × ${frameworkSeconds * 1000} ms)`,
      (s.frameworkIsCompleteMemoryMb / 1024) * frameworkSeconds, 'GB-s', PRICES.lambdaGbSecondX86),
    line(`Lambda duration, handler isComplete (${s.userIsCompleteMemoryMb} MB × ${userSeconds * 1000} ms)`,
      (s.userIsCompleteMemoryMb / 1024) * userSeconds, 'GB-s', PRICES.lambdaGbSecondX86),
    line('Step Functions state transitions (one per Retry attempt)', 1, 'transitions', PRICES.stateTransition),
    line('Comprehend Describe calls', 1, 'calls', PRICES.comprehendDescribe),
    line(`CloudWatch Logs ingestion (~${Math.round(logBytesPerPoll(s))} B per poll, waiter ${s.waiterLogLevel})`,
      logBytesPerPoll(s) / 1024 ** 3, 'GB', PRICES.logsIngestionGb),
  ];
  const usdPerHour = lines.reduce((sum, l) => sum + l.usdPerHour, 0);
  const usdPerPoll = usdPerHour / polls;
  return {
    approach,
    settings: s,
    pollsPerHour: polls,
    lines,
    usdPerHour,
    usdPerPoll,
    imports: TYPICAL_IMPORT_SECONDS.map(seconds => {
      const importPolls = Math.ceil(seconds / s.intervalSeconds) + 1;
      return { seconds, polls: importPolls, usd: importPolls * usdPerPoll };
    }),
    note,
  };
}

/** Dollars with three significant figures, without exponents, since most figures are fractions of a cent. */
function usd(value: number): string {
  if (value === 0) {
    return '$0';
  }
  const decimals = Math.max(2, 2 - Math.floor(Math.log10(Math.abs(value))));
  return `$${value.toFixed(decimals)}`;
}

function count(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(3)));
}

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Number((seconds / 60).toFixed(1))} min`;
}

/** The section of bench/RESULTS.md: a summary, each waiting approach's lines, the prices and the assumptions. */
export function renderWaitingCost(cost: WaitingCost, section: number | string = 'N'): string {
  const [small, large] = TYPICAL_IMPORT_SECONDS;
  const out = [
    `## ${section}. Cost of waiting per model-hour`,
    '',
    'What one resource costs while its import runs: the waiter retries the framework\'s isComplete, which invokes the ' +
    'handler\'s isComplete, which describes the copy once. Settings read from the synthesized templates; prices read ' +
    `${cost.pricesReadOn} (table below), before free tiers (1M Lambda requests, 400,000 GB-s and 4,000 state transitions ` +
    'a month). An import of T seconds polls ceil(T / interval) + 1 times; the one-off calls (onEvent, starting the ' +
    'execution) are left out.',
    '',
    `| Approach | Interval | Memory (framework / handler isComplete) | Can wait | Polls per hour | Per model-hour | Import of ${duration(small)} | Import of ${duration(large)} |`,
    '|---|---:|---|---:|---:|---:|---:|---:|',
    ...cost.approaches.map(a => {
      const s = a.settings;
      // The waiter gives up after its first attempt and maxAttempts retries: an import that needs more polls fails.
      const imports = a.imports.map(i => `${usd(i.usd)} (${i.polls} polls${s && i.polls > s.maxAttempts + 1 ? ': times out'
        : s && i.polls === s.maxAttempts + 1 ? ', at its limit' : ''})`);
      return s
        ? `| ${a.approach} | ${s.intervalSeconds} s | ${s.frameworkIsCompleteMemoryMb} / ${s.userIsCompleteMemoryMb} MB | ` +
          `${duration(s.intervalSeconds * s.maxAttempts)} | ${count(a.pollsPerHour)} | ${usd(a.usdPerHour)} | ${imports.join(' | ')} |`
        : `| ${a.approach} | – | – | – | 0 | $0 | $0 | $0 |`;
    }),
    '',
  ];
  for (const a of cost.approaches) {
    out.push(`**${a.approach}**: ${a.note}.`, '');
    if (a.lines.length === 0) {
      continue;
    }
    out.push('| Item | Count per model-hour | Unit price (source) | Cost per model-hour |', '|---|---:|---|---:|');
    for (const l of a.lines) {
      out.push(`| ${l.item} | ${count(l.perHour)} ${l.unit} | ${l.price.text} ([source](${l.price.source})) | ${usd(l.usdPerHour)} |`);
    }
    out.push(`| **Total** | | | **${usd(a.usdPerHour)}** |`, '');
  }
  const waiting = cost.approaches.filter(a => a.settings);
  if (waiting.length === 2 && waiting[1].usdPerHour > 0) {
    out.push(`Per model-hour the library costs ${(waiting[0].usdPerHour / waiting[1].usdPerHour).toFixed(2)}× the waiting DIY: ` +
      'Step Functions transitions, one per poll, dominate, so the query interval decides it.', '');
  }
  out.push('Prices:', '', '| Price | Figure | Source, as read |', '|---|---|---|');
  for (const [name, price] of Object.entries(PRICES)) {
    out.push(`| ${name} | ${price.text} | [${price.source}](${price.source}): ${price.provenance} |`);
  }
  out.push(
    '',
    'Assumptions (nothing ran on AWS): a warm handler isComplete is billed ' +
    `${ASSUMPTIONS.userIsCompleteMs} ms, the framework's isComplete, which waits for it synchronously, ` +
    `${ASSUMPTIONS.frameworkOverheadMs} ms more; no cold starts. Log bytes per poll: Lambda's platform lines ` +
    `(~${ASSUMPTIONS.platformLogBytesText} B in text format, ~${ASSUMPTIONS.platformLogBytesJson} B in JSON) per invocation, ` +
    'the framework\'s own lines unless its application log level drops them (FATAL drops all), nothing from the handler ' +
    `on the importing path, and ~${ASSUMPTIONS.waiterEventBytes} B per waiter history event, the failed attempt's cause ` +
    'carrying the event. Comprehend\'s $0.50 a month of model management is paid for the copy whatever the waiting, so it ' +
    'is left out.',
    '',
  );
  return out.join('\n');
}
