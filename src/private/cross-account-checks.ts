import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { parseModelArn } from '../contract/model-arn';

/** What a SharedModelPolicy says at synth time, as far as it is known. */
export interface ShareFacts {
  /** The model version's ARN, with the stack's partition filled in from its Region; undefined when not known. */
  readonly modelArn?: string;
  /** The importing accounts; undefined when any of them is known only at deploy time. */
  readonly importerAccounts?: readonly string[];
  /** The customer managed key that encrypts the model, if the share names one. */
  readonly modelKey?: kms.IKey;
}

/** What an ImportedComprehendModel says at synth time, as far as it is known. */
export interface ImportFacts {
  readonly sourceModelArn: string;
  readonly sourceModelKey?: kms.IKey;
}

const shares = new WeakMap<IConstruct, ShareFacts>();
const imports = new WeakMap<IConstruct, ImportFacts>();
const checkedApps = new WeakSet<IConstruct>();

/** Registers a share for the app's cross-checks. */
export function registerShare(share: IConstruct, facts: ShareFacts): void {
  shares.set(share, facts);
  checkOnceInApp(share);
}

/** Registers an import for the app's cross-checks. */
export function registerImport(imported: IConstruct, facts: ImportFacts): void {
  imports.set(imported, facts);
  checkOnceInApp(imported);
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
 * One validation on the app (the root of the tree), run once per `app.synth()`: it sees every stage, nested ones too,
 * where a share and an import of the same model version can meet.
 */
function checkOnceInApp(scope: IConstruct): void {
  const root = scope.node.root;
  if (checkedApps.has(root)) {
    return;
  }
  checkedApps.add(root);
  root.node.addValidation({ validate: () => crossCheck(root) });
}

/** The same model version in any Region: partition, account, type, name and version. */
function identity(arn: string): { readonly key: string; readonly region: string } | undefined {
  const parts = parseModelArn(arn);
  return parts && {
    key: [parts.partition, parts.account, parts.modelType, parts.modelName, parts.versionName ?? ''].join('|'),
    region: parts.region,
  };
}

function crossCheck(root: IConstruct): string[] {
  const all = root.node.findAll();
  const sharesById = new Map<string, Array<{ share: IConstruct; facts: ShareFacts; region: string }>>();
  for (const share of all.filter(c => shares.has(c))) {
    const facts = shares.get(share)!;
    const id = facts.modelArn === undefined ? undefined : identity(facts.modelArn);
    if (id) {
      sharesById.set(id.key, [...sharesById.get(id.key) ?? [], { share, facts, region: id.region }]);
    }
  }
  const errors: string[] = [];
  for (const imported of all.filter(c => imports.has(c))) {
    const facts = imports.get(imported)!;
    const id = Token.isUnresolved(facts.sourceModelArn) ? undefined : identity(facts.sourceModelArn);
    const candidates = id ? sharesById.get(id.key) ?? [] : [];
    if (!id || candidates.length === 0) {
      continue;
    }
    const sameRegion = candidates.filter(c => c.region === id.region);
    if (sameRegion.length === 0) {
      errors.push(`${imported.node.path} imports ${facts.sourceModelArn}, but ${candidates.map(c => c.share.node.path).join(' and ')} ` +
        `of this app shares that model version in ${candidates.map(c => c.region).join(' and ')}; Comprehend imports only within ` +
        'one Region, so import it in the Region it is shared in, or share it in this one');
      continue;
    }
    for (const { share, facts: shared } of sameRegion) {
      errors.push(...explainMismatch(imported, facts, share, shared));
    }
  }
  return errors;
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
  const sharedKeyArn = shared.modelKey?.keyArn;
  const importKeyArn = facts.sourceModelKey?.keyArn;
  if (sharedKeyArn && importKeyArn && !Token.isUnresolved(sharedKeyArn) && !Token.isUnresolved(importKeyArn) && sharedKeyArn !== importKeyArn) {
    errors.push(`${imported.node.path} passes sourceModelKey ${importKeyArn}, but ${share.node.path} says ${facts.sourceModelArn} ` +
      `is encrypted with ${sharedKeyArn}; pass the key that encrypts the model`);
  }
  return errors;
}
