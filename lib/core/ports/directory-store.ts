/**
 * The core's `DirectoryStore` port (implemented in lib/store/directory-store.ts).
 */
import type { EntryRecord } from '../model/entries';
import type { DirectoryCids, DirectoryRef, DirectoryState } from '../model/records';

/**
 * Directory addresses (lib/core/directories/directories.ts): the CIDs of directories and bucket roots, their
 * CID index items (ByCid, ByCidV0, like files'), and the marks that make them stale. A mark is a
 * plain UpdateItem on the directory's own item (ADD contentVersion), never part of an upload
 * transaction.
 */
export interface DirectoryStore {
  /** The directory's state (consistent read); undefined when the directory entry does not exist (any more). */
  get(directory: DirectoryRef): Promise<DirectoryState | undefined>;
  /**
   * Marks a directory stale: ADD 1 to its contentVersion, sets staleSince and puts it in the
   * sweeper's pending index if it was clean. 'marked' when it was clean (the caller then enqueues
   * its recompute), 'already-stale' when a recompute was due anyway, 'gone' when no such directory.
   */
  markStale(directory: DirectoryRef, now: string): Promise<'marked' | 'already-stale' | 'gone'>;
  /**
   * The durable half of a mark alone (contentVersion + 1, the sweeper's pending index), for a
   * process that has no queue to send the recompute to: staleSince stays unset, so the next mark
   * made where a queue is configured still finds the directory clean and enqueues. A directory
   * that does not exist (any more) is left alone.
   */
  markPending(directory: DirectoryRef, now: string): Promise<void>;
  /**
   * Writes a recompute's CIDs (and the CID index keys), clears staleSince and the pending index,
   * only while the contentVersion is still `contentVersion`; in the same transaction marks
   * `markParent` stale when given (a changed CID changes its parent's children). `record` is the
   * directory's record (its CID index sort key is built from it); a root's item is written with its
   * fields. False when the version moved on (the recompute lost its race).
   */
  recordCids(
    directory: DirectoryRef,
    input: { contentVersion: number; cids: DirectoryCids; record: EntryRecord; markParent?: DirectoryRef; now: string },
  ): Promise<boolean>;
  /** Stores the DAG sizes of a file addressed before they were kept (while its cidV1 is still `cidV1`). */
  recordFileDagSizes(fileUuid: string, cidV1: string, sizes: { dagSizeV0: number; dagSizeV1: number }): Promise<void>;
  /** Deletes what is left of a directory item that is not a directory (a mark that raced its removal), or of a removed bucket's root. */
  discard(directory: DirectoryRef): Promise<void>;
}
