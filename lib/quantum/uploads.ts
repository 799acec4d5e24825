import type { StorageDeps } from '../core/ports/storage';
import { AppError } from '../errors';
import type { FileRecord } from '../core/model/entries';
import { contentTypeFor } from '../core/model/content-type';
import { parseUrlPath } from '../core/model/paths';
import { Permission, requirePermission, type Principal } from '../core/access/principal';
import type { CompletedPart, UploadedPart } from '../core/ports/multipart-uploads';
import {
  abortUpload,
  completeUpload,
  listUploadParts,
  openMultipartUpload,
  presignUploadParts,
  startMultipartUpload,
  type CreatedMultipartUpload,
  type MultipartFieldNames,
  type MultipartStorageDeps,
  type OpenMultipartUpload,
} from '../core/upload/multipart';
import { resolveBucket } from './buckets';

/**
 * Quantum Storage: files too large for `POST /file/add` (API Gateway caps a request at 10 MB), uploaded straight to
 * S3 in parts through 60 s presigned URLs (issue 21), in the Quantum API's style: paths `/upload/<verb>/<bucket>/…`,
 * snake_case JSON, the `{status, message, data}` envelope and its error codes. The machinery is the one the Apillon
 * surface's multipart routes drive (lib/core/upload/multipart.ts): the same admission on the declared size (quota,
 * bucket limit, upload policy), the same lifecycle once the parts are completed (status 2 → 3 → 4), after which the
 * file is an ordinary file of the bucket (`file/get`, `file/download`, `file/remove`).
 *
 * An upload is named by its `upload_id` (the file's uuid) and its bucket; an application token reaches only its own
 * bucket's uploads (400 INVALID_BUCKET), an API key needs EXECUTE as for `file/add`.
 */

/** `POST /upload/create/<bucket>/<location>` `{size, content_type?, force?}`. */
export interface QuantumUploadRequest {
  /** Bytes of the whole file (binding: 0 … 5 TiB). */
  readonly size: number;
  /** Absent: from the name's extension, else application/octet-stream. */
  readonly contentType?: string;
  /** Replace a file already at `location` (as `file/add`'s `force=true`); else 400 FILE_ALREADY_EXISTS. */
  readonly force: boolean;
}

/** The Quantum names of the fields a multipart refusal points at (its `data.errors[].property`). */
const QUANTUM_FIELDS: MultipartFieldNames = { partNumbers: 'part_numbers', parts: 'parts' };

/**
 * `POST /upload/create/<bucket>/<location>`: a file of `size` bytes at `location` (its full path in the bucket,
 * name included; missing folders are created). Decided as any upload on the declared size: 400 INVALID_PATH,
 * INVALID_DIR, FILE_ALREADY_EXISTS (without `force`), INSUFFICIENT_SPACE (quota or bucket limit, nothing kept),
 * POLICY_VIOLATION (the bucket's upload policy). Returns the upload (its file, S3's upload and the part plan).
 */
export async function createQuantumUpload(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'uploads' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps,
  principal: Principal,
  bucketName: string | undefined,
  location: string | undefined,
  request: QuantumUploadRequest,
): Promise<CreatedMultipartUpload> {
  requirePermission(principal, Permission.EXECUTE);
  const bucket = await resolveBucket(deps, principal, bucketName);
  const segments = parseUrlPath(location);
  if (segments.length === 0) throw new AppError('invalidPath');
  const name = segments[segments.length - 1]!;
  return startMultipartUpload(deps, bucket, {
    fileName: name,
    directory: segments.slice(0, -1),
    contentType: request.contentType?.toLowerCase() ?? contentTypeFor(name),
    size: request.size,
    overwrite: request.force,
  });
}

/** `POST /upload/parts/<bucket>/<upload_id>` `{part_numbers}`: a presigned UploadPart URL (60 s) per part asked for (≤ 100 a call). */
export async function presignQuantumParts(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'presignTtlSeconds'> & MultipartStorageDeps,
  principal: Principal,
  bucketName: string | undefined,
  uploadId: string,
  partNumbers: readonly number[],
): Promise<{ partNumber: number; url: string }[]> {
  return presignUploadParts(deps, await openQuantumUpload(deps, principal, bucketName, uploadId), partNumbers, QUANTUM_FIELDS);
}

/** `GET /upload/list/<bucket>/<upload_id>`: the parts S3 holds, to resume after a crash. */
export async function listQuantumParts(deps: Pick<StorageDeps, 'buckets' | 'entries'> & MultipartStorageDeps, principal: Principal, bucketName: string | undefined, uploadId: string): Promise<UploadedPart[]> {
  return listUploadParts(deps, await openQuantumUpload(deps, principal, bucketName, uploadId));
}

/** `POST /upload/complete/<bucket>/<upload_id>` `{parts: [{part_number, etag}]}`: the file enters the lifecycle. */
export async function completeQuantumUpload(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'lifecycle' | 'uploads' | 'blobs' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps,
  principal: Principal,
  bucketName: string | undefined,
  uploadId: string,
  parts: readonly CompletedPart[],
): Promise<FileRecord> {
  return completeUpload(deps, await openQuantumUpload(deps, principal, bucketName, uploadId), parts, QUANTUM_FIELDS);
}

/** `POST /upload/abort/<bucket>/<upload_id>`: the upload is cancelled and its parts deleted; nothing was charged. */
export async function abortQuantumUpload(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'lifecycle' | 'uploads' | 'blobs' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps, principal: Principal, bucketName: string | undefined, uploadId: string): Promise<FileRecord> {
  return abortUpload(deps, await openQuantumUpload(deps, principal, bucketName, uploadId));
}

/**
 * The open upload `uploadId` of the caller's bucket `bucketName` (EXECUTE): the bucket's own refusals first
 * (404 BUCKET_DNE, 400 INVALID_BUCKET for a token of another bucket), then 404 UPLOAD_DNE for anything but an open
 * upload made through these routes in that bucket (never made, completed, aborted, expired, or an Apillon session's).
 */
async function openQuantumUpload(deps: Pick<StorageDeps, 'buckets' | 'entries'> & MultipartStorageDeps, principal: Principal, bucketName: string | undefined, uploadId: string): Promise<OpenMultipartUpload> {
  requirePermission(principal, Permission.EXECUTE);
  const bucket = await resolveBucket(deps, principal, bucketName);
  return openMultipartUpload(deps, bucket, uploadId, undefined);
}
