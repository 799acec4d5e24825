import { toCidV1 } from '../../cid';
import { AppError, validationError } from '../../errors';
import type { BucketRecord } from '../ports';
import { FileStatus, RecordStatus, isFile, type EntryRecord, type FileRecord } from '../model/entries';
import type { StorageDeps } from '../ports/storage';
import { directoryServedByGateway } from '../directories/directory-marks';

/**
 * The public gateway's lookup by CID (SPEC §6): which entries `/ipfs/<cid>` serves
 * ({@link servedByGateway}, the one rule for gateway links too) and what a CID names.
 * Shared by the Apillon surface (links) and the gateway (path and trustless).
 */

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
export async function findPublicContent(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'blobs'>, cid: string): Promise<PublicContent> {
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
export async function findPublicFile(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'blobs'>, cid: string): Promise<PublicFile> {
  const content = await findPublicContent(deps, cid);
  if (content.kind !== 'file') throw new AppError('fileNotFound');
  return content;
}

/** A directory record as the gateway serves it; a record at path `''` is its bucket's root. */
export function publicDirectory(bucket: BucketRecord, record: EntryRecord): PublicDirectory {
  const root = record.path === '';
  return { bucket, record, uuid: root ? null : record.uuid, path: record.path };
}
