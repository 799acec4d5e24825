import * as z from 'zod/mini';
import { MAX_MULTIPART_OBJECT_BYTES, MAX_PART_URLS_PER_CALL, MAX_PARTS } from '../core/upload/multipart-plan';

/**
 * Path parameters of the Quantum routes, exactly as the function.yml routes name
 * them. They are only shaped here; the domain validates their content
 * (parseUrlPath / parseBucketName), so every bad path gets INVALID_PATH.
 */
export const bucketPath = z.object({ bucket: z.string() });

/** `{bucket}/{location+}`; `location` is absent on the bucket-root route of `file/add`. */
export const locationPath = z.object({ bucket: z.string(), location: z.optional(z.string()) });

export const tokenPath = z.object({ token: z.string() });

/** `/upload/<verb>/{bucket}/{upload}`: an upload of the bucket, by its `upload_id`. */
export const uploadPath = z.object({ bucket: z.string(), upload: z.string() });

const partNumber = z.number({ error: 'PART_NUMBER_NOT_VALID' }).check(z.int('PART_NUMBER_NOT_VALID'), z.gte(1, 'PART_NUMBER_NOT_VALID'), z.lte(MAX_PARTS, 'PART_NUMBER_NOT_VALID'));

/**
 * `POST /upload/create/<bucket>/<location>` `{size, content_type?, force?}`: the file's size in bytes (binding,
 * 0 … 5 TiB), its media type (`type/subtype`; absent: from the name), `force: true` to replace a file there.
 */
export const createUploadBody = z.strictObject({
  size: z.number({ error: 'FILE_SIZE_NOT_VALID' }).check(
    z.int('FILE_SIZE_NOT_VALID'),
    z.gte(0, 'FILE_SIZE_NOT_VALID'),
    z.lte(MAX_MULTIPART_OBJECT_BYTES, 'FILE_SIZE_NOT_VALID'),
  ),
  content_type: z.optional(z.string({ error: 'CONTENT_TYPE_NOT_VALID' }).check(z.regex(/^[\w.+-]{1,127}\/[\w.+-]{1,127}$/, 'CONTENT_TYPE_NOT_VALID'))),
  force: z.optional(z.boolean({ error: 'FORCE_NOT_VALID' })),
});

/** `POST /upload/parts/<bucket>/<upload_id>` `{part_numbers}`: 1 … 100 part numbers. */
export const uploadPartsBody = z.strictObject({
  part_numbers: z.array(partNumber, { error: 'PART_NUMBERS_NOT_PRESENT' }).check(
    z.minLength(1, 'PART_NUMBERS_NOT_PRESENT'),
    z.maxLength(MAX_PART_URLS_PER_CALL, 'TOO_MANY_PART_NUMBERS'),
  ),
});

/** `POST /upload/complete/<bucket>/<upload_id>` `{parts: [{part_number, etag}]}`: every part, ascending, with S3's ETag. */
export const completeUploadBody = z.strictObject({
  parts: z.array(
    z.object({
      part_number: partNumber,
      etag: z.string({ error: 'ETAG_NOT_VALID' }).check(z.minLength(1, 'ETAG_NOT_VALID'), z.maxLength(128, 'ETAG_NOT_VALID')),
    }),
    { error: 'PARTS_NOT_COMPLETE' },
  ).check(z.minLength(1, 'PARTS_NOT_COMPLETE'), z.maxLength(MAX_PARTS, 'PARTS_NOT_COMPLETE')),
});
