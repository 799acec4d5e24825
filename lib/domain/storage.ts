import { computeCids, toCidV1 } from '../cid';
import { AppError } from '../errors';
import type { Logger } from '../log';
import type { AccountRecord, AccountStore } from '../store/account-store';
import type { BlobStore } from '../store/blob-store';
import type { BucketRecord, BucketStore } from '../store/bucket-store';
import type { CommitFailure, EntryStore, PathClaim } from '../store/entry-store';
import { objectKey, parseUploadKey, uploadKey } from '../store/keys';
import { withConflictRetry } from '../store/table';
import { FileStatus, PURGE_AFTER_DAYS, RecordStatus, isFile, type EntryRecord, type FileRecord } from './entries';
import { joinPath, MAX_PATH_BYTES, normaliseSegment } from './paths';
import { hashSecret, generateSecret, isUuid, newUuid } from './secrets';

/** The stores and settings the storage core works with (ports; adapters live in lib/store). */
export interface StorageDeps {
  readonly accounts: AccountStore;
  readonly buckets: BucketStore;
  readonly entries: EntryStore;
  readonly blobs: BlobStore;
  readonly logger: Logger;
  readonly presignTtlSeconds: number;
}

/**
 * Largest file a download answers with its bytes (Quantum download, IPFS
 * gateway): Lambda's 6 MB response cap, less the base64 growth and headers.
 * Larger files are a 302 to a presigned GET.
 */
export const INLINE_DOWNLOAD_MAX_BYTES = 4 * 1024 * 1024;

/** Upload requests nobody uploads to are forgotten after a day (DynamoDB TTL). */
const UPLOAD_REQUEST_TTL_SECONDS = 24 * 60 * 60;
/** Download tokens expire after a day if unused. */
const DOWNLOAD_TOKEN_TTL_SECONDS = 24 * 60 * 60;
const COMMIT_ATTEMPTS = 10;

const nowIso = () => new Date().toISOString();

// ---- directories ----------------------------------------------------------

/** The fields every new file or directory starts with: fresh ids, now, active. */
async function newEntry(
  deps: StorageDeps,
  bucket: BucketRecord,
  where: Pick<EntryRecord, 'type' | 'name' | 'path' | 'parentUuid'>,
): Promise<EntryRecord> {
  const now = nowIso();
  return {
    ...where,
    uuid: newUuid(),
    bucketUuid: bucket.bucketUuid,
    accountId: bucket.accountId,
    number: await deps.entries.nextNumber(),
    createdAt: now,
    updatedAt: now,
    recordStatus: RecordStatus.ACTIVE,
  };
}

/**
 * Returns the uuid of the directory at `segments` (null for the root), creating
 * every missing directory on the way. 400 INVALID_DIR where a file holds a name.
 */
export async function ensureDirectory(deps: StorageDeps, bucket: BucketRecord, segments: readonly string[]): Promise<string | null> {
  let parentUuid: string | null = null;
  for (let depth = 1; depth <= segments.length; depth++) {
    const path = joinPath(segments.slice(0, depth));
    parentUuid = await directoryAt(deps, bucket, path, segments[depth - 1]!, parentUuid);
  }
  return parentUuid;
}

async function directoryAt(deps: StorageDeps, bucket: BucketRecord, path: string, name: string, parentUuid: string | null): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const claim = await deps.entries.getPathClaim(bucket.bucketUuid, path);
    if (claim?.type === 'file') throw new AppError('invalidDirectory');
    if (claim) return claim.entryUuid;
    const directory = await newEntry(deps, bucket, { type: 'directory', name, path, parentUuid });
    if (await withConflictRetry(() => deps.entries.createDirectory(directory))) return directory.uuid;
    // Someone created it first: read their claim.
  }
  throw new Error(`Could not create directory ${path}`);
}

// ---- uploads (status 1) ---------------------------------------------------

export interface UploadRequestInput {
  readonly fileName: string;
  readonly directory: readonly string[];
  readonly contentType: string;
  /** Binding when given: the presigned URL signs it and the bytes must match. */
  readonly declaredSize?: number;
  /** Replace a file already at the path (Apillon always; Quantum with force=true). */
  readonly overwrite: boolean;
  readonly sessionUuid?: string;
}

/**
 * Records an upload request (status 1) after checking what can be checked before
 * the bytes exist: bucket state, name, path conflicts, quota and bucket limit
 * for the declared size. Missing directories are created.
 */
export async function requestUpload(deps: StorageDeps, bucket: BucketRecord, input: UploadRequestInput): Promise<FileRecord> {
  if (bucket.markedForDeletionAt) throw new AppError('bucketMarkedForDeletion');
  const name = normaliseSegment(input.fileName);
  const path = joinPath([...input.directory, name]);
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) throw new AppError('invalidPath');

  const claim = await deps.entries.getPathClaim(bucket.bucketUuid, path);
  if (claim?.type === 'directory') throw new AppError('invalidDirectory');
  if (claim && !input.overwrite) throw new AppError('fileAlreadyExists');

  const account = await requireAccount(deps, bucket.accountId);
  // An overwrite is charged only the difference (as the commit does), so a file can be replaced near the quota.
  const replacedBytes = claim ? ((await deps.entries.get(claim.entryUuid))?.chargedBytes ?? 0) : 0;
  const declared = (input.declaredSize ?? 0) - replacedBytes;
  const grows = !claim || declared > 0;
  if (grows && account.usedBytes + declared > account.quotaBytes) throw new AppError('notEnoughStorageSpace');
  if ((!claim && bucket.sizeBytes >= bucket.maxSizeBytes) || (grows && bucket.sizeBytes + declared > bucket.maxSizeBytes)) {
    throw new AppError('maxBucketSizeReached');
  }

  const parentUuid = await ensureDirectory(deps, bucket, input.directory);
  const entry = await newEntry(deps, bucket, { type: 'file', name, path, parentUuid });
  const file: FileRecord = {
    ...entry,
    type: 'file',
    fileStatus: FileStatus.REQUESTED,
    contentType: input.contentType,
    size: input.declaredSize,
    declaredSize: input.declaredSize,
    chargedBytes: 0,
    // Where the bytes will be once committed; each commit attempt picks its own key.
    objectKey: objectKey(bucket.bucketUuid, entry.uuid, newUuid()),
    sessionUuid: input.sessionUuid,
    overwrite: input.overwrite,
  };
  await deps.entries.putUploadRequest(file, Math.floor(Date.now() / 1000) + UPLOAD_REQUEST_TTL_SECONDS);
  return file;
}

/**
 * Throws what `requestUpload` would throw for any of `targets` over a folder or
 * file name that is taken (INVALID_DIR), before anything is written, so that a
 * batch of uploads is refused whole. Returns the claims found at the target
 * paths (a file there is what an upload would replace).
 */
export async function checkUploadTargets(
  deps: StorageDeps,
  bucket: BucketRecord,
  targets: readonly { readonly directory: readonly string[]; readonly fileName: string }[],
): Promise<Map<string, PathClaim | undefined>> {
  const directories = new Set<string>();
  const files = new Set<string>();
  for (const target of targets) {
    for (let depth = 1; depth <= target.directory.length; depth++) directories.add(joinPath(target.directory.slice(0, depth)));
    files.add(joinPath([...target.directory, normaliseSegment(target.fileName)]));
  }
  if ([...files].some((path) => directories.has(path))) throw new AppError('invalidDirectory');
  const claims = await Promise.all(
    [...directories, ...files].map(async (path) => ({ path, claim: await deps.entries.getPathClaim(bucket.bucketUuid, path) })),
  );
  for (const { path, claim } of claims) {
    if (claim?.type === (directories.has(path) ? 'file' : 'directory')) throw new AppError('invalidDirectory');
  }
  return new Map(claims.filter(({ path }) => files.has(path)).map(({ path, claim }) => [path, claim]));
}

/** Where the bytes of an upload request are to be put (the presigned URL's object, a Quantum upload). */
export function uploadKeyOf(file: FileRecord): string {
  return uploadKey(file.bucketUuid, file.uuid);
}

/** The presigned PUT URL of an upload request (60 s, no checksum, no Content-Type required). */
export async function uploadUrl(deps: StorageDeps, file: FileRecord): Promise<string> {
  try {
    return await deps.blobs.presignUpload(uploadKeyOf(file), deps.presignTtlSeconds, file.declaredSize);
  } catch (error) {
    throw new AppError('signedUrlFailed', { cause: error });
  }
}

// ---- the lifecycle: 1 → 2 → 3 → 4 -----------------------------------------

/**
 * Step 1→2: the bytes are in S3. Checks the uploaded object (declared size,
 * quota, bucket limit, path conflicts), copies it to the file's own key (the
 * presigned URL stays usable until it expires; what was checked is what is
 * kept) and, in one transaction, charges the usage, claims the path (replacing
 * the file there) and lists the file. Idempotent: a file past status 1 is
 * returned as it is, and a later PUT to its URL is thrown away. Rejected
 * uploads get an error status and their bytes are deleted; nothing is charged.
 */
export async function commitUpload(deps: StorageDeps, fileUuid: string): Promise<EntryRecord | undefined> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const found = await deps.entries.get(fileUuid);
    if (!found || !isFile(found)) return found;
    if (found.fileStatus !== FileStatus.REQUESTED) {
      // Committed or rejected already: whatever sits at the upload key now is a replay or a re-PUT.
      await deps.blobs.delete(uploadKeyOf(found));
      return found;
    }
    if (found.recordStatus !== RecordStatus.ACTIVE) return reject(deps, found, FileStatus.ERROR_UPLOAD_CANCELLED);

    const uploaded = await deps.blobs.head(uploadKeyOf(found));
    if (!uploaded) return found; // the bytes are not (or no longer) there; a later event will come
    if (found.declaredSize !== undefined && uploaded.size !== found.declaredSize) {
      return reject(deps, found, FileStatus.ERROR_SIZE_MISMATCH);
    }
    const [account, bucket, claim] = await Promise.all([
      deps.accounts.getAccount(found.accountId),
      deps.buckets.get(found.bucketUuid),
      deps.entries.getPathClaim(found.bucketUuid, found.path),
    ]);
    if (!account || !bucket || bucket.markedForDeletionAt) return reject(deps, found, FileStatus.ERROR_BUCKET_UNAVAILABLE);
    // Another run (the S3 event, or the request that wrote the bytes) committed this very file meanwhile.
    if (claim?.entryUuid === found.uuid) continue;
    if (claim && (claim.type === 'directory' || !found.overwrite)) return reject(deps, found, FileStatus.ERROR_PATH_CONFLICT);
    const replacing = claim ? await deps.entries.get(claim.entryUuid) : undefined;
    if (claim && !replacing) continue; // the claim moved under us: look again

    const delta = uploaded.size - (replacing?.chargedBytes ?? 0);
    if (delta > 0 && account.usedBytes + delta > account.quotaBytes) return reject(deps, found, FileStatus.ERROR_NOT_ENOUGH_STORAGE);
    if (delta > 0 && bucket.sizeBytes + delta > bucket.maxSizeBytes) return reject(deps, found, FileStatus.ERROR_BUCKET_FULL);

    // The folder may have been removed since the upload was requested: it comes back.
    let file: FileRecord = found;
    try {
      file = { ...found, parentUuid: await ensureDirectory(deps, bucket, found.path.split('/').slice(0, -1)) };
    } catch (error) {
      if (error instanceof AppError && error.errorName === 'invalidDirectory') return reject(deps, found, FileStatus.ERROR_PATH_CONFLICT);
      throw error;
    }

    file = { ...file, objectKey: objectKey(file.bucketUuid, file.uuid, newUuid()) };
    let failure: CommitFailure | undefined | 'bytes-changed';
    try {
      const kept = await deps.blobs.copy(uploadKeyOf(file), file.objectKey);
      // Gone, or put again between the check and the copy: look again at what is there now.
      failure = !kept || kept.size !== uploaded.size || kept.eTag !== uploaded.eTag
        ? 'bytes-changed'
        : await withConflictRetry(() =>
            deps.entries.commitUpload({
              file,
              size: uploaded.size,
              replacing,
              now: nowIso(),
              limits: {
                accountId: account.accountId,
                quotaBytes: account.quotaBytes,
                bucketUuid: bucket.bucketUuid,
                bucketMaxBytes: bucket.maxSizeBytes,
              },
            }),
          );
    } catch (error) {
      await discardAttempt(deps, file);
      throw error;
    }
    if (failure === undefined) {
      await deps.blobs.delete(uploadKeyOf(file));
      if (replacing && isFile(replacing)) await deleteBytes(deps, replacing);
      deps.logger.info('upload committed', { fileUuid, size: uploaded.size, replaced: replacing?.uuid });
      return deps.entries.get(fileUuid);
    }
    // Someone else moved first (another event, a racing upload, a removed folder, a quota change): re-read and decide again.
    await discardAttempt(deps, file);
    deps.logger.debug('commit retried', { fileUuid, failure });
  }
  throw new Error(`Upload ${fileUuid} could not be committed after ${COMMIT_ATTEMPTS} attempts`);
}

/** Deletes the copy a commit attempt made, unless that attempt is the one the record kept. */
async function discardAttempt(deps: StorageDeps, attempt: FileRecord): Promise<void> {
  const current = await deps.entries.get(attempt.uuid);
  if (current?.objectKey !== attempt.objectKey) await deps.blobs.delete(attempt.objectKey);
}

async function reject(deps: StorageDeps, file: FileRecord, status: FileStatus): Promise<EntryRecord | undefined> {
  // Only the run that moves the file out of status 1 deletes the bytes: a concurrent run may have committed them.
  if (!(await deps.entries.transition(file.uuid, FileStatus.REQUESTED, status, { updatedAt: nowIso() }))) {
    return deps.entries.get(file.uuid);
  }
  await Promise.all([deps.blobs.delete(uploadKeyOf(file)), deps.blobs.delete(file.objectKey)]);
  deps.logger.info('upload rejected', { fileUuid: file.uuid, status });
  return deps.entries.get(file.uuid);
}

/** Step 2→3: the CIDs of the bytes, streamed from S3. */
async function addressFile(deps: StorageDeps, file: FileRecord): Promise<void> {
  const bytes = await deps.blobs.read(file.objectKey);
  if (!bytes) return; // replaced or purged meanwhile: nothing left to address
  await deps.entries.recordCids(file, await computeCids(bytes), nowIso());
}

/** Step 3→4: a verified copy in the replica bucket. */
async function replicateFile(deps: StorageDeps, file: FileRecord): Promise<void> {
  const outcome = await deps.blobs.replicate(file.objectKey);
  if (outcome === 'gone') return;
  if (outcome === 'mismatch') throw new Error(`Replica of ${file.objectKey} did not verify`);
  const moved = await deps.entries.transition(file.uuid, FileStatus.ADDRESSED, FileStatus.REPLICATED, { updatedAt: nowIso() });
  // Replaced or removed while copying: its replica belongs to nobody.
  if (!moved && !(await deps.entries.get(file.uuid))) await deps.blobs.deleteReplica(file.objectKey);
}

/**
 * What the S3 ObjectCreated event function does for one object: takes the file
 * from wherever it is to status 4. Safe to run any number of times, in any
 * order, and after a crash at any point.
 */
export async function processObjectCreated(deps: StorageDeps, key: string): Promise<EntryRecord | undefined> {
  const ids = parseUploadKey(key);
  if (!ids) {
    deps.logger.warn('ignoring object this service did not issue', { key });
    return undefined;
  }
  let file = await commitUpload(deps, ids.fileUuid);
  if (!file) {
    // No upload request (expired, or replaced and deleted): the bytes belong to nobody.
    await deps.blobs.delete(key);
    return undefined;
  }
  for (let step = 0; step < 3 && file && isFile(file); step++) {
    if (file.fileStatus === FileStatus.UPLOADED) await addressFile(deps, file);
    else if (file.fileStatus === FileStatus.ADDRESSED) await replicateFile(deps, file);
    else break;
    file = await deps.entries.get(file.uuid);
  }
  return file;
}

// ---- lookups --------------------------------------------------------------

/** A file of `bucket` by internal id, fileUuid, or CID (v0 or v1); 404 FILE_DOES_NOT_EXISTS otherwise. */
export async function findFile(deps: StorageDeps, bucket: BucketRecord, reference: string): Promise<FileRecord> {
  const ref = reference.trim();
  let candidates: EntryRecord[] = [];
  if (/^\d{1,15}$/.test(ref)) {
    candidates = [await deps.entries.getByNumber(Number(ref))].filter((entry) => entry !== undefined);
  } else if (isUuid(ref)) {
    candidates = [await deps.entries.get(ref.toLowerCase())].filter((entry) => entry !== undefined);
  } else {
    const v1 = toCidV1(ref);
    if (v1) candidates = await deps.entries.findByCid(bucket.bucketUuid, ref.startsWith('Qm') ? { v0: ref } : { v1 });
  }
  const file = candidates
    .filter((entry): entry is FileRecord => isFile(entry) && entry.bucketUuid === bucket.bucketUuid)
    .sort((a, b) => a.recordStatus - b.recordStatus || b.createdAt.localeCompare(a.createdAt))[0];
  if (!file) throw new AppError('fileNotFound');
  return file;
}

async function requireAccount(deps: StorageDeps, accountId: string): Promise<AccountRecord> {
  const account = await deps.accounts.getAccount(accountId);
  if (!account) throw new Error(`Account ${accountId} of a bucket does not exist`);
  return account;
}

// ---- deletion --------------------------------------------------------------

/** Apillon delete: status 8, out of listings, path free again; purged (and refunded) 90 days later. */
export async function markFileForDeletion(deps: StorageDeps, file: FileRecord): Promise<FileRecord> {
  let current: EntryRecord | undefined = file;
  for (let attempt = 0; attempt < 5 && current && isFile(current); attempt++) {
    if (current.recordStatus === RecordStatus.MARKED_FOR_DELETION) throw new AppError('fileMarkedForDeletion');
    const claim = await deps.entries.getPathClaim(current.bucketUuid, current.path);
    const now = new Date();
    const purgeAt = new Date(now.getTime() + PURGE_AFTER_DAYS * 86_400_000).toISOString();
    const holdsPath = claim?.entryUuid === current.uuid;
    if (await withConflictRetry(() => deps.entries.markForDeletion(current!, holdsPath, now.toISOString(), purgeAt))) {
      const marked = await deps.entries.get(current.uuid);
      if (marked && isFile(marked)) return marked;
    }
    current = await deps.entries.get(file.uuid);
  }
  throw new AppError('fileNotFound');
}

/** Quantum remove of one file: gone now, usage given back. */
export async function deleteFileNow(deps: StorageDeps, file: FileRecord): Promise<void> {
  let current: EntryRecord | undefined = file;
  for (let attempt = 0; attempt < 5 && current && isFile(current); attempt++) {
    const claim = await deps.entries.getPathClaim(current.bucketUuid, current.path);
    const snapshot = current;
    if (await withConflictRetry(() => deps.entries.deleteFile(snapshot, claim?.entryUuid === snapshot.uuid))) {
      await deleteBytes(deps, snapshot);
      return;
    }
    current = await deps.entries.get(file.uuid);
  }
  if (current) throw new Error(`File ${file.uuid} could not be deleted`);
}

/**
 * Removes what is at `path`: a file, or a directory with everything in it
 * (deepest first, so a directory is empty when it goes). 404 when nothing is there.
 */
export async function removePath(deps: StorageDeps, bucket: BucketRecord, path: string): Promise<void> {
  const claim = await deps.entries.getPathClaim(bucket.bucketUuid, path);
  if (!claim) throw new AppError('fileNotFound');
  const subtree = claim.type === 'directory' ? await deps.entries.listSubtreeClaims(bucket.bucketUuid, path) : [];
  await removeClaimed(deps, [...subtree, claim]);
}

/**
 * Empties a bucket (Quantum bucket removal): every file now (usage given back)
 * and every directory; then what holds no path: upload requests still waiting
 * for their bytes (bytes arriving later belong to nobody and are deleted) and
 * files marked for deletion, purged now rather than after a bucket that no longer exists.
 */
export async function removeBucketContents(deps: StorageDeps, bucket: BucketRecord): Promise<void> {
  await removeClaimed(deps, await deps.entries.listSubtreeClaims(bucket.bucketUuid, ''));
  for (const recordStatus of [RecordStatus.ACTIVE, RecordStatus.MARKED_FOR_DELETION]) {
    const seen = new Set<string>();
    for (;;) {
      const page = await deps.entries.listFiles({ bucketUuid: bucket.bucketUuid, recordStatus, offset: 0, limit: 100 });
      const files = page.items.filter((entry): entry is FileRecord => isFile(entry) && !seen.has(entry.uuid));
      if (files.length === 0) break;
      for (const file of files) {
        seen.add(file.uuid);
        if (recordStatus === RecordStatus.ACTIVE) {
          await deleteFileNow(deps, file);
        } else {
          await deleteBytes(deps, file);
          await withConflictRetry(() => deps.entries.purge(file));
        }
      }
    }
  }
}

/** Removes the entries holding `claims`, deepest first, so a directory is empty when it goes. */
async function removeClaimed(deps: StorageDeps, claims: readonly PathClaim[]): Promise<void> {
  const ordered = [...claims].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const item of ordered) {
    const entry = await deps.entries.get(item.entryUuid);
    if (!entry) continue;
    if (isFile(entry)) await deleteFileNow(deps, entry);
    else await withConflictRetry(() => deps.entries.deleteDirectory(entry));
  }
}

/**
 * Apillon directory delete: every file inside is marked for deletion (purged
 * later), the directories themselves go now.
 */
export async function markDirectoryForDeletion(deps: StorageDeps, directory: EntryRecord): Promise<void> {
  const subtree = await deps.entries.listSubtreeClaims(directory.bucketUuid, directory.path);
  const ordered = subtree.sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const item of ordered) {
    const entry = await deps.entries.get(item.entryUuid);
    if (!entry) continue;
    if (isFile(entry)) await markFileForDeletion(deps, entry);
    else await withConflictRetry(() => deps.entries.deleteDirectory(entry));
  }
  await withConflictRetry(() => deps.entries.deleteDirectory(directory));
}

/** The scheduled purge: files marked for deletion whose 90 days are over. Returns how many went. */
export async function purgeDueFiles(deps: StorageDeps, now: Date, batch = 100): Promise<number> {
  let purged = 0;
  for (const uuid of await deps.entries.duePurges(now.toISOString(), batch)) {
    const file = await deps.entries.get(uuid);
    if (!file || !isFile(file) || file.recordStatus !== RecordStatus.MARKED_FOR_DELETION) continue;
    if (!file.purgeAt || file.purgeAt > now.toISOString()) continue;
    await deleteBytes(deps, file);
    if (await withConflictRetry(() => deps.entries.purge(file))) purged++;
  }
  return purged;
}

async function deleteBytes(deps: StorageDeps, file: FileRecord): Promise<void> {
  await Promise.all([deps.blobs.delete(file.objectKey), deps.blobs.deleteReplica(file.objectKey)]);
}

// ---- one-time download tokens (Quantum) ------------------------------------

/** A download token for `file`; it works once, and dies when any sibling is used or the file changes. */
export async function createDownloadToken(deps: StorageDeps, file: FileRecord): Promise<string> {
  const token = generateSecret();
  await deps.entries.putDownloadToken({
    tokenHash: hashSecret(token),
    fileUuid: file.uuid,
    generation: file.downloadGeneration ?? 0,
    expiresAt: Math.floor(Date.now() / 1000) + DOWNLOAD_TOKEN_TTL_SECONDS,
  });
  return token;
}

/** Spends a token: of many concurrent redemptions of one file's tokens, exactly one wins. */
export async function redeemDownloadToken(deps: StorageDeps, token: string): Promise<FileRecord> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AppError('invalidDownloadToken');
  const record = await deps.entries.getDownloadToken(hashSecret(token));
  if (!record || record.expiresAt < Date.now() / 1000) throw new AppError('invalidDownloadToken');
  if (!(await withConflictRetry(() => deps.entries.redeemDownloadToken(record)))) throw new AppError('invalidDownloadToken');
  const file = await deps.entries.get(record.fileUuid);
  if (!file || !isFile(file)) throw new AppError('invalidDownloadToken');
  return file;
}
