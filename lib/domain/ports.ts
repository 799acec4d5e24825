/**
 * The ports of the storage core that the upload path and the lifecycle use:
 * what the domain needs from storage, owned here; the DynamoDB and S3
 * adapters in lib/store implement them.
 */
import type { EntryRecord, FileRecord } from './entries';

/** Which entry holds a path in a bucket. */
export interface PathClaim {
  readonly path: string;
  readonly entryUuid: string;
  readonly type: 'file' | 'directory';
  /** Files: bytes charged for the file holding the path (absent on claims written before it was kept). */
  readonly chargedBytes?: number;
  /** Files: where the bytes of the file holding the path are (absent on claims written before it was kept). */
  readonly objectKey?: string;
}

/** The usage figures a charge was computed against (optimistic: the write re-checks them). */
export interface ChargeLimits {
  readonly accountId: string;
  readonly quotaBytes: number;
  readonly bucketUuid: string;
  readonly bucketMaxBytes: number;
}

/** Why a commit transaction did not go through: which of the facts it was decided on changed. */
export type CommitFailure =
  | 'file-changed'
  | 'account-limit'
  | 'bucket-limit'
  | 'path-changed'
  | 'replaced-changed'
  | 'parent-changed'
  | 'intent-changed';

/** What admission reads before deciding (one consistent batch read). */
export interface UploadSnapshot {
  readonly account?: { readonly accountId: string; readonly usedBytes: number; readonly quotaBytes: number };
  readonly bucket?: {
    readonly bucketUuid: string;
    readonly sizeBytes: number;
    readonly maxSizeBytes: number;
    readonly markedForDeletionAt?: string;
  };
  /** The claims found on the paths asked for (free paths are absent). */
  readonly claims: ReadonlyMap<string, PathClaim>;
}

/**
 * A commit intent: written before a request stages bytes, it lists the objects
 * to delete if the request never commits (it was killed, or its commit lost),
 * so staged work no commit claimed is cleaned up by the sweeper once `dueAt`
 * passes. The commit transaction itself moves it to `committed`, where the
 * objects listed are those of the files the commit replaced.
 */
export interface CommitIntent {
  readonly intentId: string;
  readonly bucketUuid: string;
  /**
   * staged: bytes being staged, nothing decided; committing: decided (usage charged, paths
   * claimed), records still being written (a commit too large for one transaction);
   * committed: done, the replaced bytes still to delete; aborted: given up, its bytes to delete.
   */
  readonly state: 'staged' | 'committing' | 'committed' | 'aborted';
  /** S3 keys (files bucket; also deleted from the replica bucket) to delete when the intent is swept. */
  readonly objectKeys: readonly string[];
  readonly createdAt: string;
  /** ISO time after which the sweeper may act on it. */
  readonly dueAt: string;
  /** While committing: the records still to write, and how many of their transactions are applied. */
  readonly plan?: CommitPlan;
  readonly applied?: number;
}

/** The records a decided commit writes (kept in its intent, so the sweeper can finish them). */
export interface CommitPlan {
  readonly files: readonly FileRecord[];
  readonly directories: readonly EntryRecord[];
  /** The files it replaces (their records are retired). */
  readonly replaced: readonly { readonly path: string; readonly entryUuid: string }[];
  readonly replacedObjectKeys: readonly string[];
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
   * Undefined on success, else what changed before the commit point.
   */
  commitStaged(commit: StagedCommit): Promise<CommitFailure | undefined>;
  /** Writes the rest of a decided (committing) intent's records; safe to run again and concurrently. */
  rollForward(intent: Pick<CommitIntent, 'intentId' | 'plan' | 'applied'>): Promise<void>;
}

/**
 * The queue that takes committed files through their next lifecycle steps
 * (2→3→4) outside the request that committed them.
 */
export interface LifecycleQueue {
  /** Asks for the lifecycle of these files to continue; at-least-once. */
  enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void>;
}
