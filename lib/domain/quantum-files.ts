import { AppError } from '../errors';
import type { BucketRecord } from '../store/bucket-store';
import { createDownloadToken, redeemDownloadToken } from './download-tokens';
import { removePath } from './deletion';
import { FileStatus, RecordStatus, isErrorStatus, isFile, type EntryRecord, type FileRecord } from './entries';
import { joinPath, normaliseSegment, parseUrlPath } from './paths';
import type { Principal } from './principal';
import { storeFilesAtomically } from './staged-commit';
import { INLINE_DOWNLOAD_MAX_BYTES, type StorageDeps } from './storage';
import { ensureDirectory } from './tree';

/**
 * Quantum Storage: files and folders of a bucket addressed by path (SPEC §4).
 * Every path is validated before anything is stored; the storage core does
 * the rest, so a file is the same record whichever surface wrote it.
 */

/** One file of a `POST /file/add` form. */
export interface IncomingFile {
  /** The client's file name; only its last part (after any `/` or `\`) is used. */
  readonly fileName: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

/** The last part of a client's file name: browsers and old clients send `C:\dir\a.txt` or `dir/a.txt`. */
export function clientBasename(fileName: string): string {
  return fileName.split(/[/\\]/).pop() ?? '';
}

/** A sane media type, or the generic one: the value is echoed back on downloads. */
function mediaType(declared: string): string {
  return /^[\w.+-]{1,127}\/[\w.+-]{1,127}$/.test(declared) ? declared.toLowerCase() : 'application/octet-stream';
}

/**
 * `POST /file/add/<bucket>/<location>`: stores each file at
 * `location/<basename>`, creating missing folders. All files of a request are
 * stored, or none (staged-commit.ts): names, folders, files already there
 * without `force`, quota and bucket limit are decided for the whole request,
 * the bytes staged, and one transaction commits them, even when a concurrent
 * upload or a killed function is in the way. The same name twice in one
 * request: the last one is stored (with `force`), else FILE_ALREADY_EXISTS.
 *
 * Returns the bucket paths stored.
 */
export async function addFiles(
  deps: StorageDeps,
  bucket: BucketRecord,
  location: string | undefined,
  files: readonly IncomingFile[],
  force: boolean,
): Promise<string[]> {
  const directory = parseUrlPath(location);
  // A browser form with an empty file input sends a nameless, empty part: nothing to store.
  const sent = files.filter((file) => file.fileName !== '' || file.bytes.length > 0);
  if (sent.length === 0) throw new AppError('filesNotPresent');
  const staged = sent.map((file) => ({
    candidate: { directory, name: normaliseSegment(clientBasename(file.fileName)), size: file.bytes.length },
    contentType: mediaType(file.contentType),
    bytes: file.bytes,
  }));
  const stored = await storeFilesAtomically(deps, bucket, staged, { overwrite: force });
  return stored.map((file) => file.path);
}

/** `POST /file/mkdir/<bucket>/<location>`: the folder and any missing parents (existing ones are fine). */
export async function makeDirectory(deps: StorageDeps, bucket: BucketRecord, location: string | undefined): Promise<void> {
  const segments = parseUrlPath(location);
  if (segments.length === 0) throw new AppError('invalidPath');
  await ensureDirectory(deps, bucket, segments);
}

/** `POST /file/remove/<bucket>/<location>`: a file, or a folder with everything in it; 404 FILE_DNE when nothing is there. */
export async function removeLocation(deps: StorageDeps, bucket: BucketRecord, location: string | undefined): Promise<void> {
  const segments = parseUrlPath(location);
  if (segments.length === 0) throw new AppError('invalidPath');
  await removePath(deps, bucket, joinPath(segments));
}

/** `GET /file/get/<bucket>/<location>`: a one-time download token for the file (404 FILE_DNE / NOT_A_FILE). */
export async function issueFileToken(deps: StorageDeps, bucket: BucketRecord, location: string | undefined): Promise<string> {
  const segments = parseUrlPath(location);
  // No location names no file (the same INVALID_PATH as API Gateway's route for `/file/get/<bucket>`).
  if (segments.length === 0) throw new AppError('invalidPath');
  const claim = await deps.entries.getPathClaim(bucket.bucketUuid, joinPath(segments));
  if (!claim) throw new AppError('fileNotFound');
  if (claim.type === 'directory') throw new AppError('notAFile');
  const file = await deps.entries.get(claim.entryUuid);
  if (!file || !hasBytes(file)) throw new AppError('fileNotFound');
  return createDownloadToken(deps, file);
}

/** A file counts once its bytes are in (status 2 and on), not failed, not deleted. */
function hasBytes(entry: EntryRecord): entry is FileRecord {
  return (
    isFile(entry) &&
    entry.recordStatus === RecordStatus.ACTIVE &&
    entry.fileStatus >= FileStatus.UPLOADED &&
    !isErrorStatus(entry.fileStatus)
  );
}

export type Download =
  | { readonly kind: 'inline'; readonly file: FileRecord; readonly bytes: Uint8Array }
  | { readonly kind: 'redirect'; readonly file: FileRecord; readonly url: string };

/**
 * `GET /file/download/<token>`: spends the token (400 INVALID_TOKEN when it is
 * unknown, used, or its file changed or went) and gives the file: its bytes
 * when small enough for a Lambda response, else a presigned GET (≤ 60 s).
 */
export async function openDownload(deps: StorageDeps, token: string | undefined): Promise<Download> {
  const file = await redeemDownloadToken(deps, token ?? '');
  if (!hasBytes(file)) throw new AppError('invalidDownloadToken');
  const size = file.size ?? 0;
  if (size > INLINE_DOWNLOAD_MAX_BYTES) {
    const ttl = Math.min(deps.presignTtlSeconds, 60);
    return { kind: 'redirect', file, url: await deps.blobs.presignDownload(file.objectKey, ttl, file.name, file.contentType) };
  }
  try {
    return { kind: 'inline', file, bytes: await deps.blobs.readAll(file.objectKey) };
  } catch (error) {
    // Replaced or removed between the token check and the read: the token was for bytes that are gone.
    if ((error as Error).name === 'NoSuchKey') throw new AppError('invalidDownloadToken', { cause: error });
    throw error;
  }
}

/** `GET /file/quota`: bytes the account may still store. */
export async function spaceLeft(deps: StorageDeps, principal: Principal): Promise<number> {
  const account = await deps.accounts.getAccount(principal.accountId);
  if (!account) throw new AppError('invalidCredentials');
  return Math.max(0, account.quotaBytes - account.usedBytes);
}
