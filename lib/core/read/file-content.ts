import { AppError, type ErrorName } from '../../errors';
import { ObjectMissingError } from '../model/storage-errors';
import type { FileRecord } from '../model/entries';
import type { StorageDeps } from '../ports/storage';

/**
 * The bytes a download gives (the IPFS gateway and Quantum's file/download): the
 * whole file or one byte range of it in the Lambda response when they fit the
 * inline limit, else a presigned S3 GET.
 */

/** What a download hands out: bytes for the response body, or a short-lived URL to them. */
export type FileContent = { readonly bytes: Uint8Array } | { readonly url: string };

export interface ContentRequest {
  /** Bytes `start`..`end` (inclusive) only; the whole file when absent. */
  readonly range?: { readonly start: number; readonly end: number };
  /** The file's size in bytes. */
  readonly size: number;
  /** Most bytes given in the response body (Lambda's 6 MB payload carries base64: INLINE_DOWNLOAD_MAX_BYTES). */
  readonly inlineLimit: number;
  /** How the presigned GET's response presents the file. */
  readonly disposition: 'inline' | 'attachment';
  /** The error when the object is gone (replaced or purged since its record was read). */
  readonly goneError: ErrorName;
}

/**
 * The content of `file`: its bytes (or the range's, by a ranged GetObject) when at
 * most `inlineLimit` of them; otherwise a presigned GET valid at most 60 s
 * (`deps.presignTtlSeconds`), on which the client asks S3 for the range itself (a
 * presigned URL cannot carry a Range header: the client re-sends its own).
 */
export async function openContent(deps: Pick<StorageDeps, 'blobs' | 'presignTtlSeconds'>, file: FileRecord, request: ContentRequest): Promise<FileContent> {
  const length = request.range ? request.range.end - request.range.start + 1 : request.size;
  if (length > request.inlineLimit) {
    const ttl = Math.min(deps.presignTtlSeconds, 60);
    return { url: await deps.blobs.presignDownload(file.objectKey, ttl, file.name, file.contentType, request.disposition) };
  }
  try {
    return { bytes: await deps.blobs.readAll(file.objectKey, request.range) };
  } catch (error) {
    if (error instanceof ObjectMissingError) throw new AppError(request.goneError, { cause: error });
    throw error;
  }
}
