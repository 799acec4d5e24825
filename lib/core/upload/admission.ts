import { AppError, sizeRefusal } from '../../errors';
import { joinPath, MAX_PATH_BYTES } from '../model/paths';
import type { PathClaim } from '../ports';

/**
 * Admission: the one place that decides whether files may be stored, for every
 * upload path (the seed's single upload, SDK sessions, Quantum `file/add`) and
 * for the commit that checks the bytes once they are in S3. Pure: it decides
 * over a snapshot the caller read; the conditional writes that follow re-check
 * the same facts (usage, limits, path claims), so a decision made on a stale
 * snapshot fails at the write and is taken again.
 *
 * The rules (SPEC §3 error codes, §5 "declared sizes are binding"):
 * 1. A bucket marked for deletion takes nothing (40406009 BUCKET_IS_MARKED_FOR_DELETION).
 * 2. A path over 1024 bytes (the S3/DynamoDB key limit) is INVALID_PATH.
 * 3. A file cannot go where a directory is, nor a directory where a file is
 *    (INVALID_DIR), also between the files of one batch.
 * 4. A file already at the path (or twice in one batch) is replaced when the
 *    caller may overwrite (Apillon always; Quantum with `force=true`), else
 *    FILE_ALREADY_EXISTS. So is an open multipart upload holding the path
 *    (issue 21; the snapshot's `openUploads`, read where the caller asks): without
 *    overwrite FILE_ALREADY_EXISTS, its details naming the upload (`openUploadId`).
 * 5. Space: a batch may grow the account's usage and the bucket's size by the
 *    sum of its sizes less the bytes of the files it replaces, up to the quota
 *    (NOT_ENOUGH_STORAGE_SPACE) and the bucket limit (MAX_BUCKET_SIZE_REACHED),
 *    counting the bytes open multipart uploads reserved (`reservedBytes`; less
 *    `releasedBytes`, the reservations the batch itself gives back: its own at
 *    commit, the one of an upload it supersedes).
 *    A size not declared yet counts as 0, except that a NEW file of unknown
 *    size cannot go into a bucket that is already full, nor into an account
 *    with no space left (its bytes would only be refused at commit).
 *    Replacing a file by one no larger is always allowed, even in a full
 *    bucket or account. Both refusals name the limit (details: `limitBytes`,
 *    `usedBytes`, `requestedBytes` when known, `reason`; issue 21).
 */

/** What admission reads: the account's and bucket's figures and the claims on every path involved. */
export interface AdmissionSnapshot {
  readonly account: { readonly usedBytes: number; readonly quotaBytes: number; readonly reservedBytes?: number };
  readonly bucket: { readonly sizeBytes: number; readonly maxSizeBytes: number; readonly markedForDeletionAt?: string; readonly reservedBytes?: number };
  /** The claim on each path of `directoriesOf(candidates)` and each candidate's path (absent: free). */
  readonly claims: ReadonlyMap<string, PathClaim>;
  /** Bytes charged for the file holding each claimed file path (what a replacement gives back). */
  readonly chargedBytes: ReadonlyMap<string, number>;
  /** [issue 21] The open multipart uploads holding candidates' paths, by path (absent: not read, as for a single upload). */
  readonly openUploads?: ReadonlyMap<string, { readonly fileUuid: string }>;
}

/** One file to admit: where it goes and how large it is (bytes), when known. */
export interface Candidate {
  /** Directory segments, already validated and NFC (see paths.ts). */
  readonly directory: readonly string[];
  /** The NFC name. */
  readonly name: string;
  /** Bytes: declared by the client, or the real size at commit; undefined when unknown. */
  readonly size?: number;
}

export interface AdmissionOptions {
  /** Replace files already at the candidates' paths. */
  readonly overwrite: boolean;
  /**
   * The file being committed, whose own claim is not a conflict (a commit that
   * raced with another run of itself sees its own claim).
   */
  readonly selfUuid?: string;
  /** Reserved bytes the batch gives back as it is written (issue 21): not counted against the limits. */
  readonly releasedBytes?: number;
}

export interface Admission {
  /** Each candidate's full path, in order. */
  readonly paths: readonly string[];
  /** The claims the batch replaces, by path (files only). */
  readonly replaced: ReadonlyMap<string, PathClaim>;
  /** Directory paths of the batch that do not exist yet, parents first. */
  readonly newDirectories: readonly string[];
  /** Bytes the batch adds to usage (negative when it shrinks it). */
  readonly deltaBytes: number;
  /** Indexes of candidates a later candidate of the batch replaces at the same path (only when overwriting). */
  readonly superseded: ReadonlySet<number>;
}

/** Every directory path a set of candidates needs (`a`, `a/b`, …), parents first, no duplicates. */
export function directoriesOf(candidates: readonly Pick<Candidate, 'directory'>[]): string[] {
  const directories = new Set<string>();
  for (const candidate of candidates) {
    for (let depth = 1; depth <= candidate.directory.length; depth++) directories.add(joinPath(candidate.directory.slice(0, depth)));
  }
  return [...directories].sort((a, b) => a.split('/').length - b.split('/').length);
}

/** The path of a candidate. */
export function pathOf(candidate: Pick<Candidate, 'directory' | 'name'>): string {
  return joinPath([...candidate.directory, candidate.name]);
}

/** Decides a batch (rules above). Throws the AppError of the first rule broken; returns what the writes must do. */
export function admit(snapshot: AdmissionSnapshot, candidates: readonly Candidate[], options: AdmissionOptions): Admission {
  if (snapshot.bucket.markedForDeletionAt) throw new AppError('bucketMarkedForDeletion');
  const paths = candidates.map(pathOf);
  if (paths.some((path) => Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES)) throw new AppError('invalidPath');

  const directories = directoriesOf(candidates);
  const directorySet = new Set(directories);
  const newDirectories: string[] = [];
  for (const directory of directories) {
    const claim = snapshot.claims.get(directory);
    if (claim?.type === 'file') throw new AppError('invalidDirectory');
    if (!claim) newDirectories.push(directory);
  }

  // The same path twice in one batch: the last one is stored (when overwriting), the earlier ones are superseded.
  const lastIndex = new Map(paths.map((path, index) => [path, index]));
  const superseded = new Set<number>();
  const replaced = new Map<string, PathClaim>();
  let deltaBytes = 0;
  let addsUnsizedFile = false;
  candidates.forEach((candidate, index) => {
    const path = paths[index]!;
    if (directorySet.has(path)) throw new AppError('invalidDirectory');
    const claim = snapshot.claims.get(path);
    if (claim?.type === 'directory') throw new AppError('invalidDirectory');
    const existing = claim && claim.entryUuid !== options.selfUuid ? claim : undefined;
    const last = lastIndex.get(path) === index;
    const open = snapshot.openUploads?.get(path);
    if (open && open.fileUuid !== options.selfUuid && !options.overwrite) {
      throw new AppError('fileAlreadyExists', { details: { openUploadId: open.fileUuid, reason: `an upload in parts (${open.fileUuid}) to ${JSON.stringify(path)} is open; complete or abort it, or replace it with force` } });
    }
    if ((existing || !last) && !options.overwrite) throw new AppError('fileAlreadyExists');
    if (!last) {
      superseded.add(index);
      return;
    }
    if (existing) {
      replaced.set(path, existing);
      deltaBytes -= snapshot.chargedBytes.get(path) ?? 0;
    } else if (candidate.size === undefined) {
      addsUnsizedFile = true;
    }
    deltaBytes += candidate.size ?? 0;
  });

  // Usage and the reservations of open multipart uploads count alike (less what this batch gives back).
  const released = options.releasedBytes ?? 0;
  const account = { quotaBytes: snapshot.account.quotaBytes, usedBytes: snapshot.account.usedBytes, reservedBytes: Math.max(0, (snapshot.account.reservedBytes ?? 0) - released) };
  const bucket = { maxSizeBytes: snapshot.bucket.maxSizeBytes, usedBytes: snapshot.bucket.sizeBytes, reservedBytes: Math.max(0, (snapshot.bucket.reservedBytes ?? 0) - released) };
  const taken = (figures: { usedBytes: number; reservedBytes: number }) => figures.usedBytes + figures.reservedBytes;
  if (deltaBytes > 0 && taken(account) + deltaBytes > account.quotaBytes) throw spaceRefusal('notEnoughStorageSpace', account.quotaBytes, account, deltaBytes);
  if (deltaBytes > 0 && taken(bucket) + deltaBytes > bucket.maxSizeBytes) throw spaceRefusal('maxBucketSizeReached', bucket.maxSizeBytes, bucket, deltaBytes);
  if (addsUnsizedFile && taken(bucket) >= bucket.maxSizeBytes) throw spaceRefusal('maxBucketSizeReached', bucket.maxSizeBytes, bucket);
  if (addsUnsizedFile && taken(account) >= account.quotaBytes) throw spaceRefusal('notEnoughStorageSpace', account.quotaBytes, account);
  return { paths, replaced, newDirectories, deltaBytes, superseded };
}

/**
 * The refusal of a batch over the account's quota or the bucket's limit (`limitBytes`), with the bytes already used,
 * the bytes open uploads in parts reserved (`reservedBytes`, only when there are any), the bytes the batch would add
 * (`requestedBytes`; absent for a file whose size is not declared) and a sentence.
 */
/**
 * The bytes an account or a bucket can still take (its limit less what is used and what open uploads in parts reserve:
 * issue 21), never below 0: the figure admission refuses on, and the one `GET /storage/info` (availableStorage) and
 * Quantum's `file/quota` (space_left) report, so that what a user is told is free is what an upload may take.
 */
export function availableBytes(limitBytes: number, figures: { readonly usedBytes: number; readonly reservedBytes?: number }): number {
  return Math.max(0, limitBytes - figures.usedBytes - (figures.reservedBytes ?? 0));
}

function spaceRefusal(
  name: 'notEnoughStorageSpace' | 'maxBucketSizeReached',
  limitBytes: number,
  figures: { readonly usedBytes: number; readonly reservedBytes: number },
  requestedBytes?: number,
): AppError {
  const { usedBytes, reservedBytes } = figures;
  const what = name === 'notEnoughStorageSpace' ? 'the account’s quota' : 'the bucket’s size limit';
  const available = availableBytes(limitBytes, figures);
  const reserved = reservedBytes > 0 ? ` ${reservedBytes} reserved by open uploads in parts,` : '';
  const reason =
    requestedBytes === undefined
      ? `${what} is ${limitBytes} bytes and ${usedBytes} are used${reserved ? ` (${reserved.trim().slice(0, -1)})` : ''}: no space is left`
      : `${requestedBytes} bytes more would pass ${what} of ${limitBytes} bytes (${usedBytes} used,${reserved} ${available} left)`;
  return sizeRefusal(name, limitBytes, reason, {
    usedBytes,
    ...(reservedBytes > 0 ? { reservedBytes } : {}),
    ...(requestedBytes === undefined ? {} : { requestedBytes }),
    availableBytes: available,
  });
}
