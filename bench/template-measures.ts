// What a synthesized template costs against CloudFormation's and IAM's limits.
//
// IAM counts the characters of a policy as deployed, without whitespace, so the policies are measured with their
// intrinsic functions resolved to values of deployed length: this account and Region, and physical names and ARNs
// as long as CloudFormation generates them.
import * as fs from 'fs';

/** CloudFormation's and IAM's limits that grow with a stack's models. */
export const LIMITS = {
  /** Resources in one template. */
  resources: 500,
  /** Bytes of a template uploaded through S3, as the CDK CLI does. */
  templateBytes: 1_000_000,
  /** Characters of all inline policies of one role together. */
  roleInlinePolicyChars: 10_240,
  /** Characters of one customer managed policy. */
  managedPolicyChars: 6_144,
  /** Characters of a role's trust policy (the default quota). */
  trustPolicyChars: 2_048,
} as const;

export type Limit = keyof typeof LIMITS;

export interface TemplateMeasures {
  readonly templateBytes: number;
  readonly resources: number;
  readonly functions: number;
  /** Characters of the inline policies of the role that calls ImportModel (the handler's), together. */
  readonly handlerRolePolicyChars: number;
  /** The role whose inline policies are the largest together, and their size. */
  readonly largestRole: { readonly logicalId: string; readonly inlinePolicyChars: number };
  readonly largestManagedPolicyChars: number;
  readonly largestTrustPolicyChars: number;
}

/**
 * Measures a synthesized template file as CloudFormation and IAM would see it deployed in `account` and `region`.
 * Its bytes are those of the file the CDK CLI uploads (the CDK indents templates unless told not to).
 */
export function measureTemplateFile(templateFile: string, account: string, region: string): TemplateMeasures {
  const text = fs.readFileSync(templateFile, 'utf8');
  const template = JSON.parse(text);
  const resources: Record<string, any> = template.Resources ?? {};
  const resolve = resolver(resources, account, region);
  const size = (document: unknown) => JSON.stringify(resolve(document)).length;

  const inline = new Map<string, number>();
  const importers = new Set<string>();
  const addInline = (role: unknown, document: unknown) => {
    const logicalId = (role as { Ref?: string }).Ref;
    if (logicalId) {
      inline.set(logicalId, (inline.get(logicalId) ?? 0) + size(document));
      if (JSON.stringify(document).includes('"comprehend:ImportModel"')) {
        importers.add(logicalId);
      }
    }
  };
  let largestManagedPolicyChars = 0;
  let largestTrustPolicyChars = 0;
  for (const [logicalId, resource] of Object.entries(resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of properties.Policies ?? []) {
        addInline({ Ref: logicalId }, policy.PolicyDocument);
      }
      largestTrustPolicyChars = Math.max(largestTrustPolicyChars, size(properties.AssumeRolePolicyDocument));
    } else if (resource.Type === 'AWS::IAM::Policy') {
      for (const role of properties.Roles ?? []) {
        addInline(role, properties.PolicyDocument);
      }
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      largestManagedPolicyChars = Math.max(largestManagedPolicyChars, size(properties.PolicyDocument));
    }
  }
  const [largestRoleId, largestRoleChars] = [...inline].sort(([, a], [, b]) => b - a)[0] ?? ['none', 0];

  return {
    templateBytes: Buffer.byteLength(text),
    resources: Object.keys(resources).length,
    functions: Object.values(resources).filter(r => r.Type === 'AWS::Lambda::Function').length,
    handlerRolePolicyChars: Math.max(0, ...[...importers].map(role => inline.get(role) ?? 0)),
    largestRole: { logicalId: largestRoleId, inlinePolicyChars: largestRoleChars },
    largestManagedPolicyChars,
    largestTrustPolicyChars,
  };
}

/** The limits `measures` breaks, with the measured value of each. */
export function brokenLimits(measures: TemplateMeasures): Partial<Record<Limit, number>> {
  const values: Record<Limit, number> = {
    resources: measures.resources,
    templateBytes: measures.templateBytes,
    roleInlinePolicyChars: measures.largestRole.inlinePolicyChars,
    managedPolicyChars: measures.largestManagedPolicyChars,
    trustPolicyChars: measures.largestTrustPolicyChars,
  };
  return Object.fromEntries(Object.entries(values).filter(([limit, value]) => value > LIMITS[limit as Limit]));
}

/** Replaces intrinsic functions with values as long as the deployed ones. */
function resolver(resources: Record<string, any>, account: string, region: string): (value: unknown) => unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Importer',
  };
  // CloudFormation names a resource <stack>-<logical id, cut>-<12 random characters>, 64 characters at most.
  const physicalName = (logicalId: string) => `Importer-${logicalId}`.slice(0, 51) + '-ABCDEFGHIJKL';
  const arnOf = (logicalId: string) => {
    const name = physicalName(logicalId);
    switch (resources[logicalId]?.Type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${account}:role/${name}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
      default: return `arn:aws:comprehend:${region}:${account}:document-classifier/${name}/version/${name}`;
    }
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(resolve);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const entries = Object.entries(value);
    const [fn, arg] = entries[0] ?? [];
    if (entries.length === 1 && fn === 'Ref') {
      return pseudo[arg as string] ?? physicalName(arg as string);
    }
    if (entries.length === 1 && fn === 'Fn::GetAtt') {
      const [logicalId] = arg as string[];
      return arnOf(logicalId);
    }
    if (entries.length === 1 && fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (resolve(parts) as unknown[]).join(separator);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}
