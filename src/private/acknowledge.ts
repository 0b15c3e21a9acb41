// How the library acknowledges the cdk-nag findings it has reviewed, for both majors of cdk-nag at once.
//
// cdk-nag 3 reads aws-cdk-lib's acknowledgements (`Validations.of(scope).acknowledge`): metadata on the construct,
// which covers the construct and everything under it, whenever it was added (cdk-nag 3's NagPack.isAcknowledged walks
// from the resource up through its scopes; aws-cdk-lib's synthesis validation looks for the closest acknowledging
// path, and its annotation acknowledgements match by path prefix).
//
// cdk-nag 2.x reads only the `cdk_nag` CloudFormation metadata of the resource it checks (NagSuppressionHelper
// .getSuppressions: `rules_to_suppress` of the CfnResource, and of the stack's template), with a finding such as
// `AwsSolutions-IAM5[Resource::*]` spelled as `{ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] }` (an id with
// a finding in it is an error there). So every CfnResource under the acknowledging construct gets the same
// suppressions in that form, as `NagSuppressions.addResourceSuppressions(scope, rules, true)` would write them. They
// are written by an Aspect, when the app is synthesized, so that resources added under the scope after the
// acknowledgement (a role's default policy, created by a later grant) are covered as cdk-nag 3 covers them. The
// Aspect is mutating (AspectPriority.MUTATING): it runs, on each resource, before the default-priority Aspects, which
// is how apps add cdk-nag 2.x's packs (`Aspects.of(app).add(new AwsSolutionsChecks())`).
import { Acknowledgment, AspectPriority, Aspects, CfnResource, IAspect, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The CloudFormation metadata key cdk-nag 2.x reads its suppressions from. */
export const NAG_V2_METADATA_KEY = 'cdk_nag';

/**
 * Acknowledges `rules` on `scope` and everything under it: for cdk-nag 3 and aws-cdk-lib's validation plugins
 * (`Validations.of(scope).acknowledge`), and for cdk-nag 2.x (`cdk_nag` metadata on every CfnResource under `scope`,
 * merged with what is there).
 */
export function acknowledge(scope: IConstruct, ...rules: Acknowledgment[]): void {
  Validations.of(scope).acknowledge(...rules);
  NagV2Suppressions.of(scope).add(rules);
}

/** A suppression as cdk-nag 2.x reads it from `Metadata.cdk_nag.rules_to_suppress` (NagSuppressionHelper.toCfnFormat). */
type CfnSuppression = {
  readonly reason: string;
  readonly id: string;
  readonly applies_to?: string[];
  readonly is_reason_encoded?: boolean;
};

const SUPPRESSIONS = Symbol.for('cdk-comprehend-model-import.NagV2Suppressions');

/**
 * The resource types each rule the library acknowledges checks (cdk-nag 2.x's rules/iam/IAMNoManagedPolicies,
 * IAMNoWildcardPermissions, rules/lambda/LambdaLatestVersion, rules/stepfunctions/StepFunctionStateMachineXray): a
 * suppression on any other resource could never apply, and would only make the template longer (each reason repeated
 * on every log group and function of a provider). A rule not listed here is suppressed on every resource.
 */
const IAM_IDENTITIES = ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'];
const RESOURCE_TYPES_CHECKED: Record<string, readonly string[] | undefined> = {
  'AwsSolutions-IAM4': IAM_IDENTITIES,
  'AwsSolutions-IAM5': [...IAM_IDENTITIES, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'],
  'AwsSolutions-L1': ['AWS::Lambda::Function'],
  'AwsSolutions-SF2': ['AWS::StepFunctions::StateMachine'],
};

/** The cdk-nag 2.x suppressions one construct acknowledges, written onto the CfnResources under it at synthesis. */
class NagV2Suppressions implements IAspect {
  public static of(scope: IConstruct): NagV2Suppressions {
    const holder = scope as IConstruct & { [SUPPRESSIONS]?: NagV2Suppressions };
    if (!holder[SUPPRESSIONS]) {
      holder[SUPPRESSIONS] = new NagV2Suppressions();
      Aspects.of(scope).add(holder[SUPPRESSIONS], { priority: AspectPriority.MUTATING });
    }
    return holder[SUPPRESSIONS];
  }

  /** Rule and reason (as a JSON pair) to the findings suppressed, or undefined for the whole rule. */
  private readonly rules = new Map<string, Set<string> | undefined>();

  public add(rules: Acknowledgment[]): void {
    for (const { id, reason } of rules) {
      const { rule, finding } = parseRuleId(id);
      if (reason.length < 10) {
        // cdk-nag 2.x refuses the whole synth over it (NagSuppressionHelper.assertSuppressionsAreValid).
        throw new Error(`The reason for acknowledging ${id} must have 10 characters or more: '${reason}'`);
      }
      const key = JSON.stringify([rule, reason]);
      if (finding === undefined) {
        this.rules.set(key, undefined);
      } else if (!this.rules.has(key) || this.rules.get(key) !== undefined) {
        this.rules.set(key, new Set([...this.rules.get(key) ?? [], finding]));
      }
    }
  }

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) {
      return;
    }
    const ours = [...this.rules]
      .map(([key, findings]) => ({ findings, pair: JSON.parse(key) as [string, string] }))
      .filter(({ pair: [rule] }) => RESOURCE_TYPES_CHECKED[rule]?.includes(node.cfnResourceType) ?? true)
      .map(({ findings, pair: [rule, reason] }) => cfnFormat(rule, reason, findings && [...findings]));
    if (ours.length === 0) {
      return;
    }
    const existing = node.getMetadata(NAG_V2_METADATA_KEY) ?? {};
    const theirs: CfnSuppression[] = existing.rules_to_suppress ?? [];
    const present = new Set(theirs.map(r => JSON.stringify(r)));
    node.addMetadata(NAG_V2_METADATA_KEY, {
      ...existing,
      rules_to_suppress: [...theirs, ...ours.filter(r => !present.has(JSON.stringify(r)))],
    });
  }
}

/**
 * The rule and the finding of an acknowledged id, as cdk-nag 2.x spells them: `AwsSolutions-IAM5[Resource::*]` is rule
 * `AwsSolutions-IAM5`, finding `Resource::*`. A namespace before `::` outside the brackets (`Annotation::…`, which
 * aws-cdk-lib adds to ids it qualifies) is not part of cdk-nag's rule id.
 */
function parseRuleId(id: string): { rule: string; finding?: string } {
  const bracket = id.indexOf('[');
  const head = bracket < 0 ? id : id.slice(0, bracket);
  const namespace = head.lastIndexOf('::');
  const rule = head.slice(namespace < 0 ? 0 : namespace + 2);
  if (bracket < 0) {
    return { rule };
  }
  if (!id.endsWith(']')) {
    throw new Error(`Not a cdk-nag finding id: ${id}`);
  }
  return { rule, finding: id.slice(bracket + 1, -1) };
}

/** One suppression in the form cdk-nag 2.x writes and reads (NagSuppressionHelper.toCfnFormat, key order included). */
function cfnFormat(id: string, reason: string, appliesTo?: string[]): CfnSuppression {
  const rest = { id, ...appliesTo ? { applies_to: appliesTo } : {} };
  // cdk-nag 2.x keeps a reason with characters outside Latin-1 in base64, and decodes it when it reads it.
  if ([...reason].some(c => c.codePointAt(0)! > 255)) {
    return { reason: Buffer.from(reason).toString('base64'), ...rest, is_reason_encoded: true };
  }
  return { reason, ...rest };
}
