import type { UploadPolicy } from '../upload/policy';
/**
 * The core's `UploadStore` port (implemented in lib/store/upload-store.ts).
 */
import type { EntryRecord, FileRecord } from '../model/entries';
import type { ChargeLimits, CommitFailure, CommitIntent, CommitPlan, PathClaim } from '../model/records';

/** What admission reads before deciding (one consistent batch read). */
export interface UploadSnapshot {
  readonly account?: { readonly accountId: string; readonly usedBytes: number; readonly quotaBytes: number };
  readonly bucket?: {
    readonly bucketUuid: string;
    readonly sizeBytes: number;
    readonly maxSizeBytes: number;
    readonly markedForDeletionAt?: string;
    /** The bucket's upload policy (lib/core/upload/policy.ts), read with the rest. */
    readonly uploadPolicy?: UploadPolicy;
  };
  /** The claims found on the paths asked for (free paths are absent). */
  readonly claims: ReadonlyMap<string, PathClaim>;
}

/** The atomic commit of files whose bytes are already at their final keys (a Quantum add). */
export interface StagedCommit {
  readonly intentId: string;
  /** Object keys of the replaced files: the intent keeps them for clean-up after the commit. */
  readonly replacedObjectKeys: readonly string[];
  /** New directories, parents first (records ready to store). */
  readonly directories: readonly EntryRecord[];
  /** The files, at status 2 with their final object keys and sizes. */
  readonly files: readonly FileRecord[];
  /** The claims replaced, by path. */
  readonly replaced: ReadonlyMap<string, PathClaim>;
  /** The existing directories the new entries hang off (each must still be there); none at the bucket root. */
  readonly anchors: readonly { readonly path: string; readonly entryUuid: string }[];
  readonly deltaBytes: number;
  readonly limits: ChargeLimits;
}

/** What a staged commit did (UploadStore.commitStaged). */
export type StagedCommitOutcome =
  | { readonly failure: CommitFailure; readonly committed?: undefined }
  | { readonly committed: 'whole'; readonly failure?: undefined }
  | { readonly committed: 'decided'; readonly plan: CommitPlan; readonly failure?: undefined };

/** Storage for the upload path: batch reads, batch writes, intents, ids. */
export interface UploadStore {
  /** The account, the bucket and the claims on `paths`, read consistently in as few calls as possible. */
  readSnapshot(accountId: string, bucketUuid: string, paths: readonly string[]): Promise<UploadSnapshot>;
  /** `count` fresh integer ids (Apillon's `id`); unique service-wide, never reused. */
  takeNumbers(count: number): Promise<number[]>;
  /** Stores upload requests (status 1, not listed, path not claimed); they expire unless their bytes arrive. */
  putUploadRequests(files: readonly FileRecord[], expiresAtEpochSeconds: number): Promise<void>;
  /**
   * Creates directories (parents first, in as few transactions as fit), each
   * claiming its path; the `anchors`, the existing directories they hang off,
   * must still be there. False when any path was taken or an anchor went
   * meanwhile (nothing of that transaction is written; earlier ones stay, as
   * directories, which a retry then finds).
   */
  createDirectories(directories: readonly EntryRecord[], anchors?: readonly { path: string; entryUuid: string }[]): Promise<boolean>;
  putIntent(intent: CommitIntent): Promise<void>;
  /** Moves a staged intent to aborted (the sweeper's claim on it); false when it is no longer staged. */
  abortIntent(intentId: string): Promise<boolean>;
  deleteIntent(intentId: string): Promise<void>;
  /** Intents due at `nowIso` or earlier, oldest first. */
  dueIntents(nowIso: string, limit: number): Promise<CommitIntent[]>;
  /**
   * Commits staged files: they become status 2 and listed, their paths claimed
   * (replacing files there), new directories created, usage charged by
   * `deltaBytes` within quota and bucket limit, and the intent moved from staged
   * to committed, all in one transaction. A commit too large for one (about 45
   * files and more) decides in a first transaction (charge, claims, the plan
   * into the intent: the commit point) and writes the records in further ones.
   * Answers `{ failure }` (what changed before the commit point: nothing was written),
   * `{ committed: 'whole' }`, or `{ committed: 'decided', plan }`: past the commit point with the
   * records still to write; the caller writes them with `rollForward` (the plan, `applied: 0`), and
   * the sweeper does when the caller cannot (the intent keeps the plan).
   */
  commitStaged(commit: StagedCommit): Promise<StagedCommitOutcome>;
  /** Writes the rest of a decided (committing) intent's records; safe to run again and concurrently. */
  rollForward(intent: Pick<CommitIntent, 'intentId' | 'plan' | 'applied'>): Promise<void>;
}
