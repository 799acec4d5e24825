import type { StrandedStore } from '../store/stranded-store';
import { FileStatus, isFile } from './entries';
import { processObjectCreated, uploadKeyOf, type StorageDeps } from './storage';

/**
 * A file is stranded when its last step is this old and it is still at status 1
 * (with its bytes uploaded), 2 or 3. Ten minutes: far beyond a presigned URL's
 * 60 s plus the queue's batching window and a normal event run, so only a lost
 * or failed event leaves a file here this long; a slow run the sweeper races
 * (a multi-GiB file still being addressed) costs duplicate work only, since
 * every step is a conditional write.
 */
export const STRANDED_AFTER_SECONDS = 10 * 60;
/** Index keys read per run at most (status-1 files without bytes are read but skipped). */
const MAX_EXAMINED_PER_RUN = 1000;
/** Files taken through their steps per run at most; the next run (5 minutes later) takes the rest. */
const MAX_SWEPT_PER_RUN = 100;
const PAGE_SIZE = 100;

/** The stores the sweeper uses: the storage core's, plus the index of unfinished files. */
export interface SweeperDeps extends StorageDeps {
  readonly stranded: StrandedStore;
}

export interface SweepResult {
  /** Stranded files found (status 1 with bytes present, 2 or 3, last step older than the threshold). */
  readonly found: number;
  /** Of those, how many left status 1/2/3 (reached 4, or were rejected with an error status, or are gone). */
  readonly completed: number;
  /** Of those, how many threw or are still at 1/2/3 (the next run tries again). */
  readonly failed: number;
}

/**
 * The scheduled sweeper: finds stranded files (see STRANDED_AFTER_SECONDS) and
 * runs the same steps the S3 event runs (`processObjectCreated` continues from
 * whatever state it finds). Never throws for one file: each failure is logged
 * and counted, so one poison file never hides the others.
 */
export async function sweepStrandedFiles(deps: SweeperDeps, now: Date): Promise<SweepResult> {
  const before = new Date(now.getTime() - STRANDED_AFTER_SECONDS * 1000).toISOString();
  let found = 0;
  let completed = 0;
  let failed = 0;
  let examined = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const page = await deps.stranded.pendingSince(before, PAGE_SIZE, after);
    after = page.next;
    for (const uuid of page.uuids) {
      if (found >= MAX_SWEPT_PER_RUN) break;
      examined++;
      const file = await deps.entries.get(uuid);
      if (!file || !isFile(file) || !isPending(file.fileStatus) || file.updatedAt > before) continue;
      // Status 1 without bytes: the client never uploaded; the request's TTL forgets it, nothing to do.
      if (file.fileStatus === FileStatus.REQUESTED && !(await deps.blobs.head(uploadKeyOf(file)))) continue;
      found++;
      const log = deps.logger.child({ fileUuid: uuid, fileStatus: file.fileStatus, updatedAt: file.updatedAt });
      try {
        const result = await processObjectCreated({ ...deps, logger: log }, uploadKeyOf(file));
        if (result && isFile(result) && isPending(result.fileStatus)) {
          failed++;
          log.warn('stranded file still unfinished', { nowStatus: result.fileStatus });
        } else {
          completed++;
        }
      } catch (error) {
        failed++;
        log.error('stranded file failed', { error });
      }
    }
  } while (after && found < MAX_SWEPT_PER_RUN && examined < MAX_EXAMINED_PER_RUN);
  return { found, completed, failed };
}

function isPending(status: number): boolean {
  return status === FileStatus.REQUESTED || status === FileStatus.UPLOADED || status === FileStatus.ADDRESSED;
}
