/**
 * Files and directories: one record type for both surfaces. A bucket, a
 * directory and a file are the same record whichever surface created it.
 */

/** Where a file is in its lifecycle (Apillon's `fileStatus`). */
export const FileStatus = {
  /** Upload URL issued; no bytes yet. */
  REQUESTED: 1,
  /** Bytes in S3, size and quota checked, usage charged. */
  UPLOADED: 2,
  /** IPFS CIDs computed and kept. */
  ADDRESSED: 3,
  /** A verified second copy exists (replica bucket). */
  REPLICATED: 4,
  // Failures (Apillon uses 100+). The bytes of a rejected upload are deleted and nothing is charged.
  ERROR_CONTENT_ADDRESSING: 100,
  ERROR_SIZE_MISMATCH: 101,
  ERROR_NOT_ENOUGH_STORAGE: 102,
  ERROR_BUCKET_FULL: 103,
  ERROR_PATH_CONFLICT: 104,
  ERROR_BUCKET_UNAVAILABLE: 105,
  ERROR_UPLOAD_CANCELLED: 106,
  /** The bucket's upload policy refused the bytes that arrived (lib/core/upload/policy.ts); `rejectionReason` says why. */
  ERROR_POLICY_REFUSED: 107,
} as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

export function isErrorStatus(status: number): boolean {
  return status >= 100;
}

/** Apillon's record status: 5 active, 8 marked for deletion (purged 90 days later). */
export const RecordStatus = { ACTIVE: 5, MARKED_FOR_DELETION: 8 } as const;
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

export const PURGE_AFTER_DAYS = 90;

export interface EntryRecord {
  readonly uuid: string;
  readonly type: 'file' | 'directory';
  readonly bucketUuid: string;
  readonly accountId: string;
  /** Apillon's integer `id`. */
  readonly number: number;
  /** NFC-normalised name. */
  readonly name: string;
  /** Full path inside the bucket, name included (`a/b/name`). */
  readonly path: string;
  /** The directory holding it; null at the bucket root. */
  readonly parentUuid: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly recordStatus: RecordStatus;
  // Files only.
  readonly fileStatus?: number;
  readonly contentType?: string;
  /** Bytes: the declared size until the bytes arrive, then the real size. */
  readonly size?: number;
  readonly declaredSize?: number;
  /** Bytes charged to the account and bucket for this file (0 until status 2). */
  readonly chargedBytes?: number;
  /** Files from status 3, directories once addressed (lib/core/directories/directories.ts): `ipfs add` (-r) CIDv0. */
  readonly cidV0?: string;
  /** The CIDv1 of `ipfs add [-r] --cid-version=1 --raw-leaves=false`. */
  readonly cidV1?: string;
  /** Tsize in bytes of the CIDv0 DAG (root block + every block below): what a parent directory's link carries. */
  readonly dagSizeV0?: number;
  /** Tsize in bytes of the CIDv1 DAG. */
  readonly dagSizeV1?: number;
  /**
   * Directories: bumped (DynamoDB ADD) by every change to the set of its active children with
   * CIDs; a recompute writes its CIDs only while it is still the version it read.
   */
  readonly contentVersion?: number;
  /** Directories: set (ISO time) while its CIDs lag a change; absent once the last change is addressed. */
  readonly staleSince?: string;
  /** Directories: when its CIDs were last written (ISO). */
  readonly addressedAt?: string;
  readonly objectKey?: string;
  readonly sessionUuid?: string;
  /** Replace a file already at this path when the bytes arrive (else the upload is rejected). */
  readonly overwrite?: boolean;
  /** Bumped by every download; download tokens carry the generation they were made for. */
  readonly downloadGeneration?: number;
  readonly markedForDeletionAt?: string;
  readonly purgeAt?: string;
  /** Placed under its upload session's `directoryPath` at the session's end (session-wrap.ts): never moved again. */
  readonly wrapped?: boolean;
  /** The directory a file was moved out of when it was placed, or an upload request was planned into (null: the root). */
  readonly movedFrom?: string | null;
  /** Why the bytes were refused (107: the policy rule, the file and the limit; 102/103: the quota or bucket limit in bytes), as the file detail shows it. */
  readonly rejectionReason?: string;
  /** A file uploaded in parts (lib/core/upload/multipart.ts): S3's UploadId and the plan its parts follow. */
  readonly multipart?: { readonly uploadId: string; readonly partSize: number; readonly partCount: number };
  /**
   * Bytes reserved for an open multipart upload at its create (issue 21: the account's and the bucket's
   * `reservedBytes`, beside their usage), so no other upload takes that space meanwhile. Released exactly once, by
   * the write that takes the file out of status 1 (commit, rejection, abort, superseding, the stale sweep) or deletes
   * it; that write removes this attribute, and each such write is conditioned on it.
   */
  readonly reservedBytes?: number;
  /**
   * Status 1: a commit whose copy from `uploads/` goes on over several invocations (issue 21: a copy in parts of up to
   * 5 TiB outlasts one): the key it copies to and the ETag of the upload it copies, so the next invocation resumes that
   * copy rather than starting one of its own (lib/core/lifecycle/lifecycle.ts `commitBytes`). The commit removes it.
   */
  readonly commitCopy?: { readonly objectKey: string; readonly sourceETag: string };
  /** A multipart upload whose complete was asked for (ISO): from then on a later upload to its path no longer supersedes it. */
  readonly completingAt?: string;
  /** A multipart upload another upload to its path superseded (status 106): that upload's uuid. */
  readonly supersededBy?: string;
  /**
   * A single upload of no session: when its files.ready was claimed (ISO; lib/core/webhooks/announce.ts). While the
   * event is claimed but not yet queued, the file also sits in the sweeper's index, which queues it then.
   */
  readonly readyAt?: string;
}

/** A file record, narrowed. */
export type FileRecord = EntryRecord & {
  readonly type: 'file';
  readonly fileStatus: number;
  readonly contentType: string;
  readonly objectKey: string;
};

export function isFile(entry: EntryRecord): entry is FileRecord {
  return entry.type === 'file';
}

export const SORT_FIELDS = ['name', 'createTime', 'updateTime', 'size'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
