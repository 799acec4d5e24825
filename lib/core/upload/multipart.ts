import { AppError, fieldPath, validationError } from '../../errors';
import type { BucketRecord } from '../ports';
import { FileStatus, isFile, RecordStatus, type FileRecord } from '../model/entries';
import { isUuid } from '../access/secrets';
import { parseUploadKey } from '../model/object-keys';
import type { CompletedPart, MultipartUploadStore, UploadedPart } from '../ports/multipart-uploads';
import type { StorageDeps } from '../ports/storage';
import { requestUploads, uploadKeyOf } from './uploads';
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
 * sweeper: {@link abortStaleMultipartUploads}).
 */

export interface MultipartStorageDeps extends StorageDeps {
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

/** Upload requests of multipart files are kept one day longer than the upload may stay open (seconds). */
const MULTIPART_REQUEST_TTL_SECONDS = (MULTIPART_UPLOAD_DAYS + 1) * 24 * 60 * 60;

/**
 * Records the upload request of `request` in `bucket` and starts its S3 multipart upload. Admission refuses as for
 * any upload (INVALID_PATH, INVALID_DIR, FILE_ALREADY_EXISTS without `overwrite`, quota 40006003, bucket limit
 * 40006002, the upload policy's 422) before anything is made; `beforeWrite` (the caller's own precondition, e.g. an
 * open session) runs once the file is admitted; the S3 upload is created then, and the record written with its
 * UploadId. Throws RangeError for a size outside 0 … 5 TiB (planParts).
 */
export async function startMultipartUpload(
  deps: MultipartStorageDeps,
  bucket: BucketRecord,
  request: MultipartFileRequest,
  options: { beforeWrite?: () => Promise<void> } = {},
): Promise<CreatedMultipartUpload> {
  const plan = planParts(request.size);
  let uploadId = '';
  const [file] = await requestUploads(
    deps,
    bucket,
    [{ fileName: request.fileName, directory: request.directory, contentType: request.contentType, declaredSize: request.size, sessionUuid: request.sessionUuid }],
    {
      overwrite: request.overwrite,
      beforeWrite: options.beforeWrite,
      requestTtlSeconds: MULTIPART_REQUEST_TTL_SECONDS,
      // Made once the file is admitted: an upload S3 holds without a record is aborted by the sweeper or the bucket rule.
      prepare: async (records) => {
        uploadId = await deps.multipart.create(uploadKeyOf(records[0]!), request.contentType);
        return records.map((record) => ({ ...record, multipart: { uploadId, partSize: plan.partSize, partCount: plan.partCount } }));
      },
    },
  );
  return { file: file!, uploadId, plan };
}

/**
 * The open multipart upload of file `fileUuid` in `bucket` (access to the bucket already checked by the caller):
 * a file of that bucket made by {@link startMultipartUpload}, in session `sessionUuid` (undefined: made outside any
 * session, the Quantum surface's), still at status 1 and active. Anything else is 404 MULTIPART_UPLOAD_NOT_FOUND
 * (Quantum UPLOAD_DNE), an id that is not a uuid included.
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
    file.sessionUuid !== sessionUuid?.toLowerCase() ||
    file.fileStatus !== FileStatus.REQUESTED ||
    file.recordStatus !== RecordStatus.ACTIVE
  ) {
    throw new AppError('multipartUploadNotFound');
  }
  return { file, multipart: file.multipart };
}

/**
 * A presigned UploadPart URL for each part asked for (at most MAX_PART_URLS_PER_CALL = 100 a call; each of
 * 1 … partCount, else 422 PART_NUMBER_NOT_VALID naming the first other and carrying `maximum`), valid
 * `presignTtlSeconds` (60 s). A part number asked twice gets one URL. 500 ERROR_AT_GENERATE_S3_SIGNED_URL when S3
 * cannot sign.
 */
export async function presignUploadParts(
  deps: MultipartStorageDeps,
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
export async function listUploadParts(deps: MultipartStorageDeps, upload: OpenMultipartUpload): Promise<UploadedPart[]> {
  const parts = await deps.multipart.listParts(uploadKeyOf(upload.file), upload.multipart.uploadId);
  if (!parts) throw new AppError('multipartUploadNotFound');
  return parts;
}

/**
 * Completes an upload from every one of its parts 1 … partCount in ascending order, each with the ETag S3 answered
 * (422 PARTS_NOT_COMPLETE naming the first part missing or out of order, 422 PARTS_REFUSED with S3's own refusal).
 * The file then goes through the lifecycle on its object's event; the answer is the file as it stands (status 1
 * until the event's commit, seconds later). A repeated complete (S3 already made the object) answers the same.
 */
export async function completeUpload(
  deps: MultipartStorageDeps,
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
  const refusal = await deps.multipart.complete(uploadKeyOf(file), multipart.uploadId, parts);
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
 * Aborts an open upload: the file becomes status 106 (upload cancelled; it was never charged), then S3 aborts the
 * upload and deletes its parts; a listing then answers 404. Should the upload have been completed meanwhile, the
 * lifecycle finds the file cancelled and deletes the object. An upload already completed (its object at the upload
 * key) is not open: 404 MULTIPART_UPLOAD_NOT_FOUND, and the file goes on to status 4.
 */
export async function abortUpload(deps: MultipartStorageDeps, upload: OpenMultipartUpload): Promise<FileRecord> {
  const { file, multipart } = upload;
  // A completed upload is no longer open (its object stands at the upload key, waiting for its commit): aborting it
  // would cancel a file whose complete was answered 200. Delete the file instead, once it is listed.
  if (await deps.blobs.head(uploadKeyOf(file))) throw new AppError('multipartUploadNotFound');
  const now = new Date().toISOString();
  if (!(await deps.lifecycle.transition(file.uuid, FileStatus.REQUESTED, FileStatus.ERROR_UPLOAD_CANCELLED, { updatedAt: now }, { settled: true }))) {
    // Its bytes were committed meanwhile: the upload is no longer open.
    throw new AppError('multipartUploadNotFound');
  }
  await deps.multipart.abort(uploadKeyOf(file), multipart.uploadId);
  return { ...file, fileStatus: FileStatus.ERROR_UPLOAD_CANCELLED, updatedAt: now };
}

/**
 * The sweeper's share (every 5 minutes): aborts multipart uploads under `uploads/` that have been open longer
 * than MULTIPART_UPLOAD_DAYS (the bucket's `AbortIncompleteMultipartUpload` rule does the same on AWS; this
 * also covers stores without lifecycle rules and cancels the file), at most `limit` a sweep. Their files, still
 * at status 1, become 106 (cancelled). Returns how many it aborted; a failure is logged and left to the next sweep.
 */
export async function abortStaleMultipartUploads(
  deps: Pick<MultipartStorageDeps, 'multipart' | 'entries' | 'lifecycle' | 'logger'>,
  now: Date,
  limit = 100,
): Promise<number> {
  const before = new Date(now.getTime() - MULTIPART_UPLOAD_DAYS * 24 * 60 * 60 * 1000).toISOString();
  let aborted = 0;
  for (const upload of await deps.multipart.listOpen('uploads/', before, limit)) {
    try {
      const ids = parseUploadKey(upload.key);
      const file = ids && (await deps.entries.get(ids.fileUuid));
      if (file && isFile(file) && file.fileStatus === FileStatus.REQUESTED && file.multipart?.uploadId === upload.uploadId) {
        await deps.lifecycle.transition(file.uuid, FileStatus.REQUESTED, FileStatus.ERROR_UPLOAD_CANCELLED, { updatedAt: now.toISOString() }, { settled: true });
      }
      if (await deps.multipart.abort(upload.key, upload.uploadId)) aborted++;
    } catch (error) {
      deps.logger.error('stale multipart upload could not be aborted', { key: upload.key, uploadId: upload.uploadId, error });
    }
  }
  return aborted;
}
