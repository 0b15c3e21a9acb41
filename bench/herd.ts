// A herd of imports: one stack's many imports deployed at once, with and without Comprehend throttling, and with and
// without the stack's window for ImportModel (issue 22). Measured through the deploy driver and the bundled handlers.
// The handlers' waits (each import's place in the window, the SDK's backoff) run on the driver's virtual clock, as
// its waiters' intervals do (issue 31): a run takes seconds of real time, whatever it waits in virtual time.
import { measureBulkDeploy } from './deploy-latency';
import { PRICES } from './waiting-cost';
import { IMPORTS_PER_SECOND, QUERY_INTERVAL_SECONDS } from '../src/contract/import-properties';
import { LoadFigures } from '../test/lifecycle/load-scenario';

export interface HerdResults {
  readonly models: number;
  /** The emulator's limit per operation in the throttled runs. */
  readonly maxPerSecond: number;
  /** As the library deploys: each import waits for its place in the stack's window. */
  readonly spread: { readonly unthrottled: LoadFigures; readonly throttled: LoadFigures };
  /** The same handlers with the window set to 0: every import calls ImportModel at once, as before issue 22. */
  readonly atOnce: { readonly unthrottled: LoadFigures; readonly throttled: LoadFigures };
}

/** What a herd target says, in the shape of bench/report.ts's targets. */
export interface HerdTarget {
  readonly name: string;
  readonly result: string;
  readonly met: boolean;
  readonly timing: boolean;
}

/** The most a throttled herd may cost against an unthrottled one, in Comprehend calls per model and in deploy time. */
export const HERD_BOUND = 1.2;

export async function measureHerd(models: number, maxPerSecond: number): Promise<HerdResults> {
  return {
    models,
    maxPerSecond,
    spread: {
      unthrottled: await measureBulkDeploy(models),
      throttled: await measureBulkDeploy(models, { maxPerSecond }),
    },
    atOnce: {
      unthrottled: await measureBulkDeploy(models, { spread: false }),
      throttled: await measureBulkDeploy(models, { spread: false, maxPerSecond }),
    },
  };
}

/**
 * Comprehend's calls per model: what its limit applies to, and so what the limit may make the handlers send again.
 * CloudFormation's (DescribeStackResource, issue 32) are counted apart: the emulator never throttles them, so mixed in
 * they would only dilute the ratio of a throttled run to an unthrottled one.
 */
const perModel = (figures: LoadFigures) => figures.comprehendCalls / figures.models;
const cloudFormationPerModel = (figures: LoadFigures) => figures.cloudFormationCalls / figures.models;

/** The herd targets: throttled against unthrottled, both as the library deploys; no copy imported twice. */
export function herdTargets(herd: HerdResults): HerdTarget[] {
  const { unthrottled, throttled } = herd.spread;
  const atOnce = herd.atOnce.unthrottled;
  const callRatio = perModel(throttled) / perModel(unthrottled);
  const timeRatio = throttled.deploySeconds / unthrottled.deploySeconds;
  const twice = [...herd.spread.unthrottled.importedTwice, ...throttled.importedTwice];
  const accepted = [unthrottled, throttled].map(f => f.calls.ImportModel?.ok ?? 0);
  return [
    {
      name: `${herd.models} imports at ${herd.maxPerSecond} requests a second per operation: Comprehend calls per model ≤ ${HERD_BOUND}× the unthrottled run's (the library's, with its window)`,
      result: `${perModel(throttled).toFixed(2)} against ${perModel(unthrottled).toFixed(2)}: ${callRatio.toFixed(2)}× ` +
        `(${ratio(perModel(throttled), perModel(atOnce))} the ${perModel(atOnce).toFixed(2)} of all at once, unthrottled); ` +
        `CloudFormation's DescribeStackResource, apart: ${cloudFormationPerModel(throttled).toFixed(2)} against ${cloudFormationPerModel(unthrottled).toFixed(2)}`,
      met: callRatio <= HERD_BOUND,
      timing: false,
    },
    {
      name: `${herd.models} imports at ${herd.maxPerSecond} requests a second per operation: deploy time ≤ ${HERD_BOUND}× the unthrottled run's (the library's, with its window)`,
      result: `${throttled.deploySeconds.toFixed(0)} s against ${unthrottled.deploySeconds.toFixed(0)} s: ${timeRatio.toFixed(2)}× ` +
        `(${ratio(throttled.deploySeconds, atOnce.deploySeconds)} the ${atOnce.deploySeconds.toFixed(0)} s of all at once, unthrottled)`,
      met: timeRatio <= HERD_BOUND,
      timing: true,
    },
    {
      name: 'one accepted ImportModel per copy, throttled or not',
      result: `${accepted.join(' and ')} accepted for ${herd.models} copies; imported twice: ${twice.length === 0 ? 'none' : twice.join(', ')}`,
      met: twice.length === 0 && accepted.every(n => n === herd.models),
      timing: false,
    },
  ];
}

/** The herd's part of the report: markdown lines. */
export function renderHerd(herd: HerdResults, table: (headers: string[], rows: Array<Array<string | number>>) => string[]): string[] {
  const runs: Array<[string, LoadFigures]> = [
    ['window, unthrottled', herd.spread.unthrottled],
    [`window, ${herd.maxPerSecond}/s`, herd.spread.throttled],
    ['all at once, unthrottled', herd.atOnce.unthrottled],
    [`all at once, ${herd.maxPerSecond}/s`, herd.atOnce.throttled],
  ];
  const operations = [...new Set(runs.flatMap(([, f]) => Object.keys(f.calls)))].sort();
  const windowSeconds = (herd.models - 1) / IMPORTS_PER_SECOND;
  return [
    `### A herd: ${herd.models} imports in one stack at once`,
    '',
    'One stack, four sources, both model types, every import about 70 s (`test/lifecycle/load-scenario.ts`), deployed',
    `without throttling and against an emulator allowing ${herd.maxPerSecond} requests per second per operation (a sliding`,
    'second; the figure Comprehend publishes for its control-plane quotas is not stated, see the fact sheet). The driver',
    'runs every request at once, as CloudFormation sends a stack\'s independent resources, and each resource\'s waiter on',
    'its own schedule, as the Provider framework starts one state machine execution per event. "Window" is the library as',
    `it deploys: each import waits for its place in the stack's window before ImportModel (${windowSeconds} s for ${herd.models}`,
    `imports, ${IMPORTS_PER_SECOND} a second, docs/lifecycle.md), and its waiter, started when onEvent answers, inherits the spread. "All at`,
    'once" is the same handlers with the window set to 0 in the template, as before issue 22. Deploy time runs from the',
    'first call a handler makes to the last answer CloudFormation gets. Calls include the throttled ones (the SDK resends',
    'them, up to 8 attempts, with exponential backoff and full jitter). In the rig every handler shares one SDK client, so',
    'one retry quota; in Lambda each concurrent instance has its own. The handlers\' waits (the window, the backoff) run',
    'on the driver\'s virtual clock, as the waiters\' intervals do: handlers asleep at once wait together, as concurrent',
    'Lambda invocations do, and the clock moves on when every handler running waits. Comprehend\'s calls and',
    'CloudFormation\'s (DescribeStackResource: the record each onEvent reads, and the proof before each ImportModel',
    'attempt, issue 32) are counted apart: the limit is Comprehend\'s, so CloudFormation\'s are never throttled here, and',
    'the ratios below are of Comprehend\'s calls.',
    '',
    ...table(
      ['run', 'Comprehend calls per model', 'CloudFormation calls per model', 'throttled', 'ImportModel sent / accepted', 'copies imported twice',
        'ImportModel accepted over', 'deploy time', 'copies TRAINED'],
      runs.map(([name, f]) => [
        name,
        perModel(f).toFixed(2),
        cloudFormationPerModel(f).toFixed(2),
        f.throttled,
        `${f.calls.ImportModel?.all ?? 0} / ${f.calls.ImportModel?.ok ?? 0}`,
        f.importedTwice.length,
        `${f.importSpanSeconds.toFixed(1)} s`,
        `${f.deploySeconds.toFixed(0)} s`,
        `${f.trained} of ${f.models}`,
      ]),
    ),
    '',
    'Calls by operation (sent / answered OK; DescribeStackResource is CloudFormation\'s):',
    '',
    ...table(['operation', ...runs.map(([name]) => name)], operations.map(operation =>
      [operation, ...runs.map(([, f]) => f.calls[operation] ? `${f.calls[operation].all} / ${f.calls[operation].ok}` : '0')])),
    '',
    `Throttled against unthrottled, with the window: ${ratio(perModel(herd.spread.throttled), perModel(herd.spread.unthrottled))} the Comprehend calls per model and`,
    `${ratio(herd.spread.throttled.deploySeconds, herd.spread.unthrottled.deploySeconds)} the deploy time; all at once: ${ratio(perModel(herd.atOnce.throttled), perModel(herd.atOnce.unthrottled))} and`,
    `${ratio(herd.atOnce.throttled.deploySeconds, herd.atOnce.unthrottled.deploySeconds)}. What the window costs when nothing throttles: ${(herd.spread.unthrottled.deploySeconds - herd.atOnce.unthrottled.deploySeconds).toFixed(0)} s on this deploy`,
    `(at most ${windowSeconds} s, the window).`,
    '',
    'A Create\'s onEvent calls ImportModel first, as before issue 32: only an Update looks its copy up before ImportModel',
    '(a rollback\'s copy is adopted without one, docs/lifecycle.md), so each import of this herd starts with one',
    `Comprehend call, not with a lookup and ImportModel (which, at the window's ${IMPORTS_PER_SECOND} imports a second, put the Describe`,
    'operations near the per-operation limit). The SDK retries a throttled ImportModel within seconds, and reads',
    'CloudFormation\'s record again before each attempt (the proof): CloudFormation\'s calls per model are 2 and one more',
    'for each ImportModel the limit makes the SDK send again, few with the window, many all at once.',
    '',
    'The window\'s own price: while an import waits for its place, its onEvent (256 MB by default) and the framework\'s',
    'onEvent that invokes it synchronously (128 MB) are billed, on average half the window: for this herd',
    `${(windowSeconds / 2).toFixed(2)} s × 0.375 GB = ${(windowSeconds / 2 * 0.375).toFixed(2)} GB-s, $${(windowSeconds / 2 * 0.375 * PRICES.lambdaGbSecondX86.usd).toFixed(6)} per import`,
    '(section 8\'s price), once per create or replacement. The two also hold two concurrent Lambda executions per import',
    'while they wait, as they did while the SDK backed off: an account near its Lambda concurrency limit sees the whole',
    'herd at once either way.',
    '',
    'The window covers what calls ImportModel (creates and replacements). A stack\'s deletion, tag-only updates and',
    'endpoint creations still start every resource at once, and are not measured here.',
    '',
    'Weighed and not taken: Step Functions\' `JitterStrategy: FULL` on the waiter\'s retry draws each wait from 0 to the',
    'interval, which halves the mean interval and so doubles the polls (and the state transitions, the main cost of',
    'waiting, section 8) for as long as a copy imports, while the window already spreads the polls; the Provider',
    'framework offers no such setting, so it would also mean overriding its state machine. One describe per stack per',
    'interval serving every waiting resource needs a store shared by concurrent Lambda invocations. Both remain open if',
    `a stack's polls of one model type outgrow the limit: at one poll per ${QUERY_INTERVAL_SECONDS} s each, ${herd.maxPerSecond} a second is reached by about`,
    `${herd.maxPerSecond * QUERY_INTERVAL_SECONDS} copies of one type importing at once, past which every poll round throttles some of them (the SDK's`,
    'backoff absorbs it, at more calls).',
  ];
}

const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
