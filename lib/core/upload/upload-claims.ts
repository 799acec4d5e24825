import { AppError } from '../../errors';
import { FileStatus, type FileRecord } from '../model/entries';
import type { MultipartUploadStore } from '../ports/multipart-uploads';
import type { StorageDeps } from '../ports/storage';
import { announceIfReady } from '../webhooks/announce';
import { uploadKeyOf } from './uploads';

/**
 * Open multipart uploads' claims on their paths and reservations of space (issue 21), the terminal half: every way
 * an open upload ends (commit, rejection, abort, superseding, the stale sweep, deletion) gives its reservation back
 * in the very write that takes its file out of status 1 (or deletes it), conditioned on the record still holding it
 * (`reservedBytes`), so it is given back exactly once whatever retries or races; the path's claim is let go after,
 * conditionally (a claim left behind by a crash is stale: its holder is no longer open, and the next create takes
 * it over).
 */

/** How long a settled multipart request stays readable (its file detail) before DynamoDB's TTL removes it. */
const SETTLED_REQUEST_TTL_SECONDS = 24 * 60 * 60;

/**
 * The `expiresAt` an upload request gets as it leaves status 1 for an error status: an open multipart upload's record
 * has none (its reservation must not vanish with it by TTL), so it gets one now; a single upload keeps the one its
 * request was written with.
 */
export function settledRequestExpiry(file: Pick<FileRecord, 'multipart'>, now = new Date()): { expiresAt?: number } {
  return file.multipart ? { expiresAt: Math.floor(now.getTime() / 1000) + SETTLED_REQUEST_TTL_SECONDS } : {};
}

/** Lets go of the claim of `file` (an upload in parts) on its path; a failure is logged (the claim is stale then, and harmless). */
export async function letGoOfPath(deps: Pick<StorageDeps, 'uploads' | 'logger'>, file: Pick<FileRecord, 'uuid' | 'bucketUuid' | 'path'>): Promise<void> {
  try {
    await deps.uploads.releaseUploadClaim(file.bucketUuid, file.path, file.uuid);
  } catch (error) {
    deps.logger.warn('upload claim not let go; the next upload to the path takes it over', { fileUuid: file.uuid, error });
  }
}

/** The 409 of a call on an upload another upload superseded (its details name that upload and say why). */
export function supersededError(file: Pick<FileRecord, 'uuid' | 'supersededBy' | 'rejectionReason' | 'path'>): AppError {
  return new AppError('multipartUploadSuperseded', {
    details: {
      uploadId: file.uuid,
      supersededBy: file.supersededBy,
      reason: file.rejectionReason ?? supersededReason(file.path, file.supersededBy ?? 'another upload'),
    },
  });
}

/** The file detail's `rejectionReason` of a superseded upload. */
export function supersededReason(path: string, by: string): string {
  return `MULTIPART_UPLOAD_SUPERSEDED: ${by} to ${JSON.stringify(path)}, requested after this upload, took its place; this upload's bytes were not kept and nothing was charged`;
}

/**
 * Ends open upload `file` (status 1): the file becomes 106 (cancelled, `rejectionReason` and `supersededBy` when
 * given), its reservation is given back and its session counts it settled, in one conditional write; then its path's
 * claim goes, S3 aborts the upload (its parts are deleted; without `multipart`, the S3 sweep or the bucket's rule
 * does) and its session's files.ready is announced if it was the last. False when the file was no longer at status 1 (another run moved it first: nothing was done).
 */
export async function cancelOpenUpload(
  deps: Pick<StorageDeps, 'lifecycle' | 'uploads' | 'logger' | 'webhooks' | 'webhookQueue'> & { readonly multipart?: MultipartUploadStore },
  file: FileRecord,
  options: { readonly now: Date; readonly reason?: string; readonly supersededBy?: string },
): Promise<boolean> {
  const set = {
    updatedAt: options.now.toISOString(),
    ...settledRequestExpiry(file, options.now),
    ...(options.reason ? { rejectionReason: options.reason } : {}),
    ...(options.supersededBy ? { supersededBy: options.supersededBy } : {}),
  };
  const moved = await deps.lifecycle.transition(file.uuid, FileStatus.REQUESTED, FileStatus.ERROR_UPLOAD_CANCELLED, set, {
    settled: true,
    ...(file.sessionUuid ? { countInSession: file.sessionUuid } : {}),
    ...(file.reservedBytes ? { release: { accountId: file.accountId, bucketUuid: file.bucketUuid, bytes: file.reservedBytes } } : {}),
  });
  if (!moved) return false;
  await letGoOfPath(deps, file);
  if (file.multipart && deps.multipart) await deps.multipart.abort(uploadKeyOf(file), file.multipart.uploadId);
  await announceIfReady(deps, { ...file, ...set, fileStatus: FileStatus.ERROR_UPLOAD_CANCELLED });
  return true;
}
