import { contentTypeFor } from './content-type';
import { AppError, validationError } from '../errors';
import { openBucket, type ApillonDeps } from './buckets';
import { joinSession } from './uploads';
import { FileStatus, isFile, RecordStatus, type FileRecord } from '../core/model/entries';
import { normaliseSegment, parsePath } from '../core/model/paths';
import { Permission, type Principal } from '../core/access/principal';
import { isUuid } from '../core/access/secrets';
import { requestUploads, uploadKeyOf } from '../core/upload/uploads';
import { parseUploadKey } from '../core/model/object-keys';
import type { CompletedPart, MultipartUploadStore, UploadedPart } from '../core/ports/multipart-uploads';
import { MAX_PART_URLS_PER_CALL, MULTIPART_UPLOAD_DAYS, partLength, planParts, type PartPlan } from '../core/upload/multipart-plan';

/**
 * Multipart uploads on the Apillon surface (issue 21), inside an upload session:
 *
 * - create: an upload request (status 1) like any session file, decided by admission on the declared size
 *   (path, quota, bucket limit), whose bytes come as an S3 multipart upload of its upload key; the service
 *   chooses the part size (multipart-plan.ts);
 * - parts: presigned UploadPart URLs, 60 s each (`presignTtlSeconds`), each signing its part's exact length,
 *   so the object S3 assembles has exactly the declared size;
 * - list: the parts S3 holds (ListParts), to resume after a crash;
 * - complete: CompleteMultipartUpload of all the parts; the object appears at the upload key and its
 *   ObjectCreated event takes the file through the lifecycle (lifecycle.ts: 1 → 2 charged on the real size
 *   → 3 → 4), exactly as a single PUT's does;
 * - abort: the file becomes status 106 (cancelled; nothing was charged) and S3 deletes the parts.
 *
 * A session's end neither waits for nor refuses its open multipart files: they stay open after it
 * (parts, list, complete and abort keep working) and each commits when it completes, placed under the
 * session's `directoryPath` as any file of the session whose bytes arrive after the end (session-wrap.ts).
 * An upload not completed within MULTIPART_UPLOAD_DAYS is aborted (the bucket's lifecycle rule on AWS, and
 * the sweeper: {@link abortStaleMultipartUploads}).
 */

export interface MultipartDeps extends ApillonDeps {
  readonly multipart: MultipartUploadStore;
}

export interface MultipartRequest {
  readonly fileName: string;
  /** The directory (Apillon `path`); `''`/absent for the root. */
  readonly path?: string | null;
  readonly contentType?: string | null;
  /** Bytes of the whole file (binding: 0 … 5 TiB). */
  readonly size: number;
}

export interface CreatedMultipartUpload {
  readonly file: FileRecord;
  readonly uploadId: string;
  readonly plan: PartPlan;
}

/** Upload requests of multipart files are kept one day longer than the upload may stay open (seconds). */
const MULTIPART_REQUEST_TTL_SECONDS = (MULTIPART_UPLOAD_DAYS + 1) * 24 * 60 * 60;

/**
 * `POST /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart` (EXECUTE): a file of `size` bytes to be
 * uploaded in parts. Joins (or opens) the session as a session upload does: 40006001 once it has ended,
 * 40406004 for a session of another bucket or a session id that is not a uuid. Admission refuses as for any
 * upload (INVALID_PATH, quota 40006003, bucket limit 40006002) before anything is made; the S3 upload is
 * created once the file is admitted, and its record written with its UploadId.
 */
export async function createMultipartUpload(
  deps: MultipartDeps,
  principal: Principal,
  bucketUuid: string,
  sessionUuid: string,
  request: MultipartRequest,
): Promise<CreatedMultipartUpload> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  if (!isUuid(sessionUuid)) throw new AppError('uploadSessionNotFound');
  const session = sessionUuid.toLowerCase();
  const plan = planParts(request.size);
  const contentType = request.contentType || contentTypeFor(request.fileName);
  normaliseSegment(request.fileName);
  const startedAt = new Date().toISOString();
  let uploadId = '';
  const [file] = await requestUploads(
    deps,
    bucket,
    [
      {
        fileName: request.fileName,
        directory: parsePath(request.path ?? '', { lenientSlashes: true }),
        contentType,
        declaredSize: request.size,
        sessionUuid: session,
      },
    ],
    {
      overwrite: true,
      beforeWrite: () => joinSession(deps, bucket, session, 1, startedAt),
      requestTtlSeconds: MULTIPART_REQUEST_TTL_SECONDS,
      // Made once the file is admitted: an upload S3 holds without a record is aborted by the sweeper or the bucket rule.
      prepare: async (records) => {
        uploadId = await deps.multipart.create(uploadKeyOf(records[0]!), contentType);
        return records.map((record) => ({ ...record, multipart: { uploadId, partSize: plan.partSize, partCount: plan.partCount } }));
      },
    },
  );
  return { file: file!, uploadId, plan };
}

/**
 * `POST …/multipart/:fileUuid/parts {partNumbers}` (EXECUTE): a presigned UploadPart URL for each part
 * asked for (at most 100 a call, each of 1 … partCount; 422 PART_NUMBER_NOT_VALID naming the first other),
 * valid `presignTtlSeconds` (60 s). 404 MULTIPART_UPLOAD_NOT_FOUND when the upload is not open.
 */
export async function presignParts(
  deps: MultipartDeps,
  principal: Principal,
  target: MultipartTarget,
  partNumbers: readonly number[],
): Promise<{ partNumber: number; url: string }[]> {
  const { file, multipart } = await openMultipartFile(deps, principal, target);
  if (partNumbers.length > MAX_PART_URLS_PER_CALL) {
    throw validationError([{ code: 42200051, property: 'partNumbers', message: 'TOO_MANY_PART_NUMBERS' }], 'MultipartPartsDto');
  }
  const plan: PartPlan = { partSize: multipart.partSize, partCount: multipart.partCount, size: file.declaredSize ?? 0 };
  partNumbers.forEach((partNumber, index) => {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
      throw validationError([{ code: 42200052, property: `partNumbers[${index}]`, message: `PART_NUMBER_NOT_VALID: parts are 1 to ${plan.partCount}` }], 'MultipartPartsDto');
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

/** `GET …/multipart/:fileUuid` (EXECUTE): the parts S3 holds, by part number; 404 when the upload is not open. */
export async function listUploadedParts(deps: MultipartDeps, principal: Principal, target: MultipartTarget): Promise<{ file: FileRecord; parts: UploadedPart[] }> {
  const { file, multipart } = await openMultipartFile(deps, principal, target);
  const parts = await deps.multipart.listParts(uploadKeyOf(file), multipart.uploadId);
  if (!parts) throw new AppError('multipartUploadNotFound');
  return { file, parts };
}

/**
 * `POST …/multipart/:fileUuid/complete {parts}` (EXECUTE): completes the upload from every one of its parts
 * 1 … partCount in ascending order, each with the ETag S3 answered (422 naming the first part missing or out
 * of order, or the part S3 refuses). The file then goes through the lifecycle on its object's event; the
 * answer is the file as it stands (status 1 until the event's commit, seconds later).
 */
export async function completeMultipartUpload(
  deps: MultipartDeps,
  principal: Principal,
  target: MultipartTarget,
  parts: readonly CompletedPart[],
): Promise<FileRecord> {
  const { file, multipart } = await openMultipartFile(deps, principal, target);
  for (let index = 0; index < multipart.partCount; index++) {
    if (parts[index]?.partNumber !== index + 1) {
      throw validationError(
        [{ code: 42200053, property: `parts[${index}]`, message: `PARTS_NOT_COMPLETE: parts 1 to ${multipart.partCount} in ascending order, part ${index + 1} expected here` }],
        'MultipartCompleteDto',
      );
    }
  }
  if (parts.length > multipart.partCount) {
    throw validationError([{ code: 42200053, property: `parts[${multipart.partCount}]`, message: `PARTS_NOT_COMPLETE: the upload has ${multipart.partCount} parts` }], 'MultipartCompleteDto');
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
    throw validationError([{ code: 42200054, property: 'parts', message: `PARTS_REFUSED: ${refusal}` }], 'MultipartCompleteDto');
  }
  return (await deps.entries.get(file.uuid)) as FileRecord;
}

/**
 * `DELETE …/multipart/:fileUuid` (EXECUTE): the file becomes status 106 (upload cancelled; it was never
 * charged), then S3 aborts the upload and deletes its parts. A listing then answers 404. Should the upload
 * have been completed meanwhile, the lifecycle finds the file cancelled and deletes the object. An upload already
 * completed (its object at the upload key) is not open: 404 MULTIPART_UPLOAD_NOT_FOUND, and the file goes on to
 * status 4.
 */
export async function abortMultipartUpload(deps: MultipartDeps, principal: Principal, target: MultipartTarget): Promise<FileRecord> {
  const { file, multipart } = await openMultipartFile(deps, principal, target);
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

/** Which multipart upload a route names. */
export interface MultipartTarget {
  readonly bucketUuid: string;
  readonly sessionUuid: string;
  readonly fileUuid: string;
}

/**
 * The file of an open multipart upload (EXECUTE in its bucket): a file of that bucket and session, made by
 * `createMultipartUpload`, still at status 1 and active. Anything else is 404 MULTIPART_UPLOAD_NOT_FOUND
 * (the bucket's own 404/403 first).
 */
async function openMultipartFile(
  deps: MultipartDeps,
  principal: Principal,
  target: MultipartTarget,
): Promise<{ file: FileRecord; multipart: NonNullable<FileRecord['multipart']> }> {
  const bucket = await openBucket(deps, principal, target.bucketUuid, Permission.EXECUTE);
  if (!isUuid(target.fileUuid) || !isUuid(target.sessionUuid)) throw new AppError('multipartUploadNotFound');
  const file = await deps.entries.get(target.fileUuid.toLowerCase());
  if (
    !file ||
    !isFile(file) ||
    !file.multipart ||
    file.bucketUuid !== bucket.bucketUuid ||
    file.sessionUuid !== target.sessionUuid.toLowerCase() ||
    file.fileStatus !== FileStatus.REQUESTED ||
    file.recordStatus !== RecordStatus.ACTIVE
  ) {
    throw new AppError('multipartUploadNotFound');
  }
  return { file, multipart: file.multipart };
}

/**
 * The sweeper's share (every 5 minutes): aborts multipart uploads under `uploads/` that have been open longer
 * than MULTIPART_UPLOAD_DAYS (the bucket's `AbortIncompleteMultipartUpload` rule does the same on AWS; this
 * also covers stores without lifecycle rules and cancels the file), at most `limit` a sweep. Their files, still
 * at status 1, become 106 (cancelled). Returns how many it aborted; a failure is logged and left to the next sweep.
 */
export async function abortStaleMultipartUploads(
  deps: Pick<MultipartDeps, 'multipart' | 'entries' | 'lifecycle' | 'logger'>,
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

