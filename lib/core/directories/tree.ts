import { AppError } from '../../errors';
import type { BucketRecord } from '../ports';
import { directoriesOf } from '../upload/admission';
import { enqueueRecomputes } from './directory-marks';
import { RecordStatus, type EntryRecord } from '../model/entries';
import { joinPath } from '../model/paths';
import type { PathClaim } from '../ports';
import { backoffBeforeRetry, DECIDE_ATTEMPTS, lostTooManyRaces } from '../upload/races';
import { newUuid } from '../access/secrets';
import type { StorageDeps } from '../ports/storage';

/**
 * The directory tree of a bucket: every directory is an entry that claims its
 * path; files and directories name their parent by uuid (null at the root).
 */

/** An existing directory that new entries hang off: a write adding children to it checks it is still there. */
export interface Anchor {
  readonly path: string;
  readonly entryUuid: string;
}

/** Where new directories and files go, planned over a snapshot of claims. */
export interface TreePlan {
  /** Records of the directories to create, parents first. */
  readonly directories: EntryRecord[];
  /** The existing directories the plan adds children to. */
  readonly anchors: Anchor[];
  /** The uuid of each directory path of the plan (existing or new); null for the root (`''`). */
  readonly directoryUuid: (path: string) => string | null;
}

/** The parent path of a path (`''` for a top-level name). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Plans the records of `newDirectories` (paths, parents first, as admission
 * lists them) and the anchors for everything that goes into `usedDirectories`.
 * `numbers` gives one id per new directory.
 */
export function planTree(
  bucket: Pick<BucketRecord, 'bucketUuid' | 'accountId'>,
  claims: ReadonlyMap<string, PathClaim>,
  newDirectories: readonly string[],
  usedDirectories: readonly string[],
  numbers: readonly number[],
  now: string,
): TreePlan {
  const uuids = new Map<string, string | null>([['', null]]);
  for (const [path, claim] of claims) if (claim.type === 'directory') uuids.set(path, claim.entryUuid);
  const directories = newDirectories.map((path, index): EntryRecord => {
    const uuid = newUuid();
    const parentUuid = uuids.get(parentPath(path));
    if (parentUuid === undefined) throw new Error(`Directory ${path} planned before its parent`);
    uuids.set(path, uuid);
    return newEntryRecord(bucket, { type: 'directory', name: path.slice(path.lastIndexOf('/') + 1), path, parentUuid, uuid }, numbers[index]!, now);
  });
  const created = new Set(newDirectories);
  const anchors = new Map<string, Anchor>();
  for (const path of [...usedDirectories, ...newDirectories.map(parentPath)]) {
    const claim = claims.get(path);
    if (path !== '' && !created.has(path) && claim) anchors.set(path, { path, entryUuid: claim.entryUuid });
  }
  return {
    directories,
    anchors: [...anchors.values()],
    directoryUuid: (path) => {
      const uuid = uuids.get(path);
      if (uuid === undefined) throw new Error(`Directory ${path} is not part of the plan`);
      return uuid;
    },
  };
}

/** The fields every new file or directory starts with: its id, now, active. */
export function newEntryRecord(
  bucket: Pick<BucketRecord, 'bucketUuid' | 'accountId'>,
  where: Pick<EntryRecord, 'type' | 'name' | 'path' | 'parentUuid' | 'uuid'>,
  number: number,
  now: string,
): EntryRecord {
  return {
    ...where,
    bucketUuid: bucket.bucketUuid,
    accountId: bucket.accountId,
    number,
    createdAt: now,
    updatedAt: now,
    recordStatus: RecordStatus.ACTIVE,
  };
}

/**
 * Creates every missing directory of each of `directories` (segment lists) in
 * one batch read and as few transactions as fit; existing ones are fine. Returns
 * the uuid of each directory path (null for the root). 400 INVALID_DIR where a
 * file holds one of the names.
 */
export async function ensureDirectories(
  deps: Pick<StorageDeps, 'uploads' | 'lifecycleQueue' | 'logger'>,
  bucket: BucketRecord,
  directories: readonly (readonly string[])[],
): Promise<(path: string) => string | null> {
  const paths = directoriesOf(directories.map((directory) => ({ directory })));
  for (let attempt = 0; attempt < DECIDE_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoffBeforeRetry(attempt);
    const { claims } = await deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, paths);
    if (paths.some((path) => claims.get(path)?.type === 'file')) throw new AppError('invalidDirectory');
    const missing = paths.filter((path) => !claims.has(path));
    const plan = planTree(bucket, claims, missing, [], await deps.uploads.takeNumbers(missing.length), new Date().toISOString());
    if (missing.length === 0) return plan.directoryUuid;
    if (await deps.uploads.createDirectories(plan.directories, plan.anchors)) {
      // New directories wait in the sweeper's index for their first CID; a message makes it quick (an empty folder gets no other).
      await enqueueRecomputes(deps, plan.directories.map((directory) => ({ bucketUuid: bucket.bucketUuid, directoryUuid: directory.uuid }))).catch((error: unknown) => {
        deps.logger.warn('new directories not enqueued for their CIDs; the sweeper will', { error });
      });
      return plan.directoryUuid;
    }
    // Someone created or removed one of them meanwhile: read the tree again.
  }
  throw lostTooManyRaces(`Could not create directories in bucket ${bucket.bucketUuid}`);
}

/** `ensureDirectories` for one directory: its uuid (null for the root). */
export async function ensureDirectory(deps: Pick<StorageDeps, 'uploads' | 'lifecycleQueue' | 'logger'>, bucket: BucketRecord, segments: readonly string[]): Promise<string | null> {
  const uuidOf = await ensureDirectories(deps, bucket, [segments]);
  return uuidOf(joinPath(segments));
}
