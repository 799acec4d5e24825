import type { AddressingContinuation } from '../core/lifecycle/sliced-cids';
import type { UploadPolicy } from '../core/upload/policy';
/**
 * The ports of the storage core that the upload path and the lifecycle use:
 * what the domain needs from storage, owned here; the DynamoDB and S3
 * adapters in lib/store implement them.
 */
import type { EntryRecord, FileRecord, SortField } from './entries';
import type { CredentialKind, Permission } from './principal';

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
    /** The bucket's upload policy (lib/core/upload/policy.ts), read with the rest. */
    readonly uploadPolicy?: UploadPolicy;
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

/**
 * The queue that takes committed files through their next lifecycle steps
 * (2→3→4) outside the request that committed them.
 */
export interface LifecycleQueue {
  /** Asks for the lifecycle of these files to continue; at-least-once. */
  enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void>;
  /**
   * Asks for these directories' CIDs to be recomputed (the queue's second message kind), each
   * delivered after `delaySeconds` (SQS DelaySeconds, 0–900) so that a burst of changes to one
   * directory is addressed once; at-least-once.
   */
  enqueueDirectories(directories: readonly DirectoryRef[], delaySeconds: number): Promise<void>;
  /**
   * Asks for a file's CID hashing to go on from a checkpoint (the queue's third message kind,
   * lib/core/lifecycle/sliced-cids.ts); at-least-once. Absent: files are hashed whole in one invocation.
   */
  enqueueAddressing?(continuation: AddressingContinuation): Promise<void>;
}

// ---- entries, listings, lifecycle writes, deletion, download tokens ---------------------------

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
}

export interface ListPage {
  readonly items: EntryRecord[];
  readonly lastKey?: Record<string, unknown>;
}

export interface FileSetQuery {
  readonly bucketUuid: string;
  /** The files of this upload session only. */
  readonly sessionUuid?: string;
  readonly fileStatus?: number;
  /** Active files (5) or files marked for deletion (8). */
  readonly recordStatus: number;
  /** Matching files to skip before the page (ignored items of earlier pages). */
  readonly offset: number;
  readonly limit: number;
  /** Where the previous page stopped (its `lastKey`). */
  readonly startKey?: Record<string, unknown>;
}

export interface FileSetPage {
  readonly items: EntryRecord[];
  readonly total: number;
  /** Present when more files follow: the index position after the last item. */
  readonly lastKey?: Record<string, string>;
}

export interface DownloadTokenRecord {
  readonly tokenHash: string;
  readonly fileUuid: string;
  readonly generation: number;
  readonly expiresAt: number;
}

/** Entries (files and directories) of all buckets and their path claims: reads and lookups. */
export interface EntryStore {
  get(uuid: string): Promise<EntryRecord | undefined>;
  /** By Apillon's integer id. */
  getByNumber(number: number): Promise<EntryRecord | undefined>;
  /** The entries of one bucket with this CID (v0 or v1). */
  findByCid(bucketUuid: string, cid: { v0?: string; v1?: string }): Promise<EntryRecord[]>;
  /**
   * The entries, in any bucket, with this CID (the public gateway's lookup), read from
   * the CID index one small page at a time as the caller iterates: a caller that stops
   * at the first servable entry reads one page.
   */
  findByCidInAnyBucket(cid: { v0?: string; v1?: string }): AsyncIterable<EntryRecord>;
  getPathClaim(bucketUuid: string, path: string): Promise<PathClaim | undefined>;
  /** Every claim strictly under `directoryPath` (its whole subtree); `''` gives every claim of the bucket. */
  listSubtreeClaims(bucketUuid: string, directoryPath: string): Promise<PathClaim[]>;
}

/** Directory listings (one index per sort field), child counts, and the file sets of a bucket or upload session. */
export interface ListingStore {
  /** Children of a directory (the listing's `total`). */
  count(bucketUuid: string, directoryUuid: string | null): Promise<number>;
  /** One page of a directory's children in the order of `orderBy`; `lastKey` continues it. */
  listPage(input: {
    bucketUuid: string;
    directoryUuid: string | null;
    orderBy: SortField;
    descending: boolean;
    limit: number;
    startKey?: Record<string, unknown>;
    keysOnly?: boolean;
  }): Promise<ListPage>;
  /** Every child of a directory (search and multi-field sorts). */
  listAll(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[]>;
  /**
   * Every child of a directory as it is now: the listing index is read (a DynamoDB GSI, which
   * catches up with writes eventually), then each listed entry's own item with a strongly
   * consistent read, keeping those still listed in this directory, and their number is checked
   * against the directory's child counter (consistent, written in the same transactions as the
   * entries). Undefined when the index has not caught up yet (a child added or removed since),
   * so the caller can ask again rather than decide on a stale listing. Costs about two reads per child.
   */
  readChildren(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[] | undefined>;
  /**
   * One page of the files of a bucket, or of one upload session of it, oldest
   * first (ByBucketFiles / BySessionFiles), with the number of matching files.
   */
  listFiles(query: FileSetQuery): Promise<FileSetPage>;
}

/** An item of the sweeper's pending index: an entry (a file or a directory) or a bucket's root directory. */
export type PendingItem = { readonly kind: 'entry'; readonly uuid: string } | { readonly kind: 'root'; readonly bucketUuid: string };

/** The lifecycle writes of a file (status 1→2→3→4) and the sweeper's index of files waiting for a step. */
export interface LifecycleStore {
  /**
   * The 1→2 step in one transaction: the file becomes status 2 and listed, the
   * path is claimed (replacing the file there, if any), account usage and bucket
   * size are charged by the difference, within quota and bucket limit.
   */
  commitUpload(input: CommitInput): Promise<CommitFailure | undefined>;
  /**
   * Moves a file from one status to another; false when it was not in `from`.
   * `settled` takes it out of the sweeper's index (status 4 and errors);
   * `activeOnly` refuses a file marked for deletion.
   * `countInSession`: the file's upload session counts it as settled (`settledCount`, ADD 1) in the same
   * transaction, so a session counts each of its files exactly once, however many runs race (issue 22's
   * files.ready rule, lib/core/webhooks/announce.ts).
   */
  transition(uuid: string, from: number, to: number, set?: Record<string, unknown>, options?: { settled?: boolean; activeOnly?: boolean; countInSession?: string }): Promise<boolean>;
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

/** A directory: an entry of type 'directory', or a bucket's root (`directoryUuid` null). */
export interface DirectoryRef {
  readonly bucketUuid: string;
  readonly directoryUuid: string | null;
}

/** A directory's CIDs and DAG sizes (Tsize, bytes), as `ipfs add -r` (v0) and `ipfs add -r --cid-version=1` (v1) give them. */
export interface DirectoryCids {
  readonly cidV0: string;
  readonly cidV1: string;
  readonly dagSizeV0: number;
  readonly dagSizeV1: number;
}

/** What a directory's recompute reads first: its record, the version of its children it must write for, its CIDs so far. */
export interface DirectoryState {
  /**
   * The directory entry; for a bucket root the record its CID index items carry (type
   * 'directory', path '', uuid = the bucket uuid), undefined before the root's first address.
   */
  readonly record?: EntryRecord;
  /** The children version (0 for a directory never marked). */
  readonly contentVersion: number;
  /** Set while a change waits for its recompute (and its message is on its way). */
  readonly staleSince?: string;
  /** In the sweeper's pending index: a change (or the directory's creation) is not addressed yet. */
  readonly pending: boolean;
  readonly cids?: DirectoryCids;
}

/**
 * Directory addresses (lib/domain/directories.ts): the CIDs of directories and bucket roots, their
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

/**
 * Deletion: Apillon's marks, Quantum's removals, the purge; each gives the charge back exactly once.
 * An entry that leaves its directory (a mark or removal holding the path, a directory removal) also
 * marks that directory (or the bucket root) for a CID recompute in the same transaction.
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

/** One-time download tokens (Quantum `file/get` → `file/download`). */
export interface DownloadTokenStore {
  putDownloadToken(token: DownloadTokenRecord): Promise<void>;
  getDownloadToken(tokenHash: string): Promise<DownloadTokenRecord | undefined>;
  /** Spends the token and bumps the file's generation, atomically; false when either was stale. */
  redeemDownloadToken(token: DownloadTokenRecord): Promise<boolean>;
}

// ---- accounts, credentials, buckets, upload sessions ---------------------------------------

export interface AccountRecord {
  readonly accountId: string;
  readonly name: string;
  readonly quotaBytes: number;
  readonly usedBytes: number;
  readonly createdAt: string;
}

export interface CredentialRecord {
  readonly credentialId: string;
  readonly kind: CredentialKind;
  readonly accountId: string;
  readonly secretHash: string;
  readonly permissions: readonly Permission[];
  /** Application tokens only: the bucket they are bound to. */
  readonly bucketUuid?: string;
  readonly label?: string;
  readonly createdAt: string;
}

/** Accounts and their credentials (master keys, API keys, application tokens). */
export interface AccountStore {
  createAccount(account: AccountRecord): Promise<void>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Sets an account's quota; false when the account does not exist. */
  setQuota(accountId: string, quotaBytes: number): Promise<boolean>;
  putCredential(credential: CredentialRecord): Promise<void>;
  getCredential(credentialId: string): Promise<CredentialRecord | undefined>;
  /** Deletes a credential; returns the deleted record, or undefined when there was none. */
  deleteCredential(credentialId: string): Promise<CredentialRecord | undefined>;
  listCredentials(accountId: string): Promise<CredentialRecord[]>;
  listBucketTokens(bucketUuid: string): Promise<CredentialRecord[]>;
}

export interface BucketRecord {
  readonly bucketUuid: string;
  readonly accountId: string;
  readonly name: string;
  readonly description: string;
  /** Public buckets serve their files through the `/ipfs/<cid>` gateway without credentials. */
  readonly public: boolean;
  /** Set when the bucket is marked for deletion; it then takes no uploads. */
  readonly markedForDeletionAt?: string;
  readonly maxSizeBytes: number;
  /** What the bucket takes (lib/core/upload/policy.ts): checked at each upload request and again when the bytes arrive. */
  readonly uploadPolicy?: UploadPolicy;
  /** Bytes of the files in the bucket (charged with the account's usage). */
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Buckets, unique by name within an account. */
export interface BucketStore {
  /** Creates the bucket; false when the account already has a bucket of that name. */
  create(bucket: BucketRecord): Promise<boolean>;
  get(bucketUuid: string): Promise<BucketRecord | undefined>;
  getByName(accountId: string, name: string): Promise<BucketRecord | undefined>;
  list(accountId: string): Promise<BucketRecord[]>;
  /**
   * Marks the bucket for deletion (no upload commits into it from then on) and
   * returns it; a bucket already marked keeps its first mark. Undefined when there is no such bucket.
   */
  markForDeletion(bucketUuid: string, now: string): Promise<BucketRecord | undefined>;
  /** Deletes the bucket record, its name claim, its root listing counter and its root directory's CIDs; false when it was already gone. */
  remove(bucket: BucketRecord): Promise<boolean>;
}

/** An Apillon upload session: a client-chosen uuid that groups the files of one upload. */
export interface UploadSessionRecord {
  readonly sessionUuid: string;
  readonly bucketUuid: string;
  readonly accountId: string;
  readonly status: 'open' | 'ended';
  /** Upload requests made in the session. */
  readonly fileCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly endedAt?: string;
  /** What the client asked for when it ended the session. */
  readonly wrapWithDirectory?: boolean;
  /**
   * Where the session's files are placed at its end (normalised, `a/b`): each file
   * at `directoryPath/<its upload path>` (lib/domain/session-wrap.ts).
   */
  readonly directoryPath?: string;
  /** Placing under `directoryPath`: `moving` until the final pass found every file placed, then `moved`. */
  readonly moveState?: 'moving' | 'moved';
  /** ISO time after which a pass that finds everything placed finishes the move (no commit decided before the end can still land). */
  readonly finalPassAfter?: string;
}

export interface SessionEnding {
  readonly now: string;
  readonly wrapWithDirectory?: boolean;
  readonly directoryPath?: string;
  /** With `directoryPath`: when the sweeper takes the move on if the ending request stops first, and when its final pass is due. */
  readonly moveDueAt?: string;
  readonly finalPassAfter?: string;
}

/** Upload sessions. They expire (DynamoDB TTL) a week after their last change. */
export interface SessionStore {
  get(sessionUuid: string): Promise<UploadSessionRecord | undefined>;
  /** Creates the session; false when one with that uuid exists already. */
  create(session: UploadSessionRecord): Promise<boolean>;
  /**
   * Opens `session` when it does not exist yet and counts `count` files into it,
   * in one conditional write; false when a session of that uuid exists but is
   * ended or belongs to another bucket (read it to tell which).
   */
  openAndAddFiles(session: UploadSessionRecord, count: number): Promise<boolean>;
  /** Ends an open session; false when it is not open. With `directoryPath` its move starts (`moving`, due at `moveDueAt`). */
  end(sessionUuid: string, ending: SessionEnding): Promise<boolean>;
  /** Uuids of sessions whose move is due at `nowIso` or earlier (ByDueDate), at most `limit`. */
  dueMoves(nowIso: string, limit: number): Promise<string[]>;
  /** Moves a moving session's next pass to `dueAtIso`. */
  scheduleMove(sessionUuid: string, dueAtIso: string): Promise<void>;
  /** Records that every file of the session is placed (`moved`, out of the schedule). */
  finishMove(sessionUuid: string): Promise<void>;
}

/** One committed file moved to its place under a session's `directoryPath` (session-wrap.ts). */
export interface FileMove {
  readonly file: FileRecord;
  /** Its new path and parent directory (null at the root; never: the target is under `directoryPath`). */
  readonly path: string;
  readonly parentUuid: string | null;
  /** The file already at `path`, which this one replaces (Apillon: the last write to a path wins). */
  readonly replacing?: PathClaim & { readonly chargedBytes: number };
  /** The new parent's claim, which must still be held by `parentUuid`. */
  readonly anchor?: { readonly path: string; readonly entryUuid: string };
}

/** The writes that place an ended session's files under its `directoryPath`. */
export interface MoveStore {
  /** Every active file of an upload session (BySessionFiles: eventually consistent), any status. */
  sessionFiles(bucketUuid: string, sessionUuid: string): Promise<FileRecord[]>;
  /**
   * An upload request (status 1) gets the path it will be committed at: false when it is no
   * longer at status 1 on `file.path`, or is already placed (its commit decides on the record it reads again).
   */
  retargetRequested(file: FileRecord, path: string, now: string): Promise<boolean>;
  /**
   * Moves committed files (status 2–4, active, not placed yet, still at `file.path`) in ONE
   * transaction: records (path, parent, listing keys, `wrapped`, `movedFrom`), path claims,
   * child counts, the files replaced (retired, their charge given back). False when any
   * condition failed (nothing of it is written).
   */
  moveCommitted(moves: readonly FileMove[], now: string): Promise<boolean>;
  /** How many transaction items `moveCommitted` needs for `moves` (DynamoDB takes 100). */
  itemCount(moves: readonly FileMove[]): number;
}

// ---- file bytes -------------------------------------------------------------------------------

export interface ObjectInfo {
  readonly size: number;
  readonly eTag: string;
}

/** File bytes: the files bucket and its replica. Object keys are ids, never user file names. */
export interface BlobStore {
  /** A URL the client PUTs the bytes to, valid `ttlSeconds`; signs Content-Length when the size is declared. */
  presignUpload(key: string, ttlSeconds: number, declaredSize?: number): Promise<string>;
  /**
   * A GET URL for the bytes, valid `ttlSeconds`, whose response carries an RFC 6266
   * `Content-Disposition` (`disposition`, default attachment) naming `fileName` and a
   * safe `Content-Type`. S3 serves Range requests on it; a presigned URL cannot force one.
   */
  presignDownload(
    key: string,
    ttlSeconds: number,
    fileName: string,
    contentType: string,
    disposition?: 'inline' | 'attachment',
  ): Promise<string>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Copies `fromKey` to `toKey` in the files bucket; the copy's size and ETag, or undefined when `fromKey` is gone. */
  copy(fromKey: string, toKey: string): Promise<ObjectInfo | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * The bytes as a stream, from byte `fromByte` (default 0; less than the object's size) to the end;
   * undefined when the object does not exist (any more).
   */
  read(key: string, fromByte?: number): Promise<AsyncIterable<Uint8Array> | undefined>;
  /**
   * The object's bytes, or only bytes `range.start`..`range.end` (inclusive, a ranged
   * GetObject). Throws S3's NoSuchKey (see isMissingObject) when the object is gone.
   */
  readAll(key: string, range?: { readonly start: number; readonly end: number }): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
  /** Copies the object to the replica bucket and verifies the copy (size and ETag). */
  replicate(key: string): Promise<'verified' | 'mismatch' | 'gone'>;
  deleteReplica(key: string): Promise<void>;
  headReplica(key: string): Promise<ObjectInfo | undefined>;
}
