import { AppError } from '../errors';
import type { BucketRecord } from '../store/bucket-store';
import { FileStatus, RecordStatus, isErrorStatus, isFile, type EntryRecord, type FileRecord } from './entries';
import { joinPath, normaliseSegment, parseUrlPath } from './paths';
import type { Principal } from './principal';
import {
  INLINE_DOWNLOAD_MAX_BYTES,
  checkUploadTargets,
  commitUpload,
  createDownloadToken,
  deleteFileNow,
  ensureDirectory,
  redeemDownloadToken,
  removePath,
  requestUpload,
  uploadKeyOf,
  type StorageDeps,
} from './storage';

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
 * `location/<basename>`, creating missing folders.
 *
 * Several files in one request: everything that can be checked before bytes
 * are written is checked for all of them first (names, the folder path, files
 * already there without `force`, quota and bucket limit for the total), so a
 * request that fails these stores nothing. Then the files are stored in order,
 * each all-or-nothing. Should one still be refused at commit (a concurrent
 * upload took the space or the name meanwhile), the files this request had
 * newly added are removed again and the request fails with that file's error;
 * files it had already overwritten with `force` stay overwritten.
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
  const planned = sent.map((file) => ({ ...file, name: normaliseSegment(clientBasename(file.fileName)) }));
  await checkBeforeWriting(deps, bucket, directory, planned, force);

  const added: FileRecord[] = [];
  const stored: string[] = [];
  try {
    for (const file of planned) {
      const { record, replaced } = await storeFile(deps, bucket, directory, file, force);
      if (!replaced) added.push(record);
      stored.push(record.path);
    }
  } catch (error) {
    for (const record of added) await deleteFileNow(deps, record);
    throw error;
  }
  return stored;
}

async function checkBeforeWriting(
  deps: StorageDeps,
  bucket: BucketRecord,
  directory: readonly string[],
  files: readonly (IncomingFile & { name: string })[],
  force: boolean,
): Promise<void> {
  // A file where a folder of the location should be, or a folder where a file goes.
  const claims = await checkUploadTargets(deps, bucket, files.map((file) => ({ directory, fileName: file.name })));
  let replacedBytes = 0;
  const seen = new Set<string>();
  for (const file of files) {
    const path = joinPath([...directory, file.name]);
    // The same name twice in one request collides with itself unless it may overwrite.
    if (seen.has(path) && !force) throw new AppError('fileAlreadyExists');
    seen.add(path);
    const claim = claims.get(path);
    if (claim && !force) throw new AppError('fileAlreadyExists');
    if (claim) replacedBytes += (await deps.entries.get(claim.entryUuid))?.chargedBytes ?? 0;
  }
  const incoming = files.reduce((sum, file) => sum + file.bytes.length, 0);
  const account = await deps.accounts.getAccount(bucket.accountId);
  if (!account || account.usedBytes + incoming - replacedBytes > account.quotaBytes) throw new AppError('notEnoughStorageSpace');
  if (bucket.sizeBytes + incoming - replacedBytes > bucket.maxSizeBytes) throw new AppError('maxBucketSizeReached');
}

/** One file: upload request (status 1) → bytes in S3 → commit (status 2), answered synchronously. */
async function storeFile(
  deps: StorageDeps,
  bucket: BucketRecord,
  directory: readonly string[],
  file: IncomingFile & { name: string },
  force: boolean,
): Promise<{ record: FileRecord; replaced: boolean }> {
  const existing = await deps.entries.getPathClaim(bucket.bucketUuid, joinPath([...directory, file.name]));
  const request = await requestUpload(deps, bucket, {
    fileName: file.name,
    directory,
    contentType: mediaType(file.contentType),
    declaredSize: file.bytes.length,
    overwrite: force,
  });
  await deps.blobs.put(uploadKeyOf(request), file.bytes, request.contentType);
  const committed = await commitUpload(deps, request.uuid);
  const status = committed && isFile(committed) ? committed.fileStatus : undefined;
  if (status === undefined || status === FileStatus.REQUESTED) throw new Error(`Upload ${request.uuid} did not commit`);
  if (isErrorStatus(status)) throw commitError(status);
  return { record: committed as FileRecord, replaced: existing !== undefined };
}

function commitError(status: number): AppError {
  switch (status) {
    case FileStatus.ERROR_NOT_ENOUGH_STORAGE:
      return new AppError('notEnoughStorageSpace');
    case FileStatus.ERROR_BUCKET_FULL:
      return new AppError('maxBucketSizeReached');
    case FileStatus.ERROR_PATH_CONFLICT:
      return new AppError('fileAlreadyExists');
    case FileStatus.ERROR_BUCKET_UNAVAILABLE:
      return new AppError('bucketNotFound');
    default:
      return new AppError('internal', { cause: new Error(`Upload rejected with status ${status}`) });
  }
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
