import type { BucketRecord } from './ports';
import { objectKey } from '../store/keys';
import { pathOf, type Candidate } from './admission';
import { deleteObjectBytes } from './deletion';
import { FileStatus, type FileRecord } from './entries';
import { METRIC_NAMES } from './metrics';
import { joinPath } from './paths';
import type { CommitFailure } from './ports';
import { newUuid } from './secrets';
import type { StorageDeps } from './storage';
import { mapConcurrently } from './concurrency';
import { backoffBeforeRetry, DECIDE_ATTEMPTS, lostTooManyRaces } from './races';
import { newEntryRecord } from './tree';
import { decideBatch } from './uploads';

/**
 * Atomic multi-file stores (a Quantum `file/add` of several files): all of the
 * files are stored, or none, whatever instant the function stops at.
 *
 * 1. Decide the whole batch over one snapshot (admission.ts): a refused batch
 *    writes nothing at all.
 * 2. Write a commit intent naming the objects about to be staged, then stage
 *    the bytes at the files' final object keys. Staged bytes are invisible: no
 *    record points at them.
 * 3. One DynamoDB transaction commits everything: the files (status 2, listed),
 *    their path claims (replacing files there), the missing directories, the
 *    usage charge within quota and bucket limit, and the intent (staged →
 *    committed). That transaction is the commit point. A request too large for
 *    one transaction (DynamoDB: 100 items; about 45 files) decides in the first
 *    (charge, claims, the plan kept in the intent) and writes the records in
 *    further ones; killed in between, the sweeper rolls it forward.
 * 4. The bytes of replaced files are deleted and the intent with them.
 *
 * A run killed before 3 leaves an intent in `staged`: once it is due, the
 * sweeper moves it to `aborted` (so a late commit of that run fails) and
 * deletes the staged objects. A run killed after 3 leaves it `committed`: the
 * sweeper deletes the replaced bytes. A commit that loses a race (a concurrent
 * upload took the name or the space) re-reads and decides again, and answers
 * with the error admission then gives.
 */

/** A file to store with its bytes (they come with the request). */
export interface StagedFile {
  readonly candidate: Candidate & { readonly size: number };
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

/** An intent is due (sweepable) this long after it was written: far beyond any request's life (API Gateway: 29 s). */
export const INTENT_DUE_AFTER_SECONDS = 5 * 60;
/** How many objects are staged at once. */
const STAGE_CONCURRENCY = 8;

/**
 * Stores `files` atomically (see above). Throws admission's AppError when the
 * batch is refused; nothing is then kept. Returns the committed records.
 */
export async function storeFilesAtomically(
  deps: StorageDeps,
  bucket: BucketRecord,
  files: readonly StagedFile[],
  options: { overwrite: boolean },
): Promise<FileRecord[]> {
  const candidates = files.map((file) => file.candidate);
  const uuids = files.map(() => newUuid());
  const objectKeys = uuids.map((uuid) => objectKey(bucket.bucketUuid, uuid, newUuid()));
  const intentId = newUuid();
  let staged = false;
  let failure: CommitFailure | undefined;
  try {
    for (let attempt = 0; attempt < DECIDE_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoffBeforeRetry(attempt);
      const batch = await decideBatch(deps, bucket, candidates, options);
      const { admission, tree } = batch;
      const kept = files.map((_, index) => index).filter((index) => !admission.superseded.has(index));

      if (!staged) {
        const now = new Date();
        await deps.uploads.putIntent({
          intentId,
          bucketUuid: bucket.bucketUuid,
          state: 'staged',
          objectKeys: kept.map((index) => objectKeys[index]!),
          createdAt: now.toISOString(),
          dueAt: new Date(now.getTime() + INTENT_DUE_AFTER_SECONDS * 1000).toISOString(),
        });
        staged = true;
        await mapConcurrently(kept, STAGE_CONCURRENCY, (index) => deps.blobs.put(objectKeys[index]!, files[index]!.bytes, files[index]!.contentType));
      }

      const now = new Date().toISOString();
      const numbers = await deps.uploads.takeNumbers(kept.length);
      const records = kept.map((index, position): FileRecord => {
        const { candidate, contentType } = files[index]!;
        const entry = newEntryRecord(
          bucket,
          { type: 'file', name: candidate.name, path: pathOf(candidate), parentUuid: tree.directoryUuid(joinPath(candidate.directory)), uuid: uuids[index]! },
          numbers[position]!,
          now,
        );
        return {
          ...entry,
          type: 'file',
          fileStatus: FileStatus.UPLOADED,
          contentType,
          size: candidate.size,
          declaredSize: candidate.size,
          chargedBytes: candidate.size,
          objectKey: objectKeys[index]!,
          overwrite: options.overwrite,
        };
      });
      const replacedObjectKeys = [...admission.replaced.values()].flatMap((claim) => (claim.objectKey ? [claim.objectKey] : []));
      failure = await deps.uploads.commitStaged({
        intentId,
        replacedObjectKeys,
        directories: tree.directories,
        files: records,
        replaced: admission.replaced,
        anchors: tree.anchors,
        deltaBytes: admission.deltaBytes,
        limits: { accountId: batch.account.accountId, quotaBytes: batch.account.quotaBytes, bucketUuid: bucket.bucketUuid, bucketMaxBytes: batch.bucket.maxSizeBytes },
      });
      if (failure === undefined) {
        staged = false;
        if (replacedObjectKeys.length > 0) {
          await Promise.all(replacedObjectKeys.map((key) => deleteObjectBytes(deps, key)));
          await deps.uploads.deleteIntent(intentId);
        }
        await deps.lifecycleQueue?.enqueue(records);
        deps.logger.info('files committed', { count: records.length, replaced: admission.replaced.size, deltaBytes: admission.deltaBytes });
        deps.metrics.count(METRIC_NAMES.commits, records.length);
        return records;
      }
      // The sweeper gave up on this request (it ran far past its deadline): its bytes are gone.
      if (failure === 'intent-changed') throw new Error(`Commit intent ${intentId} was aborted before its commit`);
      deps.logger.debug('atomic commit retried', { intentId, failure });
    }
    throw lostTooManyRaces(`Atomic commit ${intentId} lost ${DECIDE_ATTEMPTS} races (last: ${failure})`);
  } finally {
    if (staged) await abandon(deps, intentId, objectKeys);
  }
}

/** Undoes staged work no commit claimed: the intent goes to aborted first, so a commit can no longer claim it. */
async function abandon(deps: StorageDeps, intentId: string, objectKeys: readonly string[]): Promise<void> {
  try {
    if (!(await deps.uploads.abortIntent(intentId))) return;
    await Promise.all(objectKeys.map((key) => deps.blobs.delete(key)));
    await deps.uploads.deleteIntent(intentId);
  } catch (error) {
    // The sweeper finishes it once the intent is due.
    deps.logger.warn('staged upload not cleaned up; the sweeper will', { intentId, error });
  }
}
