import { AppError, fieldPath, validationError } from '../../errors';
import type { BucketRecord } from '../ports';
import { FileStatus, isFile, RecordStatus, type FileRecord } from '../model/entries';
import { isUuid } from '../access/secrets';
import { parseUploadKey } from '../model/object-keys';
import type { CompletedPart, MultipartUploadStore, UploadedPart } from '../ports/multipart-uploads';
import type { StorageDeps } from '../ports/storage';
import { chargeLimitsOf, requestUploads, uploadKeyOf } from './uploads';
import { cancelOpenUpload, supersededError, supersededReason } from './upload-claims';
import { announceIfReady } from '../webhooks/announce';
import { MAX_PART_URLS_PER_CALL, MULTIPART_UPLOAD_DAYS, partLength, planParts, type PartPlan } from './multipart-plan';

/**
 * Multipart uploads (issue 21), the one machinery both surfaces drive (lib/apillon/multipart.ts inside an upload
 * session, lib/quantum/uploads.ts by bucket and location):
 *
 * - start: an upload request (status 1) decided by admission on the declared size (path, `overwrite`, quota,
 *   bucket limit, the bucket's upload policy), whose bytes come as an S3 multipart upload of its upload key; the
 *   service chooses the part size (multipart-plan.ts);
 * - part URLs: presigned UploadPart URLs, `presignTtlSeconds` (60 s) each, each signing its part's exact length,
 *   so the object S3 assembles has exactly the declared size;
 * - list: the parts S3 holds (ListParts), to resume after a crash;
 * - complete: CompleteMultipartUpload of all the parts; the object appears at the upload key and its ObjectCreated
 *   event takes the file through the lifecycle (lifecycle.ts: 1 → 2 charged on the real size → 3 → 4), exactly as a
 *   single PUT's does;
 * - abort: the file becomes status 106 (cancelled; nothing was charged) and S3 deletes the parts.
 *
 * An upload not completed within MULTIPART_UPLOAD_DAYS is aborted (the bucket's lifecycle rule on AWS, and the
 * sweeper: {@link abortStaleMultipartUploads}, and the stranded-file sweep for one S3 no longer lists).
 *
 * One path, one open upload; its space reserved (issue 21). The create is one conditional DynamoDB write
 * (UploadStore.openUpload): the file's record, a claim on its path (race-free: of concurrent creates at one path,
 * exactly one takes it) and a reservation of the bytes it adds (its declared size less those of the file it replaces)
 * on the account's and the bucket's `reservedBytes`, within quota and bucket limit counting usage and every other
 * reservation (admission counts them too). So:
 * - without overwrite (Quantum without `force`), a create at a path an open upload holds is 400 FILE_ALREADY_EXISTS,
 *   its details naming that upload (`openUploadId`);
 * - with overwrite (Apillon always, Quantum `force`), the later create supersedes the open upload in the same write:
 *   that file becomes 106 with `supersededBy` and a `rejectionReason`, its reservation is given back, S3 deletes its
 *   parts, and every later call on it (parts, list, complete, abort) answers 409 MULTIPART_UPLOAD_SUPERSEDED naming the
 *   newer upload. An upload whose complete was asked for (`completingAt`, marked before S3 assembles it) is not
 *   superseded at create: the later upload takes the claim over, and whichever commits last, the later one's bytes
 *   stay (below);
 * - the later writer wins the path, also at commit: an upload's commit replaces a file requested before the upload
 *   was created (with overwrite: it found the path free, or replaced it knowingly), but not one requested after it
 *   (a later upload that took the claim over while it was completing, a Quantum `file/add` with `force`): it is then
 *   superseded (106, `supersededBy`, the same `rejectionReason`, which its file detail shows) and nothing is charged,
 *   never a silent path-conflict rejection (104). A Quantum `file/add` without `force` at a path an open upload holds
 *   is refused like the create (400 FILE_ALREADY_EXISTS naming it);
 * - two uploads whose sizes together pass the quota cannot both be created: the second is refused at create
 *   (NOT_ENOUGH_STORAGE_SPACE / MAX_BUCKET_SIZE_REACHED, `reservedBytes` among the details), never on arrival;
 * - the reservation is settled on the real size by the commit (the same transaction charges the usage and gives the
 *   reservation back), and given back by a rejection, an abort, superseding, the stale sweeps and a deletion: each in
 *   the write that takes the file out of status 1 (upload-claims.ts), exactly once.
 */

/** What multipart uploads add to the storage ports each function picks: S3's multipart uploads. */
export interface MultipartStorageDeps {
  readonly multipart: MultipartUploadStore;
}

/** A file to be uploaded in parts. */
export interface MultipartFileRequest {
  /** The file's name (one path segment; normalised and checked by admission). */
  readonly fileName: string;
  /** Directory segments, already parsed (paths.ts); `[]` for the bucket root. */
  readonly directory: readonly string[];
  readonly contentType: string;
  /** Bytes of the whole file (binding: 0 … 5 TiB; the surfaces' schemas refuse anything else first). */
  readonly size: number;
  /** The Apillon upload session the file belongs to; absent on the Quantum surface. */
  readonly sessionUuid?: string;
  /** Replace a file already at the path (Apillon always; Quantum with `force`); else 400 FILE_ALREADY_EXISTS. */
  readonly overwrite: boolean;
}

export interface CreatedMultipartUpload {
  readonly file: FileRecord;
  /** S3's UploadId. */
  readonly uploadId: string;
  readonly plan: PartPlan;
}

/** An open multipart upload: its file (status 1, active) and the plan its parts follow. */
export interface OpenMultipartUpload {
  readonly file: FileRecord;
  readonly multipart: NonNullable<FileRecord['multipart']>;
}

/**
 * How a surface names the request fields a refusal points at (Apillon `partNumbers`, Quantum `part_numbers`), and
 * the payload `model` of its 422 (Apillon only).
 */
export interface MultipartFieldNames {
  readonly partNumbers: string;
  readonly parts: string;
  readonly partsModel?: string;
  readonly completeModel?: string;
}

/** An open upload's claim outlives the upload's deadline by a day (DynamoDB TTL), should nothing let go of it. */
const CLAIM_TTL_SECONDS = (MULTIPART_UPLOAD_DAYS + 1) * 24 * 60 * 60;

/**
 * Records the upload request of `request` in `bucket` and starts its S3 multipart upload. Admission refuses as for
 * any upload (INVALID_PATH, INVALID_DIR, FILE_ALREADY_EXISTS without `overwrite` for a file or an open upload at the
 * path, quota 40006003 and bucket limit 40006002 counting every open upload's reservation, the upload policy's 422)
 * before anything is made; `beforeWrite` (the caller's own precondition, e.g. an open session) runs once the file is
 * admitted; the S3 upload is created then, and the record written with its UploadId, its path's claim and its
 * reservation in one conditional write (superseding an open upload there when overwriting; see above). A write that
 * loses a race (another create took the path or the space) is decided again (409 CONCURRENT_UPDATE after
 * DECIDE_ATTEMPTS). Throws RangeError for a size outside 0 … 5 TiB (planParts).
 */
export async function startMultipartUpload(
  deps: Pick<StorageDeps, 'entries' | 'uploads' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps,
  bucket: BucketRecord,
  request: MultipartFileRequest,
  options: { beforeWrite?: () => Promise<void> } = {},
): Promise<CreatedMultipartUpload> {
  const plan = planParts(request.size);
  let uploadId = '';
  let written: FileRecord | undefined;
  const superseded: FileRecord[] = [];
  await requestUploads(
    deps,
    bucket,
    [{ fileName: request.fileName, directory: request.directory, contentType: request.contentType, declaredSize: request.size, sessionUuid: request.sessionUuid }],
    {
      overwrite: request.overwrite,
      beforeWrite: options.beforeWrite,
      openUploads: true,
      // Made once the file is admitted: an upload S3 holds without a record is aborted by the sweeper or the bucket rule.
      prepare: async (records) => {
        uploadId = await deps.multipart.create(uploadKeyOf(records[0]!), request.contentType);
        return records.map((record) => ({ ...record, multipart: { uploadId, partSize: plan.partSize, partCount: plan.partCount } }));
      },
      write: async ([planned], batch) => {
        const now = new Date();
        const reserved = Math.max(0, batch.admission.deltaBytes);
        const file: FileRecord = { ...planned!, ...(reserved > 0 ? { reservedBytes: reserved } : {}) };
        const supersede = batch.supersedes.find((open) => open.path === file.path);
        const failure = await deps.uploads.openUpload({
          file,
          // Whatever holds the claim now (a stale holder, a completing upload, the one superseded) is taken over from it only.
          claimHolder: batch.uploadClaims.get(file.path)?.claim.fileUuid,
          ...(supersede ? { supersede: { file: supersede, reason: supersededReason(supersede.path, file.uuid) } } : {}),
          requirePathFree: !request.overwrite,
          claimExpiresAtEpochSeconds: Math.floor(now.getTime() / 1000) + CLAIM_TTL_SECONDS,
          limits: chargeLimitsOf(batch),
          now: now.toISOString(),
        });
        if (failure) {
          deps.logger.debug('multipart create retried', { fileUuid: file.uuid, failure });
          await deps.multipart.abort(uploadKeyOf(file), uploadId).catch((error: unknown) => deps.logger.warn('upload of a lost create not aborted; the sweeper will', { error }));
          return false;
        }
        written = file;
        if (supersede) superseded.push(supersede);
        return true;
      },
    },
  );
  // The superseded upload's parts go, and its session's files.ready is announced if it was the last (never fails the create).
  for (const old of superseded) {
    deps.logger.info('multipart upload superseded', { fileUuid: old.uuid, supersededBy: written!.uuid });
    try {
      if (old.multipart) await deps.multipart.abort(uploadKeyOf(old), old.multipart.uploadId);
      await announceIfReady(deps, { ...old, fileStatus: FileStatus.ERROR_UPLOAD_CANCELLED });
    } catch (error) {
      deps.logger.warn('superseded upload not aborted; the sweeper will', { fileUuid: old.uuid, error });
    }
  }
  return { file: written!, uploadId, plan };
}

/**
 * The open multipart upload of file `fileUuid` in `bucket` (access to the bucket already checked by the caller):
 * a file of that bucket made by {@link startMultipartUpload}, in session `sessionUuid` (undefined: made outside any
 * session, the Quantum surface's), still at status 1 and active. One another upload superseded is 409
 * MULTIPART_UPLOAD_SUPERSEDED (Quantum UPLOAD_SUPERSEDED) naming that upload. Anything else is 404
 * MULTIPART_UPLOAD_NOT_FOUND (Quantum UPLOAD_DNE), an id that is not a uuid included; for an upload of that bucket
 * (and session) that is no longer open, the error says what became of it ({@link noLongerOpen}), so a client of either
 * surface learns why an upload it completed was refused on arrival (issue 21: the policy, the size it declared).
 */
export async function openMultipartUpload(
  deps: Pick<StorageDeps, 'entries'>,
  bucket: Pick<BucketRecord, 'bucketUuid'>,
  fileUuid: string,
  sessionUuid: string | undefined,
): Promise<OpenMultipartUpload> {
  if (!isUuid(fileUuid) || (sessionUuid !== undefined && !isUuid(sessionUuid))) throw new AppError('multipartUploadNotFound');
  const file = await deps.entries.get(fileUuid.toLowerCase());
  if (
    !file ||
    !isFile(file) ||
    !file.multipart ||
    file.bucketUuid !== bucket.bucketUuid ||
    file.sessionUuid !== sessionUuid?.toLowerCase()
  ) {
    throw new AppError('multipartUploadNotFound');
  }
  if (file.supersededBy && file.fileStatus === FileStatus.ERROR_UPLOAD_CANCELLED) throw supersededError(file);
  if (file.fileStatus !== FileStatus.REQUESTED || file.recordStatus !== RecordStatus.ACTIVE) throw noLongerOpen(file);
  return { file, multipart: file.multipart };
}

/**
 * 404 MULTIPART_UPLOAD_NOT_FOUND (Quantum UPLOAD_DNE) for an upload of the caller's bucket that is no longer open, saying
 * what became of it in `details` (`data`): `{uploadId, fileStatus, completingAt?, markedForDeletionAt?, reason?}`:
 * 2–4 completed and committed; 1 with `completingAt` completed, its bytes not yet checked (the commit follows within
 * seconds); 101–107 refused, `reason` the file detail's `rejectionReason`; `markedForDeletionAt` the file was deleted.
 */
function noLongerOpen(file: FileRecord): AppError {
  return new AppError('multipartUploadNotFound', {
    details: {
      uploadId: file.uuid,
      fileStatus: file.fileStatus,
      ...(file.fileStatus === FileStatus.REQUESTED && file.completingAt ? { completingAt: file.completingAt } : {}),
      ...(file.recordStatus !== RecordStatus.ACTIVE && file.markedForDeletionAt ? { markedForDeletionAt: file.markedForDeletionAt } : {}),
      ...(file.rejectionReason === undefined ? {} : { reason: file.rejectionReason }),
    },
  });
}

/**
 * A presigned UploadPart URL for each part asked for (at most MAX_PART_URLS_PER_CALL = 100 a call; each of
 * 1 … partCount, else 422 PART_NUMBER_NOT_VALID naming the first other and carrying `maximum`), valid
 * `presignTtlSeconds` (60 s). A part number asked twice gets one URL. 500 ERROR_AT_GENERATE_S3_SIGNED_URL when S3
 * cannot sign.
 */
export async function presignUploadParts(
  deps: Pick<StorageDeps, 'presignTtlSeconds'> & MultipartStorageDeps,
  upload: OpenMultipartUpload,
  partNumbers: readonly number[],
  names: MultipartFieldNames,
): Promise<{ partNumber: number; url: string }[]> {
  const { file, multipart } = upload;
  if (partNumbers.length > MAX_PART_URLS_PER_CALL) {
    throw validationError([{ code: 42200051, property: names.partNumbers, message: 'TOO_MANY_PART_NUMBERS', maximum: MAX_PART_URLS_PER_CALL }], names.partsModel);
  }
  const plan: PartPlan = { partSize: multipart.partSize, partCount: multipart.partCount, size: file.declaredSize ?? 0 };
  partNumbers.forEach((partNumber, index) => {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
      throw validationError(
        [{ code: 42200052, property: fieldPath([names.partNumbers, index]), message: `PART_NUMBER_NOT_VALID: parts are 1 to ${plan.partCount}`, minimum: 1, maximum: plan.partCount }],
        names.partsModel,
      );
    }
  });
  const key = uploadKeyOf(file);
  try {
    return await Promise.all(
      [...new Set(partNumbers)].map(async (partNumber) => ({
        partNumber,
        url: await deps.multipart.presignPart(key, multipart.uploadId, partNumber, partLength(plan, partNumber), deps.presignTtlSeconds),
      })),
    );
  } catch (error) {
    throw new AppError('signedUrlFailed', { cause: error });
  }
}

/** The parts S3 holds of an open upload, by part number; 404 MULTIPART_UPLOAD_NOT_FOUND once S3 no longer has it. */
export async function listUploadParts(deps: Pick<StorageDeps, 'entries'> & MultipartStorageDeps, upload: OpenMultipartUpload): Promise<UploadedPart[]> {
  const parts = await deps.multipart.listParts(uploadKeyOf(upload.file), upload.multipart.uploadId);
  // S3 no longer has it: completed (its file still at status 1 until the commit reads the object) or aborted meanwhile.
  if (!parts) {
    const now = await deps.entries.get(upload.file.uuid);
    throw noLongerOpen(now && isFile(now) ? now : upload.file);
  }
  return parts;
}

/**
 * Completes an upload from every one of its parts 1 … partCount in ascending order, each with the ETag S3 answered
 * (422 PARTS_NOT_COMPLETE naming the first part missing or out of order, 422 PARTS_REFUSED with S3's own refusal).
 * The file then goes through the lifecycle on its object's event; the answer is the file as it stands (status 1
 * until the event's commit, seconds later). A repeated complete (S3 already made the object) answers the same.
 * Before S3 assembles the parts the upload is marked completing (conditioned on its still holding its path's claim),
 * so no later upload supersedes it once its complete may answer 200; one that lost its claim meanwhile is superseded
 * now: 409 MULTIPART_UPLOAD_SUPERSEDED, and its bytes are never taken (issue 21).
 */
export async function completeUpload(
  deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'uploads' | 'blobs' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps,
  upload: OpenMultipartUpload,
  parts: readonly CompletedPart[],
  names: MultipartFieldNames,
): Promise<FileRecord> {
  const { file, multipart } = upload;
  for (let index = 0; index < multipart.partCount; index++) {
    if (parts[index]?.partNumber !== index + 1) {
      throw validationError(
        [{ code: 42200053, property: fieldPath([names.parts, index]), message: `PARTS_NOT_COMPLETE: parts 1 to ${multipart.partCount} in ascending order, part ${index + 1} expected here` }],
        names.completeModel,
      );
    }
  }
  if (parts.length > multipart.partCount) {
    throw validationError(
      [{ code: 42200053, property: fieldPath([names.parts, multipart.partCount]), message: `PARTS_NOT_COMPLETE: the upload has ${multipart.partCount} parts`, maximum: multipart.partCount }],
      names.completeModel,
    );
  }
  if (!file.completingAt && !(await deps.uploads.markCompleting(file, new Date().toISOString()))) await refuseLostUpload(deps, file);
  const refusal = await deps.multipart.complete(uploadKeyOf(file), multipart.uploadId, parts);
  // S3 refused the parts: the upload is open again as it was (a later upload may supersede it).
  if (refusal && refusal !== 'NoSuchUpload') await deps.uploads.clearCompleting(file.uuid);
  if (refusal === 'NoSuchUpload') {
    // A repeated complete (a client retrying after a lost answer, or two at once): S3 no longer knows the upload
    // because it made the object, which now stands at the upload key. That is success, not an unknown upload.
    if (await deps.blobs.head(uploadKeyOf(file))) return ((await deps.entries.get(file.uuid)) as FileRecord | undefined) ?? file;
    throw new AppError('multipartUploadNotFound');
  }
  if (refusal) {
    // InvalidPart (not uploaded, or another ETag), InvalidPartOrder, EntityTooSmall: S3's own words for what is wrong.
    throw validationError([{ code: 42200054, property: names.parts, message: `PARTS_REFUSED: ${refusal}` }], names.completeModel);
  }
  return (await deps.entries.get(file.uuid)) as FileRecord;
}

/**
 * The answer to a complete whose upload could not be marked completing: it was superseded or lost its path's claim to
 * a later upload (409, and it is cancelled now if it is still open), or it is no longer open (404).
 */
async function refuseLostUpload(deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'uploads' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps, file: FileRecord): Promise<never> {
  const current = await deps.entries.get(file.uuid);
  if (current && isFile(current) && current.fileStatus === FileStatus.REQUESTED && current.recordStatus === RecordStatus.ACTIVE && current.path === file.path) {
    const { uploadClaims } = await deps.uploads.readSnapshot(current.accountId, current.bucketUuid, [], [current.path]);
    const by = uploadClaims?.get(current.path)?.fileUuid ?? 'another upload';
    const reason = supersededReason(current.path, by);
    if (await cancelOpenUpload(deps, current, { now: new Date(), reason, supersededBy: by })) throw supersededError({ ...current, supersededBy: by, rejectionReason: reason });
  }
  const after = await deps.entries.get(file.uuid);
  if (after && isFile(after) && after.supersededBy && after.fileStatus === FileStatus.ERROR_UPLOAD_CANCELLED) throw supersededError(after);
  throw new AppError('multipartUploadNotFound');
}

/**
 * Aborts an open upload: the file becomes status 106 (upload cancelled; it was never charged), then S3 aborts the
 * upload and deletes its parts; a listing then answers 404. Should the upload have been completed meanwhile, the
 * lifecycle finds the file cancelled and deletes the object. An upload already completed (its object at the upload
 * key) is not open: 404 MULTIPART_UPLOAD_NOT_FOUND, and the file goes on to status 4.
 */
export async function abortUpload(deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'uploads' | 'blobs' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps, upload: OpenMultipartUpload): Promise<FileRecord> {
  const { file } = upload;
  // A completed upload is no longer open (its object stands at the upload key, waiting for its commit): aborting it
  // would cancel a file whose complete was answered 200. Delete the file instead, once it is listed.
  if (await deps.blobs.head(uploadKeyOf(file))) throw noLongerOpen(file);
  const now = new Date();
  // Its reservation is given back and its path's claim let go in the same move (upload-claims.ts).
  if (!(await cancelOpenUpload(deps, file, { now }))) {
    // Its bytes were committed meanwhile, or another upload superseded it: the upload is no longer open.
    const current = await deps.entries.get(file.uuid);
    if (current && isFile(current) && current.supersededBy && current.fileStatus === FileStatus.ERROR_UPLOAD_CANCELLED) throw supersededError(current);
    throw current && isFile(current) ? noLongerOpen(current) : new AppError('multipartUploadNotFound');
  }
  return (await deps.entries.get(file.uuid)) as FileRecord;
}

/**
 * The sweeper's share (every 5 minutes): aborts multipart uploads under `uploads/` that have been open longer
 * than MULTIPART_UPLOAD_DAYS (the bucket's `AbortIncompleteMultipartUpload` rule does the same on AWS; this
 * also covers stores without lifecycle rules and cancels the file), at most `limit` a sweep. Their files, still
 * at status 1, become 106 (cancelled). Returns how many it aborted; a failure is logged and left to the next sweep.
 */
export async function abortStaleMultipartUploads(
  deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'uploads' | 'webhooks' | 'webhookQueue' | 'logger'> & MultipartStorageDeps,
  now: Date,
  limit = 100,
): Promise<number> {
  const before = new Date(now.getTime() - MULTIPART_UPLOAD_DAYS * 24 * 60 * 60 * 1000).toISOString();
  let aborted = 0;
  for (const upload of await deps.multipart.listOpen('uploads/', before, limit)) {
    try {
      const ids = parseUploadKey(upload.key);
      const file = ids && (await deps.entries.get(ids.fileUuid));
      // The file is cancelled, its reservation given back and its path's claim let go (upload-claims.ts), then S3 aborts.
      const cancelled =
        !!file && isFile(file) && file.fileStatus === FileStatus.REQUESTED && file.multipart?.uploadId === upload.uploadId && (await cancelOpenUpload(deps, file, { now }));
      if ((await deps.multipart.abort(upload.key, upload.uploadId)) || cancelled) aborted++;
    } catch (error) {
      deps.logger.error('stale multipart upload could not be aborted', { key: upload.key, uploadId: upload.uploadId, error });
    }
  }
  return aborted;
}
