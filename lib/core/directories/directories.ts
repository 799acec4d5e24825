import { CID } from 'multiformats/cid';
import { buildFileDag, cidV1Bytes } from '../../cid/dag';
import { buildDirectory, type DirectoryChild } from '../../cid/directory';
import { FileStatus, RecordStatus, isFile, type EntryRecord, type FileRecord } from '../model/entries';
import type { DirectoryCids, DirectoryRef } from '../ports';
import { METRIC_NAMES } from '../ports/metrics';
import type { StorageDeps } from '../ports/storage';
import { enqueueRecomputes, markDirectoryStale, rootRecord } from './directory-marks';

// The light half (marks, enqueueing, the root's record, the link rule) lives in directory-marks.ts, so the many
// functions that only mark a directory do not bundle the node builders; it is re-exported here.
export * from './directory-marks';

/**
 * Directory CIDs (issue 10; SPEC §5 "Directories have CIDs too"). Every directory, and
 * each bucket's root, gets the CIDs `ipfs add -r` gives for the same tree: CIDv1 as
 * `--cid-version=1 --raw-leaves=false`, CIDv0 as kubo's default (lib/cid/directory.ts
 * builds the nodes, HAMT-sharded past kubo's threshold).
 *
 * A directory's node is built over its ACTIVE children that HAVE CIDs: files at status
 * 3 or 4 (their cidV1/cidV0 and DAG sizes), directories already addressed. Anything else
 * (a file still at status 2, a directory never addressed) is left out until its own step
 * marks the directory again. So a CID is a function of the current children only: a
 * replayed or reordered recompute gives the same CID.
 *
 * CIDs are eventually consistent: a change marks its directory stale (contentVersion + 1,
 * staleSince, the sweeper's pending index) and a recompute message follows; the recompute
 * writes only while the version it read is still current, and when the CID changed it
 * marks the parent (or the bucket root) in the same transaction. The cost of a change is
 * one directory's children per level of the changed path, never the whole bucket.
 */

/** Rounds a recompute goes when newer changes keep moving the version on, before it hands itself back to the queue. */
const RECOMPUTE_ROUNDS = 4;
/** Wait (ms, times the round) before reading again a listing whose index has not caught up with the counter. */
const LISTING_CATCH_UP_MS = 100;

/** What a recompute wrote (or found current): the directory's CIDs, and whether they changed. */
export interface DirectoryAddress extends DirectoryCids {
  /** The CIDs differ from the ones the directory had before (its parent was marked). */
  readonly changed: boolean;
}

/**
 * Recomputes the CIDs of one directory (`directoryUuid` null: the bucket root) from its
 * active children with CIDs and writes them, conditional on its contentVersion. Usable
 * synchronously (tests, a request that wants a CID now) and by the queue's recompute
 * messages. When the CIDs change, the parent is marked stale in the same write and a
 * recompute of it is enqueued (the sweeper heals a lost one). A recompute that loses its
 * race to a newer change, or that finds the listing index behind the directory's child
 * counter, reads and computes again, up to a few rounds, then enqueues itself. Returns the CIDs written, or undefined when the directory (or bucket) is gone or
 * the recompute was handed back to the queue.
 */
export async function addressDirectory(deps: Pick<StorageDeps, 'buckets' | 'listings' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger' | 'metrics'>, bucketUuid: string, directoryUuid: string | null): Promise<DirectoryAddress | undefined> {
  const ref: DirectoryRef = { bucketUuid, directoryUuid };
  for (let round = 0; round < RECOMPUTE_ROUNDS; round++) {
    const state = await deps.directories.get(ref);
    if (!state) return undefined; // removed: its parent's mark took it out
    let record = state.record;
    if (directoryUuid === null) {
      const bucket = await deps.buckets.get(bucketUuid);
      if (!bucket) {
        await deps.directories.discard(ref); // a mark that came after the bucket's removal
        return undefined;
      }
      record = rootRecord(bucket);
    }
    if (!record) return undefined;
    // The listing index (a GSI) catches up with writes eventually; deciding on a stale listing would
    // record a CID that misses a child and clear the mark, so a listing that disagrees with the
    // directory's child counter is read again a moment later.
    const children = await deps.listings.readChildren(bucketUuid, directoryUuid);
    if (!children) {
      await new Promise((resolve) => setTimeout(resolve, LISTING_CATCH_UP_MS * (round + 1)));
      continue;
    }
    const cids = await directoryCids(deps, children);
    const changed = state.cids?.cidV1 !== cids.cidV1 || state.cids?.cidV0 !== cids.cidV0;
    if (!changed && !state.pending) return { ...cids, changed };
    const markParent: DirectoryRef | undefined = changed && directoryUuid !== null ? { bucketUuid, directoryUuid: record.parentUuid } : undefined;
    const now = new Date().toISOString();
    if (await deps.directories.recordCids(ref, { contentVersion: state.contentVersion, cids, record, markParent, now })) {
      deps.logger.debug('directory addressed', { bucketUuid, directoryUuid, cidV1: cids.cidV1, changed, children: children.length });
      deps.metrics.count(METRIC_NAMES.directoriesAddressed);
      // The write marked the parent durably (pending index); this mark tells whether it was clean, i.e. whether to enqueue.
      if (markParent) {
        await markDirectoryStale(deps, markParent).catch((error: unknown) => {
          deps.logger.warn('parent recompute not enqueued; the sweeper will', { bucketUuid, directoryUuid: markParent.directoryUuid, error });
        });
      }
      return { ...cids, changed };
    }
    // A newer change moved the version on; it did not enqueue (this directory was already stale): go round again.
  }
  await enqueueRecomputes(deps, [ref]);
  return undefined;
}

/**
 * The links of a directory's node, by the one rule every builder of it follows (the recompute
 * here, the gateway that serves it): its ACTIVE children with both CIDs and their DAG sizes, files
 * only at status 3 or 4, one per name; `v1` links by CIDv1 (`ipfs add -r --cid-version=1`), `v0` by
 * CIDv0 (`ipfs add -r`). `entries` are the directory's children (ListingStore.readChildren). A legacy file
 * without DAG sizes gets them from its bytes, once.
 */
export async function directoryLinks(deps: Pick<StorageDeps, 'directories' | 'blobs'>, entries: readonly EntryRecord[]): Promise<{ v0: DirectoryChild[]; v1: DirectoryChild[] }> {
  const v0: DirectoryChild[] = [];
  const v1: DirectoryChild[] = [];
  const byName = new Map<string, EntryRecord>();
  for (const entry of entries) {
    if (!hasAddress(entry)) continue;
    const other = byName.get(entry.name);
    // Path claims keep names unique; should two records ever list under one name, the newer is the one its path names.
    if (!other || other.updatedAt < entry.updatedAt) byName.set(entry.name, entry);
  }
  for (const entry of byName.values()) {
    const sizes = entry.dagSizeV0 !== undefined && entry.dagSizeV1 !== undefined ? { dagSizeV0: entry.dagSizeV0, dagSizeV1: entry.dagSizeV1 } : await legacyDagSizes(deps, entry);
    if (!sizes) continue;
    v0.push({ name: entry.name, cid: CID.parse(entry.cidV0!), size: sizes.dagSizeV0 });
    v1.push({ name: entry.name, cid: CID.parse(entry.cidV1!), size: sizes.dagSizeV1 });
  }
  return { v0, v1 };
}

/** Both nodes of a directory over its listing: its CIDs and DAG sizes. */
async function directoryCids(deps: Pick<StorageDeps, 'directories' | 'blobs'>, entries: readonly EntryRecord[]): Promise<DirectoryCids> {
  const links = await directoryLinks(deps, entries);
  const [node0, node1] = await Promise.all([buildDirectory(links.v0, 0), buildDirectory(links.v1, 1)]);
  return { cidV0: node0.cid.toString(), cidV1: node1.cid.toString(), dagSizeV0: node0.size, dagSizeV1: node1.size };
}

/** An entry its directory's node links: active, with both CIDs; a file content-addressed (status 3 or 4). */
function hasAddress(entry: EntryRecord): boolean {
  if (entry.recordStatus !== RecordStatus.ACTIVE || !entry.cidV0 || !entry.cidV1) return false;
  return !isFile(entry) || entry.fileStatus === FileStatus.ADDRESSED || entry.fileStatus === FileStatus.REPLICATED;
}

/**
 * The DAG sizes of a file addressed before they were kept: its DAG rebuilt from the bytes once
 * (bounded: legacy files only) and stored. Undefined when the bytes are gone or no longer hash to
 * the record's CID (replaced meanwhile): the file is left out, its replacement's step marks again.
 */
async function legacyDagSizes(deps: Pick<StorageDeps, 'directories' | 'blobs'>, entry: EntryRecord): Promise<{ dagSizeV0: number; dagSizeV1: number } | undefined> {
  if (!isFile(entry)) return undefined;
  const file: FileRecord = entry;
  const bytes = await deps.blobs.read(file.objectKey);
  if (!bytes) return undefined;
  const roots = await buildFileDag(bytes);
  const sizes = { dagSizeV0: roots.v0.tsize, dagSizeV1: roots.v1.tsize };
  if (CID.decode(cidV1Bytes(roots.v1)).toString() !== file.cidV1) return undefined;
  await deps.directories.recordFileDagSizes(file.uuid, file.cidV1!, sizes);
  return sizes;
}
