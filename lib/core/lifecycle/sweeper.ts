import { FileStatus, RecordStatus, isFile, type FileRecord } from '../model/entries';
import { advanceFile } from './lifecycle';
import type { CommitIntent, DirectoryRef } from '../ports';
import type { BlobCopyDeps, StorageDeps } from '../ports/storage';
import { uploadKeyOf } from '../upload/uploads';
import { finishDueSessionMoves, sharingSessionReads } from '../upload/session-wrap';
import { queueClaimedEvent } from '../webhooks/announce';
import { MULTIPART_UPLOAD_DAYS } from '../upload/multipart-plan';
import { cancelOpenUpload } from '../upload/upload-claims';
import type { MultipartUploadStore } from '../ports/multipart-uploads';

/**
 * The sweeper (SPEC §1: "a scheduled sweeper completes any file that stays
 * short of 4"). Every few minutes it
 * - completes files that have waited for a lifecycle step longer than
 *   `STRANDED_AFTER_SECONDS` (status 1 whose bytes are in S3, 2 or 3), through
 *   the very steps the event function takes (lifecycle.ts), so whatever stopped
 *   them (a lost or dead-lettered event, a crash, a throttle) they finish, and
 *   usage is still charged once;
 * - finishes commit intents that are due (staged-commit.ts): staged bytes of a
 *   request that never committed are deleted, the replaced bytes of one that
 *   did are deleted;
 * - recomputes the CIDs of directories (and bucket roots) left stale longer than
 *   the same threshold (directories.ts): their recompute message was lost, or
 *   the run that marked them stopped before it sent one;
 * - queues files.ready events that were claimed but never queued (their run died in between:
 *   lib/core/webhooks/announce.ts keeps the claim in this index until the event is queued).
 * A file it completes announces its session's files.ready like any other (advanceFile).
 */

/**
 * A file is stranded after 10 minutes without progress: a healthy pipeline
 * takes each step within seconds (the queue delivers at once, a retry comes
 * within the function's timeout), and a presigned URL (60 s) cannot bring bytes
 * later than that. Short enough that a stranded file heals within about a
 * quarter of an hour (this plus the 5-minute schedule).
 */
export const STRANDED_AFTER_SECONDS = 10 * 60;
/** Files and intents one sweep takes on at most (the next sweep continues). */
const SWEEP_LIMIT = 200;

export interface SweepReport {
  /** Stranded files found: status 1 with its bytes in S3, 2 or 3, without progress for longer than the threshold. */
  readonly found: number;
  /** Of those, files now settled (status 4, an error status, or gone). */
  readonly completed: number;
  /** Of those, files whose step failed again or that are still unfinished (the next sweep tries again). */
  readonly failed: number;
  /**
   * Upload requests let go: their bytes never came and their URL expired long ago (they expire by TTL); and open
   * multipart uploads past their deadline, cancelled with their reservation given back.
   */
  readonly released: number;
  /** Commit intents finished (staged bytes or replaced bytes deleted, or a decided commit rolled forward). */
  readonly intents: number;
  /** Directories (bucket roots included) stale for longer than the threshold, recomputed now. */
  readonly staleDirectories: number;
  /** Of those, recomputes that failed (the next sweep tries again). */
  readonly staleDirectoriesFailed: number;
  /** [wrap] Upload sessions whose files are now all placed under their directoryPath (session-wrap.ts). */
  readonly sessionMoves: number;
  /** [webhooks] files.ready events claimed but never queued, queued now (announce.ts). */
  readonly announced: number;
}

/**
 * What a sweep uses: the lifecycle's stores (lib/core/lifecycle/lifecycle.ts `LifecycleStepDeps`), those of the
 * sessions' moves and the stale directories, and the multipart store where the function composes it (stale uploads).
 */
export type SweepDeps = Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'lifecycle' | 'deletions' | 'directories' | 'uploads' | 'sessions' | 'moves' | 'blobs' | 'lifecycleQueue' | 'webhooks' | 'webhookQueue' | 'logger' | 'metrics' | 'cidSlice'> & BlobCopyDeps & { readonly multipart?: MultipartUploadStore };

/** One sweep at `now`. Never throws for one file: each failure is counted and logged, so no poison file hides the others. */
export async function sweepStrandedFiles(deps: SweepDeps, now: Date): Promise<SweepReport> {
  const intents = await finishDueIntents(deps, now);
  const sessionMoves = await finishDueSessionMoves(deps, now); // [wrap]
  const before = new Date(now.getTime() - STRANDED_AFTER_SECONDS * 1000).toISOString();
  let found = 0;
  let completed = 0;
  let failed = 0;
  let released = 0;
  let announced = 0;
  const directories = { found: 0, failed: 0 };
  // The stranded files of one session read it once in this sweep (session-wrap.ts).
  const fileDeps = sharingSessionReads(deps);
  for (const item of await deps.lifecycle.pendingItems(before, SWEEP_LIMIT)) {
    if (item.kind === 'root') {
      await sweepDirectory(deps, { bucketUuid: item.bucketUuid, directoryUuid: null }, directories);
      continue;
    }
    if (item.kind === 'session') {
      // [webhooks] A session's files.ready claimed by a run that died before queueing it (announce.ts: the outbox).
      if (await queueClaimedEvent(deps, { sessionUuid: item.sessionUuid }).catch((error: unknown) => void deps.logger.error('claimed files.ready could not be queued', { sessionUuid: item.sessionUuid, error }))) announced++;
      continue;
    }
    const uuid = item.uuid;
    const file = await deps.entries.get(uuid);
    if (file?.type === 'directory') {
      await sweepDirectory(deps, { bucketUuid: file.bucketUuid, directoryUuid: uuid }, directories);
      continue;
    }
    // What a mark left of a directory removed meanwhile (no type): not a directory any more.
    if (file && file.type === undefined) {
      await deps.directories.discard({ bucketUuid: file.bucketUuid, directoryUuid: uuid });
      continue;
    }
    // The index is eventually consistent: trust the record.
    if (!file || !isFile(file) || file.updatedAt > before) continue;
    if (!isPending(file)) {
      // [webhooks] A settled single upload in the index is a files.ready claimed but never queued: queued now.
      if (file.readyAt && deps.webhookQueue) {
        if (await queueClaimedEvent(deps, { file }).catch((error: unknown) => void deps.logger.error('claimed files.ready could not be queued', { fileUuid: uuid, error }))) announced++;
        continue;
      }
      await deps.lifecycle.clearPending(uuid);
      continue;
    }
    if (file.fileStatus === FileStatus.REQUESTED && file.multipart && !(await deps.blobs.head(uploadKeyOf(file)))) {
      // [issue 21] An open upload in parts holds a reservation and its path until it ends: it stays in this index, out of
      // sight until its deadline (MULTIPART_UPLOAD_DAYS), and is then cancelled here, its reservation given back, even
      // when S3 no longer lists it (the bucket's rule aborted it first) and abortStaleMultipartUploads cannot find it.
      const deadline = new Date(Date.parse(file.createdAt) + MULTIPART_UPLOAD_DAYS * 24 * 60 * 60 * 1000);
      if (now < deadline) await deps.lifecycle.deferPending(uuid, deadline.toISOString());
      else if (await cancelOpenUpload(deps, file, { now })) released++;
      continue;
    }
    if (file.fileStatus === FileStatus.REQUESTED && !(await deps.blobs.head(uploadKeyOf(file)))) {
      // The client never uploaded, and the URL (60 s) expired long ago: nothing can arrive any more.
      await deps.lifecycle.clearPending(uuid);
      released++;
      continue;
    }
    found++;
    const log = deps.logger.child({ fileUuid: uuid, fileStatus: file.fileStatus, updatedAt: file.updatedAt });
    try {
      const after = await advanceFile({ ...fileDeps, logger: log }, uuid);
      if (after && isFile(after) && isPending(after)) {
        failed++;
        log.warn('stranded file still unfinished', { nowStatus: after.fileStatus });
      } else {
        completed++;
      }
    } catch (error) {
      failed++;
      log.error('stranded file could not be completed', { error });
    }
  }
  const report = { found, completed, failed, released, intents, staleDirectories: directories.found, staleDirectoriesFailed: directories.failed, sessionMoves, announced };
  deps.logger.info('stranded files swept', { ...report });
  return report;
}

/** Recomputes a directory left stale; never throws (counted and logged instead). */
async function sweepDirectory(deps: Pick<StorageDeps, 'buckets' | 'listings' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger' | 'metrics'>, directory: DirectoryRef, counts: { found: number; failed: number }): Promise<void> {
  counts.found++;
  const log = deps.logger.child({ bucketUuid: directory.bucketUuid, directoryUuid: directory.directoryUuid });
  try {
    const { addressDirectory } = await import('../directories/directories'); // the node builders, only when a directory needs them
    await addressDirectory({ ...deps, logger: log }, directory.bucketUuid, directory.directoryUuid);
  } catch (error) {
    counts.failed++;
    log.error('stale directory could not be recomputed', { error });
  }
}

/** Status 1, 2 or 3 of an active file: a step is still to come. */
function isPending(file: FileRecord): boolean {
  return file.recordStatus === RecordStatus.ACTIVE && file.fileStatus >= FileStatus.REQUESTED && file.fileStatus < FileStatus.REPLICATED;
}

async function finishDueIntents(deps: Pick<StorageDeps, 'uploads' | 'blobs' | 'logger'>, now: Date): Promise<number> {
  let finished = 0;
  for (const intent of await deps.uploads.dueIntents(now.toISOString(), SWEEP_LIMIT)) {
    try {
      await finishIntent(deps, intent);
      finished++;
    } catch (error) {
      deps.logger.error('commit intent could not be finished', { intentId: intent.intentId, error });
    }
  }
  return finished;
}

/** A staged intent is first moved to aborted: from then on its request can no longer commit it. */
async function finishIntent(deps: Pick<StorageDeps, 'uploads' | 'blobs'>, intent: CommitIntent): Promise<void> {
  if (intent.state === 'staged' && !(await deps.uploads.abortIntent(intent.intentId))) return; // committed just now: next sweep
  if (intent.state === 'committing') {
    // Decided, but the run that decided it stopped before writing every record: finish them.
    await deps.uploads.rollForward(intent);
    if (intent.plan!.replacedObjectKeys.length === 0) return; // the last write removed the intent
    await Promise.all(intent.plan!.replacedObjectKeys.map((key) => Promise.all([deps.blobs.delete(key), deps.blobs.deleteReplica(key)])));
    await deps.uploads.deleteIntent(intent.intentId);
    return;
  }
  await Promise.all(intent.objectKeys.map((key) => Promise.all([deps.blobs.delete(key), deps.blobs.deleteReplica(key)])));
  await deps.uploads.deleteIntent(intent.intentId);
}
