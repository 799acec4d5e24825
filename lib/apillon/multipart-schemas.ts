import * as z from 'zod/mini';
import { MAX_MULTIPART_OBJECT_BYTES, MAX_PART_URLS_PER_CALL, MAX_PARTS } from '../core/upload/multipart-plan';
import { contentType, directoryPath, fileName } from './schemas';

/**
 * Request schemas of the Apillon multipart routes (lib/apillon/multipart.ts). As every Apillon schema,
 * each problem is named by a validation code (lib/http/validation.ts): a 422 that says which property.
 */

/** `/storage/buckets/:bucketUuid/upload/:sessionUuid/multipart/:fileUuid…` */
export const multipartFilePath = z.object({ bucketUuid: z.string(), sessionUuid: z.string(), fileUuid: z.string() });

/** `POST …/upload/:sessionUuid/multipart`: the file and its size in bytes (binding; 0 … 5 TiB). */
export const createMultipartBody = z.object({
  fileName,
  path: z.nullish(directoryPath('PATH_NOT_VALID')),
  contentType: z.nullish(contentType('FILE_CONTENT_TYPE_NOT_PRESENT')),
  size: z.number({ error: 'FILE_SIZE_NOT_VALID' }).check(
    z.int('FILE_SIZE_NOT_VALID'),
    z.gte(0, 'FILE_SIZE_NOT_VALID'),
    z.lte(MAX_MULTIPART_OBJECT_BYTES, 'FILE_SIZE_NOT_VALID'),
  ),
});

const partNumber = z.number({ error: 'PART_NUMBER_NOT_VALID' }).check(z.int('PART_NUMBER_NOT_VALID'), z.gte(1, 'PART_NUMBER_NOT_VALID'), z.lte(MAX_PARTS, 'PART_NUMBER_NOT_VALID'));

/** `POST …/multipart/:fileUuid/parts {partNumbers}`: 1 … 100 part numbers. */
export const partUrlsBody = z.object({
  partNumbers: z.array(partNumber, { error: 'PART_NUMBERS_NOT_PRESENT' }).check(
    z.minLength(1, 'PART_NUMBERS_NOT_PRESENT'),
    z.maxLength(MAX_PART_URLS_PER_CALL, 'TOO_MANY_PART_NUMBERS'),
  ),
});

/** `POST …/multipart/:fileUuid/complete {parts: [{partNumber, ETag}]}`: every part, ascending, with S3's ETag. */
export const completeMultipartBody = z.object({
  parts: z.array(
    z.object({
      partNumber,
      ETag: z.string({ error: 'ETAG_NOT_VALID' }).check(z.minLength(1, 'ETAG_NOT_VALID'), z.maxLength(128, 'ETAG_NOT_VALID')),
    }),
    { error: 'PARTS_NOT_COMPLETE' },
  ).check(z.minLength(1, 'PARTS_NOT_COMPLETE'), z.maxLength(MAX_PARTS, 'PARTS_NOT_COMPLETE')),
});
