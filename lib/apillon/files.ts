import { toCidV1 } from '../cid';
import { AppError } from '../errors';
import type { BucketRecord } from '../core/ports';
import { openBucket } from './buckets';
import { isUuid } from '../core/access/secrets';
import { RecordStatus, type EntryRecord, type FileRecord } from '../core/model/entries';
import { listDirectory, type ListQuery, type ListResult } from '../core/read/listing';
import { Permission, requirePermission, type Principal } from '../core/access/principal';
import { markDirectoryForDeletion, markFileForDeletion } from '../core/deletion/deletion';
import { findFile } from '../core/read/lookup';
import type { StorageDeps } from '../core/ports/storage';
import { bandwidthUsage, type BandwidthDeps } from '../core/read/bandwidth';
import { MAX_CID_CANDIDATES, servedByGateway } from '../core/read/public-content';

/**
 * Apillon reads and deletions (SPEC §3, §5): directory listings, the files of a
 * bucket or upload session, one file by id/uuid/CID, mark-for-deletion, the
 * account's storage figures and gateway links (the gateway's lookup by CID:
 * lib/core/read/public-content.ts).
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
export async function listContent(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings'>, principal: Principal, bucketUuid: string, query: ContentQuery): Promise<ContentPage> {
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
  deps: Pick<StorageDeps, 'buckets' | 'listings'>,
  principal: Principal,
  bucketUuid: string,
  query: FilesQuery,
): Promise<ListResult & { bucket: BucketRecord }> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const recordStatus = query.markedForDeletion ? RecordStatus.MARKED_FOR_DELETION : RecordStatus.ACTIVE;
  const scope = JSON.stringify([bucket.bucketUuid, query.sessionUuid ?? null, query.fileStatus ?? null, recordStatus]);
  const page = await deps.listings.listFiles({
    bucketUuid: bucket.bucketUuid,
    sessionUuid: query.sessionUuid,
    fileStatus: query.fileStatus,
    recordStatus,
    offset: query.nextToken === undefined ? (query.page - 1) * query.limit : 0,
    limit: query.limit,
    after: query.nextToken,
    scope,
  });
  return {
    bucket,
    items: page.items,
    total: page.total,
    nextToken: page.nextToken,
  };
}

/** One file by internal id, fileUuid or CID (READ); before its bytes arrive it is the upload request (status 1). */
export async function getFile(deps: Pick<StorageDeps, 'buckets' | 'entries'>, principal: Principal, bucketUuid: string, reference: string): Promise<InBucket<FileRecord>> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  return { record: await findFile(deps, bucket, reference), bucket };
}

/** Marks a file for deletion (WRITE): status 8, out of listings, purged 90 days later; again → 40006009. */
export async function deleteFile(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'deletions' | 'directories' | 'lifecycleQueue' | 'logger'>, principal: Principal, bucketUuid: string, reference: string): Promise<InBucket<FileRecord>> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  return { record: await markFileForDeletion(deps, await findFile(deps, bucket, reference)), bucket };
}

/** Deletes a directory (WRITE): every file in it is marked for deletion, the directories go now. */
export async function deleteDirectory(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'deletions' | 'directories' | 'lifecycleQueue' | 'logger'>, principal: Principal, bucketUuid: string, reference: string): Promise<InBucket<EntryRecord>> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  const directory = await findDirectory(deps, bucket, reference);
  await markDirectoryForDeletion(deps, directory);
  return { record: directory, bucket };
}

export interface StorageInfo {
  readonly quotaBytes: number;
  readonly usedBytes: number;
  /** Bytes open uploads in parts hold against the quota (declared, not yet arrived; issue 21). */
  readonly reservedBytes: number;
  /** Bytes the account may be served this calendar month (UTC). */
  readonly bandwidthAllowanceBytes: number;
  /** Bytes the gateway and downloads served for the account this month. */
  readonly bandwidthUsedBytes: number;
}

/** The account's quota and usage, and its bandwidth this month (READ). */
export async function storageInfo(deps: Pick<StorageDeps, 'accounts'> & Pick<BandwidthDeps, 'bandwidth' | 'monthlyBandwidthBytes'>, principal: Principal): Promise<StorageInfo> {
  requirePermission(principal, Permission.READ);
  const [account, bandwidth] = await Promise.all([
    deps.accounts.getAccount(principal.accountId),
    bandwidthUsage(deps, principal.accountId),
  ]);
  if (!account) throw new Error(`Account ${principal.accountId} of a credential does not exist`);
  return {
    quotaBytes: account.quotaBytes,
    usedBytes: account.usedBytes,
    reservedBytes: account.reservedBytes ?? 0,
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

/**
 * Which of `cids` get a gateway link (`link-on-ipfs`), in order: a CID the gateway
 * serves from some public bucket, or one stored nowhere yet (the SDK asks for the
 * links of what it is about to upload; the link works once the file is in a public
 * bucket). A CID stored only where the gateway does not serve it (private buckets,
 * files marked for deletion) gets none: its link would answer 404.
 */
export async function linkableCids(deps: Pick<StorageDeps, 'buckets' | 'entries'>, cids: readonly string[]): Promise<boolean[]> {
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

// ---- helpers ----------------------------------------------------------------

/** A directory of `bucket` by internal id or uuid; 404 DIRECTORY_NOT_FOUND otherwise. */
async function findDirectory(deps: Pick<StorageDeps, 'entries'>, bucket: BucketRecord, reference: string): Promise<EntryRecord> {
  const ref = reference.trim();
  const entry = /^\d{1,15}$/.test(ref)
    ? await deps.entries.getByNumber(Number(ref))
    : isUuid(ref)
      ? await deps.entries.get(ref.toLowerCase())
      : undefined;
  if (!entry || entry.type !== 'directory' || entry.bucketUuid !== bucket.bucketUuid) throw new AppError('directoryNotFound');
  return entry;
}
