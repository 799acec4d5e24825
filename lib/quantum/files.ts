import { requireWithinPolicy } from '../core/upload/policy';
import { AppError } from '../errors';
import type { BucketRecord } from '../core/ports';
import { createDownloadToken } from '../core/read/download-tokens';
import { removePath } from '../core/deletion/deletion';
import { FileStatus, RecordStatus, isErrorStatus, isFile, type EntryRecord, type FileRecord } from '../core/model/entries';
import { joinPath, normaliseSegment, parseUrlPath } from '../core/model/paths';
import type { Principal } from '../core/access/principal';
import { storeFilesAtomically } from '../core/upload/staged-commit';
import { availableBytes, pathOf, type Candidate } from '../core/upload/admission';
import { newUuid } from '../core/access/secrets';
import type { StorageDeps } from '../core/ports/storage';
import { ensureDirectory } from '../core/directories/tree';

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
  deps: Pick<StorageDeps, 'entries' | 'uploads' | 'sessions' | 'blobs' | 'lifecycleQueue' | 'webhooks' | 'webhookQueue' | 'logger' | 'metrics'>,
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
  // The bucket's upload policy, on the bytes themselves (they are all here: request and arrival are one moment).
  requireWithinPolicy(bucket.uploadPolicy, staged.map((file) => ({ name: file.candidate.name, size: file.candidate.size, contentType: file.contentType })));
  const sessionUuid = await announcedTogether(deps, bucket, staged.map((file) => file.candidate));
  const stored = await storeFilesAtomically(deps, bucket, staged, { overwrite: force, ...(sessionUuid ? { sessionUuid } : {}) });
  if (sessionUuid && stored.files.length !== new Set(staged.map((file) => pathOf(file.candidate))).size) {
    deps.logger.warn('file/add stored another number of files than its files.ready session counts', { sessionUuid, stored: stored.files.length });
  }
  return stored.files.map((file) => file.path);
}

/**
 * One files.ready event for a request of several files, as Apillon sends one per upload session (issue 22): the
 * request gets a session of its own, written before its files exist, already ended and counting the files the request
 * stores (the same path twice: the last one), and each file carries its uuid. Each file's lifecycle then counts itself
 * settled in that session, and the last one claims the event through the same claim and outbox as an Apillon
 * session's (lib/core/webhooks/announce.ts): one event listing every file, whatever order they settle in, whatever
 * run stops where. Nothing is written for a bucket without a webhook (its files are single uploads, as one file
 * is), so only buckets that asked pay for it; a request the commit refuses leaves its session, never claimed, to
 * expire with the sessions' TTL. Answers the session's uuid, or undefined for no session.
 */
async function announcedTogether(deps: Pick<StorageDeps, 'sessions' | 'webhooks' | 'webhookQueue'>, bucket: BucketRecord, candidates: readonly Candidate[]): Promise<string | undefined> {
  const fileCount = new Set(candidates.map(pathOf)).size;
  if (fileCount < 2 || !deps.webhooks || !deps.webhookQueue) return undefined;
  if (!(await deps.webhooks.get(bucket.bucketUuid))) return undefined;
  const now = new Date().toISOString();
  const sessionUuid = newUuid();
  await deps.sessions.create({ sessionUuid, bucketUuid: bucket.bucketUuid, accountId: bucket.accountId, status: 'ended', fileCount, createdAt: now, updatedAt: now, endedAt: now });
  return sessionUuid;
}

/** `POST /file/mkdir/<bucket>/<location>`: the folder and any missing parents (existing ones are fine). */
export async function makeDirectory(deps: Pick<StorageDeps, 'uploads' | 'lifecycleQueue' | 'logger'>, bucket: BucketRecord, location: string | undefined): Promise<void> {
  const segments = parseUrlPath(location);
  if (segments.length === 0) throw new AppError('invalidPath');
  await ensureDirectory(deps, bucket, segments);
}

/** `POST /file/remove/<bucket>/<location>`: a file, or a folder with everything in it; 404 FILE_DNE when nothing is there. */
export async function removeLocation(deps: Pick<StorageDeps, 'entries' | 'deletions' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'>, bucket: BucketRecord, location: string | undefined): Promise<void> {
  const segments = parseUrlPath(location);
  if (segments.length === 0) throw new AppError('invalidPath');
  await removePath(deps, bucket, joinPath(segments));
}

/** `GET /file/get/<bucket>/<location>`: a one-time download token for the file (404 FILE_DNE / NOT_A_FILE). */
export async function issueFileToken(deps: Pick<StorageDeps, 'entries' | 'downloadTokens'>, bucket: BucketRecord, location: string | undefined): Promise<string> {
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

/** `GET /file/quota`: bytes the account may still store. */
export async function spaceLeft(deps: Pick<StorageDeps, 'accounts'>, principal: Principal): Promise<number> {
  const account = await deps.accounts.getAccount(principal.accountId);
  if (!account) throw new AppError('invalidCredentials');
  return availableBytes(account.quotaBytes, account);
}
