/**
 * The core's `DeletionStore` port (implemented in lib/store/deletion-store.ts).
 */
import type { EntryRecord } from '../model/entries';

/**
 * Deletion: Apillon's marks, Quantum's removals, the purge; each gives the charge back exactly once.
 * An entry that leaves its directory (a mark or removal holding the path, a directory removal) also
 * marks that directory (or the bucket root) for a CID recompute in the same transaction.
 */
/**
 * Each write below is one DynamoDB transaction, tried again inside the adapter while it loses to a
 * concurrent one (TransactionConflict, up to 8 attempts): false means a condition failed, never a conflict.
 */
export interface DeletionStore {
  /** Status 8, out of listings, path released when `holdsPath`; due for purge at `purgeAt` (ISO). */
  markForDeletion(file: EntryRecord, holdsPath: boolean, now: string, purgeAt: string): Promise<boolean>;
  /** Removes a file now (Quantum remove): record, path claim, listing, charge. */
  deleteFile(file: EntryRecord, holdsPath: boolean): Promise<boolean>;
  /** Removes an (empty) directory: record, path claim, listing, its counter. */
  deleteDirectory(directory: EntryRecord): Promise<boolean>;
  /** Removes a file marked for deletion and gives its charge back. */
  purge(file: EntryRecord): Promise<boolean>;
  /** Uuids of files marked for deletion whose purge is due at `nowIso`, at most `limit`. */
  duePurges(nowIso: string, limit: number): Promise<string[]>;
}
