// The handler bundles and where their build writes each file: read by .projenrc.ts (the bundle tasks), by the SBOM
// generator (projenrc/sbom.ts) and by its check (test/sbom.test.ts), so the three never disagree on a path.
import * as path from 'path';

export interface HandlerBundle {
  /** The provider: src/handlers/NAME/index.ts. */
  readonly name: string;
  /** The entry point esbuild bundles. */
  readonly entrypoint: string;
  /** The bundle's file, in the asset folder Lambda receives (its hash is the asset's: nothing else goes there). */
  readonly outfile: string;
  /**
   * esbuild's metafile of the bundle (every input, and the bytes each put in the output): a build output, ignored by git
   * and npm, read by the SBOM generator and its check.
   */
  readonly metafile: string;
  /** The CycloneDX SBOM of the bundle, beside its asset folder: a build output like the bundle, shipped in the npm package. */
  readonly sbom: string;
}

/** Where the metafiles go: ignored by git and npm. */
export const METAFILE_DIR = 'build/esbuild';

/** Every path is relative to the repository's root, with forward slashes (as esbuild writes them in the metafile). */
export const HANDLER_BUNDLES: readonly HandlerBundle[] = ['provider', 'policy'].map(name => ({
  name,
  entrypoint: `src/handlers/${name}/index.ts`,
  outfile: `assets/handlers/${name}/index/index.js`,
  metafile: `${METAFILE_DIR}/handlers/${name}/index.meta.json`,
  sbom: `assets/handlers/${name}/sbom.cdx.json`,
}));

export const ROOT = path.join(__dirname, '..');
