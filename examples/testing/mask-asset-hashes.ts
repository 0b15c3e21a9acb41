// A jest snapshot serializer for CloudFormation templates that masks asset hashes. They change whenever the library
// is rebuilt or upgraded: its Lambda handlers are assets, and the S3Key of their code is the bundle's hash
// (`<64 hex>.zip`). Masked, a snapshot changes only when the template says something else. In a test file (or, for
// every test file, in a file that jest's `setupFilesAfterEnv` names):
//   expect.addSnapshotSerializer(maskAssetHashes);

/** What stands for an asset hash in a snapshot. */
export const ASSET_HASH_MASK = '<asset-hash>';

/** A SHA-256 in hex, as CDK names assets: 64 hex digits, and no more on either side. */
const ASSET_HASH = '(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])';

/**
 * Prints each string that holds an asset hash with the hash masked, and leaves everything else to jest: a plugin of
 * pretty-format, which jest's snapshots print with. `test` picks the values, `serialize` prints one of them.
 */
export const maskAssetHashes: jest.SnapshotSerializerPlugin = {
  test: value => typeof value === 'string' && new RegExp(ASSET_HASH).test(value),
  // The masked string holds no hash, so `test` hands it on to jest's own printing of strings.
  serialize: (value: string, config, indentation, depth, refs, printer) =>
    printer(value.replace(new RegExp(ASSET_HASH, 'g'), ASSET_HASH_MASK), config, indentation, depth, refs),
};
