// The SBOM of each handler bundle (docs/sbom.md) against the bundle it describes. The test task bundles first, which
// writes each bundle, its esbuild metafile and its SBOM; this reads the metafile and the lockfile on its own (not with
// the generator's code) and checks that the SBOM lists exactly what esbuild put in the bundle, in the lockfile's
// versions, each with a license, that it is valid CycloneDX, and that it was written from this very bundle.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { HANDLER_BUNDLES } from '../projenrc/handler-bundles';
import { bundleContents, packageDirOf } from '../projenrc/sbom';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface LockEntry { readonly name?: string; readonly version: string; readonly license?: string }
const lock: { packages: Record<string, LockEntry> } = JSON.parse(read('package-lock.json'));
const packageJson = JSON.parse(read('package.json'));
const pins: { release: string; clients: string[]; smithyCore: string } = JSON.parse(read('projenrc/bundled-sdk.json'));

interface CdxLicense { readonly license?: { readonly id?: string; readonly name?: string }; readonly expression?: string }
interface CdxComponent {
  readonly 'type': string;
  readonly 'name': string;
  readonly 'group'?: string;
  readonly 'version': string;
  readonly 'purl': string;
  readonly 'bom-ref': string;
  readonly 'licenses'?: readonly CdxLicense[];
  readonly 'hashes'?: ReadonlyArray<{ readonly alg: string; readonly content: string }>;
}
interface Cdx {
  readonly metadata: { readonly component: CdxComponent };
  readonly components: readonly CdxComponent[];
  readonly dependencies: ReadonlyArray<{ readonly ref: string; readonly dependsOn?: readonly string[] }>;
}

const fullName = (component: CdxComponent) => component.group ? `${component.group}/${component.name}` : component.name;
const licenseText = (license: CdxLicense) => license.expression ?? license.license?.id ?? license.license?.name;

describe.each(HANDLER_BUNDLES)('the SBOM of the $name handler bundle ($sbom)', bundle => {
  const missing = [bundle.outfile, bundle.metafile, bundle.sbom].filter(file => !fs.existsSync(path.join(ROOT, file)));
  const text = missing.length === 0 ? read(bundle.sbom) : '{}';
  const sbom: Cdx = JSON.parse(text);

  test('the bundle, its metafile and its SBOM exist (npx projen bundle writes them)', () => {
    expect(missing).toEqual([]);
  });

  test('is CycloneDX 1.6, valid against its JSON schema (strict)', async () => {
    const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
    expect(errors).toBeNull();
  });

  test('lists exactly the packages that put code into the bundle, in the versions of package-lock.json', () => {
    // Every input of the bundle's output in esbuild's metafile that put bytes into it: a package's file, whose folder
    // is the last node_modules/NAME (or node_modules/@SCOPE/NAME) of its path, or one of the library's own sources.
    const metafile = JSON.parse(read(bundle.metafile));
    const inputs: Record<string, { bytesInOutput: number }> = metafile.outputs[bundle.outfile].inputs;
    const expected = new Set<string>();
    for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
      const dir = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
      if (bytesInOutput === 0) {
        continue;
      } else if (dir === undefined) {
        expect(file).toMatch(/^src\//);
      } else {
        const locked = lock.packages[dir];
        expected.add(`${locked.name ?? dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${locked.version}`);
      }
    }
    expect(sbom.components.map(c => `${fullName(c)}@${c.version}`).sort()).toEqual([...expected].sort());
    // Not vacuous: the Comprehend client is in every bundle, at the pinned release.
    expect([...expected]).toContain(`@aws-sdk/client-comprehend@${pins.release}`);
  });

  test('names each package by its npm package URL, with its license from the lockfile', () => {
    for (const component of sbom.components) {
      const name = fullName(component);
      expect(component.type).toBe('library');
      expect(component.purl).toBe(`pkg:npm/${name.replace(/^@/, '%40')}@${component.version}`);
      expect(component['bom-ref']).toBe(component.purl);
      const locked = Object.entries(lock.packages).find(([dir, entry]) =>
        (entry.name ?? dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length)) === name && entry.version === component.version)?.[1];
      expect(component.licenses?.map(licenseText)).toEqual([locked?.license]);
    }
  });

  test('describes this very bundle: a new bundle whose SBOM was not written again fails here', () => {
    const component = sbom.metadata.component;
    const sha256 = createHash('sha256').update(fs.readFileSync(path.join(ROOT, bundle.outfile))).digest('hex');
    expect(component.hashes).toEqual([{ alg: 'SHA-256', content: sha256 }]);
    expect(component.version).toBe(packageJson.version);
    expect(component.purl).toBe(`pkg:npm/${packageJson.name}@${packageJson.version}#${bundle.outfile}`);
    expect(component.licenses?.map(licenseText)).toEqual([packageJson.license]);
  });

  test('its dependency graph names only the bundle and its components, and reaches every component from the bundle', () => {
    const refs = new Set([sbom.metadata.component['bom-ref'], ...sbom.components.map(c => c['bom-ref'])]);
    const edges = new Map(sbom.dependencies.map(d => [d.ref, d.dependsOn ?? []]));
    expect([...edges.values()].flat().filter(ref => !refs.has(ref))).toEqual([]);
    const reached = new Set<string>();
    const visit = (ref: string) => {
      if (!reached.has(ref)) {
        reached.add(ref);
        (edges.get(ref) ?? []).forEach(visit);
      }
    };
    visit(sbom.metadata.component['bom-ref']);
    expect([...refs].filter(ref => !reached.has(ref))).toEqual([]);
  });
});

test('the bundled SDK clients are on one release, and the lockfile holds the pins of projenrc/bundled-sdk.json', () => {
  for (const client of pins.clients) {
    expect(lock.packages[`node_modules/${client}`].version).toBe(pins.release);
  }
  expect(lock.packages['node_modules/@smithy/core'].version).toBe(pins.smithyCore);
  expect(packageJson.devDependencies['@smithy/core']).toBe(pins.smithyCore);
  // Every SDK client in a bundle is of that release.
  const clients = HANDLER_BUNDLES.flatMap(bundle => (JSON.parse(read(bundle.sbom)) as Cdx).components)
    .filter(c => c.group === '@aws-sdk' && c.name.startsWith('client-'));
  expect(clients.length).toBeGreaterThan(0);
  expect(clients.filter(c => c.version !== pins.release)).toEqual([]);
});

// The checks above read the metafile and the lockfile without the generator's code; these run it on what the bundles
// do not have today.
describe('the generator (projenrc/sbom.ts) on inputs the bundles do not have today', () => {
  test('a file of a nested or scoped package belongs to the innermost package; a source of src/ to none', () => {
    expect(packageDirOf('node_modules/a/node_modules/@s/b/dist-es/x.js')).toBe('node_modules/a/node_modules/@s/b');
    expect(packageDirOf('node_modules/@aws-sdk/core/dist-es/index.js')).toBe('node_modules/@aws-sdk/core');
    expect(packageDirOf('src/handlers/policy/index.ts')).toBeUndefined();
    expect(() => packageDirOf('(disabled):fs')).toThrow(/neither the library's own source/);
  });

  test('two versions of a package, a license only in package.json, and a package without a license', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sbom-'));
    const write = (dir: string, manifest: object) => {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      fs.writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify(manifest));
    };
    write('node_modules/a', { name: 'a', version: '1.0.0', license: 'MIT' });
    write('node_modules/b', { name: 'b', version: '2.0.0' });
    write('node_modules/a/node_modules/b', { name: 'b', version: '1.0.0', licenses: [{ type: 'MIT' }, { type: 'ISC' }] });
    const bundle = { ...HANDLER_BUNDLES[0], outfile: 'out.js' };
    const metafile = {
      inputs: {
        'src/x.ts': { bytes: 1, imports: [{ path: 'node_modules/a/index.js', kind: 'import-statement' }] },
        'node_modules/a/index.js': { bytes: 1, imports: [{ path: 'node_modules/a/node_modules/b/index.js', kind: 'require-call' }] },
        'node_modules/a/node_modules/b/index.js': { bytes: 1, imports: [] },
        'node_modules/b/index.js': { bytes: 1, imports: [] },
      },
      outputs: {
        'out.js': {
          bytes: 4,
          inputs: {
            'src/x.ts': { bytesInOutput: 1 },
            'node_modules/a/index.js': { bytesInOutput: 1 },
            'node_modules/a/node_modules/b/index.js': { bytesInOutput: 1 },
            'node_modules/b/index.js': { bytesInOutput: 0 },
          },
        },
      },
    };
    const packages = {
      'node_modules/a': { version: '1.0.0' },
      'node_modules/b': { version: '2.0.0' },
      'node_modules/a/node_modules/b': { version: '1.0.0' },
    };
    const contents = bundleContents(bundle, metafile, { lockfileVersion: 3, packages }, root);
    expect(contents.packages.map(p => [p.dir, `${p.name}@${p.version}`, p.license, p.imports])).toEqual([
      ['node_modules/a', 'a@1.0.0', 'MIT', ['node_modules/a/node_modules/b']],
      ['node_modules/a/node_modules/b', 'b@1.0.0', 'MIT OR ISC', []],
    ]);
    expect(contents.imports).toEqual(['node_modules/a']);
    expect(contents.ownSources).toEqual(['src/x.ts']);

    // b@2.0.0 names no license anywhere: once it puts code into the bundle, the SBOM cannot be written.
    metafile.outputs['out.js'].inputs['node_modules/b/index.js'].bytesInOutput = 1;
    expect(() => bundleContents(bundle, metafile, { lockfileVersion: 3, packages }, root)).toThrow(/b@2.0.0 .* names no license/);
    fs.rmSync(root, { recursive: true });
  });
});
