import { AppError } from '../../errors';
import type { BucketRecord } from '../ports';
import { objectKey, uploadKey } from '../model/object-keys';
import { requireWithinPolicy } from './policy';
import { admit, directoriesOf, pathOf, type Admission, type AdmissionSnapshot, type Candidate } from './admission';
import { FileStatus, RecordStatus, isFile, type FileRecord } from '../model/entries';
import { joinPath, normaliseSegment } from '../model/paths';
import type { ChargeLimits, PathClaim, UploadClaim, UploadSnapshot } from '../ports';
import { newUuid } from '../access/secrets';
import type { StorageDeps } from '../ports/storage';
import { backoffBeforeRetry, DECIDE_ATTEMPTS, lostTooManyRaces } from './races';
import { newEntryRecord, planTree, type TreePlan } from '../directories/tree';

/** Upload requests nobody uploads to are forgotten after a day (DynamoDB TTL). */
const UPLOAD_REQUEST_TTL_SECONDS = 24 * 60 * 60;

export interface UploadRequestInput {
  readonly fileName: string;
  readonly directory: readonly string[];
  readonly contentType: string;
  /** Binding when given (bytes): the presigned URL signs it and the bytes must match. */
  readonly declaredSize?: number;
  readonly sessionUuid?: string;
}

/** A batch decided over one snapshot: admission's answer, the tree to create, the candidates. */
export interface DecidedBatch {
  readonly snapshot: UploadSnapshot;
  readonly admission: Admission;
  readonly tree: TreePlan;
  readonly candidates: readonly Candidate[];
  readonly account: NonNullable<UploadSnapshot['account']>;
  readonly bucket: NonNullable<UploadSnapshot['bucket']>;
  /**
   * [issue 21] The claims of open multipart uploads on the candidates' paths (asked with `openUploads`), by path, with
   * the file holding each: `open` when it is still an open upload at that path (else the claim is stale and free).
   */
  readonly uploadClaims: ReadonlyMap<string, HeldUploadClaim>;
  /** [issue 21] Open uploads at the batch's paths, not completing, that an overwriting batch supersedes as it is written. */
  readonly supersedes: readonly FileRecord[];
}

/** A claim on a path by a multipart upload, and what holds it. */
export interface HeldUploadClaim {
  readonly claim: UploadClaim;
  /** The holder's record as read (absent: gone). */
  readonly holder?: FileRecord;
  /** The holder is an open upload at that path (status 1, active): the claim stands. */
  readonly open: boolean;
}

/** The figures a batch was decided on, as a charge re-checks them (transact-items.ts `charge`). */
export function chargeLimitsOf(batch: Pick<DecidedBatch, 'account' | 'bucket'>): ChargeLimits {
  return {
    accountId: batch.account.accountId,
    quotaBytes: batch.account.quotaBytes,
    bucketUuid: batch.bucket.bucketUuid,
    bucketMaxBytes: batch.bucket.maxSizeBytes,
    seen: {
      accountUsedBytes: batch.account.usedBytes,
      accountReservedBytes: batch.account.reservedBytes ?? 0,
      bucketSizeBytes: batch.bucket.sizeBytes,
      bucketReservedBytes: batch.bucket.reservedBytes ?? 0,
    },
  };
}

/**
 * Reads what a batch needs (account, bucket, every claim on its directories and
 * files: readBatchSnapshot) and decides it whole with admission (throws its
 * AppError). Numbers for new directories are taken here.
 */
export async function decideBatch(
  deps: Pick<StorageDeps, 'entries' | 'uploads'>,
  bucket: Pick<BucketRecord, 'bucketUuid' | 'accountId'>,
  candidates: readonly Candidate[],
  options: {
    overwrite: boolean;
    selfUuid?: string;
    /** [issue 21] Read the open multipart uploads' claims on the candidates' paths (admission rule 4). */
    openUploads?: boolean;
    /** [issue 21] Reserved bytes the batch gives back as it is written (admission rule 5). */
    releasedBytes?: number;
    /** [issue 21] The batch's write supersedes the open uploads at its paths when overwriting (a multipart create). */
    supersede?: boolean;
  },
): Promise<DecidedBatch> {
  const directories = directoriesOf(candidates);
  const snapshot = await readBatchSnapshot(deps, bucket, directories, candidates, options.openUploads ?? false);
  if (!snapshot.account) throw new Error(`Account ${bucket.accountId} of bucket ${bucket.bucketUuid} does not exist`);
  if (!snapshot.bucket) throw new AppError('bucketNotFound');
  const [claims, uploadClaims] = await Promise.all([withReplacementFacts(deps, snapshot.claims), withHolders(deps, snapshot.uploadClaims)]);
  // [issue 21] An overwriting batch supersedes the open uploads at its paths that are not completing; their
  // reservations are given back by the same write, so they do not count against it.
  const supersedes = options.overwrite && options.supersede
    ? [...uploadClaims.values()].flatMap((held) => (held.open && !held.holder!.completingAt && held.holder!.uuid !== options.selfUuid ? [held.holder!] : []))
    : [];
  const releasedBytes = (options.releasedBytes ?? 0) + supersedes.reduce((sum, file) => sum + (file.reservedBytes ?? 0), 0);
  const admissionSnapshot: AdmissionSnapshot = {
    account: snapshot.account,
    bucket: snapshot.bucket,
    claims,
    chargedBytes: new Map([...claims].filter(([, claim]) => claim.type === 'file').map(([path, claim]) => [path, claim.chargedBytes ?? 0])),
    openUploads: new Map([...uploadClaims].filter(([, held]) => held.open).map(([path, held]) => [path, held.claim])),
  };
  const admission = admit(admissionSnapshot, candidates, { ...options, releasedBytes });
  const usedDirectories = [...new Set(candidates.map((candidate) => joinPath(candidate.directory)))];
  const numbers = await deps.uploads.takeNumbers(admission.newDirectories.length);
  const tree = planTree(bucket, claims, admission.newDirectories, usedDirectories, numbers, new Date().toISOString());
  return { snapshot: { ...snapshot, claims }, admission, tree, candidates, account: snapshot.account, bucket: snapshot.bucket, uploadClaims, supersedes };
}

/** The file holding each open-upload claim (one read each; a path rarely has one): a claim whose holder is no longer open there is stale. */
async function withHolders(deps: Pick<StorageDeps, 'entries'>, claims: ReadonlyMap<string, UploadClaim> | undefined): Promise<Map<string, HeldUploadClaim>> {
  const held = new Map<string, HeldUploadClaim>();
  await Promise.all(
    [...(claims ?? new Map<string, UploadClaim>()).values()].map(async (claim) => {
      const entry = await deps.entries.get(claim.fileUuid);
      const holder = entry && isFile(entry) ? entry : undefined;
      const open = !!holder && holder.fileStatus === FileStatus.REQUESTED && holder.recordStatus === RecordStatus.ACTIVE && holder.path === claim.path;
      held.set(claim.path, { claim, ...(holder ? { holder } : {}), open });
    }),
  );
  return held;
}

/** Keys one BatchGetItem reads (DynamoDB's limit): a batch whose keys fit is read in one request. */
const ONE_READ_KEYS = 100;

/**
 * The account, the bucket and the claims a batch is decided on. A batch whose keys fit in one
 * BatchGetItem is read in one request. A larger one reads its directories first and then the
 * claims of its files only under directories that exist: every claim's parent directories are
 * claimed (entries are claimed only under a claimed parent, commitUpload, commitStaged and the
 * moves check it, and a directory goes only once empty), so a path under a missing directory is
 * free without reading it. 200 files into new folders: one request of 13 keys, not three of 213
 * (each key read costs DynamoDB's read units and DynamoDB Local ~0.1 ms). What is read at two
 * moments decides as one snapshot would: every write re-checks the claims it was decided on.
 */
async function readBatchSnapshot(
  deps: Pick<StorageDeps, 'uploads'>,
  bucket: Pick<BucketRecord, 'bucketUuid' | 'accountId'>,
  directories: readonly string[],
  candidates: readonly Candidate[],
  openUploads: boolean,
): Promise<UploadSnapshot> {
  const files = candidates.map(pathOf);
  if (openUploads) {
    // [issue 21] A batch that asks for the open uploads' claims too (a multipart create or commit, a Quantum add) reads
    // them in the same batch read, on every file path (BatchGetItem is split into requests of 100 keys by the store).
    return deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, [...directories, ...files], files);
  }
  if (2 + directories.length + new Set(files).size <= ONE_READ_KEYS) {
    return deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, [...directories, ...files]);
  }
  const atRoot = candidates.filter((candidate) => candidate.directory.length === 0).map(pathOf);
  const first = await deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, [...directories, ...atRoot]);
  const underDirectories = candidates
    .filter((candidate) => candidate.directory.length > 0 && first.claims.get(joinPath(candidate.directory))?.type === 'directory')
    .map(pathOf);
  if (underDirectories.length === 0) return first;
  const second = await deps.uploads.readSnapshot(bucket.accountId, bucket.bucketUuid, underDirectories);
  return { ...first, claims: new Map([...first.claims, ...second.claims]) };
}

/**
 * File claims written before claims carried the charged bytes and object key
 * get them from the file's record (one read each, only for such old claims).
 */
async function withReplacementFacts(deps: Pick<StorageDeps, 'entries'>, claims: ReadonlyMap<string, PathClaim>): Promise<Map<string, PathClaim>> {
  const completed = new Map(claims);
  await Promise.all(
    [...claims.values()]
      .filter((claim) => claim.type === 'file' && (claim.chargedBytes === undefined || claim.objectKey === undefined))
      .map(async (claim) => {
        const entry = await deps.entries.get(claim.entryUuid);
        completed.set(claim.path, { ...claim, chargedBytes: entry?.chargedBytes ?? 0, ...(entry?.objectKey ? { objectKey: entry.objectKey } : {}) });
      }),
  );
  return completed;
}

/**
 * Records upload requests (status 1) for a batch after deciding it whole
 * (bucket state, names, path conflicts, quota and bucket limit for the declared
 * sizes: see admission.ts): one batch read, the missing directories in as few
 * transactions as fit, the records in batch writes. A refused batch writes
 * nothing (`beforeWrite` runs once the batch is admitted, before any write). `whileWriting` runs on
 * the records while their batch writes are in flight (presigning their URLs: CPU work that needs no
 * write); the records are answered once both are done. Each file is committed later, when its bytes
 * arrive (lifecycle.ts); a second upload to a path replaces the file there (Apillon).
 */
export async function requestUploads(
  deps: Pick<StorageDeps, 'entries' | 'uploads'>,
  bucket: BucketRecord,
  inputs: readonly UploadRequestInput[],
  options: {
    overwrite: boolean;
    beforeWrite?: () => Promise<void>;
    whileWriting?: (files: readonly FileRecord[]) => Promise<void>;
    /** Completes the records before they are written (a multipart upload's UploadId: lib/core/upload/multipart.ts). */
    prepare?: (files: readonly FileRecord[]) => Promise<FileRecord[]>;
    /** How long the requests are kept (seconds; default a day). */
    requestTtlSeconds?: number;
    /**
     * [issue 21] Read the open multipart uploads' claims on the paths (admission rule 4; `batch.uploadClaims`), and, when
     * overwriting, supersede those not completing (`batch.supersedes`, for `write` to do).
     */
    openUploads?: boolean;
    /**
     * Writes the records instead of `putUploadRequests` (a multipart upload's create: one conditional transaction,
     * multipart.ts); false when it lost a race, and the batch is decided again.
     */
    write?: (files: readonly FileRecord[], batch: DecidedBatch) => Promise<boolean>;
  } = { overwrite: true },
): Promise<FileRecord[]> {
  const candidates: Candidate[] = inputs.map((input) => ({
    directory: input.directory,
    name: normaliseSegment(input.fileName),
    ...(input.declaredSize === undefined ? {} : { size: input.declaredSize }),
  }));
  for (let attempt = 0; attempt < DECIDE_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoffBeforeRetry(attempt);
    const batch = await decideBatch(deps, bucket, candidates, { overwrite: options.overwrite, openUploads: options.openUploads, supersede: options.openUploads });
    const { tree, bucket: current } = batch;
    // The bucket's upload policy on what the client declares (checked again on the real bytes when they arrive).
    requireWithinPolicy(current.uploadPolicy, inputs.map((input) => ({ name: input.fileName, size: input.declaredSize, contentType: input.contentType })));
    // The caller's own precondition (an open upload session), checked once the batch is known to be admitted.
    if (attempt === 0) await options.beforeWrite?.();
    if (tree.directories.length > 0 && !(await deps.uploads.createDirectories(tree.directories, tree.anchors))) continue;
    const numbers = await deps.uploads.takeNumbers(candidates.length);
    const now = new Date().toISOString();
    const planned = candidates.map((candidate, index): FileRecord => {
      const input = inputs[index]!;
      const uuid = newUuid();
      const path = pathOf(candidate);
      const entry = newEntryRecord(bucket, { type: 'file', name: candidate.name, path, parentUuid: tree.directoryUuid(joinPath(candidate.directory)), uuid }, numbers[index]!, now);
      return {
        ...entry,
        type: 'file',
        fileStatus: FileStatus.REQUESTED,
        contentType: input.contentType,
        size: input.declaredSize,
        declaredSize: input.declaredSize,
        chargedBytes: 0,
        // Where the bytes will be once committed; each commit attempt picks its own key.
        objectKey: objectKey(bucket.bucketUuid, uuid, newUuid()),
        sessionUuid: input.sessionUuid,
        overwrite: options.overwrite,
      };
    });
    const files = options.prepare ? await options.prepare(planned) : planned;
    if (options.write) {
      if (!(await options.write(files, batch))) continue;
      return files;
    }
    const ttlSeconds = options.requestTtlSeconds ?? UPLOAD_REQUEST_TTL_SECONDS;
    await Promise.all([deps.uploads.putUploadRequests(files, Math.floor(Date.now() / 1000) + ttlSeconds), options.whileWriting?.(files)]);
    return files;
  }
  throw lostTooManyRaces(`Upload requests in bucket ${bucket.bucketUuid} could not be decided after ${DECIDE_ATTEMPTS} attempts`);
}

/** `requestUploads` for one file. */
export async function requestUpload(
  deps: Pick<StorageDeps, 'entries' | 'uploads'>,
  bucket: BucketRecord,
  input: UploadRequestInput & { readonly overwrite?: boolean },
): Promise<FileRecord> {
  const [file] = await requestUploads(deps, bucket, [input], { overwrite: input.overwrite ?? true });
  return file!;
}

/** Where the bytes of an upload request are to be put (the presigned URL's object). */
export function uploadKeyOf(file: Pick<FileRecord, 'bucketUuid' | 'uuid'>): string {
  return uploadKey(file.bucketUuid, file.uuid);
}

/** The presigned PUT URL of an upload request (60 s, no checksum, no Content-Type required). */
export async function uploadUrl(deps: Pick<StorageDeps, 'blobs' | 'presignTtlSeconds'>, file: FileRecord): Promise<string> {
  try {
    return await deps.blobs.presignUpload(uploadKeyOf(file), deps.presignTtlSeconds, file.declaredSize);
  } catch (error) {
    throw new AppError('signedUrlFailed', { cause: error });
  }
}
