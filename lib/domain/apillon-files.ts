import { toCidV1 } from '../cid';
import { AppError, invalidNextToken, validationError } from '../errors';
import type { BucketRecord } from './ports';
import { keys } from '../store/keys';
import { openBucket } from './apillon-buckets';
import { isUuid } from './secrets';
import { FileStatus, RecordStatus, isFile, type EntryRecord, type FileRecord } from './entries';
import { encodeCursor, isEntryIndexKey, listDirectory, openCursor, type ListQuery, type ListResult } from './listing';
import { Permission, requirePermission, type Principal } from './principal';
import { markDirectoryForDeletion, markFileForDeletion } from './deletion';
import { findFile } from './lookup';
import type { StorageDeps } from './storage';
import { bandwidthUsage, type BandwidthDeps } from './bandwidth';
import { directoryServedByGateway } from './directory-marks';

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
  /** The bucket listed (its `public` flag decides which items get a gateway link). */
  readonly bucket: BucketRecord;
}

/** A record and the bucket it is in (whose `public` flag decides whether it gets a gateway link). */
export interface InBucket<T> {
  readonly record: T;
  readonly bucket: BucketRecord;
}

/** A directory of the bucket and what is in it (READ). 404 DIRECTORY_NOT_FOUND for an unknown directory. */
export async function listContent(deps: StorageDeps, principal: Principal, bucketUuid: string, query: ContentQuery): Promise<ContentPage> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const directory = query.directory === undefined ? null : await findDirectory(deps, bucket, query.directory);
  if (query.markedForDeletion) return { ...(await listFiles(deps, principal, bucketUuid, { ...query, markedForDeletion: true })), directory };
  const result = await listDirectory(deps.listings, {
    bucketUuid: bucket.bucketUuid,
    directoryUuid: directory?.uuid ?? null,
    search: query.search,
    orderBy: query.orderBy,
    desc: query.desc,
    page: query.page,
    limit: query.limit,
    nextToken: query.nextToken,
  });
  return { ...result, directory, bucket };
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
export async function listFiles(
  deps: StorageDeps,
  principal: Principal,
  bucketUuid: string,
  query: FilesQuery,
): Promise<ListResult & { bucket: BucketRecord }> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const recordStatus = query.markedForDeletion ? RecordStatus.MARKED_FOR_DELETION : RecordStatus.ACTIVE;
  const scope = JSON.stringify([bucket.bucketUuid, query.sessionUuid ?? null, query.fileStatus ?? null, recordStatus]);
  const partition: Record<string, string> = query.sessionUuid
    ? { sessionPk: keys.sessionFiles(bucket.bucketUuid, query.sessionUuid) }
    : { filesPk: keys.bucketFiles(bucket.bucketUuid) };
  const startKey = query.nextToken === undefined ? undefined : decodeFilesCursor(query.nextToken, scope, partition);
  const page = await deps.listings.listFiles({
    bucketUuid: bucket.bucketUuid,
    sessionUuid: query.sessionUuid,
    fileStatus: query.fileStatus,
    recordStatus,
    offset: startKey ? 0 : (query.page - 1) * query.limit,
    limit: query.limit,
    startKey,
  });
  return {
    bucket,
    items: page.items,
    total: page.total,
    nextToken: page.lastKey ? encodeCursor({ key: page.lastKey, scope }) : undefined,
  };
}

/** One file by internal id, fileUuid or CID (READ); before its bytes arrive it is the upload request (status 1). */
export async function getFile(deps: StorageDeps, principal: Principal, bucketUuid: string, reference: string): Promise<InBucket<FileRecord>> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  return { record: await findFile(deps, bucket, reference), bucket };
}

/** Marks a file for deletion (WRITE): status 8, out of listings, purged 90 days later; again → 40006009. */
export async function deleteFile(deps: StorageDeps, principal: Principal, bucketUuid: string, reference: string): Promise<InBucket<FileRecord>> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  return { record: await markFileForDeletion(deps, await findFile(deps, bucket, reference)), bucket };
}

/** Deletes a directory (WRITE): every file in it is marked for deletion, the directories go now. */
export async function deleteDirectory(deps: StorageDeps, principal: Principal, bucketUuid: string, reference: string): Promise<InBucket<EntryRecord>> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  const directory = await findDirectory(deps, bucket, reference);
  await markDirectoryForDeletion(deps, directory);
  return { record: directory, bucket };
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

/** A file the public gateway may serve, with its size as S3 holds it. */
export interface PublicFile {
  readonly file: FileRecord;
  /** Bytes of the object. */
  readonly size: number;
}

/** A directory the public gateway may serve (a bucket's root, or a directory of it). */
export interface PublicDirectory {
  readonly bucket: BucketRecord;
  /** The directory's record (a bucket's root: the record its CID index item gives, path `''`). */
  readonly record: EntryRecord;
  /** The directory's uuid; null for a bucket's root (what ListingStore takes). */
  readonly uuid: string | null;
  /** Its path in the bucket, `''` for the root. */
  readonly path: string;
}

/**
 * What a CID names for the public gateway: a file (its bytes in S3) or a directory
 * (its children in the listing index), with `cid` the CID in the version asked for
 * (`Qm…`: the CIDv0, else the CIDv1), which is also the ETag of what is served.
 */
export type PublicContent =
  | ({ readonly kind: 'file'; readonly cid: string } & PublicFile)
  | { readonly kind: 'directory'; readonly cid: string; readonly directory: PublicDirectory };

/** Index entries the gateway reads for one CID before it gives up (404): a CID many private files share stays cheap. */
export const MAX_CID_CANDIDATES = 100;

/**
 * Whether the public gateway (`/ipfs/<cid>`, no credentials) serves `entry`, so
 * that a `link`/`downloadLink` to it works for whoever holds it: a file with its
 * CIDs (status 3 or 4), not marked for deletion, in a public bucket that is not
 * marked for deletion; a directory by {@link directoryServedByGateway}, the same
 * rule. Files of private buckets get no link: their way out is a Quantum one-time
 * download token (`GET /file/get/...`). The one rule for links and for what
 * {@link findPublicContent} serves.
 */
export function servedByGateway(bucket: BucketRecord, entry: EntryRecord): boolean {
  if (!isFile(entry)) return directoryServedByGateway(bucket, entry);
  return (
    bucket.public &&
    !bucket.markedForDeletionAt &&
    entry.recordStatus === RecordStatus.ACTIVE &&
    (entry.fileStatus === FileStatus.ADDRESSED || entry.fileStatus === FileStatus.REPLICATED) &&
    entry.cidV1 !== undefined
  );
}

/**
 * Which of `cids` get a gateway link (`link-on-ipfs`), in order: a CID the gateway
 * serves from some public bucket, or one stored nowhere yet (the SDK asks for the
 * links of what it is about to upload; the link works once the file is in a public
 * bucket). A CID stored only where the gateway does not serve it (private buckets,
 * files marked for deletion) gets none: its link would answer 404.
 */
export async function linkableCids(deps: StorageDeps, cids: readonly string[]): Promise<boolean[]> {
  const buckets = new Map<string, Promise<BucketRecord | undefined>>();
  const bucketOf = (bucketUuid: string) => buckets.get(bucketUuid) ?? buckets.set(bucketUuid, deps.buckets.get(bucketUuid)).get(bucketUuid)!;
  const linkable = async (cid: string): Promise<boolean> => {
    const v1 = toCidV1(cid);
    if (!v1) return false;
    let stored = 0;
    for await (const entry of deps.entries.findByCidInAnyBucket(cid.startsWith('Qm') ? { v0: cid } : { v1 })) {
      if (++stored > MAX_CID_CANDIDATES) break;
      const bucket = await bucketOf(entry.bucketUuid);
      if (bucket && servedByGateway(bucket, entry)) return true;
    }
    return stored === 0;
  };
  // A few lookups at a time: a batch holds up to 200 CIDs.
  const results: boolean[] = [];
  for (let start = 0; start < cids.length; start += 20) results.push(...(await Promise.all(cids.slice(start, start + 20).map(linkable))));
  return results;
}

/** The CID version a request names: a `Qm…` CID is the CIDv0 (`ipfs add`), anything else a CIDv1. */
export function cidVersionOf(cid: string): 0 | 1 {
  return cid.startsWith('Qm') ? 0 : 1;
}

/** An entry's CID in `version` (undefined where it has none). */
export function entryCid(entry: EntryRecord, version: 0 | 1): string | undefined {
  return version === 0 ? entry.cidV0 : entry.cidV1;
}

/**
 * What the public gateway serves for `cid` (v0 or any v1 encoding): the first
 * entry of the CID index (newest first within a bucket) that {@link servedByGateway}
 * allows and, for a file, whose object is there. The index is read a page at a
 * time and the walk stops at the first match, or after MAX_CID_CANDIDATES entries;
 * each bucket is read once. 404 FILE_DOES_NOT_EXISTS when none; 422 CID_NOT_VALID
 * for a string that is no CID.
 */
export async function findPublicContent(deps: StorageDeps, cid: string): Promise<PublicContent> {
  const v1 = toCidV1(cid);
  if (!v1) throw validationError([{ code: 42200028, property: 'cid', message: 'CID_NOT_VALID' }]);
  const buckets = new Map<string, Promise<BucketRecord | undefined>>();
  let examined = 0;
  for await (const entry of deps.entries.findByCidInAnyBucket(cidVersionOf(cid) === 0 ? { v0: cid } : { v1 })) {
    if (++examined > MAX_CID_CANDIDATES) break;
    if (!buckets.has(entry.bucketUuid)) buckets.set(entry.bucketUuid, deps.buckets.get(entry.bucketUuid));
    const bucket = await buckets.get(entry.bucketUuid);
    if (!bucket || !servedByGateway(bucket, entry)) continue;
    if (!isFile(entry)) return { kind: 'directory', cid, directory: publicDirectory(bucket, entry) };
    const object = await deps.blobs.head(entry.objectKey);
    if (!object) continue; // replaced or purged since the index was read
    return { kind: 'file', cid, file: entry, size: object.size };
  }
  throw new AppError('fileNotFound');
}

/** The file the public gateway serves for `cid`, as {@link findPublicContent} finds it; 404 when `cid` names a directory. */
export async function findPublicFile(deps: StorageDeps, cid: string): Promise<PublicFile> {
  const content = await findPublicContent(deps, cid);
  if (content.kind !== 'file') throw new AppError('fileNotFound');
  return content;
}

/** A directory record as the gateway serves it; a record at path `''` is its bucket's root. */
export function publicDirectory(bucket: BucketRecord, record: EntryRecord): PublicDirectory {
  const root = record.path === '';
  return { bucket, record, uuid: root ? null : record.uuid, path: record.path };
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
  const cursor = openCursor(token, scope);
  // Never page another bucket's (or session's) files, nor hand DynamoDB a start key it cannot use.
  const [[partitionAttribute, value]] = Object.entries(partition) as [[string, string]];
  if (!isEntryIndexKey(cursor.key, { partitionAttribute, partition: value, sortAttribute: 'filesSk' })) throw invalidNextToken();
  return cursor.key;
}
