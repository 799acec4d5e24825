import { contentTypeFor } from '../core/model/content-type';
import { AppError } from '../errors';
import type { BucketRecord } from '../core/ports';
import type { UploadSessionRecord } from '../core/ports';
import { openBucket } from './buckets';
import type { FileRecord } from '../core/model/entries';
import { normaliseSegment, parsePath } from '../core/model/paths';
import { Permission, type Principal } from '../core/access/principal';
import { newUuid } from '../core/access/secrets';
import { mapConcurrently } from '../core/model/concurrency';
import type { StorageDeps } from '../core/ports/storage';
import { requestUpload, requestUploads, uploadUrl } from '../core/upload/uploads';

/**
 * Apillon upload requests (SPEC §3, §5 status 1): the seed's single-file route
 * and the SDK's session batches. Every file gets a presigned PUT URL (60 s, no
 * Content-Type needed, declared size signed); a second upload to a path
 * replaces the file there when its bytes arrive.
 */

export interface FileToUpload {
  readonly fileName: string;
  readonly contentType?: string | null;
  /** The directory (Apillon `path`), `''`/absent for the root; echoed back verbatim. */
  readonly path?: string | null;
  readonly fileSize?: number | null;
  readonly size?: number | null;
}

export interface IssuedUpload {
  /** The request as the client sent it (the SDK matches responses on `fileName` + `path`). */
  readonly request: FileToUpload;
  readonly file: FileRecord;
  readonly url: string;
}

/** How many URLs of one batch are signed at once (signing is CPU work; this only interleaves it). */
const SIGN_CONCURRENCY = 16;

/** `POST /storage/:bucketUuid/upload`: one upload request (EXECUTE). */
export async function requestFileUpload(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'uploads' | 'blobs' | 'presignTtlSeconds'>, principal: Principal, bucketUuid: string, request: FileToUpload): Promise<IssuedUpload> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  const [planned] = plan([request]);
  const file = await requestUpload(deps, bucket, planned!);
  return { request, file, url: await uploadUrl(deps, file) };
}

export interface SessionUpload {
  readonly sessionUuid: string;
  readonly uploads: IssuedUpload[];
}

/**
 * `POST /storage/buckets/:bucketUuid/upload`: a batch of upload requests in an
 * upload session (EXECUTE). The session may be new (client-chosen or generated
 * uuid) or one still open in this bucket; an ended one refuses more files
 * (40006001). Names, paths and space are checked for the whole batch before
 * anything is recorded, so a refused batch leaves nothing behind.
 */
export async function requestSessionUpload(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'uploads' | 'sessions' | 'blobs' | 'presignTtlSeconds'>,
  principal: Principal,
  bucketUuid: string,
  input: { sessionUuid?: string | null; files: readonly FileToUpload[] },
): Promise<SessionUpload> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  const planned = plan(input.files);
  const sessionUuid = input.sessionUuid ?? newUuid();
  // A new session starts before the batch's directories are made: a move at its end removes the ones it emptied, those no older than the session.
  const startedAt = new Date().toISOString();
  let urls: string[] = [];
  const files = await requestUploads(
    deps,
    bucket,
    planned.map((file) => ({ ...file, sessionUuid })),
    {
      overwrite: true,
      beforeWrite: () => joinSession(deps, bucket, sessionUuid, planned.length, startedAt),
      // The URLs are signed while the records are written (a URL needs only the file's id and declared size).
      whileWriting: async (records) => void (urls = await mapConcurrently(records, SIGN_CONCURRENCY, (file) => uploadUrl(deps, file))),
    },
  );
  const uploads = files.map((file, index) => ({ request: input.files[index]!, file, url: urls[index]! }));
  return { sessionUuid, uploads };
}

// ---- helpers ----------------------------------------------------------------

interface PlannedFile {
  readonly fileName: string;
  readonly directory: string[];
  readonly contentType: string;
  readonly declaredSize?: number;
}

/** Validates every name and path of a batch (INVALID_PATH otherwise) before anything is stored. */
function plan(files: readonly FileToUpload[]): PlannedFile[] {
  return files.map((file) => {
    normaliseSegment(file.fileName);
    const declared = file.fileSize ?? file.size ?? undefined;
    return {
      fileName: file.fileName,
      directory: parsePath(file.path ?? '', { lenientSlashes: true }),
      contentType: file.contentType || contentTypeFor(file.fileName),
      ...(declared === undefined ? {} : { declaredSize: declared }),
    };
  });
}

/** A new open session of `bucket` (no files yet), created at `now`. */
export function newSession(bucket: BucketRecord, sessionUuid: string, now: string): UploadSessionRecord {
  return { sessionUuid, bucketUuid: bucket.bucketUuid, accountId: bucket.accountId, status: 'open', fileCount: 0, createdAt: now, updatedAt: now };
}

/** A session is only ever seen from its own bucket: elsewhere it does not exist. */
export function requireSessionOf(bucket: BucketRecord, session: UploadSessionRecord | undefined): UploadSessionRecord {
  if (!session || session.bucketUuid !== bucket.bucketUuid) throw new AppError('uploadSessionNotFound');
  return session;
}

/** Opens the session (creating it when new) and counts the batch into it; 40006001 once it has ended. */
export async function joinSession(deps: Pick<StorageDeps, 'sessions'>, bucket: BucketRecord, sessionUuid: string, count: number, startedAt: string): Promise<void> {
  if (await deps.sessions.openAndAddFiles(newSession(bucket, sessionUuid, startedAt), count)) return;
  // Ended, or a session of another bucket (which does not exist from here).
  requireSessionOf(bucket, await deps.sessions.get(sessionUuid));
  throw new AppError('uploadSessionEnded');
}
