// Where the fixed cost goes: the library's stack of one import against the waiting DIY's, by resource type, so a
// missed fixed-cost target says what the difference buys.
import { Template } from 'aws-cdk-lib/assertions';
import { Approach, scalingStack } from './scaling-stacks';

export interface FixedCostByType {
  readonly type: string;
  /** Resources of the type, and their bytes as the CDK writes the template (one-space indent). */
  readonly library: { readonly resources: number; readonly bytes: number };
  readonly waitingDiy: { readonly resources: number; readonly bytes: number };
}

/** One import, no keys: each approach's resources by type. */
export function measureFixedCostByType(): FixedCostByType[] {
  const byType = (approach: Approach) => {
    const resources = Template.fromStack(scalingStack({ approach, keys: false }, 1)).toJSON().Resources as Record<string, { Type: string }>;
    const totals = new Map<string, { resources: number; bytes: number }>();
    for (const [id, resource] of Object.entries(resources)) {
      const total = totals.get(resource.Type) ?? { resources: 0, bytes: 0 };
      total.resources++;
      // The bytes the resource takes in the file: its logical id, its body at its depth, and the separator.
      total.bytes += Buffer.byteLength(`  "${id}": ${JSON.stringify(resource, null, 1).replace(/\n/g, '\n  ')},\n`);
      totals.set(resource.Type, total);
    }
    return totals;
  };
  const library = byType('library');
  const waitingDiy = byType('diy-waiting');
  const none = { resources: 0, bytes: 0 };
  return [...new Set([...library.keys(), ...waitingDiy.keys()])].sort().map(type =>
    ({ type, library: library.get(type) ?? none, waitingDiy: waitingDiy.get(type) ?? none }));
}
