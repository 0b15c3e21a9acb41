// The CycloneDX SBOM of each handler bundle (docs/sbom.md): the packages esbuild put in the bundle, read from its
// metafile, with their versions and licenses from package-lock.json, written with @cyclonedx/cyclonedx-library's models
// and serializer to assets/handlers/NAME/sbom.cdx.json. The bundle task runs it after esbuild (.projenrc.ts).
//
// Reproducible: the same bundle, lockfile and version give the same bytes (no timestamp, lists sorted, and a serial
// number derived from the SBOM's own content), so two builds of a release ship the same SBOM. Like the bundles, the
// SBOMs are build outputs (assets/ is not committed). It rewrites a file only when its content changes.
//
// Usage: ts-node projenrc/sbom.ts [NAME...]   (every bundle of projenrc/handler-bundles.ts when none is named)
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Contrib, Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { HANDLER_BUNDLES, HandlerBundle, ROOT } from './handler-bundles';

// spdx-expression-parse ships no types: it throws on anything that is not an SPDX license expression.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdxExpressionParse: (expression: string) => unknown = require('spdx-expression-parse');

/** The parts of esbuild's metafile read here (https://esbuild.github.io/api/#metafile). */
export interface Metafile {
  readonly inputs: Record<string, {
    readonly bytes: number;
    readonly imports: ReadonlyArray<{ readonly path: string; readonly kind: string; readonly external?: boolean }>;
  }>;
  readonly outputs: Record<string, {
    readonly bytes: number;
    readonly inputs: Record<string, { readonly bytesInOutput: number }>;
  }>;
}

/** The parts of package-lock.json (lockfileVersion 2 or 3) read here. */
export interface PackageLock {
  readonly lockfileVersion: number;
  readonly packages: Record<string, {
    readonly name?: string;
    readonly version?: string;
    readonly license?: string;
    readonly link?: boolean;
  }>;
}

/** A package esbuild put code of into a bundle. */
export interface BundledPackage {
  /** Its folder, as the lockfile keys it: `node_modules/@aws-sdk/core`, or a nested `node_modules/a/node_modules/b`. */
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** An SPDX license id or expression (or, for a package that names none, its license's name). */
  readonly license: string;
  /** The folders of the other bundled packages whose files its bundled files import. */
  readonly imports: readonly string[];
}

/** What esbuild bundled: its packages, and the ones the library's own sources (src/) import. */
export interface BundleContents {
  readonly packages: readonly BundledPackage[];
  /** The folders of the packages the library's own sources import. */
  readonly imports: readonly string[];
  /** The library's own source files in the bundle. */
  readonly ownSources: readonly string[];
}

/**
 * The folder of the package a metafile input belongs to (`node_modules/NAME` or `node_modules/@SCOPE/NAME`, nested ones
 * included), or undefined for the library's own sources (src/). Anything else (a plugin's namespace, a file outside the
 * repository) is refused: the SBOM could not name it.
 */
export function packageDirOf(input: string): string | undefined {
  if (input.startsWith('src/')) {
    return undefined;
  }
  const match = /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(input);
  if (!input.startsWith('node_modules/') || !match) {
    throw new Error(`esbuild bundled ${input}, which is neither the library's own source (src/) nor a package's file (node_modules/)`);
  }
  return match[1].slice(0, -1);
}

/**
 * The packages of a bundle: each package one of whose files put at least one byte into the output (a package esbuild
 * read but tree-shook away entirely is not in it), with the lockfile's name, version and license (the license from the
 * package.json on disk when the lockfile has none).
 */
export function bundleContents(bundle: HandlerBundle, metafile: Metafile, lock: PackageLock, root = ROOT): BundleContents {
  const output = metafile.outputs[bundle.outfile];
  if (!output) {
    throw new Error(`${bundle.metafile} has no output ${bundle.outfile}: it is not this bundle's metafile`);
  }
  const bundledFiles = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file);
  const dirs = new Set(bundledFiles.map(packageDirOf).filter((dir): dir is string => dir !== undefined));

  // Which bundled package imports which, from the import edges of every input esbuild read.
  const importsOf = (from: string | undefined) => {
    const targets = new Set<string>();
    for (const [file, input] of Object.entries(metafile.inputs)) {
      if (packageDirOf(file) !== from) {
        continue;
      }
      for (const imported of input.imports) {
        if (imported.external) {
          continue;
        }
        const target = packageDirOf(imported.path);
        if (target !== undefined && target !== from && dirs.has(target)) {
          targets.add(target);
        }
      }
    }
    return [...targets].sort();
  };

  const packages = [...dirs].sort().map(dir => {
    const locked = lock.packages[dir];
    if (!locked?.version) {
      throw new Error(`${dir} is in the bundle ${bundle.outfile} but not in package-lock.json: run npm install`);
    }
    const onDisk = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    if (onDisk.version !== locked.version) {
      throw new Error(`${dir} is ${onDisk.version} on disk and ${locked.version} in package-lock.json: run npm ci`);
    }
    const name = locked.name ?? dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const license = locked.license ?? licenseOfPackageJson(onDisk);
    if (!license) {
      throw new Error(`${name}@${locked.version} (${dir}) names no license in package-lock.json nor in its package.json`);
    }
    return { dir, name, version: locked.version, license, imports: importsOf(dir) };
  });
  const ownSources = bundledFiles.filter(file => packageDirOf(file) === undefined).sort();
  return { packages, imports: importsOf(undefined), ownSources };
}

/** package.json's `license` (a string, or the old `{ type }` object), or its old `licenses` list as an OR expression. */
function licenseOfPackageJson(packageJson: { license?: unknown; licenses?: unknown }): string | undefined {
  const typeOf = (license: unknown) => typeof license === 'string' ? license : (license as { type?: string } | undefined)?.type;
  const license = typeOf(packageJson.license);
  if (license) {
    return license;
  }
  const licenses = Array.isArray(packageJson.licenses) ? packageJson.licenses.map(typeOf).filter(Boolean) : [];
  return licenses.length > 0 ? licenses.join(' OR ') : undefined;
}

/** The npm package URL of a package: `pkg:npm/%40aws-sdk/core@3.974.6`. */
export function npmPurl(name: string, version: string, subpath?: string): string {
  const [namespace, base] = name.startsWith('@') ? name.split('/', 2) : [undefined, name];
  return new PackageURL('npm', namespace, base, version, undefined, subpath).toString();
}

/** What the SBOM says about the library the bundle ships in. */
export interface LibraryInfo {
  readonly name: string;
  readonly version: string;
  readonly license: string;
}

const licenseFactory = new Contrib.License.Factories.LicenseFactory(spdxExpressionParse);

/** The SBOM of a bundle: its component is the bundle itself, its components the packages esbuild put in it. */
export function makeBom(bundle: HandlerBundle, contents: BundleContents, bundleBytes: Buffer, library: LibraryInfo): Models.Bom {
  const bom = new Models.Bom();
  bom.metadata.lifecycles.add(Enums.LifecyclePhase.Build);
  for (const tool of ['esbuild', '@cyclonedx/cyclonedx-library']) {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', tool, 'package.json'), 'utf8'));
    bom.metadata.tools.components.add(libraryComponent(tool, version, { bomRef: `tool:${tool}` }));
  }

  const purls = new Map(contents.packages.map(p => [p.dir, npmPurl(p.name, p.version)]));
  const handler = new Models.Component(Enums.ComponentType.Application, `${library.name}/handlers/${bundle.name}`, {
    bomRef: npmPurl(library.name, library.version, bundle.outfile),
    purl: npmPurl(library.name, library.version, bundle.outfile),
    version: library.version,
    description: `The Lambda handler bundle ${bundle.outfile} of the npm package ${library.name}: the library's own `
      + `handler code (${bundle.entrypoint} and what it imports from src/) and the packages listed as components, `
      + 'bundled by esbuild.',
  });
  handler.licenses.add(licenseFactory.makeFromString(library.license));
  handler.hashes.set(Enums.HashAlgorithm['SHA-256'], createHash('sha256').update(bundleBytes).digest('hex'));
  bom.metadata.component = handler;

  // One component per package and version: two copies of one version (a lockfile npm could not dedupe) are one package.
  // No hashes: the lockfile's integrity is that of the package's tarball, of which the bundle holds a tree-shaken part,
  // so nothing in the bundle could be checked against it; the purl names the package for a registry or a scanner.
  const components = new Map<string, Models.Component>();
  for (const bundled of contents.packages) {
    const purl = purls.get(bundled.dir)!;
    if (!components.has(purl)) {
      const component = libraryComponent(bundled.name, bundled.version, { bomRef: purl, purl });
      component.licenses.add(licenseFactory.makeFromString(bundled.license));
      components.set(purl, component);
      bom.components.add(component);
    }
  }
  // The graph: which package's bundled code imports which (its edges are the components' own bom-refs).
  const refOf = (dir: string) => components.get(purls.get(dir)!)!.bomRef;
  for (const bundled of contents.packages) {
    bundled.imports.forEach(dir => components.get(purls.get(bundled.dir)!)!.dependencies.add(refOf(dir)));
  }
  contents.imports.forEach(dir => handler.dependencies.add(refOf(dir)));
  return bom;
}

function libraryComponent(name: string, version: string, options: { bomRef: string; purl?: string }): Models.Component {
  const [group, base] = name.startsWith('@') ? name.split('/', 2) : [undefined, name];
  return new Models.Component(Enums.ComponentType.Library, base, { group, version, ...options });
}

/**
 * The SBOM as JSON, CycloneDX 1.6, lists sorted, with a serial number derived from the rest of its content (a UUID of
 * version 8, the RFC 9562 version for custom UUIDs, from its SHA-256): the same bundle and lockfile give the same bytes.
 * The serializer's JSON is laid out one line per top-level member and per entry of a top-level list (a component, an
 * entry of the dependency graph): it ships in the npm package, whose size has a budget, and a change to one package is
 * one line of the diff.
 */
export function serializeBom(bom: Models.Bom): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  bom.serialNumber = undefined;
  const digest = createHash('sha256').update(serializer.serialize(bom, { sortLists: true })).digest();
  digest[6] = 0x80 + digest[6] % 0x10; // version 8
  digest[8] = 0x80 + digest[8] % 0x40; // variant 10
  const hex = digest.subarray(0, 16).toString('hex');
  bom.serialNumber = `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const normalized: Record<string, unknown> = JSON.parse(serializer.serialize(bom, { sortLists: true }));
  const members = Object.entries(normalized).map(([key, value]) => `${JSON.stringify(key)}:${Array.isArray(value)
    ? `[\n${value.map(entry => JSON.stringify(entry)).join(',\n')}\n]`
    : JSON.stringify(value)}`);
  return `{\n${members.join(',\n')}\n}\n`;
}

/** The SBOM of one bundle, from its metafile, the bundle, the lockfile and package.json as they are on disk. */
export function generateSbom(bundle: HandlerBundle, root = ROOT): string {
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
  if (!fs.existsSync(path.join(root, bundle.metafile))) {
    throw new Error(`${bundle.metafile} is missing: bundle the handlers first (npx projen bundle)`);
  }
  const metafile: Metafile = JSON.parse(read(bundle.metafile));
  const lock: PackageLock = JSON.parse(read('package-lock.json'));
  const packageJson = JSON.parse(read('package.json'));
  const contents = bundleContents(bundle, metafile, lock, root);
  const bom = makeBom(bundle, contents, fs.readFileSync(path.join(root, bundle.outfile)), {
    name: packageJson.name, version: packageJson.version, license: packageJson.license,
  });
  return serializeBom(bom);
}

if (require.main === module) {
  const names = process.argv.slice(2);
  const unknown = names.filter(name => !HANDLER_BUNDLES.some(bundle => bundle.name === name));
  if (unknown.length > 0) {
    throw new Error(`no handler bundle named ${unknown.join(', ')}`);
  }
  for (const bundle of HANDLER_BUNDLES.filter(b => names.length === 0 || names.includes(b.name))) {
    const sbom = generateSbom(bundle);
    const file = path.join(ROOT, bundle.sbom);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== sbom) {
      fs.writeFileSync(file, sbom);
    }
  }
}
