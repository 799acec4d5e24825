import type { BucketRecord } from '../ports';
import { objectKey } from '../model/object-keys';
import { pathOf, type Candidate } from './admission';
import { deleteObjectBytes } from '../deletion/deletion';
import { FileStatus, type FileRecord } from '../model/entries';
import { METRIC_NAMES } from '../ports/metrics';
import { joinPath } from '../model/paths';
import type { CommitFailure, CommitPlan } from '../ports';
import { newUuid } from '../access/secrets';
import type { StorageDeps } from '../ports/storage';
import { mapConcurrently } from '../model/concurrency';
import { backoffBeforeRetry, DECIDE_ATTEMPTS, lostTooManyRaces } from './races';
import { newEntryRecord } from '../directories/tree';
import { chargeLimitsOf, decideBatch, type DecidedBatch } from './uploads';

/**
 * Atomic multi-file stores (a Quantum `file/add` of several files): all of the
 * files are stored, or none, whatever instant the function stops at.
 *
 * 1. Decide the whole batch over one snapshot (admission.ts): a refused batch
 *    writes nothing at all.
 * 2. Write a commit intent naming the objects about to be staged (while the
 *    batch is decided: a refused batch deletes it again), then stage the bytes
 *    at the files' final object keys. Staged bytes are invisible: no record
 *    points at them.
 * 3. One DynamoDB transaction commits everything: the files (status 2, listed),
 *    their path claims (replacing files there), the missing directories, the
 *    usage charge within quota and bucket limit, and the intent (staged →
 *    committed). That transaction is the commit point. A request too large for
 *    one transaction (DynamoDB: 100 items; about 45 files) decides in the first
 *    (charge, claims, the plan kept in the intent) and writes the records in
 *    further ones; killed or failing in between, the request still answers
 *    what it committed and the sweeper rolls the rest forward. New folders that
 *    do not fit beside the files in that first transaction (a deep location)
 *    are made before it, as mkdir makes them.
 * 4. The bytes of replaced files are deleted and the intent with them, and the
 *    files are sent on to their CIDs; a failure there is the sweeper's too.
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
/** DynamoDB's limit of items in one TransactWriteItems call. */
const TRANSACTION_ITEMS = 100;

/**
 * Items of the commit point (one transaction, upload-store.ts commitStaged): the intent, the
 * account's and the bucket's charge, a check per anchor, a claim per new directory and per file.
 */
function decisionItems(batch: DecidedBatch, files: number): number {
  return 3 + batch.tree.anchors.length + batch.tree.directories.length + files;
}

/** What a store answers: the committed records, and whether every one of them is written yet. */
export interface StoredFiles {
  /** The files committed (all of the request's, superseded duplicates left out). */
  readonly files: FileRecord[];
  /**
   * False when the commit point passed but writing the records failed afterwards: they are
   * committed (paths claimed, usage charged) and the sweeper writes them from the intent's plan
   * once it is due (INTENT_DUE_AFTER_SECONDS); until then they are not listed.
   */
  readonly recorded: boolean;
}

/**
 * Stores `files` atomically (see above). `sessionUuid`: the files belong to that upload session (its files.ready event
 * waits for them all, lib/core/webhooks/announce.ts). Throws admission's AppError when the
 * batch is refused; nothing is then kept. Once the commit point has passed it
 * never throws: whatever fails after it (the rest of a phased commit, deleting
 * replaced bytes, the lifecycle message) is finished by the sweeper, and the
 * answer says what was committed.
 *
 * Round trips on the common path (new names, one transaction): the decision's
 * batch read and the intent's write at once, the staging PUTs, the commit, the
 * lifecycle message.
 */
export async function storeFilesAtomically(
  deps: Pick<StorageDeps, 'entries' | 'uploads' | 'blobs' | 'lifecycleQueue' | 'logger' | 'metrics'>,
  bucket: BucketRecord,
  files: readonly StagedFile[],
  options: { overwrite: boolean; sessionUuid?: string },
): Promise<StoredFiles> {
  const candidates = files.map((file) => file.candidate);
  const uuids = files.map(() => newUuid());
  const objectKeys = uuids.map((uuid) => objectKey(bucket.bucketUuid, uuid, newUuid()));
  const intentId = newUuid();
  /** The intent is written: until the commit point, a request that stops must abandon it. */
  let staged = false;
  let bytesStaged = false;
  let failure: CommitFailure | undefined;
  try {
    for (let attempt = 0; attempt < DECIDE_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoffBeforeRetry(attempt);
      // The intent names every object the request may stage (a superseded one is never staged; deleting it is harmless),
      // so it is written while the batch is decided, and is durable before the first byte is staged.
      let batch = staged ? await decideBatch(deps, bucket, candidates, { ...options, openUploads: true }) : await decideWithIntent(deps, bucket, candidates, options, intentId, objectKeys);
      staged = true;
      const kept = files.map((_, index) => index).filter((index) => !batch.admission.superseded.has(index));
      if (decisionItems(batch, kept.length) > TRANSACTION_ITEMS && batch.tree.directories.length > 0) {
        // New folders that do not fit beside the files in the commit point are made first, as mkdir makes them
        // (they stay, empty, should the request then lose its commit), and the batch is decided again on them.
        if (!(await deps.uploads.createDirectories(batch.tree.directories, batch.tree.anchors))) continue;
        batch = await decideBatch(deps, bucket, candidates, { ...options, openUploads: true });
      }
      const { admission, tree } = batch;
      if (!bytesStaged) {
        await mapConcurrently(kept, STAGE_CONCURRENCY, (index) => deps.blobs.put(objectKeys[index]!, files[index]!.bytes, files[index]!.contentType));
        bytesStaged = true;
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
          // [webhooks] The request's files.ready session (lib/quantum/files.ts): each file counts itself settled in it.
          ...(options.sessionUuid ? { sessionUuid: options.sessionUuid } : {}),
        };
      });
      const replacedObjectKeys = [...admission.replaced.values()].flatMap((claim) => (claim.objectKey ? [claim.objectKey] : []));
      const outcome = await deps.uploads.commitStaged({
        intentId,
        replacedObjectKeys,
        directories: tree.directories,
        files: records,
        replaced: admission.replaced,
        anchors: tree.anchors,
        deltaBytes: admission.deltaBytes,
        limits: chargeLimitsOf(batch),
      });
      if (outcome.committed) {
        // The commit point has passed: from here on nothing throws (the sweeper finishes what fails).
        staged = false;
        const recorded = outcome.committed === 'whole' || (await rollForward(deps, intentId, outcome.plan));
        await afterCommit(deps, intentId, records, recorded ? replacedObjectKeys : undefined);
        deps.logger.info('files committed', { count: records.length, replaced: admission.replaced.size, deltaBytes: admission.deltaBytes, recorded });
        deps.metrics.count(METRIC_NAMES.commits, records.length);
        return { files: records, recorded };
      }
      failure = outcome.failure;
      // The sweeper gave up on this request (it ran far past its deadline): its bytes are gone.
      if (failure === 'intent-changed') throw new Error(`Commit intent ${intentId} was aborted before its commit`);
      deps.logger.debug('atomic commit retried', { intentId, failure });
    }
    throw lostTooManyRaces(`Atomic commit ${intentId} lost ${DECIDE_ATTEMPTS} races (last: ${failure})`);
  } finally {
    if (staged) await abandon(deps, intentId, objectKeys);
  }
}

/**
 * The first decision of a request, with its intent written at the same time. A refused batch
 * (admission's AppError) deletes the intent again, so it leaves nothing behind; an intent that
 * could not be written fails the request before anything is staged.
 */
async function decideWithIntent(
  deps: Pick<StorageDeps, 'entries' | 'uploads' | 'logger'>,
  bucket: BucketRecord,
  candidates: readonly Candidate[],
  options: { overwrite: boolean },
  intentId: string,
  objectKeys: readonly string[],
): Promise<DecidedBatch> {
  const now = new Date();
  const [decided, intent] = await Promise.allSettled([
    decideBatch(deps, bucket, candidates, { ...options, openUploads: true }),
    deps.uploads.putIntent({
      intentId,
      bucketUuid: bucket.bucketUuid,
      state: 'staged',
      objectKeys,
      createdAt: now.toISOString(),
      dueAt: new Date(now.getTime() + INTENT_DUE_AFTER_SECONDS * 1000).toISOString(),
    }),
  ]);
  if (decided.status === 'fulfilled' && intent.status === 'fulfilled') return decided.value;
  if (intent.status === 'fulfilled') {
    // Nothing was staged: the intent goes (the sweeper would delete it once due, with nothing to clean up).
    await deps.uploads.deleteIntent(intentId).catch((error: unknown) => deps.logger.warn('intent of a refused add not deleted; the sweeper will', { intentId, error }));
  }
  throw decided.status === 'rejected' ? decided.reason : (intent as PromiseRejectedResult).reason;
}

/** Writes the records of a commit decided in its first transaction; false (logged) when that fails: the sweeper finishes it. */
async function rollForward(deps: Pick<StorageDeps, 'uploads' | 'logger'>, intentId: string, plan: CommitPlan): Promise<boolean> {
  try {
    await deps.uploads.rollForward({ intentId, plan, applied: 0 });
    return true;
  } catch (error) {
    deps.logger.warn('commit decided, records left to the sweeper', { intentId, error });
    return false;
  }
}

/**
 * After the commit point: the replaced files' bytes and the intent go (only when every record is
 * written: until then the sweeper needs the intent), and the lifecycle message takes the files on
 * to their CIDs. Never throws: what fails is the sweeper's (the intent when it is due, the files
 * once they have waited STRANDED_AFTER_SECONDS).
 */
async function afterCommit(deps: Pick<StorageDeps, 'uploads' | 'blobs' | 'lifecycleQueue' | 'logger'>, intentId: string, records: readonly FileRecord[], replacedObjectKeys: readonly string[] | undefined): Promise<void> {
  try {
    if (replacedObjectKeys && replacedObjectKeys.length > 0) {
      await Promise.all(replacedObjectKeys.map((key) => deleteObjectBytes(deps, key)));
      await deps.uploads.deleteIntent(intentId);
    }
  } catch (error) {
    deps.logger.warn('replaced bytes not deleted after a commit; the sweeper will', { intentId, error });
  }
  if (!replacedObjectKeys) return; // the records are not written yet: a message would find nothing
  try {
    await deps.lifecycleQueue?.enqueue(records);
  } catch (error) {
    deps.logger.warn('committed files not enqueued for their CIDs; the sweeper will take them on', { intentId, error });
  }
}

/** Undoes staged work no commit claimed: the intent goes to aborted first, so a commit can no longer claim it. */
async function abandon(deps: Pick<StorageDeps, 'uploads' | 'blobs' | 'logger'>, intentId: string, objectKeys: readonly string[]): Promise<void> {
  try {
    if (!(await deps.uploads.abortIntent(intentId))) return;
    await Promise.all(objectKeys.map((key) => deps.blobs.delete(key)));
    await deps.uploads.deleteIntent(intentId);
  } catch (error) {
    // The sweeper finishes it once the intent is due.
    deps.logger.warn('staged upload not cleaned up; the sweeper will', { intentId, error });
  }
}
