/**
 * How a multipart upload is cut into parts (pure). The limits are S3's
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): every part but the last at least
 * 5 MiB and at most 5 GiB, at most 10,000 parts, an object at most 5 TiB.
 */

export const MIB = 1024 * 1024;
/** S3's smallest part but the last (bytes). */
export const MIN_PART_BYTES = 5 * MIB;
/** S3's largest part (bytes). */
export const MAX_PART_BYTES = 5 * 1024 * MIB;
/** S3's most parts in one upload. */
export const MAX_PARTS = 10_000;
/** S3's largest object (bytes): 5 TiB. */
export const MAX_MULTIPART_OBJECT_BYTES = 5 * 1024 * 1024 * MIB;
/** Part URLs one call may ask for. */
export const MAX_PART_URLS_PER_CALL = 100;
/**
 * Days an unfinished multipart upload lives: the bucket's `AbortIncompleteMultipartUpload` rule
 * (serverless.yml) and the sweeper abort it after this, and its upload request is kept one day longer.
 */
export const MULTIPART_UPLOAD_DAYS = 7;

export interface PartPlan {
  /** Bytes of every part but the last (a whole number of MiB). */
  readonly partSize: number;
  /** Parts the upload is cut into (1 … 10,000); the last one holds the rest (1 … partSize bytes, 0 for an empty file). */
  readonly partCount: number;
  /** The declared size of the whole object (bytes). */
  readonly size: number;
}

/**
 * The plan of an object of `size` bytes (0 … 5 TiB): the smallest whole-MiB part size of at least 5 MiB
 * that needs no more than 10,000 parts (so a client holds as little as possible in memory per part).
 * Throws RangeError for a size outside 0 … 5 TiB or not an integer (the schema refuses those first).
 */
export function planParts(size: number): PartPlan {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_MULTIPART_OBJECT_BYTES) {
    throw new RangeError(`A multipart upload holds 0 to ${MAX_MULTIPART_OBJECT_BYTES} bytes, not ${size}`);
  }
  const partSize = Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MIB) * MIB);
  const partCount = Math.max(1, Math.ceil(size / partSize));
  return { partSize, partCount, size };
}

/** Bytes part `partNumber` (1 … partCount) must hold: partSize, the rest for the last. */
export function partLength(plan: PartPlan, partNumber: number): number {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new RangeError(`Part ${partNumber} is not one of parts 1 to ${plan.partCount}`);
  }
  return partNumber < plan.partCount ? plan.partSize : plan.size - plan.partSize * (plan.partCount - 1);
}
