import { availableBytes } from '../core/upload/admission';
import type { IssuedUpload } from './uploads';
import { servedByGateway } from '../core/read/public-content';
import type { StorageInfo } from './files';
import { directoryServedByGateway } from '../core/directories/directory-marks';
import { isFile, type EntryRecord } from '../core/model/entries';
import { ipfsLink, ipnsLink } from '../http/public-url';
import type { BucketRecord, UploadSessionRecord } from '../core/ports';
import type { IpnsRecord } from '../core/ports';

/**
 * Every response body of the Apillon surface, in one place. Two families of
 * routes read the same records differently: the seed's v1 routes
 * (`/storage/:bucketUuid/...`: `id`, `type: "file"|"directory"`, `fileUuid`) and
 * the SDK's routes (`/storage/buckets/:bucketUuid/...`: `uuid`, `type` 1|2,
 * `directoryUuid`, and `fileUuid` in file lists), as docs/apillon-sdk-contract.md
 * lists them. `CID` is the CIDv1 (also as `CIDv1`, Apillon's name for it); `CIDv0` is added
 * for `ipfs add` users. Directories carry them too once addressed (lib/core/directories/directories.ts).
 */

/** Apillon's numbers for content types and bucket types. */
const CONTENT_TYPE = { directory: 1, file: 2 } as const;
const BUCKET_TYPE_STORAGE = 1;

/** `a/b/name` → `a/b/` (the Apillon `path` of a file: its directory, as the SDK sends it); `''` at the root. */
function directoryPathOf(entry: EntryRecord): string {
  const slash = entry.path.lastIndexOf('/');
  return slash < 0 ? '' : `${entry.path.slice(0, slash)}/`;
}

/** What a `link` needs: the base URL clients reach this API on, and the bucket of the records shown. */
export interface LinkContext {
  readonly baseUrl: string;
  readonly bucket: BucketRecord;
}

/**
 * `link` is the gateway URL only where the gateway serves the record (servedByGateway for files,
 * directoryServedByGateway for directories), else null. A directory shows the CIDs of its last
 * recompute (null until its first, a few seconds after it is made).
 */
function cidFields(entry: EntryRecord, links: LinkContext) {
  const served = isFile(entry) ? servedByGateway(links.bucket, entry) : directoryServedByGateway(links.bucket, entry);
  return {
    CID: entry.cidV1 ?? null,
    CIDv1: entry.cidV1 ?? null,
    CIDv0: entry.cidV0 ?? null,
    link: entry.cidV1 && served ? ipfsLink(links.baseUrl, entry.cidV1) : null,
  };
}

/** File facts every file view shares. */
function fileFacts(entry: EntryRecord) {
  return {
    contentType: entry.contentType ?? null,
    size: entry.size ?? null,
    fileStatus: entry.fileStatus ?? null,
  };
}

const times = (entry: EntryRecord) => ({ createTime: entry.createdAt, updateTime: entry.updatedAt });

// ---- buckets ----------------------------------------------------------------

export function bucketView(bucket: BucketRecord) {
  return {
    bucketUuid: bucket.bucketUuid,
    name: bucket.name,
    description: bucket.description,
    bucketType: BUCKET_TYPE_STORAGE,
    size: bucket.sizeBytes,
    maxSize: bucket.maxSizeBytes,
    public: bucket.public,
    maxFileSize: bucket.uploadPolicy?.maxFileSize ?? null,
    allowedContentTypes: bucket.uploadPolicy?.allowedContentTypes ?? null,
    markedForDeletion: bucket.markedForDeletionAt !== undefined,
    createTime: bucket.createdAt,
    updateTime: bucket.updatedAt,
  };
}

// ---- uploads ----------------------------------------------------------------

/** The seed's `POST /storage/:bucketUuid/upload` answer (`url` is the same URL: the real service names it so). */
export function singleUploadView(upload: IssuedUpload) {
  return {
    signedUrlForUpload: upload.url,
    url: upload.url,
    fileUuid: upload.file.uuid,
    fileUploadRequestId: upload.file.number,
  };
}

/** The SDK's batch answer: request order, `fileName` and `path` exactly as sent (the SDK matches on them). */
export function sessionUploadView(sessionUuid: string, uploads: readonly IssuedUpload[]) {
  return {
    sessionUuid,
    files: uploads.map(({ request, file, url }) => ({
      fileName: request.fileName,
      path: request.path ?? null,
      contentType: file.contentType,
      url,
      fileUuid: file.uuid,
      fileUploadRequestId: file.number,
    })),
  };
}

export function sessionView(session: UploadSessionRecord) {
  return {
    sessionUuid: session.sessionUuid,
    sessionStatus: session.status === 'ended' ? 2 : 1,
    ended: session.status === 'ended',
    fileCount: session.fileCount,
    createTime: session.createdAt,
    updateTime: session.updatedAt,
  };
}

// ---- v1 (seed) routes -------------------------------------------------------

/** An item of `GET /storage/:bucketUuid/content`; `parentDirectoryId` is the listed directory's id (null at the root). */
export function contentItemView(entry: EntryRecord, parentDirectoryId: number | null, links: LinkContext) {
  const file = isFile(entry);
  return {
    id: entry.number,
    type: entry.type,
    uuid: entry.uuid,
    name: entry.name,
    ...times(entry),
    contentType: file ? entry.contentType : null,
    size: file ? (entry.size ?? null) : null,
    parentDirectoryId,
    fileUuid: file ? entry.uuid : null,
    ...cidFields(entry, links),
    status: entry.recordStatus,
    fileStatus: file ? entry.fileStatus : null,
  };
}

/** The file of `GET /storage/:bucketUuid/file/:id/detail` and of the seed's DELETE answer. */
export function fileDetailView(entry: EntryRecord, links: LinkContext) {
  const { CID, CIDv1, CIDv0, link } = cidFields(entry, links);
  return {
    id: entry.number,
    status: entry.recordStatus,
    fileUuid: entry.uuid,
    name: entry.name,
    ...fileFacts(entry),
    CID,
    CIDv1,
    CIDv0,
    downloadLink: link,
    path: directoryPathOf(entry),
    ...times(entry),
    ...refusalFields(entry),
  };
}

/**
 * Why a file was refused (issue 21): `rejectionReason` (the limit or the path conflict, in words) and, for a multipart
 * upload a later upload to its path replaced, `supersededBy` (that upload's fileUuid); absent for files never refused.
 */
function refusalFields(entry: EntryRecord) {
  return {
    ...(entry.rejectionReason ? { rejectionReason: entry.rejectionReason } : {}),
    ...(entry.supersededBy ? { supersededBy: entry.supersededBy } : {}),
  };
}

export function fileDetailResponse(entry: EntryRecord, links: LinkContext) {
  return { fileStatus: entry.fileStatus ?? null, file: fileDetailView(entry, links) };
}

// ---- SDK routes -------------------------------------------------------------

/** An item of `GET /storage/buckets/:bucketUuid/content`: `uuid` and `type` 1|2, as the SDK's listObjects reads it. */
export function sdkContentItemView(entry: EntryRecord, links: LinkContext) {
  const common = { id: entry.number, uuid: entry.uuid, name: entry.name, ...cidFields(entry, links), status: entry.recordStatus, ...times(entry) };
  if (!isFile(entry)) return { type: CONTENT_TYPE.directory, ...common, parentDirectoryUuid: entry.parentUuid, cidPending: directoryCidPending(entry) };
  return { type: CONTENT_TYPE.file, ...common, directoryUuid: entry.parentUuid, path: directoryPathOf(entry), ...fileFacts(entry) };
}

/**
 * `cidPending` of a directory item: true while a change below it is not yet in its CIDs (its
 * `staleSince` mark, lib/core/directories/directories.ts). A client that waits for a directory's final CID
 * (the CLI's `upload --wait`) reads it bottom-up: once every file is at status 4 and no directory
 * of the tree is pending, deepest first, the CIDs shown are those of the current tree.
 */
function directoryCidPending(entry: EntryRecord): boolean {
  return entry.staleSince !== undefined;
}

/** A file as `GET /storage/buckets/:bucketUuid/files[/:id]` answer it: `fileUuid`, `fileStatus`, `directoryUuid`. */
export function sdkFileView(entry: EntryRecord, links: LinkContext) {
  return {
    id: entry.number,
    fileUuid: entry.uuid,
    name: entry.name,
    ...fileFacts(entry),
    ...cidFields(entry, links),
    status: entry.recordStatus,
    directoryUuid: entry.parentUuid,
    path: directoryPathOf(entry),
    sessionUuid: entry.sessionUuid ?? null,
    ...times(entry),
    ...refusalFields(entry),
  };
}

/** A directory as the SDK's delete answer carries it (deleted: no link any more). */
export function sdkDirectoryView(entry: EntryRecord, links: LinkContext) {
  return { ...sdkContentItemView(entry, links), status: 8, link: null };
}

// ---- lists and account ------------------------------------------------------

export function listView<T, R>(page: { items: readonly T[]; total: number; nextToken?: string }, view: (item: T) => R) {
  return { items: page.items.map(view), total: page.total, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/**
 * `GET /storage/info` as the SDK's getInfo returns it (bytes; bandwidth: this calendar month, UTC). availableStorage is
 * what an upload may still take: the quota less what is used and what open uploads in parts reserve (admission.ts).
 */
export function storageInfoView(info: StorageInfo) {
  return {
    availableStorage: availableBytes(info.quotaBytes, info),
    usedStorage: info.usedBytes,
    totalStorage: info.quotaBytes,
    availableBandwidth: Math.max(0, info.bandwidthAllowanceBytes - info.bandwidthUsedBytes),
    usedBandwidth: info.bandwidthUsedBytes,
    totalBandwidth: info.bandwidthAllowanceBytes,
  };
}

/**
 * `link-on-ipfs`: the gateway link of a CID (null where the CID is stored only where the
 * gateway does not serve it), or with `type: 'ipns'` the `/ipns/` link of an IPNS name.
 */
export function linkView(baseUrl: string, cid: string, linkable: boolean, type: 'ipfs' | 'ipns' = 'ipfs') {
  if (type === 'ipns') return { link: ipnsLink(baseUrl, cid) };
  return { link: linkable ? ipfsLink(baseUrl, cid) : null };
}

// ---- IPNS -------------------------------------------------------------------

/**
 * An IPNS name as the SDK's `Ipns` model reads it (`ipnsUuid`, `name`,
 * `description`, `ipnsName`, `ipnsValue`, `link`, times). The key is never shown.
 * `link` is the gateway link of the name once it points somewhere.
 */
export function ipnsView(record: IpnsRecord, baseUrl: string) {
  return {
    ipnsUuid: record.ipnsUuid,
    bucketUuid: record.bucketUuid,
    name: record.name,
    description: record.description,
    ipnsName: record.ipnsName,
    ipnsValue: record.ipnsValue,
    link: record.ipnsValue ? ipnsLink(baseUrl, record.ipnsName) : null,
    createTime: record.createdAt,
    updateTime: record.updatedAt,
  };
}

/** `link-on-ipfs-multiple`: links in the order of `cids` (null as in {@link linkView}). */
export function linksView(baseUrl: string, cids: readonly string[], linkable: readonly boolean[]) {
  return { links: cids.map((cid, index) => (linkable[index] ? ipfsLink(baseUrl, cid) : null)) };
}

// ---- multipart uploads (lib/apillon/multipart.ts) -------------------------

/** `POST …/upload/:sessionUuid/multipart` → 201. */
export function multipartCreatedView(created: { file: EntryRecord; uploadId: string; plan: { partSize: number; partCount: number } }) {
  return {
    fileUuid: created.file.uuid,
    fileUploadRequestId: created.file.number,
    uploadId: created.uploadId,
    partSize: created.plan.partSize,
    partCount: created.plan.partCount,
    size: created.file.declaredSize ?? 0,
  };
}

/** `GET …/multipart/:fileUuid`: the parts S3 holds (sizes in bytes, ETags as S3 gives them, quotes included). */
export function uploadedPartsView(file: EntryRecord, parts: readonly { partNumber: number; size: number; eTag: string }[]) {
  return {
    fileUuid: file.uuid,
    partSize: file.multipart?.partSize ?? 0,
    partCount: file.multipart?.partCount ?? 0,
    parts: parts.map((part) => ({ partNumber: part.partNumber, size: part.size, ETag: part.eTag })),
  };
}

/** `POST …/complete` and `DELETE …/multipart/:fileUuid`: the file's status afterwards. */
export function multipartFileView(file: EntryRecord) {
  return { fileUuid: file.uuid, fileStatus: file.fileStatus ?? null, size: file.size ?? null };
}
