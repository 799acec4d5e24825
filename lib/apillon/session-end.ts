import type { StorageDeps } from '../core/ports/storage';
import { announceSessionIfReady } from '../core/webhooks/announce';
import { AppError } from '../errors';
import { openBucket } from './buckets';
import { newSession, requireSessionOf } from './uploads';
import { joinPath, parsePath } from '../core/model/paths';
import type { BucketRecord, SessionEnding, UploadSessionRecord } from '../core/ports';
import { Permission, type Principal } from '../core/access/principal';
import { isUuid } from '../core/access/secrets';
import { END_MOVE_BUDGET_MS, FINAL_PASS_AFTER_SECONDS, MOVE_GRACE_SECONDS, placeSessionFiles } from '../core/upload/session-wrap';
import { ensureDirectory } from '../core/directories/tree';

/**
 * `POST /storage/buckets/:bucketUuid/upload/:sessionUuid/end` (EXECUTE). The SDK
 * ends every upload, also one that sent no file (everything ignored), so a
 * session this service has never seen is recorded as ended (nothing can be added
 * to it afterwards) instead of refused. Ending it twice: 40006001.
 *
 * With `directoryPath` (Apillon: mandatory with `wrapWithDirectory`, and it
 * places the files under it with or without the flag) every file of the
 * session goes to `directoryPath/<its upload path>`, the wrapping directory
 * being created even for an empty session: see session-wrap.ts. The move
 * starts here and goes on in the sweeper when this request stops or runs out
 * of time. 400 INVALID_DIRECTORY (nothing changed) when a file holds
 * `directoryPath` or a directory above it.
 */
export async function endSession(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'deletions' | 'directories' | 'uploads' | 'sessions' | 'moves' | 'blobs' | 'lifecycleQueue' | 'webhooks' | 'webhookQueue' | 'logger'>,
  principal: Principal,
  bucketUuid: string,
  sessionUuid: string,
  options: { wrapWithDirectory?: boolean | null; directoryPath?: string | null },
): Promise<UploadSessionRecord> {
  const ended = await endAndPlace(deps, principal, bucketUuid, sessionUuid, options);
  // [webhooks] Files that all settled before the end: the end is the last event, so it announces files.ready.
  await announceSessionIfReady(deps, ended.bucketUuid, ended.sessionUuid);
  return ended;
}

async function endAndPlace(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'deletions' | 'directories' | 'uploads' | 'sessions' | 'moves' | 'blobs' | 'lifecycleQueue' | 'logger'>,
  principal: Principal,
  bucketUuid: string,
  sessionUuid: string,
  options: { wrapWithDirectory?: boolean | null; directoryPath?: string | null },
): Promise<UploadSessionRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  if (!isUuid(sessionUuid)) throw new AppError('uploadSessionNotFound');
  const uuid = sessionUuid.toLowerCase();
  const directory = parsePath(options.directoryPath ?? '', { lenientSlashes: true });
  const directoryPath = directory.length > 0 ? joinPath(directory) : undefined;
  if (directoryPath !== undefined) await requirePlaceable(deps, bucket, directory);
  const started = new Date();
  const now = started.toISOString();
  const ending: SessionEnding = {
    now,
    wrapWithDirectory: options.wrapWithDirectory ?? false,
    ...(directoryPath === undefined
      ? {}
      : {
          directoryPath,
          moveDueAt: new Date(started.getTime() + MOVE_GRACE_SECONDS * 1000).toISOString(),
          finalPassAfter: new Date(started.getTime() + FINAL_PASS_AFTER_SECONDS * 1000).toISOString(),
        }),
  };

  const existing = await deps.sessions.get(uuid);
  if (!existing) {
    // Never seen: it has no file, and none can join it once it exists ended (so nothing to move).
    const ended: UploadSessionRecord = {
      ...newSession(bucket, uuid, now),
      status: 'ended',
      endedAt: now,
      wrapWithDirectory: ending.wrapWithDirectory,
      ...(directoryPath === undefined ? {} : { directoryPath }),
    };
    if (await deps.sessions.create(ended)) {
      if (directoryPath !== undefined) await ensureDirectory(deps, bucket, directory);
      return ended;
    }
  }
  const session = requireSessionOf(bucket, existing ?? (await deps.sessions.get(uuid)));
  if (session.status === 'ended' || !(await deps.sessions.end(uuid, ending))) throw new AppError('uploadSessionEnded');
  const ended: UploadSessionRecord = {
    ...session,
    status: 'ended',
    endedAt: now,
    updatedAt: now,
    wrapWithDirectory: ending.wrapWithDirectory,
    ...(directoryPath === undefined ? {} : { directoryPath, moveState: 'moving', finalPassAfter: ending.finalPassAfter }),
  };
  if (directoryPath === undefined) return ended;
  try {
    await ensureDirectory(deps, bucket, directory);
  } catch (error) {
    // A file took the path since the check: each file then meets it as a conflict and keeps its place.
    if (!(error instanceof AppError) || error.errorName !== 'invalidDirectory') throw error;
  }
  const report = await placeSessionFiles(deps, ended, started.getTime() + END_MOVE_BUDGET_MS);
  // Done for now; the sweeper's final pass catches commits that read the session before this end.
  if (report.complete) await deps.sessions.scheduleMove(uuid, ended.finalPassAfter!);
  return ended;
}

/** A file at `directory` or above it leaves no place for the wrapping directory: 400 INVALID_DIRECTORY, before anything changes. */
async function requirePlaceable(deps: Pick<StorageDeps, 'uploads'>, bucket: BucketRecord, directory: readonly string[]): Promise<void> {
  const paths = directory.map((_, index) => joinPath(directory.slice(0, index + 1)));
  const { claims, bucket: current } = await deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, paths);
  if (current?.markedForDeletionAt) throw new AppError('bucketMarkedForDeletion');
  if ([...claims.values()].some((claim) => claim.type === 'file')) throw new AppError('invalidDirectory');
}
