// The fixed cost of serving: what one endpoint adds to a stack that imports one model, through the stack's one
// provider, against the import alone, in two Regions (the endpoint is the same custom resource in every Region).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ACCOUNT } from './scaling-stacks';
import { measureTemplateFile, TemplateMeasures } from './template-measures';
import { ImportedComprehendModel } from '../src';

const SHARER = '111122223333';

/** The stacks compared: an import alone, and with one endpoint. */
export type FixedCostCase = 'import alone' | 'import + endpoint';

export interface FixedCostRow {
  readonly stack: FixedCostCase;
  readonly region: string;
  readonly measures: TemplateMeasures;
}

const CASES: ReadonlyArray<{ readonly stack: FixedCostCase; readonly region: string; readonly endpoint: boolean }> = [
  { stack: 'import alone', region: 'eu-west-1', endpoint: false },
  { stack: 'import + endpoint', region: 'eu-west-1', endpoint: true },
  { stack: 'import alone', region: 'us-west-2', endpoint: false },
  { stack: 'import + endpoint', region: 'us-west-2', endpoint: true },
];

export function measureFixedCost(): FixedCostRow[] {
  return CASES.map(({ stack: name, region, endpoint }) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fixed-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Serving', { env: { account: ACCOUNT, region } });
      const model = new ImportedComprehendModel(stack, 'Copy', {
        sourceModelArn: `arn:aws:comprehend:${region}:${SHARER}:document-classifier/tickets/version/v1`,
      });
      if (endpoint) {
        model.addEndpoint('Live');
      }
      const assembly = app.synth();
      return { stack: name, region, measures: measureTemplateFile(assembly.getStackByName(stack.stackName).templateFullPath, ACCOUNT, region) };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
}
