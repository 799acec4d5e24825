import { RecordStatus, type EntryRecord } from '../model/entries';
import type { BucketRecord, DirectoryRef } from '../ports';
import type { StorageDeps } from '../ports/storage';

/**
 * The light half of directory CIDs (directories.ts has the recompute): the marks a change
 * makes, the recompute messages, the bucket root's record and the rule for a directory's
 * gateway link. No node builder is imported here, so the functions that only change a
 * directory (deletions, mkdir, the views) stay small.
 */

/** A recompute message waits this long (SQS DelaySeconds), so a burst of changes to one directory is addressed once. */
export const DIRECTORY_RECOMPUTE_DELAY_SECONDS = 2;

/**
 * Marks a directory stale after a change to its children and, when it was clean, enqueues
 * its recompute. A mark is durable (the directory is in the sweeper's pending index until
 * a recompute clears it); the message only makes it quick. Without a queue (a function deployed
 * without LIFECYCLE_QUEUE_URL) only the durable half is written, so the mark cannot keep a later
 * one, made where a queue is, from enqueueing.
 */
export async function markDirectoryStale(deps: Pick<StorageDeps, 'directories' | 'lifecycleQueue' | 'logger'>, directory: DirectoryRef): Promise<void> {
  const now = new Date().toISOString();
  if (!deps.lifecycleQueue) {
    // A function deployed without LIFECYCLE_QUEUE_URL: the sweeper recomputes this directory, and the
    // mark must not stop the next one made with a queue from enqueueing (only a clean directory enqueues).
    deps.logger.warn('directory marked without a lifecycle queue; the sweeper recomputes it', { ...directory });
    await deps.directories.markPending(directory, now);
    return;
  }
  const outcome = await deps.directories.markStale(directory, now);
  if (outcome === 'marked') await enqueueRecomputes(deps, [directory]);
}

/** Enqueues recomputes where a queue is configured (elsewhere the sweeper finds the stale directories). */
export async function enqueueRecomputes(deps: Pick<StorageDeps, 'lifecycleQueue'>, directories: readonly DirectoryRef[]): Promise<void> {
  if (directories.length > 0) await deps.lifecycleQueue?.enqueueDirectories(directories, DIRECTORY_RECOMPUTE_DELAY_SECONDS);
}

/** The record a bucket root's CID index items carry: a directory with path '' whose uuid is the bucket's. */
export function rootRecord(bucket: Pick<BucketRecord, 'bucketUuid' | 'accountId' | 'createdAt'>): EntryRecord {
  return {
    uuid: bucket.bucketUuid,
    type: 'directory',
    bucketUuid: bucket.bucketUuid,
    accountId: bucket.accountId,
    number: 0,
    name: '',
    path: '',
    parentUuid: null,
    createdAt: bucket.createdAt,
    updatedAt: bucket.createdAt,
    recordStatus: RecordStatus.ACTIVE,
  };
}

/**
 * Whether the gateway serves a directory by its CID, by the rule files follow (servedByGateway in
 * apillon-files.ts): a public bucket not marked for deletion, an active directory with a CID. The
 * rule for a directory's `link`.
 */
export function directoryServedByGateway(bucket: Pick<BucketRecord, 'public' | 'markedForDeletionAt'>, entry: EntryRecord): boolean {
  return bucket.public && !bucket.markedForDeletionAt && entry.type === 'directory' && entry.recordStatus === RecordStatus.ACTIVE && entry.cidV1 !== undefined;
}

/** True for the record of a bucket root (found through the CID index with type 'directory' and path ''). */
export function isBucketRoot(entry: EntryRecord): boolean {
  return entry.type === 'directory' && entry.path === '';
}

/** The uuid a directory record's children name as their parent (null for a bucket root). */
export function childrenParentUuid(directory: EntryRecord): string | null {
  return isBucketRoot(directory) ? null : directory.uuid;
}

