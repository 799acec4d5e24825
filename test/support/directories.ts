/**
 * Directory CIDs in tests: settling a bucket's directories without a queue, and the
 * CIDs an independent implementation (ipfs-unixfs-importer 17 with kubo's options)
 * gives for the same tree, to compare ours against.
 */
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer-kubo';
import { addressDirectory, type DirectoryAddress } from '../../lib/domain/directories';
import type { StorageDeps } from '../../lib/domain/storage';

/**
 * Brings every directory of a bucket, and its root, up to date: recomputes them deepest
 * first (a directory after its subdirectories, the root last) with `addressDirectory`,
 * as the queue's recompute messages would, and goes over the bucket again until a pass
 * changes nothing. What the integration tests call instead of waiting for a queue (they
 * have none). Returns each directory's address by path (`''` = the root).
 */
export async function settleDirectories(deps: StorageDeps, bucketUuid: string): Promise<Map<string, DirectoryAddress>> {
  for (let pass = 0; pass < 5; pass++) {
    const claims = (await deps.entries.listSubtreeClaims(bucketUuid, '')).filter((claim) => claim.type === 'directory');
    const deepestFirst = claims.sort((a, b) => depth(b.path) - depth(a.path) || (a.path < b.path ? -1 : 1));
    const addresses = new Map<string, DirectoryAddress>();
    let changed = false;
    for (const claim of [...deepestFirst, { path: '', entryUuid: null }]) {
      const address = await addressDirectory(deps, bucketUuid, claim.entryUuid);
      if (!address) continue; // removed meanwhile
      addresses.set(claim.path, address);
      changed ||= address.changed;
    }
    if (!changed) return addresses;
  }
  throw new Error(`The directories of bucket ${bucketUuid} did not settle`);
}

function depth(path: string): number {
  return path.split('/').length;
}

/**
 * The CID of every directory of a tree (`''` = the wrapping root) as `ipfs add -r` computes it
 * with kubo's options (profile unixfs-v0-2015: 256 KiB chunks, 174 links, dag-pb leaves,
 * links-bytes HAMT sharding at 256 KiB): `cidVersion` 1 is `--cid-version=1 --raw-leaves=false`,
 * 0 kubo's default. `emptyDirectories` are paths of directories with nothing in them.
 */
export async function importerDirectoryCids(
  files: ReadonlyMap<string, Uint8Array>,
  emptyDirectories: readonly string[],
  cidVersion: 0 | 1,
): Promise<Map<string, string>> {
  const directories = new Set<string>(['', ...emptyDirectories]);
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let length = 1; length < parts.length; length++) directories.add(parts.slice(0, length).join('/'));
  }
  const cids = new Map<string, string>();
  const source = [...[...files].map(([path, content]) => ({ path, content })), ...emptyDirectories.map((path) => ({ path }))];
  for await (const entry of importer(source, new MemoryBlockstore(), { profile: 'unixfs-v0-2015', cidVersion, rawLeaves: false, wrapWithDirectory: true })) {
    const path = entry.path ?? '';
    if (directories.has(path)) cids.set(path, entry.cid.toString());
  }
  // The importer links an empty directory into its parent but does not yield it: import it on its own.
  for (const path of emptyDirectories) {
    for await (const entry of importer([{ path }], new MemoryBlockstore(), { profile: 'unixfs-v0-2015', cidVersion, rawLeaves: false })) {
      if (entry.path === path) cids.set(path, entry.cid.toString());
    }
  }
  return cids;
}
