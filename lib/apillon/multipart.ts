import type { StorageDeps } from '../core/ports/storage';
import { contentTypeFor } from '../core/model/content-type';
import { AppError } from '../errors';
import { openBucket } from './buckets';
import { joinSession } from './uploads';
import type { FileRecord } from '../core/model/entries';
import { normaliseSegment, parsePath } from '../core/model/paths';
import { Permission, type Principal } from '../core/access/principal';
import { isUuid } from '../core/access/secrets';
import type { CompletedPart, MultipartUploadStore, UploadedPart } from '../core/ports/multipart-uploads';
import {
  abortUpload,
  completeUpload,
  listUploadParts,
  openMultipartUpload,
  presignUploadParts,
  startMultipartUpload,
  type CreatedMultipartUpload,
  type MultipartFieldNames,
  type OpenMultipartUpload,
} from '../core/upload/multipart';

/**
 * Multipart uploads on the Apillon surface (issue 21), inside an upload session: the routes of
 * `/storage/buckets/:bucketUuid/upload/:sessionUuid/multipart…` over the one multipart machinery
 * (lib/core/upload/multipart.ts, which the Quantum surface's `/upload/…` routes drive too).
 *
 * A session's end neither waits for nor refuses its open multipart files: they stay open after it
 * (parts, list, complete and abort keep working) and each commits when it completes, placed under the
 * session's `directoryPath` as any file of the session whose bytes arrive after the end (session-wrap.ts).
 */

/** What the multipart routes add to the storage ports they pick: S3's multipart uploads. */
export interface MultipartDeps {
  readonly multipart: MultipartUploadStore;
}

export interface MultipartRequest {
  readonly fileName: string;
  /** The directory (Apillon `path`); `''`/absent for the root. */
  readonly path?: string | null;
  readonly contentType?: string | null;
  /** Bytes of the whole file (binding: 0 … 5 TiB). */
  readonly size: number;
}

/** The Apillon names of the fields a multipart refusal points at (its 422 `property` and `model`). */
const APILLON_FIELDS: MultipartFieldNames = { partNumbers: 'partNumbers', parts: 'parts', partsModel: 'MultipartPartsDto', completeModel: 'MultipartCompleteDto' };

/**
 * `POST /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart` (EXECUTE): a file of `size` bytes to be
 * uploaded in parts. Joins (or opens) the session as a session upload does: 40006001 once it has ended,
 * 40406004 for a session of another bucket or a session id that is not a uuid. Admission refuses as for any
 * upload (INVALID_PATH, quota 40006003, bucket limit 40006002, the upload policy) before anything is made; a file
 * already at the path is replaced (Apillon).
 */
export async function createMultipartUpload(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'uploads' | 'sessions' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartDeps,
  principal: Principal,
  bucketUuid: string,
  sessionUuid: string,
  request: MultipartRequest,
): Promise<CreatedMultipartUpload> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  if (!isUuid(sessionUuid)) throw new AppError('uploadSessionNotFound');
  const session = sessionUuid.toLowerCase();
  normaliseSegment(request.fileName);
  const startedAt = new Date().toISOString();
  return startMultipartUpload(
    deps,
    bucket,
    {
      fileName: request.fileName,
      directory: parsePath(request.path ?? '', { lenientSlashes: true }),
      contentType: request.contentType || contentTypeFor(request.fileName),
      size: request.size,
      sessionUuid: session,
      overwrite: true,
    },
    { beforeWrite: () => joinSession(deps, bucket, session, 1, startedAt) },
  );
}

/**
 * `POST …/multipart/:fileUuid/parts {partNumbers}` (EXECUTE): a presigned UploadPart URL (60 s) for each part
 * asked for (at most 100 a call, each of 1 … partCount). 404 MULTIPART_UPLOAD_NOT_FOUND when the upload is not open.
 */
export async function presignParts(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'presignTtlSeconds'> & MultipartDeps,
  principal: Principal,
  target: MultipartTarget,
  partNumbers: readonly number[],
): Promise<{ partNumber: number; url: string }[]> {
  return presignUploadParts(deps, await openMultipartFile(deps, principal, target), partNumbers, APILLON_FIELDS);
}

/** `GET …/multipart/:fileUuid` (EXECUTE): the parts S3 holds, by part number; 404 when the upload is not open. */
export async function listUploadedParts(deps: Pick<StorageDeps, 'buckets' | 'entries'> & MultipartDeps, principal: Principal, target: MultipartTarget): Promise<{ file: FileRecord; parts: UploadedPart[] }> {
  const upload = await openMultipartFile(deps, principal, target);
  return { file: upload.file, parts: await listUploadParts(deps, upload) };
}

/**
 * `POST …/multipart/:fileUuid/complete {parts}` (EXECUTE): completes the upload from every one of its parts
 * 1 … partCount in ascending order, each with the ETag S3 answered; the file then goes through the lifecycle.
 */
export async function completeMultipartUpload(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'lifecycle' | 'uploads' | 'blobs' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartDeps,
  principal: Principal,
  target: MultipartTarget,
  parts: readonly CompletedPart[],
): Promise<FileRecord> {
  return completeUpload(deps, await openMultipartFile(deps, principal, target), parts, APILLON_FIELDS);
}

/** `DELETE …/multipart/:fileUuid` (EXECUTE): the file becomes status 106 (upload cancelled), S3 deletes the parts. */
export async function abortMultipartUpload(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'lifecycle' | 'uploads' | 'blobs' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartDeps, principal: Principal, target: MultipartTarget): Promise<FileRecord> {
  return abortUpload(deps, await openMultipartFile(deps, principal, target));
}

/** Which multipart upload a route names. */
export interface MultipartTarget {
  readonly bucketUuid: string;
  readonly sessionUuid: string;
  readonly fileUuid: string;
}

/**
 * The open multipart upload a route names (EXECUTE in its bucket): the bucket's own 404/403 first, then 404
 * MULTIPART_UPLOAD_NOT_FOUND for anything but an open upload of that bucket and session.
 */
async function openMultipartFile(deps: Pick<StorageDeps, 'buckets' | 'entries'> & MultipartDeps, principal: Principal, target: MultipartTarget): Promise<OpenMultipartUpload> {
  const bucket = await openBucket(deps, principal, target.bucketUuid, Permission.EXECUTE);
  if (!isUuid(target.sessionUuid)) throw new AppError('multipartUploadNotFound');
  return openMultipartUpload(deps, bucket, target.fileUuid, target.sessionUuid);
}
