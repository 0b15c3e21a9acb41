// The bundled SDK's part of `npx projen upgrade` (its post-upgrade task, .projenrc.ts; docs/releasing.md). projen's own
// upgrade leaves exact pins alone, so it never moves the SDK the handler bundles ship. This does, in two steps:
//
//   pins [--dry-run]  projenrc/bundled-sdk.json: the clients to the newest SDK release that every one of them has
//                     published (so they stay on one release and share @aws-sdk/core), and @smithy/core to the newest
//                     version that release's Comprehend client accepts. Three look-ups in the npm registry; --dry-run
//                     prints the pins without writing them. `npx projen` then writes them into package.json and installs.
//   transitive        `npm update` of every package the bundles' SBOMs list (assets/handlers/*/sbom.cdx.json): the
//                     SDK's own dependencies (@aws-sdk/core, the credential providers, @smithy/*) to the newest versions
//                     their dependents' ranges allow, wherever they are in the tree.
//
// It never moves a pin backwards, and never to a prerelease.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HANDLER_BUNDLES, ROOT } from './handler-bundles';

const PINS_FILE = path.join(ROOT, 'projenrc', 'bundled-sdk.json');

interface BundledSdk {
  readonly $comment: string;
  readonly release: string;
  readonly clients: readonly string[];
  readonly smithyCore: string;
}

/** A field of a package's registry entry, as `npm view SPEC FIELD --json` gives it. */
function npmView(spec: string, field: string): unknown {
  const output = execFileSync('npm', ['view', spec, field, '--json'], { cwd: ROOT, encoding: 'utf8' }).trim();
  return output ? JSON.parse(output) : undefined;
}

const STABLE = /^(\d+)\.(\d+)\.(\d+)$/;

/** Compares two stable versions (x.y.z). */
export function compareVersions(a: string, b: string): number {
  const [, ...pa] = STABLE.exec(a)!.map(Number);
  const [, ...pb] = STABLE.exec(b)!.map(Number);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** The newest stable version of a list (npm view gives one version as a string, several as an array). */
export function newestStable(versions: unknown): string | undefined {
  const list = (Array.isArray(versions) ? versions : [versions]).filter((v): v is string => typeof v === 'string' && STABLE.test(v));
  return list.sort(compareVersions).pop();
}

/** The newest stable release every one of the clients has published. */
export function newestCommonRelease(versionsByClient: ReadonlyArray<readonly string[]>): string | undefined {
  const [first, ...rest] = versionsByClient;
  return newestStable(first.filter(version => rest.every(versions => versions.includes(version))));
}

function upgradePins(dryRun: boolean): void {
  const pins: BundledSdk = JSON.parse(fs.readFileSync(PINS_FILE, 'utf8'));
  const release = newestCommonRelease(pins.clients.map(client => npmView(client, 'versions') as string[]));
  if (!release) {
    throw new Error(`the registry has no release that all of ${pins.clients.join(', ')} published`);
  }
  const next = { ...pins, release: compareVersions(release, pins.release) > 0 ? release : pins.release };
  const comprehendDeps = npmView(`${pins.clients[0]}@${next.release}`, 'dependencies') as Record<string, string>;
  const smithyRange = comprehendDeps['@smithy/core'];
  if (!smithyRange) {
    throw new Error(`${pins.clients[0]}@${next.release} no longer depends on @smithy/core: review what the handlers import from it`);
  }
  const smithyCore = newestStable(npmView(`@smithy/core@${smithyRange}`, 'version'));
  if (!smithyCore) {
    throw new Error(`the registry has no @smithy/core in ${smithyRange}`);
  }
  const upgraded: BundledSdk = { ...next, smithyCore: compareVersions(smithyCore, pins.smithyCore) > 0 ? smithyCore : pins.smithyCore };
  console.log(`bundled SDK: clients ${pins.release} -> ${upgraded.release}, @smithy/core ${pins.smithyCore} -> ${upgraded.smithyCore}`
    + ` (${pins.clients[0]}@${upgraded.release} accepts ${smithyRange})`);
  if (!dryRun) {
    fs.writeFileSync(PINS_FILE, JSON.stringify(upgraded, undefined, 2) + '\n');
  }
}

function upgradeTransitive(): void {
  const names = new Set<string>();
  for (const bundle of HANDLER_BUNDLES) {
    const sbom = JSON.parse(fs.readFileSync(path.join(ROOT, bundle.sbom), 'utf8'));
    for (const component of sbom.components as Array<{ group?: string; name: string }>) {
      names.add(component.group ? `${component.group}/${component.name}` : component.name);
    }
  }
  const list = [...names].sort();
  console.log(`npm update ${list.join(' ')}`);
  execFileSync('npm', ['update', ...list], { cwd: ROOT, stdio: 'inherit' });
}

if (require.main === module) {
  const [step, ...options] = process.argv.slice(2);
  if (step === 'pins') {
    upgradePins(options.includes('--dry-run'));
  } else if (step === 'transitive') {
    upgradeTransitive();
  } else {
    throw new Error('usage: upgrade-bundled-sdk.ts pins [--dry-run] | transitive');
  }
}
