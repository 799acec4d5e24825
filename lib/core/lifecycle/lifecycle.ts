import { computeCids } from '../../cid';
import { AppError } from '../../errors';
import { FileStatus, RecordStatus, isFile, type EntryRecord, type FileRecord } from '../model/entries';
import { objectKey, parseUploadKey } from '../model/object-keys';
import { newUuid } from '../access/secrets';
import { METRIC_NAMES } from '../ports/metrics';
import type { BlobCopyDeps, StorageDeps } from '../ports/storage';
import { parentPath } from '../directories/tree';
import { deleteObjectBytes } from '../deletion/deletion';
import { markDirectoryStale } from '../directories/directory-marks';
import { chargeLimitsOf, decideBatch, uploadKeyOf } from '../upload/uploads';
import { letGoOfPath, settledRequestExpiry, supersededReason } from '../upload/upload-claims';
import type { CopySlice, PathClaim } from '../ports';
import { placeBeforeCommit } from '../upload/session-wrap';
import { policyViolation } from '../upload/policy';
import { addressInSlices } from './sliced-cids';
import { announceIfReady } from '../webhooks/announce';

/**
 * The file lifecycle (SPEC §5): 1 upload URL issued → 2 bytes in S3, checked
 * and charged → 3 CIDs computed → 4 replicated. Errors get statuses of 100+.
 *
 * Every run (the S3 event through the queue, the request that committed the
 * bytes, a retry, the sweeper) goes through `advanceFile`, which reads the
 * record, does the one step its status calls for, and reads again: a step that
 * finds nothing to do (another run did it, the bytes moved on) never decides
 * anything on what it read before; it only makes the loop read again. Each step
 * is a conditional write, so of two runs doing the same step one wins and the
 * other continues from the state the winner left. Usage is charged once, by the
 * commit transaction of step 1→2.
 */

/** Steps one run takes at most before it gives up (a retry continues): more than the four statuses need, for races. */
const MAX_STEPS = 12;

/** What a lifecycle step reports when it could not act and the file may still be at its status. */
type StepOutcome = 'no-bytes' | 'deferred' | undefined;

/**
 * What taking a file through its lifecycle uses: the stores of its steps (commit, CIDs, replication, the session's
 * placement), the copy store, the queues it hands on to and the announcement of files.ready.
 */
export type LifecycleStepDeps = Pick<StorageDeps, 'entries' | 'lifecycle' | 'directories' | 'uploads' | 'sessions' | 'moves' | 'blobs' | 'lifecycleQueue' | 'webhooks' | 'webhookQueue' | 'logger' | 'metrics' | 'cidSlice'> & BlobCopyDeps;

/** What the steps themselves use: all of {@link LifecycleStepDeps} but the announcement's webhook ports. */
type StepDeps = Omit<LifecycleStepDeps, 'webhooks' | 'webhookQueue'>;

/**
 * Takes the file from wherever it is as far as it can go (status 4, an error
 * status, or status 1 while its bytes have not arrived). Safe to run any number
 * of times, concurrently, in any order, and after a crash at any point.
 * Returns the record as it is afterwards (undefined when there is none).
 * A file that settled its session (or a single upload) announces files.ready (lib/core/webhooks/announce.ts).
 * Throws when a step fails (S3 or DynamoDB errors, a replica that does not
 * verify): the caller's retry continues where this run stopped.
 */
export async function advanceFile(deps: LifecycleStepDeps, fileUuid: string): Promise<EntryRecord | undefined> {
  const file = await advance(deps, fileUuid);
  // [webhooks] Every path that settles a file comes through here (the object event, a sliced CID's last slice, the
  // sweeper): a settled file may be its session's last, so files.ready is announced here (once: a conditional claim).
  await announceIfReady(deps, file);
  return file;
}

async function advance(deps: StepDeps, fileUuid: string): Promise<EntryRecord | undefined> {
  for (let step = 0; step < MAX_STEPS; step++) {
    const file = await deps.entries.get(fileUuid);
    if (!file || !isFile(file)) return file;
    const outcome = await stepOf(deps, file);
    if (outcome === 'no-bytes') {
      // Nothing at the upload key: either the bytes have not come yet, or another run committed them meanwhile.
      const again = await deps.entries.get(fileUuid);
      if (!again || !isFile(again) || again.fileStatus === FileStatus.REQUESTED) return again;
      continue;
    }
    // The CID hashing or a copy in parts goes on in a later invocation (a queue message): nothing more to do here.
    if (outcome === 'deferred') return deps.entries.get(fileUuid);
    if (outcome === undefined && isSettled(file)) return file;
  }
  throw new Error(`File ${fileUuid} did not settle within ${MAX_STEPS} steps`);
}

/** A file needs nothing more: status 4, an error status, or marked for deletion past its commit. */
function isSettled(file: FileRecord): boolean {
  if (file.fileStatus === FileStatus.REPLICATED || file.fileStatus >= 100) return true;
  return file.recordStatus !== RecordStatus.ACTIVE && file.fileStatus !== FileStatus.REQUESTED;
}

async function stepOf(deps: StepDeps, file: FileRecord): Promise<StepOutcome> {
  if (isSettled(file)) {
    // Whatever sits at the upload key now is a replayed event or a re-PUT of a used URL: it is not kept.
    await deps.blobs.delete(uploadKeyOf(file));
    return undefined;
  }
  switch (file.fileStatus) {
    case FileStatus.REQUESTED:
      return file.recordStatus === RecordStatus.ACTIVE ? commitBytes(deps, file) : reject(deps, file, FileStatus.ERROR_UPLOAD_CANCELLED);
    case FileStatus.UPLOADED:
      return addressFile(deps, file);
    case FileStatus.ADDRESSED:
      return replicateFile(deps, file);
    default:
      throw new Error(`File ${file.uuid} has unknown status ${file.fileStatus}`);
  }
}

/** The status an upload is rejected with when admission refuses its real bytes. */
function rejectionStatus(error: AppError): number {
  switch (error.errorName) {
    case 'notEnoughStorageSpace':
      return FileStatus.ERROR_NOT_ENOUGH_STORAGE;
    case 'maxBucketSizeReached':
      return FileStatus.ERROR_BUCKET_FULL;
    case 'bucketMarkedForDeletion':
    case 'bucketNotFound':
      return FileStatus.ERROR_BUCKET_UNAVAILABLE;
    default:
      return FileStatus.ERROR_PATH_CONFLICT;
  }
}

/**
 * The file detail's `rejectionReason`: `NAME: <reason>` for a refusal that names a limit (quota, bucket limit), else
 * `NAME: <what happened at the path>` (a path conflict: another upload to the same path committed first), so no
 * rejected file is left without one.
 */
function rejectionReason(error: AppError, file: FileRecord): string {
  const reason = error.details?.reason;
  if (typeof reason === 'string') return `${error.definition.message}: ${reason}`;
  return `${error.definition.message}: ${JSON.stringify(file.path)} was refused when its bytes arrived (another upload to that path was committed first, or the path is no longer free); upload it again, with overwrite (Apillon) or force (Quantum) to replace what is there`;
}

/**
 * Step 1→2: the bytes are at the upload key. Checks them (declared size, then
 * admission with the real size: quota, bucket limit, path conflicts), copies
 * them to a key of this attempt's own (the presigned URL stays usable until it
 * expires; what was checked is what is kept; a copy in parts that outlasts its
 * slice goes on at that key in the next invocation: `commitCopy`) and, in one transaction, charges
 * the usage, claims the path (replacing the file there) and lists the file.
 * A folder removed since the request comes back. Rejected uploads get an error
 * status, their bytes are deleted and nothing is charged.
 */
async function commitBytes(deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'uploads' | 'sessions' | 'moves' | 'blobs' | 'lifecycleQueue' | 'logger' | 'metrics'> & BlobCopyDeps, found: FileRecord): Promise<StepOutcome> {
  const uploaded = await deps.blobs.head(uploadKeyOf(found));
  if (!uploaded) return 'no-bytes';
  // [wrap] An upload session ended with a directoryPath places its files under it (session-wrap.ts): the file gets its
  // new path first and the loop reads it again. (commitUpload is conditioned on the path, so a decision taken on the
  // old path loses to a retarget.)
  if (await placeBeforeCommit(deps, found)) return undefined;
  if (found.declaredSize !== undefined && uploaded.size !== found.declaredSize) return reject(deps, found, FileStatus.ERROR_SIZE_MISMATCH, sizeMismatchReason(found, uploaded.size));
  // The decision reads the bucket itself (its batch read): a bucket gone meanwhile is refused there (bucketNotFound).
  const bucket = { bucketUuid: found.bucketUuid, accountId: found.accountId };

  const candidate = { directory: found.path.split('/').slice(0, -1), name: found.name, size: uploaded.size };
  let batch;
  try {
    // [issue 21] An upload in parts gives its reservation back as it commits: not counted against it.
    // An upload in parts owns its path from its create (issue 21): a create without overwrite found it free and held it
    // against every writer without overwrite, so whatever stands there now a writer with overwrite put there since, and
    // this later commit replaces it (the last commit wins, as for any overwrite); its 200 at complete is never undone.
    batch = await decideBatch(deps, bucket, [candidate], { overwrite: (found.overwrite ?? false) || !!found.multipart, selfUuid: found.uuid, releasedBytes: found.reservedBytes ?? 0 });
  } catch (error) {
    if (error instanceof AppError) return reject(deps, found, rejectionStatus(error), rejectionReason(error, found));
    throw error;
  }
  // Another run committed this very file meanwhile: the loop reads its new state.
  if (batch.snapshot.claims.get(found.path)?.entryUuid === found.uuid) return undefined;
  // [issue 21] An upload in parts whose path took a file requested after it was created (a later upload that took the
  // path over while this one was completing, a Quantum add with force) does not replace that later file: it is
  // superseded, and its file detail says so (106, `supersededBy`, `rejectionReason`); nothing is charged.
  const later = found.multipart ? await laterFileAt(deps, batch.snapshot.claims.get(found.path), found) : undefined;
  if (later) return reject(deps, found, FileStatus.ERROR_UPLOAD_CANCELLED, supersededReason(found.path, later.uuid), { supersededBy: later.uuid });
  // The bucket's upload policy, on the real size (and the type the file is served as), as the bucket stands now.
  const violation = policyViolation(batch.bucket.uploadPolicy, { name: found.name, size: uploaded.size, contentType: found.contentType });
  if (violation) return reject(deps, found, FileStatus.ERROR_POLICY_REFUSED, violation.reason);
  const { tree, admission } = batch;
  if (tree.directories.length > 0 && !(await deps.uploads.createDirectories(tree.directories, tree.anchors))) return undefined;
  const replacing = admission.replaced.get(found.path);

  // [issue 21] A copy in parts an earlier invocation began for these very bytes goes on at its key; else a key of this attempt's own.
  const { commitCopy, ...unchanged } = found;
  const resumed = commitCopy?.sourceETag === uploaded.eTag ? commitCopy.objectKey : undefined;
  const file: FileRecord = {
    ...unchanged,
    parentUuid: tree.directoryUuid(parentPath(found.path)),
    objectKey: resumed ?? objectKey(found.bucketUuid, found.uuid, newUuid()),
  };
  let failure: string | undefined;
  try {
    const kept = await deps.blobCopies.copy(uploadKeyOf(file), file.objectKey, copySliceOf(deps));
    if (kept === 'continued') return continueCopy(deps, found, FileStatus.REQUESTED, { commitCopy: { objectKey: file.objectKey, sourceETag: uploaded.eTag } });
    // Gone, or put again between the check and the copy: look again at what is there now.
    failure = !kept || kept.size !== uploaded.size || kept.eTag !== uploaded.eTag
      ? 'bytes-changed'
      : await deps.lifecycle.commitUpload({
          file,
          size: uploaded.size,
          replacing,
          anchor: tree.anchors.find((anchor) => anchor.path === parentPath(found.path)),
          now: new Date().toISOString(),
          limits: chargeLimitsOf(batch),
          ...(found.reservedBytes ? { reservedBytes: found.reservedBytes } : {}),
        });
  } catch (error) {
    await discardAttempt(deps, file);
    throw error;
  }
  if (failure === undefined) {
    await deps.blobs.delete(uploadKeyOf(file));
    // [issue 21] An upload in parts lets go of its path's claim (if another upload took it over, that one keeps it).
    if (file.multipart) await letGoOfPath(deps, found);
    if (replacing?.objectKey) await deleteObjectBytes(deps, replacing.objectKey);
    deps.logger.info('upload committed', { fileUuid: file.uuid, size: uploaded.size, replaced: replacing?.entryUuid });
    deps.metrics.count(METRIC_NAMES.commits);
    return undefined;
  }
  // Someone else moved first (another run, a racing upload, a removed folder, a quota change): read and decide again.
  await discardAttempt(deps, file);
  deps.logger.debug('commit retried', { fileUuid: file.uuid, failure });
  deps.metrics.count(METRIC_NAMES.commitRetries);
  return undefined;
}

/** The slice a copy in parts gets in this invocation: the configured one where a queue can take it on, else none (whole). */
function copySliceOf(deps: Pick<StorageDeps, 'lifecycleQueue'> & Pick<BlobCopyDeps, 'copySlice'>): CopySlice | undefined {
  return deps.lifecycleQueue ? deps.copySlice : undefined;
}

/**
 * A copy in parts (the commit's at status 1, the replica's at 3) stopped at the end of its slice: the record shows
 * progress (`updatedAt`, so the sweeper leaves it alone; at status 1 also the copy's key: `commitCopy`), only while
 * the file is still active at that status, and the lifecycle queue gets the file again, whose next run resumes the copy.
 * 'deferred', or undefined when the file moved on meanwhile (the loop reads it again).
 */
async function continueCopy(deps: Pick<StorageDeps, 'lifecycle' | 'lifecycleQueue' | 'logger'>, file: FileRecord, status: number, set: Record<string, unknown> = {}): Promise<StepOutcome> {
  if (!(await deps.lifecycle.transition(file.uuid, status, status, { ...set, updatedAt: new Date().toISOString() }, { activeOnly: true }))) return undefined;
  await deps.lifecycleQueue!.enqueue([file]);
  deps.logger.info('copy in parts continues in the next invocation', { fileUuid: file.uuid, fileStatus: status });
  return 'deferred';
}

/** Deletes the copy a commit attempt made, unless that attempt is the one the record kept. */
async function discardAttempt(deps: Pick<StorageDeps, 'entries' | 'blobs'>, attempt: FileRecord): Promise<void> {
  const current = await deps.entries.get(attempt.uuid);
  if (current?.objectKey !== attempt.objectKey) await deps.blobs.delete(attempt.objectKey);
}

/** The file holding `claim` when it is a file requested after `upload` was created (issue 21; see commitBytes). */
async function laterFileAt(deps: Pick<StorageDeps, 'entries'>, claim: PathClaim | undefined, upload: FileRecord): Promise<EntryRecord | undefined> {
  if (claim?.type !== 'file' || claim.entryUuid === upload.uuid) return undefined;
  const holder = await deps.entries.get(claim.entryUuid);
  return holder && holder.createdAt > upload.createdAt ? holder : undefined;
}

/**
 * The `rejectionReason` of a file whose object is not the size its upload request declared (status 101), in the style of
 * the policy's reasons (lib/core/upload/policy.ts): what S3 holds and what was declared, in bytes. The declared size is
 * what admission (quota, the bucket's maxFileSize) decided on, so the object is not kept whichever way it differs.
 */
export function sizeMismatchReason(file: Pick<FileRecord, 'name' | 'declaredSize'>, objectBytes: number): string {
  return `FILE_SIZE_MISMATCH: ${JSON.stringify(file.name)} arrived as ${objectBytes} bytes; its upload request declared ${file.declaredSize} bytes, and the upload was admitted (quota, the bucket's maxFileSize) on that size`;
}

async function reject(deps: Pick<StorageDeps, 'lifecycle' | 'uploads' | 'blobs' | 'logger' | 'metrics'>, file: FileRecord, status: number, reason?: string, extra: Record<string, unknown> = {}): Promise<StepOutcome> {
  // Only the run that moves the file out of status 1 deletes the bytes: a concurrent run may have committed them.
  const set = { updatedAt: new Date().toISOString(), ...(reason === undefined ? {} : { rejectionReason: reason }), ...settledRequestExpiry(file), ...extra };
  const counting = file.sessionUuid ? { countInSession: file.sessionUuid } : {};
  // [issue 21] An upload in parts gives its reservation back in the same write (once: the run whose move wins).
  const release = file.reservedBytes ? { release: { accountId: file.accountId, bucketUuid: file.bucketUuid, bytes: file.reservedBytes } } : {};
  if (await deps.lifecycle.transition(file.uuid, FileStatus.REQUESTED, status, set, { settled: true, ...counting, ...release })) {
    if (file.multipart) await letGoOfPath(deps, file);
    await Promise.all([deps.blobs.delete(uploadKeyOf(file)), deps.blobs.delete(file.objectKey)]);
    deps.logger.info('upload rejected', { fileUuid: file.uuid, status });
    deps.metrics.count(METRIC_NAMES.rejections, 1, { status: String(status) });
  }
  return undefined;
}

/**
 * Step 2→3: the CIDs of the bytes, streamed from S3 with bounded memory. An object one invocation cannot hash within
 * its slice goes on in the next through the lifecycle queue (lib/core/lifecycle/sliced-cids.ts).
 */
async function addressFile(deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'blobs' | 'lifecycleQueue' | 'logger' | 'metrics' | 'cidSlice'>, file: FileRecord): Promise<StepOutcome> {
  if (deps.lifecycleQueue?.enqueueAddressing && (file.size ?? 0) > 0) {
    const started = performance.now();
    const outcome = await addressInSlices(deps, file);
    if (outcome === 'continued') return 'deferred';
    if (outcome === 'addressed') {
      deps.metrics.timing(METRIC_NAMES.cidTime, performance.now() - started);
      deps.metrics.bytes(METRIC_NAMES.cidBytes, file.size ?? 0);
      return undefined;
    }
    // The object is gone: the checks below tell a replaced file from missing bytes.
  }
  const bytes = await deps.blobs.read(file.objectKey);
  if (!bytes) {
    // Replaced or removed meanwhile (the loop then finds no record), else the committed bytes are missing: a fault to retry and alarm on.
    const current = await deps.entries.get(file.uuid);
    if (current?.objectKey === file.objectKey && current.fileStatus === FileStatus.UPLOADED && current.recordStatus === RecordStatus.ACTIVE) {
      throw new Error(`Committed bytes of file ${file.uuid} are missing at ${file.objectKey}`);
    }
    return undefined;
  }
  // The time includes reading the stream from S3: what a file's addressing costs.
  const started = performance.now();
  const cids = await computeCids(bytes);
  deps.metrics.timing(METRIC_NAMES.cidTime, performance.now() - started);
  deps.metrics.bytes(METRIC_NAMES.cidBytes, cids.size);
  await deps.lifecycle.recordCids(file, cids, new Date().toISOString());
  return undefined;
}

/**
 * Step 3→4: a verified copy in the replica bucket. First the file's directory is marked for
 * a CID recompute (its new child has CIDs now): the file stays in the sweeper's index until
 * status 4, so a run that stops before the mark is taken up again, mark included.
 */
async function replicateFile(deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'> & BlobCopyDeps, file: FileRecord): Promise<StepOutcome> {
  if (file.recordStatus === RecordStatus.ACTIVE) await markDirectoryStale(deps, { bucketUuid: file.bucketUuid, directoryUuid: file.parentUuid });
  const outcome = await deps.blobCopies.replicate(file.objectKey, copySliceOf(deps));
  if (outcome === 'continued') return continueCopy(deps, file, FileStatus.ADDRESSED);
  if (outcome === 'mismatch') throw new Error(`Replica of ${file.objectKey} did not verify`);
  if (outcome === 'gone') return undefined; // replaced or removed meanwhile: the loop reads what is left
  const now = new Date().toISOString();
  // [webhooks] The session counts the file settled in the same write (its files.ready event waits for every file).
  const counting = file.sessionUuid ? { countInSession: file.sessionUuid } : {};
  const moved = await deps.lifecycle.transition(file.uuid, FileStatus.ADDRESSED, FileStatus.REPLICATED, { updatedAt: now }, { settled: true, activeOnly: true, ...counting });
  if (moved) return undefined;
  // Replaced, removed or marked for deletion while copying: the copy belongs to nobody. (A purge deletes the
  // replica before the record: a copy that landed after it would outlive the file.) A file another run took to
  // 4 keeps the replica both runs wrote.
  const current = await deps.entries.get(file.uuid);
  if (!current || (current.recordStatus !== RecordStatus.ACTIVE && current.fileStatus !== FileStatus.REPLICATED)) {
    await deps.blobs.deleteReplica(file.objectKey);
  }
  return undefined;
}

/**
 * What the S3 ObjectCreated event (through the queue) does for one object:
 * takes its file as far as it goes. Keys this service did not issue are
 * ignored; bytes of an upload request that no longer exists are deleted.
 */
export async function processObjectCreated(deps: LifecycleStepDeps, key: string): Promise<EntryRecord | undefined> {
  const ids = parseUploadKey(key);
  if (!ids) {
    deps.logger.warn('ignoring object this service did not issue', { key });
    return undefined;
  }
  const file = await advanceFile(deps, ids.fileUuid);
  // No upload request (expired, or replaced and deleted): the bytes belong to nobody.
  if (!file) await deps.blobs.delete(key);
  return file;
}

