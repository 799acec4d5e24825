import { AppError } from '../../errors';
import { deleteObjectBytes } from '../deletion/deletion';
import { markDirectoryStale } from '../directories/directory-marks';
import { FileStatus, RecordStatus, isFile, type FileRecord } from '../model/entries';
import type { BucketRecord, FileMove, SessionStore, UploadSessionRecord } from '../ports';
import { backoffBeforeRetry, DECIDE_ATTEMPTS } from './races';
import type { StorageDeps } from '../ports/storage';
import { ensureDirectories, parentPath } from '../directories/tree';

/**
 * Placing an upload session's files under the `directoryPath` its end names
 * (`POST …/upload/:sessionUuid/end {wrapWithDirectory, directoryPath}`), as
 * Apillon does (docs/apillon-sdk-contract.md §2.10): every file of the session
 * goes to `directoryPath/<the path it was uploaded to>`; the directory at
 * `directoryPath` is the wrapping directory, whose CID is computed like every
 * directory's (lib/core/directories/directories.ts) and shown where the SDK reads it
 * (its `CID`/`link` in content listings).
 *
 * Files here commit one by one when their bytes arrive, so at the end some
 * files of the session are committed (claimed and listed at their upload
 * path) and some are still upload requests (status 1). Nothing is lost or
 * misplaced whatever the timing:
 * - the end records the move on the session (conditional: open → ended, with
 *   `directoryPath`, `moveState: moving`, and a place in the sweeper's schedule);
 * - a pass moves committed files (path claims, listing keys, child counts, in
 *   batched conditional transactions; parents created with ensureDirectories)
 *   and gives upload requests their new path (`retargetRequested`); both set
 *   `wrapped`, so a file is placed once;
 * - a commit reads its session first (`placeBeforeCommit`) and, once the
 *   session has ended with a `directoryPath`, retargets its file before it
 *   decides; a commit that decided on the old path loses its transaction to a
 *   retarget (commitUpload is conditioned on the path) and decides again;
 * - a commit that read the session before the end can still land at the old
 *   path, late: the sweeper runs passes until one that starts after
 *   `finalPassAfter` (longer than the timeout of every function that commits:
 *   the sweeper's 900 s, objectCreated's 50 s; so no such commit is still running) finds everything placed. An end killed midway is
 *   finished the same way (its session is due `MOVE_GRACE_SECONDS` after the end).
 *
 * Conflicts at a file's new path follow Apillon, whose sync writes each file
 * into the wrapping directory with kubo's `files.write({truncate: true})`: a
 * file already at the path is replaced (the last write wins, as our uploads
 * do). A directory at the path (or a file where a parent directory must go)
 * cannot be replaced: a committed file then keeps its place (its bytes are
 * never lost) and counts as a conflict; an upload request is committed there
 * and refused like any upload to a directory's path (status 104).
 */

/** A killed end is taken on by the sweeper this long after it (the end itself normally finishes first). */
export const MOVE_GRACE_SECONDS = 60;
/**
 * The last pass of a move starts this long after the end: more than the longest
 * timeout of a function that commits uploads (the sweeper's 900 s; objectCreated's
 * is 50 s), so every commit that read the session before its end has finished
 * (and landed where that pass finds it).
 */
export const FINAL_PASS_AFTER_SECONDS = 16 * 60;
/** How long the ending request moves files before it leaves the rest to the sweeper (API Gateway answers within 29 s). */
export const END_MOVE_BUDGET_MS = 20_000;
/** DynamoDB's limit of items in one transaction. */
const TRANSACTION_ITEMS = 100;

/** Where a file uploaded to `uploadPath` goes when its session ends with `directoryPath`. */
export function wrappedPath(directoryPath: string, uploadPath: string): string {
  return `${directoryPath}/${uploadPath}`;
}

export interface PlacementReport {
  /** Every file found was placed or left for good (a conflict); false when the pass ran out of time or lost too many races. */
  readonly complete: boolean;
  /** Committed files moved, upload requests retargeted, files kept in place because a directory holds their new path. */
  readonly moved: number;
  readonly retargeted: number;
  readonly conflicts: number;
}

/**
 * One pass over an ended session's files (see above); safe to run any number
 * of times, concurrently with commits, deletions and other passes. Stops
 * early (`complete: false`) at `deadlineMs` (epoch ms).
 */
export async function placeSessionFiles(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'deletions' | 'directories' | 'uploads' | 'moves' | 'blobs' | 'lifecycleQueue' | 'logger'>, session: UploadSessionRecord, deadlineMs: number): Promise<PlacementReport> {
  const directoryPath = session.directoryPath;
  const bucket = await deps.buckets.get(session.bucketUuid);
  if (directoryPath === undefined || !bucket) return { complete: true, moved: 0, retargeted: 0, conflicts: 0 };
  const files = await deps.moves.sessionFiles(bucket.bucketUuid, session.sessionUuid);
  const changed = new Set<string | null>();
  const emptied = new Set<string>();
  for (const file of files.filter((file) => file.wrapped)) {
    // Every pass looks again at the folders earlier passes moved files out of: one that ran out of
    // time (or was killed) before its clean-up leaves no emptied folder behind for good.
    if (file.movedFrom) emptied.add(file.movedFrom);
    if (file.fileStatus < FileStatus.UPLOADED) continue;
    // Marked again on every pass: a pass killed between a move and its marks leaves nothing stale for ever.
    changed.add(file.parentUuid);
    if (file.movedFrom !== undefined) changed.add(file.movedFrom);
  }
  const waiting = files.filter((file) => !file.wrapped && file.fileStatus < 100);
  // Deepest first: a file's new path is deeper than its old one, so a file of this session standing on
  // another's new path always moves out of the way before that one moves in.
  const depthFirst = (a: FileRecord, b: FileRecord) => depth(b.path) - depth(a.path);
  const committed = waiting.filter((file) => file.fileStatus >= FileStatus.UPLOADED).sort(depthFirst);
  const requested = waiting.filter((file) => file.fileStatus === FileStatus.REQUESTED).sort(depthFirst);
  const sessionFiles = new Set(files.map((file) => file.uuid));
  let moved = 0;
  let retargeted = 0;
  let conflicts = 0;
  let complete = true;

  const move = async (group: FileRecord[]) => {
    const result = await moveCommittedFiles(deps, bucket, directoryPath, group, sessionFiles, changed, emptied);
    moved += result.moved;
    conflicts += result.conflicts;
    if (result.left > 0) complete = false;
  };
  // What this pass did is marked and cleaned up also when it stops at the deadline.
  const finish = async (): Promise<PlacementReport> => {
    await markDirectoriesStale(deps, bucket.bucketUuid, changed);
    await removeEmptiedDirectories(deps, session, directoryPath, emptied);
    deps.logger.info('session files placed', { sessionUuid: session.sessionUuid, directoryPath, moved, retargeted, conflicts, complete });
    return { complete, moved, retargeted, conflicts };
  };
  for (const group of groupBy(committed, (file) => depth(file.path))) {
    if (Date.now() > deadlineMs) {
      complete = false;
      return finish();
    }
    await move(group);
  }
  for (const file of requested) {
    if (Date.now() > deadlineMs) {
      complete = false;
      return finish();
    }
    if (await deps.moves.retargetRequested(file, wrappedPath(directoryPath, file.path), new Date().toISOString())) {
      retargeted++;
      // The directory its upload request was planned into (created for it, maybe) is left behind.
      if (file.parentUuid) emptied.add(file.parentUuid);
      continue;
    }
    // Committed meanwhile (or replaced, removed, placed by another pass): move it if it still needs it.
    const again = await deps.entries.get(file.uuid);
    if (again && isFile(again) && needsMove(again)) await move([again]);
  }
  return finish();
}

/**
 * The commit step's hook (lifecycle.ts, before it decides where an upload
 * goes): when the file's session has ended with a `directoryPath`, the upload
 * request gets its new path first. True when the caller must read the file again.
 * A file already placed (`wrapped`) or of no session reads nothing; the callers
 * share one read of a session per invocation (sharingSessionReads).
 */
export async function placeBeforeCommit(deps: Pick<StorageDeps, 'sessions' | 'moves'>, file: FileRecord): Promise<boolean> {
  if (!file.sessionUuid || file.wrapped) return false;
  const session = await deps.sessions.get(file.sessionUuid);
  if (!session || session.bucketUuid !== file.bucketUuid || session.status !== 'ended' || session.directoryPath === undefined || !session.moveState) return false;
  await deps.moves.retargetRequested(file, wrappedPath(session.directoryPath, file.path), new Date().toISOString());
  return true;
}

/**
 * `deps` whose session reads (`sessions.get`) are shared by the commits of one invocation (a batch
 * of object events, a sweep's stranded files), so a batch of one session's files reads the session
 * once instead of once per file (placeBeforeCommit). Safe: a commit that read its session before
 * the session ended is the case the final pass (FINAL_PASS_AFTER_SECONDS) exists for, and no
 * invocation lives that long. Bound: one entry per session the invocation meets, all dropped with
 * the object this returns (nothing outlives the invocation); a failed read is not kept.
 */
export function sharingSessionReads<D extends Pick<StorageDeps, 'sessions'>>(deps: D): D {
  const store = deps.sessions;
  const reads = new Map<string, Promise<UploadSessionRecord | undefined>>();
  const sessions: SessionStore = {
    get: (sessionUuid) => {
      let read = reads.get(sessionUuid);
      if (!read) {
        read = store.get(sessionUuid);
        reads.set(sessionUuid, read);
        read.catch(() => reads.delete(sessionUuid));
      }
      return read;
    },
    create: (session) => store.create(session),
    openAndAddFiles: (session, count) => store.openAndAddFiles(session, count),
    end: (sessionUuid, ending) => store.end(sessionUuid, ending),
    dueMoves: (nowIso, limit) => store.dueMoves(nowIso, limit),
    scheduleMove: (sessionUuid, dueAtIso) => store.scheduleMove(sessionUuid, dueAtIso),
    finishMove: (sessionUuid) => store.finishMove(sessionUuid),
  };
  return { ...deps, sessions };
}

/** Sessions one sweep takes on at most. */
const SWEEP_SESSION_LIMIT = 20;
/** How long one sweep spends on one session's move. */
const SWEEP_MOVE_BUDGET_MS = 60_000;

/**
 * The sweeper's part (sweeper.ts): passes over the sessions whose move is due:
 * one an end left unfinished (killed, out of time) or whose final pass has come.
 * Returns how many sessions finished their move.
 */
export async function finishDueSessionMoves(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'deletions' | 'directories' | 'uploads' | 'sessions' | 'moves' | 'blobs' | 'lifecycleQueue' | 'logger'>, now: Date): Promise<number> {
  let finished = 0;
  const nowIso = now.toISOString();
  for (const sessionUuid of await deps.sessions.dueMoves(nowIso, SWEEP_SESSION_LIMIT)) {
    try {
      const session = await deps.sessions.get(sessionUuid);
      if (!session || session.moveState !== 'moving') continue;
      const report = await placeSessionFiles(deps, session, Date.now() + SWEEP_MOVE_BUDGET_MS);
      if (!report.complete) {
        await deps.sessions.scheduleMove(sessionUuid, nowIso); // the next sweep goes on
      } else if (session.finalPassAfter === undefined || nowIso >= session.finalPassAfter) {
        await deps.sessions.finishMove(sessionUuid);
        finished++;
      } else {
        await deps.sessions.scheduleMove(sessionUuid, session.finalPassAfter);
      }
    } catch (error) {
      deps.logger.error('session move could not be finished', { sessionUuid, error });
    }
  }
  return finished;
}

// ---- moving committed files -------------------------------------------------------------

/** Committed, active, not placed yet: a file a pass moves. */
function needsMove(file: FileRecord): boolean {
  return !file.wrapped && file.recordStatus === RecordStatus.ACTIVE && file.fileStatus >= FileStatus.UPLOADED && file.fileStatus <= FileStatus.REPLICATED;
}

/**
 * Moves committed files in as few transactions as fit; a transaction that
 * loses a condition is split into single files, each read and decided again.
 * `left`: files still to move after every attempt (the pass is then incomplete).
 */
async function moveCommittedFiles(
  deps: Pick<StorageDeps, 'entries' | 'uploads' | 'moves' | 'blobs' | 'lifecycleQueue' | 'logger'>,
  bucket: BucketRecord,
  directoryPath: string,
  files: readonly FileRecord[],
  sessionFiles: ReadonlySet<string>,
  changed: Set<string | null>,
  emptied: Set<string>,
): Promise<{ moved: number; conflicts: number; left: number }> {
  let todo = [...files];
  let moved = 0;
  let conflicts = 0;
  for (let attempt = 0; attempt < DECIDE_ATTEMPTS && todo.length > 0; attempt++) {
    if (attempt > 0) {
      await backoffBeforeRetry(attempt);
      const current = await Promise.all(todo.map((file) => deps.entries.get(file.uuid)));
      todo = current.filter((file): file is FileRecord => !!file && isFile(file) && needsMove(file));
      if (todo.length === 0) break;
    }
    const plan = await planMoves(deps, bucket, directoryPath, todo, sessionFiles);
    conflicts += plan.conflicts;
    const failed: FileRecord[] = [...plan.deferred];
    const now = new Date().toISOString();
    // After a lost race each file goes alone, so one contested file holds up no other.
    for (const chunk of attempt === 0 ? chunksOf(deps, plan.moves) : plan.moves.map((one) => [one])) {
      if (await deps.moves.moveCommitted(chunk, now)) {
        moved += chunk.length;
        for (const { file, parentUuid, replacing } of chunk) {
          changed.add(file.parentUuid).add(parentUuid);
          if (file.parentUuid) emptied.add(file.parentUuid);
          if (replacing?.objectKey) await deleteObjectBytes(deps, replacing.objectKey);
        }
      } else {
        failed.push(...chunk.map((one) => one.file));
      }
    }
    todo = failed;
  }
  return { moved, conflicts, left: todo.length };
}

interface MovePlan {
  readonly moves: FileMove[];
  /** Files whose new path is held by a directory, or that need a directory where a file is: they stay. */
  readonly conflicts: number;
  /** Files whose new path another file of the session still holds (it moves first; the next attempt takes these). */
  readonly deferred: FileRecord[];
}

/** Decides where each file goes over one read of the claims on the new paths (parents created first). */
async function planMoves(
  deps: Pick<StorageDeps, 'entries' | 'uploads' | 'lifecycleQueue' | 'logger'>,
  bucket: BucketRecord,
  directoryPath: string,
  files: readonly FileRecord[],
  sessionFiles: ReadonlySet<string>,
): Promise<MovePlan> {
  const targets = files.map((file) => wrappedPath(directoryPath, file.path));
  const parents = [...new Set(targets.map(parentPath))];
  const parentUuids = await ensureEachDirectory(deps, bucket, parents);
  const { claims } = await deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, targets);
  const moves: FileMove[] = [];
  const deferred: FileRecord[] = [];
  let conflicts = 0;
  for (const [index, file] of files.entries()) {
    const path = targets[index]!;
    const parent = parentPath(path);
    const parentUuid = parentUuids.get(parent);
    const claim = claims.get(path);
    if (parentUuid === undefined || claim?.type === 'directory') {
      conflicts++;
      deps.logger.warn('session file kept in place: a directory holds its new path', { fileUuid: file.uuid, path });
      continue;
    }
    if (claim && sessionFiles.has(claim.entryUuid)) {
      const holder = await deps.entries.get(claim.entryUuid);
      if (holder && !holder.wrapped) {
        deferred.push(file);
        continue;
      }
    }
    const replacing = claim
      ? { ...claim, chargedBytes: claim.chargedBytes ?? (await deps.entries.get(claim.entryUuid))?.chargedBytes ?? 0 }
      : undefined;
    moves.push({
      file,
      path,
      parentUuid,
      ...(replacing ? { replacing } : {}),
      ...(parentUuid === null ? {} : { anchor: { path: parent, entryUuid: parentUuid } }),
    });
  }
  return { moves, conflicts, deferred };
}

/** Creates the directories (and their parents) in one go; when a file holds one of them, each is tried alone and the blocked ones are left out. */
async function ensureEachDirectory(deps: Pick<StorageDeps, 'uploads' | 'lifecycleQueue' | 'logger'>, bucket: BucketRecord, paths: readonly string[]): Promise<Map<string, string | null>> {
  const uuids = new Map<string, string | null>();
  const segments = (path: string) => (path === '' ? [] : path.split('/'));
  try {
    const uuidOf = await ensureDirectories(deps, bucket, paths.map(segments));
    for (const path of paths) uuids.set(path, uuidOf(path));
  } catch (error) {
    if (!(error instanceof AppError) || error.errorName !== 'invalidDirectory') throw error;
    for (const path of paths) {
      try {
        const uuidOf = await ensureDirectories(deps, bucket, [segments(path)]);
        uuids.set(path, uuidOf(path));
      } catch (single) {
        if (!(single instanceof AppError) || single.errorName !== 'invalidDirectory') throw single;
      }
    }
  }
  return uuids;
}

/** Moves grouped into transactions of at most 100 items. */
function chunksOf(deps: Pick<StorageDeps, 'moves'>, moves: readonly FileMove[]): FileMove[][] {
  const chunks: FileMove[][] = [];
  let current: FileMove[] = [];
  for (const move of moves) {
    if (current.length > 0 && deps.moves.itemCount([...current, move]) > TRANSACTION_ITEMS) {
      chunks.push(current);
      current = [];
    }
    current.push(move);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

// ---- directories ------------------------------------------------------------------------

/**
 * Every directory that gained or lost a child in a move (old and new parents; null:
 * the bucket root) gets its CID computed again (lib/core/directories/directories.ts). The move's
 * own transaction marked them durably; this enqueues the recomputes of those that
 * were clean. Every pass marks again the parents of every file it finds placed, so a
 * pass killed between a move and these calls leaves nothing stale for long.
 */
export async function markDirectoriesStale(deps: Pick<StorageDeps, 'directories' | 'lifecycleQueue' | 'logger'>, bucketUuid: string, directoryUuids: ReadonlySet<string | null>): Promise<void> {
  for (const directoryUuid of directoryUuids) await markDirectoryStale(deps, { bucketUuid, directoryUuid });
}

/**
 * The directories files were moved out of are removed when the move left them
 * empty and they are no older than the session (its upload requests created
 * them); their parents likewise. Never the wrapping directory or one above it.
 * A directory that gains a child meanwhile stays (deleteDirectory's condition),
 * and an upload request planned into a removed one recreates it at commit.
 */
async function removeEmptiedDirectories(deps: Pick<StorageDeps, 'entries' | 'listings' | 'deletions' | 'directories' | 'lifecycleQueue' | 'logger'>, session: UploadSessionRecord, directoryPath: string, candidates: ReadonlySet<string>): Promise<void> {
  const changed = new Set<string | null>();
  for (const candidate of candidates) {
    let uuid: string | null = candidate;
    while (uuid !== null) {
      const directory = await deps.entries.get(uuid);
      if (!directory || directory.type !== 'directory' || directory.createdAt < session.createdAt) break;
      if (directory.path === directoryPath || directoryPath.startsWith(`${directory.path}/`)) break;
      if ((await deps.listings.count(directory.bucketUuid, directory.uuid)) > 0) break;
      if (!(await deps.deletions.deleteDirectory(directory))) break;
      changed.add(directory.parentUuid);
      uuid = directory.parentUuid;
    }
  }
  await markDirectoriesStale(deps, session.bucketUuid, changed);
}

function depth(path: string): number {
  return path.split('/').length;
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}
