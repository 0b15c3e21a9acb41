// Turns one benchmark run into RESULTS.md: the targets first, then the figures behind them.
import { AssetRow, assetTotal } from './asset-cost';
import { BUDGETS } from './budgets';
import { Readiness } from './deploy-latency';
import { FixedCostRow } from './fixed-cost';
import { FixedCostByType } from './fixed-cost-breakdown';
import { FixedNameScaling, fixedNameTarget, renderFixedNameScaling } from './fixed-name-scaling';
import { BundleCheck, HandlerCost, Packaging } from './handler-cost';
import { herdTargets, HerdResults, renderHerd } from './herd';
import { PackageSize } from './package-size';
import { Approach, APPROACHES } from './scaling-stacks';
import { ScalingRow } from './synth-scaling';
import { brokenLimits, Limit, LIMITS } from './template-measures';
import { renderWaitingCost, WaitingCost } from './waiting-cost';

export interface BenchSettings {
  /** The CI variant: small stacks, few runs. */
  readonly fast: boolean;
  readonly sizes: number[];
  /** Fresh-process synths of each size of the library and of the no-wait DIY, the pair the synth-time target compares. */
  readonly synthRuns: number;
  /** Fresh-process synths of each size of the other baselines (the waiting DIY, the AwsCustomResource DIY). */
  readonly baselineSynthRuns: number;
  /** The largest stack the limit search synthesizes. */
  readonly limitSearchMax: number;
  readonly handlerLoads: number;
  readonly importSeconds: number[];
  readonly bulkModels: number;
  readonly maxPerSecond: number;
  /** Constructs with fixed names per stack (half imports, half endpoints), for the growth of synth time (issue 31). */
  readonly fixedNameSizes: number[];
  /** Rounds through every fixed-name size, in one process. */
  readonly fixedNameRuns: number;
}

export interface BenchResults {
  readonly settings: BenchSettings;
  readonly scaling: ScalingRow[];
  readonly breaking: Array<{ readonly approach: Approach; readonly keys: boolean; readonly sizes: Record<Limit, number | undefined> }>;
  readonly handlers: HandlerCost[];
  /** The handler bundles built again as `npx projen bundle` builds them. */
  readonly bundles: BundleCheck[];
  /** The file assets of an importer stack and a sharer stack. */
  readonly assets: AssetRow[];
  /** What `npm pack` would publish. */
  readonly packageSize: PackageSize;
  readonly readiness: Readiness;
  /** One stack's many imports at once, throttled or not, with the stack's window for ImportModel or without. */
  readonly herd: HerdResults;
  readonly waitingCost: WaitingCost;
  readonly fixedCost: FixedCostRow[];
  /** The library's fixed cost against the waiting DIY's, by resource type. */
  readonly fixedCostByType: FixedCostByType[];
  /** Synth time of one stack against its number of constructs with fixed names. */
  readonly fixedNames: FixedNameScaling;
  /** Where and when it ran. */
  readonly environment: string;
  readonly seconds: number;
}

export interface Target {
  readonly name: string;
  readonly result: string;
  readonly met: boolean;
  /** Timings are noisy; CI fails only on the targets that are not. */
  readonly timing: boolean;
  /**
   * A ratio to a hand-written baseline that this run misses (issue 22): evaluated and recorded, with how much it is
   * missed by and why (section 1 or 2), but CI does not fail on it.
   */
  readonly recordOnly?: boolean;
}

const LIMIT_NAMES: Record<Limit, string> = {
  resources: 'resources per template',
  templateBytes: 'template bytes (uploaded through S3)',
  roleInlinePolicyChars: 'inline policy characters per role',
  managedPolicyChars: 'characters per managed policy',
  trustPolicyChars: 'trust policy characters per role',
};

const KEY_CASES = [false, true];
/** How the report names each approach of bench/scaling-stacks.ts. */
const LABELS: Record<Approach, string> = {
  'library': 'library',
  'diy-no-wait': 'no-wait DIY',
  'diy-waiting': 'waiting DIY',
  'diy-aws-custom-resource': 'AwsCustomResource DIY',
};
const BASELINES = APPROACHES.filter(approach => approach !== 'library');

/** How many fresh-process synths of each size `approach` gets. */
export function synthRuns(settings: BenchSettings, approach: Approach): number {
  return approach === 'library' || approach === 'diy-no-wait' ? settings.synthRuns : settings.baselineSynthRuns;
}

/** `value / base` against a bound of `bound`×: "0.85×" within it, "1.12×, missed by 12 %" over it. */
function ratioWithin(value: number, base: number, bound = 1): string {
  const r = value / base;
  return r <= bound ? `${r.toFixed(2)}×` : `${r.toFixed(2)}×, missed by ${((r / bound - 1) * 100).toFixed(0)} %`;
}

const keysLabel = (keys: boolean) => keys ? 'both CMKs' : 'no keys';
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
/** Bytes in full and in kB (1,000 bytes), as the targets state them. */
const bytesKb = (bytes: number) => `${bytes.toLocaleString('en-US')} bytes (${(bytes / 1000).toFixed(1)} kB)`;

/** The targets of the lean assets (issue 19), standing budgets since (budgets.json), in bytes: 1 kB = 1,000 bytes. */
const IMPORTER_HANDLER_ASSETS_MAX_ZIPPED = BUDGETS.importerHandlerAssets.maxZippedBytes;
const PACKAGE_UNPACKED_MAX = BUDGETS.npmPackage.maxUnpackedBytes;

function row(results: BenchResults, approach: Approach, keys: boolean, models: number): ScalingRow {
  return results.scaling.find(r => r.approach === approach && r.keys === keys && r.models === models)!;
}

/** Template bytes each model adds, between the smallest and the largest stack measured. */
function bytesPerModel(results: BenchResults, approach: Approach, keys: boolean): number {
  const sizes = results.settings.sizes;
  const [smallest, largest] = [sizes[0], sizes[sizes.length - 1]];
  return (row(results, approach, keys, largest).measures.templateBytes - row(results, approach, keys, smallest).measures.templateBytes)
    / (largest - smallest);
}

/** The limit the stacks of `approach` break first, and at which size. */
function firstBrokenLimit(results: BenchResults, approach: Approach, keys: boolean): { limit: Limit; models: number } | undefined {
  const sizes = results.breaking.find(b => b.approach === approach && b.keys === keys)!.sizes;
  return (Object.entries(sizes) as Array<[Limit, number | undefined]>)
    .filter((entry): entry is [Limit, number] => entry[1] !== undefined)
    .map(([limit, models]) => ({ limit, models }))
    .sort((a, b) => a.models - b.models)[0];
}

export function evaluateTargets(results: BenchResults): Target[] {
  const { sizes, limitSearchMax } = results.settings;
  const [smallest, largest] = [sizes[0], sizes[sizes.length - 1]];
  const synthSize = sizes.includes(100) ? 100 : largest;
  const library = results.scaling.filter(r => r.approach === 'library');
  const functionCounts = [...new Set(library.map(r => r.measures.functions))];
  const perModel = KEY_CASES.map(keys =>
    ({ keys, library: bytesPerModel(results, 'library', keys), baseline: bytesPerModel(results, 'diy-no-wait', keys) }));
  const brokenAtLargest = KEY_CASES.map(keys => brokenLimits(row(results, 'library', keys, largest).measures));
  const synthRatio = (keys: boolean, time: 'synthMs' | 'warmSynthMs') =>
    row(results, 'library', keys, synthSize)[time] / row(results, 'diy-no-wait', keys, synthSize)[time];

  /** The library's fixed cost (the stack of the smallest N) against the waiting DIY's, in one measure. */
  const fixedCost = (measure: 'templateBytes' | 'resources' | 'functions', what: string): Target => {
    const pairs = KEY_CASES.map(keys => ({
      keys,
      library: row(results, 'library', keys, smallest).measures[measure],
      baseline: row(results, 'diy-waiting', keys, smallest).measures[measure],
    }));
    return {
      name: `fixed cost at N = ${smallest}: ${what} ≤ 1.0× the waiting DIY's`,
      result: pairs.map(p => `${keysLabel(p.keys)}: ${p.library} against ${p.baseline}, ${ratioWithin(p.library, p.baseline)}`).join('; '),
      met: pairs.every(p => p.library <= p.baseline),
      timing: false,
      // Lambda functions: met, and enforced; bytes and resources: missed (section 1 says why), and recorded.
      recordOnly: measure !== 'functions',
    };
  };

  const firstLimits = KEY_CASES.map(keys =>
    ({ keys, library: firstBrokenLimit(results, 'library', keys), baseline: firstBrokenLimit(results, 'diy-no-wait', keys) }));
  const limitMet = ({ library: l, baseline: b }: typeof firstLimits[number]) => l === undefined || (b !== undefined && l.models >= b.models);
  const limitText = (first: { limit: Limit; models: number } | undefined) =>
    first ? `N = ${first.models} (${LIMIT_NAMES[first.limit]})` : `none up to N = ${limitSearchMax}`;
  const limitMiss = (f: typeof firstLimits[number]) => {
    if (limitMet(f)) {
      return '';
    }
    return f.baseline === undefined
      ? ', missed: the no-wait DIY breaks none'
      : `, missed by ${f.baseline.models - f.library!.models} models (${((1 - f.library!.models / f.baseline.models) * 100).toFixed(0)} % earlier)`;
  };

  return [
    {
      name: 'Lambda function count independent of N',
      result: `${functionCounts.join(', ')} at every N from ${smallest} to ${largest}, with and without keys`,
      met: functionCounts.length === 1,
      timing: false,
    },
    {
      name: `template bytes per extra model (N = ${smallest} to ${largest}) ≤ 1.0× the no-wait DIY's (which does not wait for the copy)`,
      result: perModel.map(p => `${keysLabel(p.keys)}: ${p.library.toFixed(0)} against ${p.baseline.toFixed(0)}, ` +
        ratioWithin(p.library, p.baseline)).join('; '),
      met: perModel.every(p => p.library <= p.baseline),
      timing: false,
    },
    fixedCost('templateBytes', 'template bytes'),
    fixedCost('resources', 'resources'),
    fixedCost('functions', 'Lambda functions'),
    {
      name: 'first limit broken (smallest N breaking any limit) no earlier than the no-wait DIY\'s (which does not wait)',
      result: firstLimits.map(f => `${keysLabel(f.keys)}: library ${limitText(f.library)}, no-wait DIY ${limitText(f.baseline)}${limitMiss(f)}`).join('; '),
      met: firstLimits.every(limitMet),
      timing: false,
      recordOnly: true,
    },
    {
      name: `N = ${largest} within every limit`,
      result: KEY_CASES.map((keys, i) => {
        const broken = Object.keys(brokenAtLargest[i]);
        return `${keysLabel(keys)}: ${broken.length === 0 ? 'all within' : `breaks ${broken.join(', ')}`}`;
      }).join('; '),
      met: brokenAtLargest.every(broken => Object.keys(broken).length === 0),
      timing: false,
    },
    {
      name: `synth time at N = ${synthSize} no worse than the no-wait DIY's (which does not wait)`,
      result: KEY_CASES.map(keys => `${keysLabel(keys)}: cold ${ratioWithin(synthRatio(keys, 'synthMs'), 1)} / ` +
        `warm ${ratioWithin(synthRatio(keys, 'warmSynthMs'), 1)}`).join('; '),
      met: KEY_CASES.every(keys => synthRatio(keys, 'synthMs') <= 1 && synthRatio(keys, 'warmSynthMs') <= 1),
      timing: true,
    },
    fixedNameTarget(results.fixedNames),
    ...latencyTargets(results),
    servingTarget(results.fixedCost),
    ...leanAssetTargets(results),
  ];
}

/** Section 4's targets: readiness and the calls of one import, then the herd's. */
export function latencyTargets({ readiness, herd }: Pick<BenchResults, 'readiness' | 'herd'>): Target[] {
  const { intervalSeconds, imports } = readiness;
  const slowestDetection = Math.max(...imports.map(i => i.detectedAfterSeconds));
  // Per import (a Create): no lookup of the name and one ImportModel, the waiter's Describe calls within the bound, and
  // CloudFormation's record read once for the request and once before each ImportModel attempt (the proof, issue 32).
  const overBudget = imports.filter(i => i.lookupCalls > 0 || i.importModelCalls > 1 || i.describeCalls > i.describeBound
    || i.cloudFormationCalls > 1 + i.importModelCalls);
  const counts = (count: (i: typeof imports[number]) => number) => [...new Set(imports.map(count))].sort((a, b) => a - b).join(' or ');
  return [
    {
      name: 'readiness detected within one query interval',
      result: `at most ${slowestDetection.toFixed(1)} s after TRAINED, interval ${intervalSeconds} s`,
      met: slowestDetection <= intervalSeconds,
      timing: false,
    },
    {
      name: 'per import (a Create): no lookup and one ImportModel, ⌈T/interval⌉+1 Describe calls while it imports, and ' +
        'one DescribeStackResource for the request and one before each ImportModel',
      result: overBudget.length === 0
        ? `every import of ${imports.length}: ${counts(i => i.lookupCalls)} lookup, ${counts(i => i.importModelCalls)} ImportModel, ` +
          `Describe calls ${imports.every(i => i.describeCalls === i.describeBound) ? '= the bound' : 'within the bound'}, ` +
          `${counts(i => i.cloudFormationCalls)} DescribeStackResource`
        : `${overBudget.length} imports over: ${overBudget.map(i => `T=${i.importSeconds}s`).join(', ')}`,
      met: overBudget.length === 0,
      timing: false,
    },
    ...herdTargets(herd),
  ];
}

/** Issue 19: lean handler assets and package. */
function leanAssetTargets(results: BenchResults): Target[] {
  const handlerZipped = assetTotal(results.assets, 'importer', 'zippedBytes', 'library');
  const allZipped = assetTotal(results.assets, 'importer', 'zippedBytes');
  const pack = results.packageSize;
  const warned = results.bundles.filter(b => b.warnings.length > 0);
  return [
    {
      name: 'library handler assets of an importer stack ≤ 160 kB zipped (462 kB before issue 19)',
      result: `${bytesKb(handlerZipped)}; ${bytesKb(allZipped)} with the Provider framework's own asset`,
      met: handlerZipped <= IMPORTER_HANDLER_ASSETS_MAX_ZIPPED,
      timing: false,
    },
    {
      name: '`npm pack` ≤ 1.5 MB unpacked',
      result: `${bytesKb(pack.unpackedBytes)} unpacked, ${bytesKb(pack.packedBytes)} packed` +
        (pack.leftoverFiles.length > 0
          ? `; ${pack.leftoverFiles.length} files of lib/ left over from an earlier compile count ${sum(pack.leftoverFiles.map(f => f.bytes)).toLocaleString('en-US')} bytes of it`
          : ''),
      met: pack.unpackedBytes <= PACKAGE_UNPACKED_MAX,
      timing: false,
    },
    {
      name: '`npm pack` ships no compiled handler sources (lib/handlers/)',
      result: pack.libHandlerFiles.length === 0 ? 'none' : `${pack.libHandlerFiles.length}: ${pack.libHandlerFiles.slice(0, 3).join(', ')}…`,
      met: pack.libHandlerFiles.length === 0,
      timing: false,
    },
    {
      name: 'the handler bundles build without an esbuild size warning',
      result: warned.length === 0
        ? `none for ${results.bundles.map(b => `${b.handler} (${kb(b.bytes)})`).join(', ')}`
        : warned.map(b => `${b.handler}: ${b.warnings.join(' ')}`).join('; '),
      met: warned.length === 0,
      timing: false,
    },
  ];
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** One provider per stack: an endpoint served through it adds no Lambda function and no waiter to an import's stack. */
function servingTarget(rows: FixedCostRow[]): Target {
  const alone = rows.find(r => r.stack === 'import alone' && r.region === 'eu-west-1')!.measures;
  const serving = rows.find(r => r.stack === 'import + endpoint' && r.region === 'eu-west-1')!.measures;
  return {
    name: 'an endpoint adds no Lambda function to a stack that imports',
    result: `${alone.functions} functions alone, ${serving.functions} with the endpoint; +${serving.resources - alone.resources} resources, ` +
      `+${serving.templateBytes - alone.templateBytes} template bytes`,
    met: serving.functions === alone.functions,
    timing: false,
  };
}

/** What bundling the SDK adds to `measure`, bundled − external, as a range over the handlers. */
function bundlingCost(handlers: HandlerCost[], measure: 'initMs' | 'bytes', unit: string): string {
  const extra = [...new Set(handlers.map(h => h.handler))].map(handler => {
    const value = (packaging: Packaging) => handlers.find(h => h.handler === handler && h.packaging === packaging)![measure];
    return value('bundled') - value('external');
  });
  return `${Math.min(...extra).toFixed(0)} to ${Math.max(...extra).toFixed(0)} ${unit}`;
}

function table(headers: string[], rows: Array<Array<string | number>>): string[] {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map(cells => `| ${cells.join(' | ')} |`),
  ];
}

export function renderReport(results: BenchResults, targets: Target[]): string {
  const { settings } = results;
  const sizes = settings.sizes;
  const [smallest, largest] = [sizes[0], sizes[sizes.length - 1]];
  const rerun = settings.fast ? '`npx projen bench:fast`' : '`npx projen bench`';
  const runs = settings.synthRuns === settings.baselineSynthRuns
    ? `${settings.synthRuns} runs of each approach`
    : `${settings.synthRuns} runs of the library and of the no-wait DIY and ${settings.baselineSynthRuns} of each other baseline`;

  const scalingRows = KEY_CASES.flatMap(keys => sizes.flatMap(models => APPROACHES.map(approach => {
    const r = row(results, approach, keys, models);
    const base = row(results, 'diy-no-wait', keys, models);
    const m = r.measures;
    return [
      keysLabel(keys), models, approach, r.runs,
      `${(r.synthMs / 1000).toFixed(2)} s`, `${(r.warmSynthMs / 1000).toFixed(2)} s`,
      m.templateBytes, m.resources, m.functions, m.handlerRolePolicyChars,
      approach === 'diy-no-wait' ? 'the baseline' : [
        ratio(r.synthMs, base.synthMs), ratio(r.warmSynthMs, base.warmSynthMs), ratio(m.templateBytes, base.measures.templateBytes),
        ratio(m.resources, base.measures.resources), ratio(m.handlerRolePolicyChars, base.measures.handlerRolePolicyChars),
      ].join(' / '),
    ];
  })));

  const perModelRows = KEY_CASES.map(keys => {
    const library = bytesPerModel(results, 'library', keys);
    return [
      keysLabel(keys),
      ...APPROACHES.map(approach => bytesPerModel(results, approach, keys).toFixed(0)),
      ...BASELINES.map(baseline => ratio(library, bytesPerModel(results, baseline, keys))),
    ];
  });

  const fixedMeasures = [['template bytes', 'templateBytes'], ['resources', 'resources'], ['Lambda functions', 'functions']] as const;
  const fixedRows = KEY_CASES.flatMap(keys => fixedMeasures.map(([name, measure]) => {
    const at = (approach: Approach) => row(results, approach, keys, smallest).measures[measure];
    return [keysLabel(keys), name, ...APPROACHES.map(at), ratio(at('library'), at('diy-waiting')), ratio(at('library'), at('diy-no-wait'))];
  }));

  const limitRows = (keys: boolean) => (Object.keys(LIMITS) as Limit[]).map(limit => {
    const at = (approach: Approach) => {
      const m = row(results, approach, keys, largest).measures;
      const value = {
        resources: m.resources,
        templateBytes: m.templateBytes,
        roleInlinePolicyChars: m.largestRole.inlinePolicyChars,
        managedPolicyChars: m.largestManagedPolicyChars,
        trustPolicyChars: m.largestTrustPolicyChars,
      }[limit];
      return `${value}${value > LIMITS[limit] ? ' ✗' : ''}`;
    };
    const firstBreak = (approach: Approach) => {
      const n = results.breaking.find(b => b.approach === approach && b.keys === keys)!.sizes[limit];
      return n === undefined ? `> ${settings.limitSearchMax}` : `N = ${n}`;
    };
    return [LIMIT_NAMES[limit], LIMITS[limit], ...APPROACHES.map(at), ...APPROACHES.map(firstBreak)];
  });
  const limitTable = (keys: boolean) => table(
    ['limit', 'max', ...APPROACHES.map(a => `${LABELS[a]} at N = ${largest}`), ...APPROACHES.map(a => `${LABELS[a]} breaks it at`)],
    limitRows(keys),
  );
  const firstLimitRows = APPROACHES.map(approach => [LABELS[approach], ...KEY_CASES.map(keys => {
    const first = firstBrokenLimit(results, approach, keys);
    return first ? `N = ${first.models} (${LIMIT_NAMES[first.limit]})` : `none up to N = ${settings.limitSearchMax}`;
  })]);

  return [
    `# Benchmarks${settings.fast ? ' (fast variant)' : ''}`,
    '',
    `Recorded ${results.environment}; the run took ${results.seconds.toFixed(0)} s.`,
    `Rerun with ${rerun}: it bundles the handlers, runs every section below and rewrites this file${settings.fast ? ' (the fast variant prints it instead)' : ''}.`,
    'CI runs `npx projen bench:fast` (N ≤ 10, fewer repetitions) on every change, so the script cannot rot, and fails when',
    'a target is missed that is neither a timing nor a ratio to a hand-written baseline (those are recorded, with how much',
    'they are missed by). The figures are from one run on a shared machine: compare the ratios within the run rather than',
    'absolute times across runs.',
    '',
    '## Targets',
    '',
    'The baselines are the hand-written stacks of section 1, measured in the same run: the **no-wait DIY** does not wait',
    'for the copy to be usable; the **waiting DIY** waits on a `cr.Provider` with aws-cdk-lib\'s defaults.',
    '',
    ...targetTable(targets),
    '',
    '## 1. Synth scaling',
    '',
    'Stacks with N imports of document classifiers, each from a source model of its own (`bench/scaling-stacks.ts`), built',
    'four ways and measured the same way in the same run. "both CMKs" encrypts the sources with the sharer\'s key and the',
    'copies with a key of the stack; with keys, each hand-written baseline writes the documented Comprehend service role',
    'once and passes it to every import. The three baselines are what a user writes without the library; none validates',
    'its input, checks that a copy is its own before deleting it, handles an update (an update changes nothing) or handles',
    'throttling beyond the SDK\'s own retries.',
    '',
    '- **library**: one `ImportedComprehendModel` per model. It waits until the copy is usable, and does what the README',
    '  describes (updates, throttling, validation, ownership, a least-privilege handler role).',
    '- **no-wait DIY** (`diy-no-wait`): one Lambda function (Node.js 22 with the runtime\'s own SDK,',
    '  `bench/diy-handler/no-wait.js`) is the ServiceToken of one `CustomResource` per model. It calls ImportModel on',
    '  create and DeleteDocumentClassifier / DeleteEntityRecognizer on delete, and answers CloudFormation itself through',
    '  the ResponseURL. One role, one statement per action (ImportModel, DeleteDocumentClassifier, and iam:PassRole with',
    '  keys), each on resource `*`. It **does not wait**: CloudFormation reports the copy created while Comprehend is',
    '  still importing it, so nothing that needs a usable copy can depend on it. Wildcard IAM.',
    '- **waiting DIY** (`diy-waiting`): the same handler logic as the onEvent of a `cr.Provider` whose isComplete describes',
    '  the copy (DescribeDocumentClassifier) until it is TRAINED or TRAINED_WITH_WARNING and fails on IN_ERROR or STOPPED',
    '  (`bench/diy-handler/waiting.js`), on aws-cdk-lib\'s defaults (query interval, total timeout, logging). One role for',
    '  both handlers, one statement per action (the no-wait DIY\'s and DescribeDocumentClassifier), each on `*`. It waits,',
    '  but neither deletes a copy whose import failed nor stops an import at the deadline. Wildcard IAM.',
    '- **AwsCustomResource DIY** (`diy-aws-custom-resource`): one `AwsCustomResource` per model calling importModel on',
    '  create and deleteDocumentClassifier on delete, with a policy scoped to that model, which aws-cdk-lib adds to its',
    '  singleton role as an `AWS::IAM::Policy` of its own: a policy per model. It does not wait. It was the only baseline',
    '  before issue 22, and is kept as a third column.',
    '',
    `Synth times are medians of ${runs}, each in a fresh Node process, the approaches alternating`,
    '(`bench/synth-once.ts`). "Cold" is the first synth of the process, as a user\'s `cdk synth`: building the constructs',
    'and writing the cloud assembly with its Lambda assets, including the aws-cdk-lib modules loaded on first use (the',
    'process start and the app\'s own imports are left out). "Warm" is the same stack again in a new app of the same',
    'process: what the constructs themselves cost. The cold runs of one stack spread by up to ' +
      `${(Math.max(...results.scaling.filter(r => r.runs > 1).map(r => r.coldSpread), 0) * 100).toFixed(0)} % of their median in this run (slowest − fastest).`,
    'Policy characters are counted as IAM counts them, with intrinsic functions resolved to values as long as the deployed',
    'ones; "handler role policy" is the aggregate inline policy of the role that calls ImportModel. Template bytes are',
    'those of the file the CDK writes and uploads. The last column is each approach\'s ratios to the **no-wait DIY**',
    '(which does not wait), for cold synth, warm synth, template bytes, resources and handler role policy.',
    '',
    ...table(
      ['keys', 'N', 'approach', 'runs', 'synth (cold)', 'synth (warm)', 'template bytes', 'resources', 'Lambda functions',
        'handler role policy chars', 'ratios to the no-wait DIY (cold / warm / bytes / resources / policy)'],
      scalingRows,
    ),
    '',
    'Every model of these stacks comes from one sharer account: the library\'s handler role grants ImportModel per',
    'sharer account and model type, so each further sharer adds about 90 characters to it once, where the DIYs\' wildcard',
    'adds nothing.',
    '',
    `Template bytes per extra model, between N = ${smallest} and N = ${largest}, of each approach, and the library's ratio to each`,
    'baseline (the per-model target is against the no-wait DIY, which does not wait):',
    '',
    ...table(['keys', ...APPROACHES.map(a => LABELS[a]), ...BASELINES.map(b => `library ÷ ${LABELS[b]}`)], perModelRows),
    '',
    `Fixed cost: the stack of N = ${smallest}. The fixed-cost target is against the **waiting DIY**, the baseline that also`,
    'waits (on the same Provider framework); the ratio to the no-wait DIY, which does not wait, is there for scale:',
    '',
    ...table(['keys', 'measure', ...APPROACHES.map(a => LABELS[a]), 'library ÷ waiting DIY', 'library ÷ no-wait DIY'], fixedRows),
    '',
    'Where the fixed cost goes, one import without keys, by resource type (bytes as written, one-space indent):',
    '',
    ...table(['resource type', 'library: resources', 'library: bytes', 'waiting DIY: resources', 'waiting DIY: bytes'],
      results.fixedCostByType.map(t => [t.type, t.library.resources, t.library.bytes, t.waitingDiy.resources, t.waitingDiy.bytes])),
    '',
    'What the difference buys: the library\'s log groups, each with a retention (one year), for its functions and its',
    'waiter, where the waiting DIY leaves Lambda to create groups that keep logs forever and its waiter unlogged; and',
    'handler role statements that name each action on this account\'s resources of each type with the ownership',
    'conditions (`aws:ResourceTag`, `aws:RequestTag`) that make IAM refuse changes to what the stack did not create,',
    'where the waiting DIY grants its actions on `*`.',
    '',
    '## 2. Limits at scale',
    '',
    `Values at N = ${largest} (✗ where a limit is broken), and the first N whose stack breaks each limit, found by`,
    `bisection over synthesized stacks up to N = ${settings.limitSearchMax}, for each approach of section 1. The no-wait and the`,
    'waiting DIY add one resource per model and nothing to their handler role, whose wildcard statements do not grow; the',
    'AwsCustomResource DIY adds a resource and a policy of its own to the singleton role per model, so it breaks IAM\'s',
    'role policy limit long before anything else; the library\'s handler role is scoped per source account and model',
    'type, so it does not grow with N either. The library\'s first limit comes earlier than the no-wait DIY\'s by',
    'construction: both add one resource per model, and the library starts from the Provider framework\'s fixed',
    'resources (the waiter, its functions, their roles and log groups), where the no-wait DIY starts from a function and',
    'its role.',
    '',
    'Without keys:',
    '',
    ...limitTable(false),
    '',
    'With both CMKs:',
    '',
    ...limitTable(true),
    '',
    'The first limit each approach breaks (the first-limit target is against the no-wait DIY, which does not wait):',
    '',
    ...table(['approach', ...KEY_CASES.map(keys => `first limit broken, ${keysLabel(keys)}`)], firstLimitRows),
    '',
    'No stack of any approach has a customer managed policy (IAM::ManagedPolicy); the row is there to show it stays so.',
    '',
    ...handlerSection(results),
    ...latencySection(results),
    '',
    '## 5. Fixed cost of serving',
    '',
    'One import of a classifier, alone and with one endpoint (`bench/fixed-cost.ts`), in two Regions. The endpoint is a',
    'custom resource of the stack\'s one Comprehend provider in every Region: it shares the import\'s functions and',
    'waiter, so it adds its own resource (and nothing to the handler role\'s policy, which is the same whatever the',
    'stack holds), not a second Provider framework (5 Lambda functions and a state machine).',
    '',
    ...table(['stack', 'Region', 'resources', 'Lambda functions', 'template bytes', 'handler role policy chars'],
      results.fixedCost.map(r => [
        r.stack, r.region, r.measures.resources, r.measures.functions, r.measures.templateBytes, r.measures.handlerRolePolicyChars,
      ])),
    '',
    ...assetSection(results.assets),
    ...packageSection(results.packageSize),
    renderWaitingCost(results.waitingCost, 8),
    ...fixedNameSection(results.fixedNames),
  ].join('\n');
}

/** Section 4: readiness and the calls of one import, then the herd. */
export function latencySection({ readiness, herd }: Pick<BenchResults, 'readiness' | 'herd'>): string[] {
  return [
    '## 4. Deploy latency and API economy',
    '',
    'Through the deploy driver (`test/support/deploy-driver.ts`) and the bundled handlers against the Comprehend emulator',
    '(`test/support/comprehend-emulator.ts`) on a virtual clock: isComplete runs at once after onEvent, then once per',
    `query interval (${readiness.intervalSeconds} s), as the Provider framework's waiter runs it. One stack imports one model per import`,
    'duration T (ImportModel until TRAINED), all at once (each in its place in the stack\'s window), without throttling.',
    '"Detected after" is the time from the copy',
    'reaching TRAINED to isComplete answering done: at most the interval less the time since the last poll (T = 122 s',
    'and 602 s are the near-worst cases, 2 s after a poll), plus the real time the run itself takes. Per import, onEvent',
    'first reads CloudFormation\'s record of the resource (DescribeStackResource), and reads it again just before',
    'ImportModel (the proof that the request is still current; docs/lifecycle.md, "When CloudFormation moves on"); a',
    'Create calls ImportModel with no lookup of the copy\'s name first (only an Update looks it up: "lookup" counts the',
    'Describe calls before ImportModel, none for a Create); the waiter then Describes the copy until it is usable and',
    'checks its ownership tag once (ListTagsForResource, the other call).',
    '',
    ...table(['T', 'detected after', 'lookup', 'ImportModel calls', 'Describe calls (waiter)', 'bound ⌈T/interval⌉+1', 'other calls', 'DescribeStackResource'],
      readiness.imports.map(i => [`${i.importSeconds} s`, `${i.detectedAfterSeconds.toFixed(1)} s`, i.lookupCalls, i.importModelCalls,
        i.describeCalls, i.describeBound, i.otherCalls, i.cloudFormationCalls])),
    '',
    ...renderHerd(herd, table),
  ];
}

/** The Targets table: what CI does when each is missed. */
export function targetTable(targets: Target[]): string[] {
  return table(['target', 'this run', 'met', 'when missed'], targets.map(t => [
    t.name, t.result,
    t.met ? 'yes' : `**no**${t.recordOnly || t.timing ? ', recorded' : ''}`,
    t.timing ? 'recorded (timing)' : t.recordOnly ? 'recorded (baseline ratio)' : 'CI fails',
  ]));
}

/** Section 9: synth time against the number of constructs with fixed names (issue 31). */
export function fixedNameSection(fixedNames: FixedNameScaling): string[] {
  return renderFixedNameScaling(fixedNames, 9, table);
}

/** Section 6: the file assets of an importer stack and a sharer stack. */
export function assetSection(assets: AssetRow[]): string[] {
  const total = (stack: 'importer' | 'sharer', owner?: 'library' | 'framework') =>
    `${bytesKb(assetTotal(assets, stack, 'zippedBytes', owner))} zipped (${assetTotal(assets, stack, 'rawBytes', owner).toLocaleString('en-US')} raw)`;
  return [
    '## 6. Asset bytes per stack',
    '',
    'The file assets a stack uploads (`bench/asset-cost.ts`): each distinct Lambda code asset of the stack\'s cloud',
    'assembly (`*.assets.json`; the template, also listed, is left out), once however many functions run it. Two stacks in',
    'eu-west-1: an importer stack with two `ImportedComprehendModel`s, one with `addEndpoint` (a custom resource of the',
    'stack\'s Comprehend provider there) and one with a `modelKey`; and a sharer stack with a `SharedModelPolicy` of a model',
    'defined outside it (merged by the policy provider\'s custom resource). An asset is the library\'s when its folder is',
    'exactly one of the bundles in assets/handlers/, the Provider framework\'s when it is aws-cdk-lib\'s provider-framework',
    'runtime. "raw" is the bytes of the folder\'s files; "zipped" is the folder zipped with `zip -q -r -X -9` (deflate at',
    'the highest level, no extra file attributes), as the CDK zips a folder asset before uploading it (deflate): a few',
    'bytes of headers apart, the size of the upload and of the Lambda code.',
    '',
    ...table(['stack', 'asset', 'Lambda functions running it', 'files', 'raw bytes', 'zipped bytes'], assets.map(a => [
      a.stack, a.asset, a.functions, a.files, a.rawBytes.toLocaleString('en-US'), `${a.zippedBytes.toLocaleString('en-US')} (${(a.zippedBytes / 1000).toFixed(1)} kB)`,
    ])),
    '',
    `Importer stack: library handler assets ${total('importer', 'library')}; all assets ${total('importer')}.`,
    `Sharer stack: library handler assets ${total('sharer', 'library')}; all assets ${total('sharer')}.`,
    'Before issue 19, the importer stack\'s handler assets were 462 kB zipped (unminified bundles of ~1.29 MB each).',
    `Target: the library handler assets of an importer stack ≤ ${IMPORTER_HANDLER_ASSETS_MAX_ZIPPED / 1000} kB zipped: ` +
      `${assetTotal(assets, 'importer', 'zippedBytes', 'library') <= IMPORTER_HANDLER_ASSETS_MAX_ZIPPED ? 'met' : '**missed**'}.`,
    '',
  ];
}

/** Section 7: what `npm pack` would publish. */
export function packageSection(pack: PackageSize): string[] {
  const leftover = sum(pack.leftoverFiles.map(f => f.bytes));
  return [
    '## 7. Package size',
    '',
    'What `npm pack` would publish (`bench/package-size.ts`: `npm pack --dry-run --json --ignore-scripts` in the',
    'repository; the JavaScript package, which the other languages\' packages wrap). It packs lib/ as jsii compiled it:',
    `the run compiles lib/ first when it is missing or older than src/ (${pack.compiled ? 'this run did' : 'this run did not need to'}).`,
    '"lib/handlers files" are compiled handler sources, which synth never loads (it loads the bundles in assets/).',
    '"left over" are files of lib/ with no source in src/ any more, from an earlier compile (jsii does not delete them; a',
    'clean checkout has none): they are in the figures, as they would be in a package packed from this tree.',
    '',
    ...table(['packed bytes', 'unpacked bytes', 'files', 'lib/handlers files', 'left over lib files'], [[
      bytesKb(pack.packedBytes), bytesKb(pack.unpackedBytes), pack.files, pack.libHandlerFiles.length,
      pack.leftoverFiles.length === 0 ? 'none' : `${pack.leftoverFiles.length} (${leftover.toLocaleString('en-US')} bytes)`,
    ]]),
    '',
    'The largest files:',
    '',
    ...table(['file', 'bytes'], pack.largest.map(f => [`\`${f.path}\``, f.bytes.toLocaleString('en-US')])),
    '',
    `Targets: unpacked ≤ ${PACKAGE_UNPACKED_MAX / 1_000_000} MB: ${pack.unpackedBytes <= PACKAGE_UNPACKED_MAX ? 'met' : '**missed**'}` +
      (pack.leftoverFiles.length > 0 ? ` (${bytesKb(pack.unpackedBytes - leftover)} without the left-over files)` : '') +
      `; no lib/handlers/ files: ${pack.libHandlerFiles.length === 0 ? 'met' : '**missed**'}.`,
    '',
  ];
}

/** Section 3: the handler bundles' bytes and load times. */
export function handlerSection(results: Pick<BenchResults, 'settings' | 'handlers' | 'bundles'>): string[] {
  return [
    '## 3. Handler cost',
    '',
    'One bundle per provider (`npx projen bundle`, esbuild minified, `--keep-names`, packages resolved through their ES',
    'modules): `provider` (src/handlers/provider/index.ts, whose `onEvent` and `isComplete` are the two functions of the',
    'Comprehend provider, sharing its asset) and `policy` (src/handlers/policy/index.ts). Bytes of each bundle, and the time',
    'to load it (`require`, which is what a Lambda cold start adds to the runtime\'s own start), median of',
    `${results.settings.handlerLoads} fresh Node processes; "process" is the whole \`node\` run. "bundled" is the asset`,
    'as shipped (projen\'s esbuild with the pinned @aws-sdk/client-comprehend inside); "external" is the same entry bundled',
    'with the same flags plus `--external:@aws-sdk/*`, loading the SDK from node_modules as it would load the runtime\'s copy.',
    '',
    'Each bundle is also built again with the task\'s flags into a folder of the run\'s own: esbuild marks an output over',
    '1 MB with ⚠️ in its summary. ' + results.bundles.map(b => `${b.handler}: ${b.bytes} bytes, ` +
      `${b.warnings.length === 0 ? 'no warning' : `warns ${b.warnings.join(' ')}`}, ` +
      `${b.matchesAsset ? 'the same bytes as the asset' : '**not** the bytes of the asset in assets/ (rerun `npx projen bundle`)'}`).join('; ') + '.',
    '',
    `Bundling the SDK changes a cold start's load by ${bundlingCost(results.handlers, 'initMs', 'ms')} and a handler's size by`,
    `${bundlingCost(results.handlers, 'bytes', 'bytes')} (bundled − external). The library bundles it, so that the SDK version its tests run`,
    'is the one deployed, whatever the runtime ships.',
    '',
    ...table(['handler', 'packaging', 'bytes', 'load (require)', 'process'], results.handlers.map(h => [
      h.handler, h.packaging, `${h.bytes} (${kb(h.bytes)})`, `${h.initMs.toFixed(1)} ms`, `${h.processMs.toFixed(0)} ms`,
    ])),
    '',
  ];
}
