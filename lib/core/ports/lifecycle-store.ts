/**
 * The core's `LifecycleStore` port (implemented in lib/store/lifecycle-store.ts).
 */
import type { EntryRecord } from '../model/entries';
import type { ChargeLimits, CommitFailure, PathClaim, PendingItem } from '../model/records';

export interface CommitInput {
  readonly file: EntryRecord;
  /** Bytes of the uploaded object. */
  readonly size: number;
  readonly limits: ChargeLimits;
  /** The claim of the file currently at the path, which this upload replaces. */
  readonly replacing?: PathClaim;
  /** The file's directory, which must still be there (undefined at the root or when created by this commit's run). */
  readonly anchor?: { readonly path: string; readonly entryUuid: string };
  readonly now: string;
  /** [issue 21] The reservation the file holds (bytes; multipart uploads), settled by this commit: its record gives it up. */
  readonly reservedBytes?: number;
}

/** A file's reservation to give back (issue 21): its account, its bucket and the bytes its record holds. */
export interface ReservationRelease {
  readonly accountId: string;
  readonly bucketUuid: string;
  readonly bytes: number;
}

/** The lifecycle writes of a file (status 1→2→3→4) and the sweeper's index of files waiting for a step. */
export interface LifecycleStore {
  /**
   * The 1→2 step in one transaction: the file becomes status 2 and listed, the
   * path is claimed (replacing the file there, if any), account usage and bucket
   * size are charged by the difference, within quota and bucket limit (reservations counted), and the file's
   * reservation, if any, is given back.
   */
  commitUpload(input: CommitInput): Promise<CommitFailure | undefined>;
  /**
   * Moves a file from one status to another; false when it was not in `from`.
   * `settled` takes it out of the sweeper's index (status 4 and errors);
   * `activeOnly` refuses a file marked for deletion.
   * `countInSession`: the file's upload session counts it as settled (`settledCount`, ADD 1) in the same
   * transaction, so a session counts each of its files exactly once, however many runs race (issue 22's
   * files.ready rule, lib/core/webhooks/announce.ts).
   * `release`: the file's reservation (issue 21) is given back in the same write, which removes the record's
   * `reservedBytes` and is conditioned on its still holding exactly those bytes (so it is given back once).
   */
  transition(
    uuid: string,
    from: number,
    to: number,
    set?: Record<string, unknown>,
    options?: { settled?: boolean; activeOnly?: boolean; countInSession?: string; release?: ReservationRelease },
  ): Promise<boolean>;
  /** Keeps a file in the sweeper's index but out of its sight until `untilIso` (an open multipart upload's deadline). */
  deferPending(uuid: string, untilIso: string): Promise<void>;
  /** Status 2→3 with the CIDs, their DAG sizes (Tsize, bytes) and their lookup keys. */
  recordCids(file: EntryRecord, cids: { cidV0: string; cidV1: string; dagSizeV0: number; dagSizeV1: number }, now: string): Promise<boolean>;
  /**
   * Uuids of entries (files waiting for a lifecycle step, directories waiting for their CIDs)
   * pending since before `beforeIso` (ByPendingStep, every shard), oldest first per shard, at
   * most `limit` in all.
   */
  pendingFiles(beforeIso: string, limit: number): Promise<string[]>;
  /** `pendingFiles`, bucket roots waiting for their CIDs included. */
  pendingItems(beforeIso: string, limit: number): Promise<PendingItem[]>;
  /** Takes a file out of the sweeper's index (its upload will not come, or it is settled). */
  clearPending(uuid: string): Promise<void>;
}
