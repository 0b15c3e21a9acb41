// Asset bytes per stack: the file assets a stack's cloud assembly lists (`*.assets.json`), which `cdk deploy` zips and
// uploads, for an importer stack and a sharer stack. Each asset is told apart as one of the library's handler bundles
// or the Provider framework's own runtime (aws-cdk-lib's), and measured raw and zipped.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { bundleFile, HANDLERS } from './handler-cost';
import { ACCOUNT } from './scaling-stacks';
import { ImportedComprehendModel, SharedModelPolicy } from '../src';

const SHARER = '111122223333';
/** The Region of the stacks measured (the endpoint is a custom resource of the stack's Comprehend provider in every Region). */
const REGION = 'eu-west-1';

/** The stacks measured. */
export type AssetStack = 'importer' | 'sharer';

/** Whose an asset is. */
export type AssetOwner = 'library' | 'framework' | 'other';

export interface AssetRow {
  readonly stack: AssetStack;
  /** What the asset is: `library: provider bundle`, `Provider framework runtime`, … */
  readonly asset: string;
  readonly owner: AssetOwner;
  /** The Lambda functions of the stack whose code it is. */
  readonly functions: number;
  readonly files: number;
  /** The bytes of the asset folder's files. */
  readonly rawBytes: number;
  /** The bytes of the folder zipped: `zip -q -r -X -9` (deflate, no extra attributes). */
  readonly zippedBytes: number;
}

export function measureAssets(): AssetRow[] {
  return [
    ...measureStack('importer', app => {
      const stack = new Stack(app, 'Importer', { env: { account: ACCOUNT, region: REGION } });
      const served = new ImportedComprehendModel(stack, 'Served', {
        sourceModelArn: `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/tickets/version/v1`,
      });
      served.addEndpoint('Live');
      new ImportedComprehendModel(stack, 'Encrypted', {
        sourceModelArn: `arn:aws:comprehend:${REGION}:${SHARER}:entity-recognizer/names/version/v1`,
        modelKey: new kms.Key(stack, 'ModelKey', { enableKeyRotation: true }),
      });
      return stack;
    }),
    ...measureStack('sharer', app => {
      const stack = new Stack(app, 'Sharer', { env: { account: SHARER, region: REGION } });
      // A model trained outside the stack: its policy is merged by the policy provider's custom resource.
      new SharedModelPolicy(stack, 'Share', {
        modelArn: `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/tickets/version/v1`,
        importerAccounts: [ACCOUNT],
      });
      return stack;
    }),
  ];
}

/** The sum of `measure` over the rows of `stack` (and `owner`, when given). */
export function assetTotal(rows: AssetRow[], stack: AssetStack, measure: 'rawBytes' | 'zippedBytes', owner?: AssetOwner): number {
  return rows.filter(r => r.stack === stack && (owner === undefined || r.owner === owner)).reduce((sum, r) => sum + r[measure], 0);
}

function measureStack(name: AssetStack, build: (app: App) => Stack): AssetRow[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-assets-'));
  try {
    const app = new App({ outdir });
    const stack = build(app);
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const template = JSON.parse(fs.readFileSync(artifact.templateFullPath, 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, `${artifact.stackName}.assets.json`), 'utf8'));
    const files: Record<string, { source: { path: string; packaging: string } }> = manifest.files ?? {};
    // The template is an asset too (`file` packaging); only the Lambda code is a folder that is zipped.
    return Object.entries(files).filter(([, asset]) => asset.source.packaging === 'zip').map(([hash, asset]) => {
      const folder = path.join(outdir, asset.source.path);
      const { label, owner } = identify(folder);
      return {
        stack: name,
        asset: label,
        owner,
        functions: functionsOf(template, hash),
        files: listFiles(folder).length,
        rawBytes: listFiles(folder).reduce((sum, file) => sum + fs.statSync(file).size, 0),
        zippedBytes: zippedSize(folder),
      };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** A library bundle when the folder is exactly that bundle's file; the Provider framework when it is its runtime. */
function identify(folder: string): { label: string; owner: AssetOwner } {
  const contents = listFiles(folder).map(file => path.relative(folder, file)).sort();
  for (const handler of HANDLERS) {
    if (contents.length === 1 && contents[0] === 'index.js' && sameBytes(path.join(folder, 'index.js'), bundleFile(handler))) {
      return { label: `library: ${handler} bundle (assets/handlers/${handler}/index)`, owner: 'library' };
    }
  }
  // Not an export of aws-cdk-lib: found from its package.json.
  const framework = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
  if (contents.every(file => fs.existsSync(path.join(framework, file)) && sameBytes(path.join(folder, file), path.join(framework, file)))) {
    return { label: 'Provider framework runtime (aws-cdk-lib)', owner: 'framework' };
  }
  return { label: `other: ${contents.join(', ')}`, owner: 'other' };
}

function functionsOf(template: any, hash: string): number {
  return Object.values<any>(template.Resources ?? {}).filter(r => r.Type === 'AWS::Lambda::Function'
    && JSON.stringify(r.Properties?.Code?.S3Key ?? '').includes(hash)).length;
}

function listFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(folder, entry.name);
    return entry.isDirectory() ? listFiles(file) : [file];
  });
}

function sameBytes(a: string, b: string): boolean {
  return fs.readFileSync(a).equals(fs.readFileSync(b));
}

function zippedSize(folder: string): number {
  const zipFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-zip-')), 'asset.zip');
  try {
    execFileSync('zip', ['-q', '-r', '-X', '-9', zipFile, '.'], { cwd: folder });
    return fs.statSync(zipFile).size;
  } finally {
    fs.rmSync(path.dirname(zipFile), { recursive: true, force: true });
  }
}
