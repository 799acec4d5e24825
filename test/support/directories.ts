/**
 * Directory CIDs in tests: settling a bucket's directories without a queue, and the
 * CIDs an independent implementation (ipfs-unixfs-importer 17 with kubo's options)
 * gives for the same tree, to compare ours against.
 */
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer-kubo';
import { addressDirectory, type DirectoryAddress } from '../../lib/core/directories/directories';
import type { FileRecord } from '../../lib/core/model/entries';
import type { DirectoryRef, LifecycleQueue } from '../../lib/core/ports';
import type { StorageDeps } from '../../lib/core/ports/storage';

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
  for (const path of [...files.keys(), ...emptyDirectories.map((directory) => `${directory}/`)]) {
    const parts = path.split('/');
    for (let length = 1; length < parts.length; length++) directories.add(parts.slice(0, length).join('/'));
  }
  const cids = new Map<string, string>();
  const source = [...[...files].map(([path, content]) => ({ path, content })), ...emptyDirectories.map((path) => ({ path }))];
  for await (const entry of importer(source, new MemoryBlockstore(), { profile: 'unixfs-v0-2015', cidVersion, rawLeaves: false, wrapWithDirectory: true })) {
    const path = entry.path ?? '';
    if (directories.has(path)) cids.set(path, entry.cid.toString());
  }
  // The importer links an empty directory into its parent but does not yield it: import it on its own, at the top.
  for (const path of emptyDirectories) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    for await (const entry of importer([{ path: name }], new MemoryBlockstore(), { profile: 'unixfs-v0-2015', cidVersion, rawLeaves: false })) {
      if (entry.path === name) cids.set(path, entry.cid.toString());
    }
  }
  return cids;
}

/**
 * A lifecycle queue that keeps what is sent to it, for tests that deliver the directory
 * recompute messages themselves (in order, reordered, replayed, or not at all).
 */
export class CapturingQueue implements LifecycleQueue {
  readonly files: Pick<FileRecord, 'bucketUuid' | 'uuid'>[] = [];
  private pending: DirectoryRef[] = [];
  /** Every directory message ever sent, in order. */
  readonly sent: DirectoryRef[] = [];

  async enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void> {
    this.files.push(...files);
  }

  async enqueueDirectories(directories: readonly DirectoryRef[]): Promise<void> {
    this.pending.push(...directories);
    this.sent.push(...directories);
  }

  /** The directory messages sent since the last take (the queue forgets them). */
  take(): DirectoryRef[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}

/**
 * Delivers the queue's directory messages to `addressDirectory` until none is left (the
 * recomputes send more: parents), `order` arranging each round's messages (reversed,
 * duplicated, ...). `deps` should carry `queue` as its lifecycleQueue.
 */
export async function drainDirectoryMessages(
  deps: StorageDeps,
  queue: CapturingQueue,
  order: (messages: DirectoryRef[]) => DirectoryRef[] = (messages) => messages,
): Promise<number> {
  let delivered = 0;
  for (let round = 0; round < 100; round++) {
    const messages = order(queue.take());
    if (messages.length === 0) return delivered;
    for (const message of messages) {
      await addressDirectory(deps, message.bucketUuid, message.directoryUuid);
      delivered++;
    }
  }
  throw new Error('Directory messages kept coming');
}

/** The stored CIDs of every directory of a bucket by path (`''` = the root), and which of them are still waiting for a recompute. */
export async function storedDirectoryCids(
  deps: StorageDeps,
  bucketUuid: string,
): Promise<{ cidV1: Map<string, string | undefined>; cidV0: Map<string, string | undefined>; waiting: string[] }> {
  const claims = (await deps.entries.listSubtreeClaims(bucketUuid, '')).filter((claim) => claim.type === 'directory');
  const cidV1 = new Map<string, string | undefined>();
  const cidV0 = new Map<string, string | undefined>();
  const waiting: string[] = [];
  for (const { path, entryUuid } of [...claims, { path: '', entryUuid: null }]) {
    const state = await deps.directories.get({ bucketUuid, directoryUuid: entryUuid });
    cidV1.set(path, state?.cids?.cidV1);
    cidV0.set(path, state?.cids?.cidV0);
    if (state?.pending || state?.staleSince) waiting.push(path);
  }
  return { cidV1, cidV0, waiting };
}

/**
 * Recomputes only the directories of a bucket that a mark left waiting (in the pending index,
 * stale, or never addressed), deepest first, until none waits: what the queue's messages and
 * the sweeper do between them. A change whose mark was lost leaves its directory's CID behind,
 * which a comparison with `bucketTreeCids` then shows.
 */
export async function settleStaleDirectories(deps: StorageDeps, bucketUuid: string): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    const claims = (await deps.entries.listSubtreeClaims(bucketUuid, '')).filter((claim) => claim.type === 'directory');
    const refs = [...claims.sort((a, b) => depth(b.path) - depth(a.path)).map((claim) => claim.entryUuid), null];
    let waiting = 0;
    for (const directoryUuid of refs) {
      const state = await deps.directories.get({ bucketUuid, directoryUuid });
      if (!state || !(state.pending || state.staleSince || !state.cids)) continue;
      if (directoryUuid === null && !state.pending && !state.cids && !(await deps.buckets.get(bucketUuid))) continue; // a removed bucket's root: nothing
      waiting++;
      await addressDirectory(deps, bucketUuid, directoryUuid);
    }
    if (waiting === 0) return;
  }
  throw new Error(`The stale directories of bucket ${bucketUuid} did not settle`);
}

/**
 * What the importer computes for the tree a bucket holds now: its active files at status 4
 * (their bytes read back from S3) and its folders; by path (`''` = the root), v1 and v0.
 */
export async function bucketTreeCids(deps: StorageDeps, bucketUuid: string): Promise<{ cidV1: Map<string, string>; cidV0: Map<string, string> }> {
  const claims = await deps.entries.listSubtreeClaims(bucketUuid, '');
  const files = new Map<string, Uint8Array>();
  for (const claim of claims.filter((claim) => claim.type === 'file')) {
    const file = await deps.entries.get(claim.entryUuid);
    if (!file || file.type !== 'file' || file.recordStatus !== 5 || file.fileStatus !== 4 || !file.objectKey) continue;
    files.set(claim.path, await deps.blobs.readAll(file.objectKey));
  }
  const folders = claims.filter((claim) => claim.type === 'directory').map((claim) => claim.path);
  const empty = folders.filter((folder) => ![...files.keys(), ...folders].some((path) => path.startsWith(`${folder}/`)));
  return { cidV1: await importerDirectoryCids(files, empty, 1), cidV0: await importerDirectoryCids(files, empty, 0) };
}
