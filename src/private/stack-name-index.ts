import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The kinds of fixed name, one namespace each: a copy's `NAME/version/VERSION`, an endpoint's name, and the source
 * model version an import copies (two imports may share one, at a price: a warning).
 */
export type NameKind = 'copy' | 'endpoint' | 'source';

/**
 * Per top-level stack, per kind of name: the constructs that claimed each name, in the order they did (more than one
 * only when a construct was refused and the error caught). Looking a name up here costs the same however many
 * constructs the stack holds, where searching the stack's tree for it made N constructs with fixed names cost N²
 * (issue 31).
 */
const indexes = new WeakMap<Stack, Map<NameKind, Map<string, IConstruct[]>>>();

/**
 * Claims `name` of `kind` for `construct` in its deployment's index, and returns the first other construct that
 * claimed it and is still in the tree, if any. A token is no name known at synth time: it claims nothing and meets
 * nothing.
 */
export function claimName(construct: IConstruct, kind: NameKind, name: string): IConstruct | undefined {
  if (Token.isUnresolved(name)) {
    return undefined;
  }
  const byKind = entry(indexes, deploymentStack(construct), () => new Map<NameKind, Map<string, IConstruct[]>>());
  const claimants = entry(entry(byKind, kind, () => new Map<string, IConstruct[]>()), name, (): IConstruct[] => []);
  if (!claimants.includes(construct)) {
    claimants.push(construct);
  }
  return claimants.find(other => other !== construct && isInTree(other));
}

/**
 * The stack whose names `construct` shares: its own, or for a nested stack the top-level stack that deploys it. A
 * nested stack deploys to its parent's account and Region, so two of its constructs, or one of it and one of its
 * parent, cannot have one name. A Stack merely defined inside another stack's scope, as a cdk-stacksets StackSetStack
 * or the stacks of the stages a CDK Pipelines stack holds, deploys on its own, possibly elsewhere: it has an index of
 * its own (the app-wide checks compare stacks whose account and Region are known).
 */
function deploymentStack(construct: IConstruct): Stack {
  let stack = Stack.of(construct);
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  return stack;
}

/**
 * Whether `construct` is still reachable from the root: one removed with `tryRemoveChild()` no longer holds its name,
 * as a search of the tree would not find it either. A walk up its scopes, so as long as the tree is deep, not wide.
 */
function isInTree(construct: IConstruct): boolean {
  const scopes = construct.node.scopes;
  return scopes.every((scope, i) => i === 0 || scopes[i - 1].node.tryFindChild(scope.node.id) === scope);
}

/** The value of `key`, set to `create()` first if there is none. */
function entry<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, create: () => V): V {
  const value = map.get(key) ?? create();
  map.set(key, value);
  return value;
}
