import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { describeResource } from './errors';
import { withPartitionLiteral } from './partition-literal';
import { howToAcknowledge } from './synth-warnings';
import { parseModelArn } from '../contract/model-arn';
import { MAX_POLICY_LENGTH, policyText } from '../contract/policy-properties';

/** What a SharedModelPolicy says at synth time, as far as it is known. */
export interface ShareFacts {
  /** The model version's ARN, with the stack's partition filled in from its Region; undefined when not known. */
  readonly modelArn?: string;
  /** The importing accounts; undefined when any of them is known only at deploy time. */
  readonly importerAccounts?: readonly string[];
  /** The customer managed key that encrypts the model, if the share names one. */
  readonly modelKey?: kms.IKey;
  /**
   * The statements the share's handler merges into the model's policy, each a JSON text as written, when known at synth
   * time; undefined when the share is a classifier's whole ModelPolicy, or known only at deploy time.
   */
  readonly mergedStatements?: readonly string[];
  /** Whether the share is a classifier's ModelPolicy, which CloudFormation writes whole. */
  readonly ownsWholePolicy?: boolean;
}

/** What an ImportedComprehendModel says at synth time, as far as it is known. */
export interface ImportFacts {
  readonly sourceModelArn: string;
  readonly sourceModelKey?: kms.IKey;
  /** `NAME/version/VERSION` of the copy, when both are fixed at synth time. */
  readonly fixedCopyName?: string;
}

/** What a ModelEndpoint says at synth time. */
export interface EndpointFacts {
  /** The endpoint's name; a token when it is known only at deploy time. */
  readonly endpointName: string;
}

const shares = new WeakMap<IConstruct, ShareFacts>();
const imports = new WeakMap<IConstruct, ImportFacts>();
const endpoints = new WeakMap<IConstruct, EndpointFacts>();

/** The id of the warning about an import of a version the app does not share, while it shares another. */
export const UNSHARED_VERSION_WARNING = 'cdk-comprehend-model-import:unsharedVersion';
/** The id of the warning about a sourceModelKey for a version the app shares without a key. */
export const SOURCE_KEY_WITHOUT_SHARED_KEY_WARNING = 'cdk-comprehend-model-import:sourceKeyWithoutSharedKey';

/** A finding that a rare user may mean: reported as a warning with an id to acknowledge it by. */
interface Warning {
  readonly id: string;
  readonly message: string;
}

/** What the app-wide checks found, by the construct that reports each. */
interface Findings {
  readonly errors: Map<IConstruct, string[]>;
  readonly warnings: Map<IConstruct, Warning[]>;
}

/** Per app (root of the tree): how many constructs registered, and what was found when that many had. */
interface AppChecks {
  registrations: number;
  found?: { readonly registrations: number; readonly findings: Findings };
}
const apps = new WeakMap<IConstruct, AppChecks>();

/** Registers a share for the app's cross-checks. */
export function registerShare(share: IConstruct, facts: ShareFacts): void {
  shares.set(share, facts);
  register(share);
}

/** Registers an import for the app's cross-checks. */
export function registerImport(imported: IConstruct, facts: ImportFacts): void {
  imports.set(imported, facts);
  register(imported);
}

/** Registers an endpoint for the app's cross-checks. */
export function registerEndpoint(endpoint: IConstruct, facts: EndpointFacts): void {
  endpoints.set(endpoint, facts);
  register(endpoint);
}

/**
 * The model ARN of a share as the importer writes it: a model of the stack formats its ARN with the partition as a
 * token, which the stack's Region decides.
 */
export function shareModelArn(scope: IConstruct, arn: string): string | undefined {
  const stack = Stack.of(scope);
  const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  const known = partition ? arn.split(stack.partition).join(partition) : arn;
  return Token.isUnresolved(known) ? undefined : known;
}

/**
 * Gives a registered construct a validation that reports what the app-wide checks found about it. The checks see the
 * whole app (every Stage, nested ones too), where a share and an import of the same model version, or two copies or
 * endpoints of one name, can meet; each finding is reported by the construct it is about, so that CDK's
 * `[path]` prefix names it. CDK validates each Stage's tree in that Stage's own synth, nested ones first; the
 * findings are computed once, and again only after another construct registers.
 */
function register(scope: IConstruct): void {
  const root = scope.node.root;
  const app = apps.get(root) ?? { registrations: 0 };
  apps.set(root, app);
  app.registrations++;
  scope.node.addValidation({
    validate: () => {
      const findings = findingsOf(root, app);
      // Warnings added while the tree is validated reach the assembly: the stacks' metadata is read after it. An
      // acknowledgement made before synth keeps them out (addWarningV2); the same warning twice is one.
      for (const warning of findings.warnings.get(scope) ?? []) {
        Annotations.of(scope).addWarningV2(warning.id, warning.message);
      }
      return findings.errors.get(scope) ?? [];
    },
  });
}

function findingsOf(root: IConstruct, app: AppChecks): Findings {
  if (app.found?.registrations !== app.registrations) {
    app.found = { registrations: app.registrations, findings: crossCheck(root) };
  }
  return app.found.findings;
}

/** The errors and warnings of the app, by the construct that reports each. */
function crossCheck(root: IConstruct): Findings {
  const findings: Findings = { errors: new Map(), warnings: new Map() };
  const report = (construct: IConstruct, messages: string[]) => {
    if (messages.length > 0) {
      findings.errors.set(construct, [...findings.errors.get(construct) ?? [], ...messages]);
    }
  };
  const warn = (construct: IConstruct, warning: Warning) => {
    findings.warnings.set(construct, [...findings.warnings.get(construct) ?? [], warning]);
  };
  const all = root.node.findAll();
  checkSharesAndImports(all, report, warn);
  checkSharedPolicies(all, report);
  checkFixedNames(all, report);
  return findings;
}

/**
 * An import meets the shares of exactly its source model version: the same ARN, partition, Region, account, type, name
 * and version. The same name in another Region is another model (and an import from another Region than its stack's is
 * refused by the import itself).
 */
function checkSharesAndImports(
  all: IConstruct[],
  report: (construct: IConstruct, messages: string[]) => void,
  warn: (construct: IConstruct, warning: Warning) => void,
): void {
  const sharesByArn = new Map<string, Array<{ share: IConstruct; facts: ShareFacts }>>();
  // The shares of each model (every version), by its ARN without the version.
  const sharesByModel = new Map<string, Array<{ share: IConstruct; facts: ShareFacts }>>();
  for (const share of all.filter(c => shares.has(c))) {
    const facts = shares.get(share)!;
    if (facts.modelArn !== undefined && parseModelArn(facts.modelArn)) {
      sharesByArn.set(facts.modelArn, [...sharesByArn.get(facts.modelArn) ?? [], { share, facts }]);
      const model = modelOf(facts.modelArn);
      sharesByModel.set(model, [...sharesByModel.get(model) ?? [], { share, facts }]);
    }
  }
  for (const imported of all.filter(c => imports.has(c))) {
    const facts = imports.get(imported)!;
    if (Token.isUnresolved(facts.sourceModelArn) || !parseModelArn(facts.sourceModelArn)) {
      continue;
    }
    const candidates = sharesByArn.get(facts.sourceModelArn) ?? [];
    for (const { share, facts: shared } of candidates) {
      report(imported, explainMismatch(imported, facts, share, shared));
      const warning = warnAboutKeyWithoutSharedKey(imported, facts, share, shared);
      if (warning) {
        warn(imported, warning);
      }
    }
    const otherVersions = candidates.length > 0 ? [] : sharesByModel.get(modelOf(facts.sourceModelArn)) ?? [];
    if (otherVersions.length > 0) {
      warn(imported, unsharedVersionWarning(imported, facts, otherVersions));
    }
  }
}

/** A model version's ARN (one `parseModelArn` reads) without its version: `arn:PARTITION:comprehend:…:TYPE/NAME`. */
function modelOf(versionArn: string): string {
  const { partition, region, account, modelType, modelName } = parseModelArn(versionArn)!;
  return `arn:${partition}:comprehend:${region}:${account}:${modelType}/${modelName}`;
}

/** A model version's version, for a message. */
function versionOf(versionArn: string): string {
  return parseModelArn(versionArn)!.versionName ?? 'the version-less model';
}

/**
 * An import of a version that no share of the app names, while the app shares other versions of that model (v7
 * shared, v8 imported): ImportModel fails unless a share made elsewhere names the version. Another app, or a policy
 * written by hand, may share it, hence a warning.
 */
function unsharedVersionWarning(imported: IConstruct, facts: ImportFacts, others: Array<{ share: IConstruct; facts: ShareFacts }>): Warning {
  const shared = others.map(({ share, facts: s }) => `${versionOf(s.modelArn!)} (${share.node.path})`);
  const version = versionOf(facts.sourceModelArn);
  return {
    id: UNSHARED_VERSION_WARNING,
    message: `${imported.node.path} imports version ${version} of ${modelOf(facts.sourceModelArn)}, but the app shares ` +
      `only ${[...new Set(shared)].join(', ')} of that model: a share names one version, so ImportModel of ${version} fails ` +
      `unless it is shared elsewhere; expected a SharedModelPolicy of ${facts.sourceModelArn}, or an import of a shared ` +
      'version; if another app or a policy written by hand shares it, acknowledge this warning: ' +
      howToAcknowledge(UNSHARED_VERSION_WARNING),
  };
}

/**
 * An import that passes sourceModelKey for a version the app shares without modelKey: either the model is encrypted
 * with that key, and the share writes no key-policy statement for the importers (ImportModel then fails, unless the
 * key's policy is managed elsewhere), or it is not, and the key is needless.
 */
function warnAboutKeyWithoutSharedKey(imported: IConstruct, facts: ImportFacts, share: IConstruct, shared: ShareFacts): Warning | undefined {
  if (!facts.sourceModelKey || shared.modelKey) {
    return undefined;
  }
  return {
    id: SOURCE_KEY_WITHOUT_SHARED_KEY_WARNING,
    message: `${imported.node.path} passes sourceModelKey ${describeResource(facts.sourceModelKey.keyArn, facts.sourceModelKey)}, but ${share.node.path} shares ${facts.sourceModelArn} without ` +
      'modelKey, so no key policy lets the importers use a key for it; expected modelKey on the share when a customer ' +
      'managed key encrypts the model (SharedModelPolicy then writes the key-policy statements), or no sourceModelKey when ' +
      'an AWS owned key does; if that key\'s policy is managed elsewhere, acknowledge this warning: ' +
      howToAcknowledge(SOURCE_KEY_WITHOUT_SHARED_KEY_WARNING),
  };
}

/**
 * The shares of one model version merge their statements into its one resource-based policy, which Comprehend takes up
 * to 20,000 characters: each share fits on its own (it refuses itself otherwise), so this adds them up. Statements set
 * by hand or by another app count too, at deploy time, where the handler checks the policy it is about to write. A
 * classifier's ModelPolicy, which CloudFormation writes whole, leaves no room for another share of the version.
 */
function checkSharedPolicies(all: IConstruct[], report: (construct: IConstruct, messages: string[]) => void): void {
  const byArn = new Map<string, Array<{ share: IConstruct; facts: ShareFacts }>>();
  for (const share of all.filter(c => shares.has(c))) {
    const facts = shares.get(share)!;
    if (facts.modelArn !== undefined) {
      byArn.set(facts.modelArn, [...byArn.get(facts.modelArn) ?? [], { share, facts }]);
    }
  }
  for (const [arn, group] of byArn) {
    // CloudFormation writes a classifier's ModelPolicy whole: what another share merged into it would go at its update.
    const whole = group.find(({ facts }) => facts.ownsWholePolicy);
    if (whole) {
      for (const { share } of group.filter(s => s !== whole)) {
        report(share, [`${share.node.path} shares ${arn}, whose whole policy ${whole.share.node.path} sets as the classifier's ` +
          'ModelPolicy; CloudFormation writes that policy whole at every update of the classifier, so statements merged ' +
          'into it by another share would be lost: name every importer of the classifier in one SharedModelPolicy']);
      }
      continue;
    }
    // The shares whose statements are known at synth time: the others count at deploy time, in the handler.
    const measured = group.filter(({ facts }) => facts.mergedStatements !== undefined);
    const [first, ...others] = measured;
    const length = policyText(measured.flatMap(s => s.facts.mergedStatements!)).length;
    if (others.length === 0 || length <= MAX_POLICY_LENGTH) {
      continue;
    }
    const paths = [first, ...others].map(s => s.share.node.path);
    for (const { share } of others) {
      report(share, [`${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]} share ${arn}: their statements merge into ` +
        `that model version's one resource-based policy, which would be ${length} characters long; Comprehend takes at most ` +
        `${MAX_POLICY_LENGTH} (about 600 accounts named by their root ARNs). Several SharedModelPolicy constructs on one ` +
        'version do not raise that limit: name fewer accounts, or share another version with the others (the sharer can copy ' +
        'its own model version into a new one with ImportedComprehendModel, without training it again)']);
    }
  }
}

/**
 * A copy's name and version, and an endpoint's name, are one resource per account and Region: two constructs of the
 * app that fix the same one in stacks of the same known account and Region cannot both deploy. Within one stack the
 * constructs refuse it themselves; this finds it across stacks. The first in the tree is named by the others.
 */
function checkFixedNames(all: IConstruct[], report: (construct: IConstruct, messages: string[]) => void): void {
  const claims = new Map<string, IConstruct[]>();
  const claim = (construct: IConstruct, kind: 'copy' | 'endpoint', name: string | undefined) => {
    if (name === undefined || Token.isUnresolved(name)) {
      return;
    }
    const { account, region } = Stack.of(construct);
    if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
      return;
    }
    const key = [kind, account, region, name].join('|');
    claims.set(key, [...claims.get(key) ?? [], construct]);
  };
  for (const construct of all) {
    claim(construct, 'copy', imports.get(construct)?.fixedCopyName);
    claim(construct, 'endpoint', endpoints.get(construct)?.endpointName);
  }
  for (const [key, [first, ...others]] of claims) {
    const [kind, account, region, name] = key.split('|');
    const where = `in account ${account}, Region ${region}`;
    for (const other of others) {
      if (kind === 'copy') {
        const [modelName, versionName] = name.split('/version/');
        report(other, [`${other.node.path} has modelName "${modelName}" and versionName "${versionName}", and so has ` +
          `${first.node.path}, ${where}; a name and version are one copy per account and Region, so the second import fails ` +
          'at deploy time: give one of them another versionName, or leave versionName unset so that each import gets its own']);
      } else {
        report(other, [`${other.node.path} has endpointName "${name}", and so has ${first.node.path}, ${where}; an endpoint ` +
          'name is one endpoint per account and Region, so the second endpoint fails at deploy time: give one of them ' +
          'another endpointName, or leave it unset for a name unique to the construct']);
      }
    }
  }
}

function explainMismatch(imported: IConstruct, facts: ImportFacts, share: IConstruct, shared: ShareFacts): string[] {
  const errors: string[] = [];
  const account = Stack.of(imported).account;
  if (!Token.isUnresolved(account) && shared.importerAccounts && !shared.importerAccounts.includes(account)) {
    errors.push(`${imported.node.path} imports ${facts.sourceModelArn} into account ${account}, but ${share.node.path} lets only ` +
      `${shared.importerAccounts.join(', ')} import it; add ${account} to its importerAccounts, or deploy the import to one of those accounts`);
  }
  if (shared.modelKey && !facts.sourceModelKey) {
    errors.push(`${imported.node.path} imports ${facts.sourceModelArn} without sourceModelKey, but ${share.node.path} says the model ` +
      'is encrypted with a customer managed key; pass that key as sourceModelKey (kms.Key.fromKeyArn()), so that Comprehend may use it');
  }
  // Compared as aws-cdk-lib writes them under @aws-cdk/core:enablePartitionLiterals, whatever the app's flags.
  const sharedKeyArn = shared.modelKey && withPartitionLiteral(shared.modelKey, shared.modelKey.keyArn);
  const importKeyArn = facts.sourceModelKey && withPartitionLiteral(facts.sourceModelKey, facts.sourceModelKey.keyArn);
  if (sharedKeyArn && importKeyArn && !Token.isUnresolved(sharedKeyArn) && !Token.isUnresolved(importKeyArn) && sharedKeyArn !== importKeyArn) {
    errors.push(`${imported.node.path} passes sourceModelKey ${importKeyArn}, but ${share.node.path} says ${facts.sourceModelArn} ` +
      `is encrypted with ${sharedKeyArn}; pass the key that encrypts the model`);
  }
  return errors;
}
