import { toCidV1 } from '../cid';
import { AppError, invalidNextToken, validationError } from '../errors';
import type { BucketRecord } from '../store/bucket-store';
import { keys } from '../store/keys';
import { openBucket } from './apillon-buckets';
import { isUuid } from './secrets';
import { FileStatus, RecordStatus, isFile, type EntryRecord, type FileRecord } from './entries';
import { isEntryIndexKey, listDirectory, type ListQuery, type ListResult } from './listing';
import { Permission, requirePermission, type Principal } from './principal';
import { markDirectoryForDeletion, markFileForDeletion } from './deletion';
import { findFile } from './lookup';
import type { StorageDeps } from './storage';
import { bandwidthUsage, type BandwidthDeps } from './bandwidth';

/**
 * Apillon reads and deletions (SPEC §3, §5): directory listings, the files of a
 * bucket or upload session, one file by id/uuid/CID, mark-for-deletion, the
 * account's storage figures and the public gateway's lookup by CID.
 */

export interface ContentQuery extends Pick<ListQuery, 'search' | 'orderBy' | 'desc' | 'page' | 'limit' | 'nextToken'> {
  /** A directory's internal id or uuid; the root when absent. */
  readonly directory?: string;
  /** The bucket's files marked for deletion (any directory) instead of the directory's content. */
  readonly markedForDeletion?: boolean;
}

export interface ContentPage extends ListResult {
  /** The listed directory; null for the root. */
  readonly directory: EntryRecord | null;
}

/** A directory of the bucket and what is in it (READ). 404 DIRECTORY_NOT_FOUND for an unknown directory. */
export async function listContent(deps: StorageDeps, principal: Principal, bucketUuid: string, query: ContentQuery): Promise<ContentPage> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const directory = query.directory === undefined ? null : await findDirectory(deps, bucket, query.directory);
  if (query.markedForDeletion) return { ...(await listFiles(deps, principal, bucketUuid, { ...query, markedForDeletion: true })), directory };
  const result = await listDirectory(deps.entries, {
    bucketUuid: bucket.bucketUuid,
    directoryUuid: directory?.uuid ?? null,
    search: query.search,
    orderBy: query.orderBy,
    desc: query.desc,
    page: query.page,
    limit: query.limit,
    nextToken: query.nextToken,
  });
  return { ...result, directory };
}

export interface FilesQuery {
  readonly sessionUuid?: string;
  readonly fileStatus?: number;
  /** The files marked for deletion instead of the active ones. */
  readonly markedForDeletion?: boolean;
  readonly page: number;
  readonly limit: number;
  readonly nextToken?: string;
}

/**
 * The files of a bucket, or of one of its upload sessions, oldest first, any
 * status (READ). Read from the bucket's (or session's) file index, never a table scan.
 */
export async function listFiles(deps: StorageDeps, principal: Principal, bucketUuid: string, query: FilesQuery): Promise<ListResult> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const recordStatus = query.markedForDeletion ? RecordStatus.MARKED_FOR_DELETION : RecordStatus.ACTIVE;
  const scope = JSON.stringify([bucket.bucketUuid, query.sessionUuid ?? null, query.fileStatus ?? null, recordStatus]);
  const partition: Record<string, string> = query.sessionUuid
    ? { sessionPk: keys.sessionFiles(bucket.bucketUuid, query.sessionUuid) }
    : { filesPk: keys.bucketFiles(bucket.bucketUuid) };
  const startKey = query.nextToken === undefined ? undefined : decodeFilesCursor(query.nextToken, scope, partition);
  const page = await deps.entries.listFiles({
    bucketUuid: bucket.bucketUuid,
    sessionUuid: query.sessionUuid,
    fileStatus: query.fileStatus,
    recordStatus,
    offset: startKey ? 0 : (query.page - 1) * query.limit,
    limit: query.limit,
    startKey,
  });
  return {
    items: page.items,
    total: page.total,
    nextToken: page.lastKey ? Buffer.from(JSON.stringify({ key: page.lastKey, scope }), 'utf8').toString('base64url') : undefined,
  };
}

/** One file by internal id, fileUuid or CID (READ); before its bytes arrive it is the upload request (status 1). */
export async function getFile(deps: StorageDeps, principal: Principal, bucketUuid: string, reference: string): Promise<FileRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  return findFile(deps, bucket, reference);
}

/** Marks a file for deletion (WRITE): status 8, out of listings, purged 90 days later; again → 40006009. */
export async function deleteFile(deps: StorageDeps, principal: Principal, bucketUuid: string, reference: string): Promise<FileRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  return markFileForDeletion(deps, await findFile(deps, bucket, reference));
}

/** Deletes a directory (WRITE): every file in it is marked for deletion, the directories go now. */
export async function deleteDirectory(deps: StorageDeps, principal: Principal, bucketUuid: string, reference: string): Promise<EntryRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  const directory = await findDirectory(deps, bucket, reference);
  await markDirectoryForDeletion(deps, directory);
  return directory;
}

export interface StorageInfo {
  readonly quotaBytes: number;
  readonly usedBytes: number;
  /** Bytes the account may be served this calendar month (UTC). */
  readonly bandwidthAllowanceBytes: number;
  /** Bytes the gateway and downloads served for the account this month. */
  readonly bandwidthUsedBytes: number;
}

/** The account's quota and usage, and its bandwidth this month (READ). */
export async function storageInfo(deps: StorageDeps & Pick<BandwidthDeps, 'bandwidth' | 'monthlyBandwidthBytes'>, principal: Principal): Promise<StorageInfo> {
  requirePermission(principal, Permission.READ);
  const [account, bandwidth] = await Promise.all([
    deps.accounts.getAccount(principal.accountId),
    bandwidthUsage(deps, principal.accountId),
  ]);
  if (!account) throw new Error(`Account ${principal.accountId} of a credential does not exist`);
  return {
    quotaBytes: account.quotaBytes,
    usedBytes: account.usedBytes,
    bandwidthAllowanceBytes: bandwidth.allowanceBytes,
    bandwidthUsedBytes: bandwidth.usedBytes,
  };
}

/** What the SDK's getIpfsClusterInfo reads (`IpfsClusterInfo` in `@apillon/sdk` dist/types/storage.d.ts). */
export interface IpfsClusterInfo {
  /**
   * Apillon's project secret for signing gateway access tokens. This gateway
   * needs none (public buckets are served without a token), so there is no
   * secret to give: always `''`, never a credential.
   */
  readonly secret: string;
  /** Apillon's project: here the account. */
  readonly projectUuid: string;
  /** `<base>/ipfs/`: a CID appended gives its content. */
  readonly ipfsGateway: string;
  /** `<base>/ipns/`: an IPNS name appended gives what it points at. */
  readonly ipnsGateway: string;
}

/** `GET /storage/ipfs-cluster-info` (READ): the gateways of this service for `baseUrl`. */
export function ipfsClusterInfo(principal: Principal, baseUrl: string): IpfsClusterInfo {
  requirePermission(principal, Permission.READ);
  return { secret: '', projectUuid: principal.accountId, ipfsGateway: `${baseUrl}/ipfs/`, ipnsGateway: `${baseUrl}/ipns/` };
}

/**
 * Gateway links need a credential, but no particular permission beyond reading
 * or uploading: the SDK asks for them (with the CIDs it computed) before it uploads.
 */
export function requireLinkPermission(principal: Principal): void {
  if (!principal.permissions.has(Permission.EXECUTE)) requirePermission(principal, Permission.READ);
}

/** What the public gateway answers for a CID: the bytes of a small file, or a short-lived URL for a large one. */
export type PublicContent =
  | { readonly file: FileRecord; readonly bytes: Uint8Array }
  | { readonly file: FileRecord; readonly redirectUrl: string };

/**
 * What the public gateway serves for `cid` (v0 or any v1 encoding): a file that
 * is content addressed (status 3 or 4), active, and in a public bucket not
 * marked for deletion; the newest such one when the CID is in several buckets.
 * Files up to `inlineLimit` bytes come back as bytes, larger ones as a presigned
 * GET (60 s). 404 FILE_DOES_NOT_EXISTS otherwise; 422 for a string that is no CID.
 */
export async function openPublicFile(deps: StorageDeps, cid: string, inlineLimit: number): Promise<PublicContent> {
  const { file, size } = await findPublicFile(deps, cid);
  if (size > inlineLimit) {
    return { file, redirectUrl: await deps.blobs.presignDownload(file.objectKey, deps.presignTtlSeconds, file.name, file.contentType) };
  }
  return { file, bytes: await deps.blobs.readAll(file.objectKey) };
}

/**
 * The file the public gateway serves for `cid` (v0 or any v1 encoding), and the
 * size of its bytes in S3: content addressed (status 3 or 4), active, in a public
 * bucket not marked for deletion; the newest such one when the CID is in several
 * buckets. 404 FILE_DOES_NOT_EXISTS otherwise; 422 for a string that is no CID.
 */
export async function findPublicFile(deps: StorageDeps, cid: string): Promise<{ file: FileRecord; size: number }> {
  const v1 = toCidV1(cid);
  if (!v1) throw validationError([{ code: 42200028, property: 'cid', message: 'CID_NOT_VALID' }]);
  const candidates = (await deps.entries.findByCidInAnyBucket(cid.startsWith('Qm') ? { v0: cid } : { v1 }))
    .filter((entry): entry is FileRecord => isFile(entry) && entry.recordStatus === RecordStatus.ACTIVE)
    .filter((file) => file.fileStatus === FileStatus.ADDRESSED || file.fileStatus === FileStatus.REPLICATED)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const buckets = new Map<string, BucketRecord | undefined>();
  for (const file of candidates) {
    if (!buckets.has(file.bucketUuid)) buckets.set(file.bucketUuid, await deps.buckets.get(file.bucketUuid));
    const bucket = buckets.get(file.bucketUuid);
    if (!bucket?.public || bucket.markedForDeletionAt) continue;
    const object = await deps.blobs.head(file.objectKey);
    if (!object) continue; // replaced or purged since the index was read
    return { file, size: object.size };
  }
  throw new AppError('fileNotFound');
}

// ---- helpers ----------------------------------------------------------------

/** A directory of `bucket` by internal id or uuid; 404 DIRECTORY_NOT_FOUND otherwise. */
async function findDirectory(deps: StorageDeps, bucket: BucketRecord, reference: string): Promise<EntryRecord> {
  const ref = reference.trim();
  const entry = /^\d{1,15}$/.test(ref)
    ? await deps.entries.getByNumber(Number(ref))
    : isUuid(ref)
      ? await deps.entries.get(ref.toLowerCase())
      : undefined;
  if (!entry || entry.type !== 'directory' || entry.bucketUuid !== bucket.bucketUuid) throw new AppError('directoryNotFound');
  return entry;
}

/** A cursor of this file listing (same `scope`): a start key of the bucket's (or session's) file index. 422 otherwise. */
function decodeFilesCursor(token: string, scope: string, partition: Record<string, string>): Record<string, string> {
  let cursor: { key?: unknown; scope?: unknown };
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof cursor;
  } catch {
    throw invalidNextToken();
  }
  if (typeof cursor !== 'object' || cursor === null || cursor.scope !== scope) throw invalidNextToken();
  // Never page another bucket's (or session's) files, nor hand DynamoDB a start key it cannot use.
  const [[partitionAttribute, value]] = Object.entries(partition) as [[string, string]];
  if (!isEntryIndexKey(cursor.key, { partitionAttribute, partition: value, sortAttribute: 'filesSk' })) throw invalidNextToken();
  return cursor.key;
}
