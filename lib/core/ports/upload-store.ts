import type { UploadPolicy } from '../upload/policy';
/**
 * The core's `UploadStore` port (implemented in lib/store/upload-store.ts).
 */
import type { EntryRecord, FileRecord } from '../model/entries';
import type { ChargeLimits, CommitFailure, CommitIntent, CommitPlan, PathClaim, UploadClaim } from '../model/records';

/** What admission reads before deciding (one consistent batch read). */
export interface UploadSnapshot {
  readonly account?: { readonly accountId: string; readonly usedBytes: number; readonly quotaBytes: number; readonly reservedBytes?: number };
  readonly bucket?: {
    readonly bucketUuid: string;
    readonly sizeBytes: number;
    readonly maxSizeBytes: number;
    readonly markedForDeletionAt?: string;
    /** Bytes reserved by open multipart uploads into the bucket (absent: none ever). */
    readonly reservedBytes?: number;
    /** The bucket's upload policy (lib/core/upload/policy.ts), read with the rest. */
    readonly uploadPolicy?: UploadPolicy;
  };
  /** The claims found on the paths asked for (free paths are absent). */
  readonly claims: ReadonlyMap<string, PathClaim>;
  /** The open multipart uploads' claims on the file paths asked for (`uploadClaimPaths`; absent: none asked). */
  readonly uploadClaims?: ReadonlyMap<string, UploadClaim>;
}

/**
 * The create of a multipart upload (issue 21), one transaction: the file's record (status 1, its `reservedBytes`,
 * kept until it leaves status 1: no TTL), the claim on its path, the reservation on the account and the bucket
 * (within quota and bucket limit counting usage and every reservation), and, when it supersedes an open upload at
 * the path, that upload's move to status 106 with its reservation given back.
 */
export interface OpenUploadWrite {
  /** The upload's file: status 1, `multipart` set, `reservedBytes` the bytes to reserve (0 or absent: none). */
  readonly file: FileRecord;
  /** The upload that holds the path's claim now (stale, completing, or the one superseded): taken over only from it. Absent: the path must be free. */
  readonly claimHolder?: string;
  /** An open upload at the path, not completing, that this one replaces: 1 → 106, `supersededBy`, `rejectionReason`. */
  readonly supersede?: { readonly file: FileRecord; readonly reason: string };
  /** Without overwrite: the path must still be free of any file or directory (its admission found it so). */
  readonly requirePathFree: boolean;
  /** When the claim item expires (epoch seconds; DynamoDB TTL), should nothing let go of it before. */
  readonly claimExpiresAtEpochSeconds: number;
  readonly limits: ChargeLimits;
  readonly now: string;
}

/** Which fact an OpenUploadWrite was decided on changed meanwhile (nothing was written). */
export type OpenUploadFailure = 'claim-changed' | 'path-changed' | 'superseded-changed' | 'account-limit' | 'bucket-limit';

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
  readSnapshot(accountId: string, bucketUuid: string, paths: readonly string[], uploadClaimPaths?: readonly string[]): Promise<UploadSnapshot>;
  /** Writes a multipart upload's create (see OpenUploadWrite); `undefined` when written, else what changed. */
  openUpload(write: OpenUploadWrite): Promise<OpenUploadFailure | undefined>;
  /** Lets go of the claim on `path` if upload `fileUuid` still holds it (else nothing: another upload holds it). */
  releaseUploadClaim(bucketUuid: string, path: string, fileUuid: string): Promise<void>;
  /**
   * Marks open upload `fileUuid` completing (`completingAt`): from then on no later upload supersedes it. Conditioned on
   * the file being at status 1 and active, and on its still holding its path's claim; false when either is not so.
   */
  markCompleting(file: Pick<FileRecord, 'uuid' | 'bucketUuid' | 'path'>, nowIso: string): Promise<boolean>;
  /** Takes `completingAt` off an open upload whose completion S3 refused (it may be superseded again). */
  clearCompleting(fileUuid: string): Promise<void>;
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
