import { AppError } from '../../errors';
import type { BucketRecord } from '../ports';
import type { PathClaim } from '../ports';
import { PURGE_AFTER_DAYS, RecordStatus, isFile, type EntryRecord, type FileRecord } from '../model/entries';
import { markDirectoryStale } from '../directories/directory-marks';
import type { StorageDeps } from '../ports/storage';

/**
 * Deletion: Apillon marks files for deletion (status 8, purged 90 days later);
 * Quantum removes files and folders now. Either way the usage is given back
 * exactly once, by the transaction that removes the charged record.
 */

/** Apillon delete: status 8, out of listings, path free again; purged (and refunded) 90 days later. */
export async function markFileForDeletion(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'directories' | 'lifecycleQueue' | 'logger'>, file: FileRecord): Promise<FileRecord> {
  let current: EntryRecord | undefined = file;
  for (let attempt = 0; attempt < 5 && current && isFile(current); attempt++) {
    if (current.recordStatus === RecordStatus.MARKED_FOR_DELETION) throw new AppError('fileMarkedForDeletion');
    const claim = await deps.entries.getPathClaim(current.bucketUuid, current.path);
    const now = new Date();
    const purgeAt = new Date(now.getTime() + PURGE_AFTER_DAYS * 86_400_000).toISOString();
    const holdsPath = claim?.entryUuid === current.uuid;
    if (await deps.deletions.markForDeletion(current!, holdsPath, now.toISOString(), purgeAt)) {
      if (holdsPath) await directoryChanged(deps, current);
      const marked = await deps.entries.get(current.uuid);
      if (marked && isFile(marked)) return marked;
    }
    current = await deps.entries.get(file.uuid);
  }
  throw new AppError('fileNotFound');
}

/** Quantum remove of one file: gone now, usage given back. */
export async function deleteFileNow(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'>, file: FileRecord): Promise<void> {
  let current: EntryRecord | undefined = file;
  for (let attempt = 0; attempt < 5 && current && isFile(current); attempt++) {
    const claim = await deps.entries.getPathClaim(current.bucketUuid, current.path);
    const snapshot = current;
    const holdsPath = claim?.entryUuid === snapshot.uuid;
    if (await deps.deletions.deleteFile(snapshot, holdsPath)) {
      if (holdsPath) await directoryChanged(deps, snapshot);
      await deleteBytes(deps, snapshot);
      return;
    }
    current = await deps.entries.get(file.uuid);
  }
  if (current) throw new Error(`File ${file.uuid} could not be deleted`);
}

/**
 * Removes what is at `path`: a file, or a directory with everything in it
 * (deepest first, so a directory is empty when it goes). 404 when nothing is there.
 */
export async function removePath(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'>, bucket: BucketRecord, path: string): Promise<void> {
  const claim = await deps.entries.getPathClaim(bucket.bucketUuid, path);
  if (!claim) throw new AppError('fileNotFound');
  const subtree = claim.type === 'directory' ? await deps.entries.listSubtreeClaims(bucket.bucketUuid, path) : [];
  await removeClaimed(deps, [...subtree, claim]);
}

/**
 * Empties a bucket (Quantum bucket removal): every file now (usage given back)
 * and every directory; then what holds no path: upload requests still waiting
 * for their bytes (bytes arriving later belong to nobody and are deleted) and
 * files marked for deletion, purged now rather than after a bucket that no longer exists.
 */
export async function removeBucketContents(deps: Pick<StorageDeps, 'entries' | 'listings' | 'deletions' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'>, bucket: BucketRecord): Promise<void> {
  await removeClaimed(deps, await deps.entries.listSubtreeClaims(bucket.bucketUuid, ''));
  for (const recordStatus of [RecordStatus.ACTIVE, RecordStatus.MARKED_FOR_DELETION]) {
    const seen = new Set<string>();
    for (;;) {
      const page = await deps.listings.listFiles({ bucketUuid: bucket.bucketUuid, recordStatus, offset: 0, limit: 100 });
      const files = page.items.filter((entry): entry is FileRecord => isFile(entry) && !seen.has(entry.uuid));
      if (files.length === 0) break;
      for (const file of files) {
        seen.add(file.uuid);
        if (recordStatus === RecordStatus.ACTIVE) {
          await deleteFileNow(deps, file);
        } else {
          await deleteBytes(deps, file);
          await deps.deletions.purge(file);
        }
      }
    }
  }
}

/** Removes the entries holding `claims`, deepest first, so a directory is empty when it goes. */
async function removeClaimed(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'>, claims: readonly PathClaim[]): Promise<void> {
  const ordered = [...claims].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const item of ordered) {
    const entry = await deps.entries.get(item.entryUuid);
    if (!entry) continue;
    if (isFile(entry)) await deleteFileNow(deps, entry);
    else await deleteDirectoryNow(deps, entry);
  }
}

/** Removes an empty directory; its parent's CID is recomputed. */
async function deleteDirectoryNow(deps: Pick<StorageDeps, 'deletions' | 'directories' | 'lifecycleQueue' | 'logger'>, directory: EntryRecord): Promise<void> {
  if (await deps.deletions.deleteDirectory(directory)) await directoryChanged(deps, directory);
}

/**
 * `entry` left its directory: the deletion's transaction marked the directory durably (its
 * pending index entry); this mark enqueues its recompute when it was clean.
 */
async function directoryChanged(deps: Pick<StorageDeps, 'directories' | 'lifecycleQueue' | 'logger'>, entry: EntryRecord): Promise<void> {
  try {
    await markDirectoryStale(deps, { bucketUuid: entry.bucketUuid, directoryUuid: entry.parentUuid });
  } catch (error) {
    // The deletion is done and its directory durably marked: the sweeper recomputes it if no message goes now.
    deps.logger.warn('directory recompute not enqueued; the sweeper will', { directoryUuid: entry.parentUuid, error });
  }
}

/**
 * Apillon directory delete: every file inside is marked for deletion (purged
 * later), the directories themselves go now.
 */
export async function markDirectoryForDeletion(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'directories' | 'lifecycleQueue' | 'logger'>, directory: EntryRecord): Promise<void> {
  const subtree = await deps.entries.listSubtreeClaims(directory.bucketUuid, directory.path);
  const ordered = subtree.sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const item of ordered) {
    const entry = await deps.entries.get(item.entryUuid);
    if (!entry) continue;
    if (isFile(entry)) await markFileForDeletion(deps, entry);
    else await deleteDirectoryNow(deps, entry);
  }
  await deleteDirectoryNow(deps, directory);
}

/** The scheduled purge: files marked for deletion whose 90 days are over. Returns how many went. */
export async function purgeDueFiles(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'blobs'>, now: Date, batch = 100): Promise<number> {
  let purged = 0;
  for (const uuid of await deps.deletions.duePurges(now.toISOString(), batch)) {
    const file = await deps.entries.get(uuid);
    if (!file || !isFile(file) || file.recordStatus !== RecordStatus.MARKED_FOR_DELETION) continue;
    if (!file.purgeAt || file.purgeAt > now.toISOString()) continue;
    await deleteBytes(deps, file);
    if (await deps.deletions.purge(file)) purged++;
  }
  return purged;
}

async function deleteBytes(deps: Pick<StorageDeps, 'blobs'>, file: FileRecord): Promise<void> {
  await deleteObjectBytes(deps, file.objectKey);
}

/** Deletes an object's bytes in the files bucket and its replica. */
export async function deleteObjectBytes(deps: Pick<StorageDeps, 'blobs'>, key: string): Promise<void> {
  await Promise.all([deps.blobs.delete(key), deps.blobs.deleteReplica(key)]);
}
