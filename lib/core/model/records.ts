import type { UploadPolicy } from '../upload/policy';
/**
 * The records the core keeps through its ports (accounts, credentials, buckets, upload sessions, path claims,
 * directory state, commit intents, download tokens, object facts): plain data, the adapters in lib/store persist them.
 */
import type { CredentialKind, Permission } from '../access/principal';
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
  /**
   * The figures the decision read (bytes): the account's usage and reservations, the bucket's size and reservations.
   * A write that grows usage plus reservations re-checks them race-free against these (transact-items.ts `charge`).
   */
  readonly seen: { readonly accountUsedBytes: number; readonly accountReservedBytes: number; readonly bucketSizeBytes: number; readonly bucketReservedBytes: number };
}

/**
 * An open multipart upload's hold on a file path (issue 21): one open upload per path in a bucket, taken at create by a
 * conditional write and let go at its commit, abort, rejection or stale sweep. Kept apart from the path claim (which
 * holds the committed file), so listings and moves never see it.
 */
export interface UploadClaim {
  readonly path: string;
  /** The upload (its file's uuid) holding the path. */
  readonly fileUuid: string;
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

export interface DownloadTokenRecord {
  readonly tokenHash: string;
  readonly fileUuid: string;
  readonly generation: number;
  readonly expiresAt: number;
}

/**
 * An item of the sweeper's pending index: an entry (a file or a directory), a bucket's root directory, or an upload
 * session whose files.ready was claimed but not yet queued (lib/core/webhooks/announce.ts: the claim is the outbox).
 */
export type PendingItem =
  | { readonly kind: 'entry'; readonly uuid: string }
  | { readonly kind: 'root'; readonly bucketUuid: string }
  | { readonly kind: 'session'; readonly sessionUuid: string };

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

export interface AccountRecord {
  readonly accountId: string;
  readonly name: string;
  readonly quotaBytes: number;
  readonly usedBytes: number;
  /** Bytes reserved by open multipart uploads (declared, not yet arrived): counted against the quota beside `usedBytes`. */
  readonly reservedBytes?: number;
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
  /** Bytes reserved by open multipart uploads into the bucket: counted against `maxSizeBytes` beside `sizeBytes`. */
  readonly reservedBytes?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
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
   * at `directoryPath/<its upload path>` (lib/core/upload/session-wrap.ts).
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

export interface ObjectInfo {
  readonly size: number;
  readonly eTag: string;
}

/** An IPNS name of a bucket: an ed25519 key (sealed), and the record it last signed. */
export interface IpnsRecord {
  readonly ipnsUuid: string;
  readonly bucketUuid: string;
  readonly accountId: string;
  /** The user's label (Apillon's `name`). */
  readonly name: string;
  readonly description: string | null;
  /** The IPNS name: the key's libp2p-key CIDv1 in base36 (`k51…`), as kubo prints it. */
  readonly ipnsName: string;
  /** What it points at, `/ipfs/<cid>`; null until published. */
  readonly ipnsValue: string | null;
  /** Sequence number of the last signed record; -1 before the first publish. */
  readonly sequence: number;
  /** The private key, sealed (the KeySealer port, lib/core/ports/key-sealer.ts); never returned by any route. */
  readonly sealedKey: string;
  /** The last signed record (IPNS protobuf, base64); absent until published. */
  readonly signedRecord?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
