import * as z from 'zod/mini';
import { MAX_MULTIPART_OBJECT_BYTES } from '../core/upload/multipart-plan';
import { CONTENT_TYPE_PATTERN, MAX_ALLOWED_CONTENT_TYPES } from '../core/upload/policy';

/**
 * A bucket's upload policy as the Apillon surface takes it (lib/core/upload/policy.ts), on bucket create and
 * `PATCH /storage/buckets/:bucketUuid`: `null` clears a rule, absent leaves it as it is.
 */
export const uploadPolicyFields = {
  /** Largest file the bucket takes, bytes (0 … 5 TiB). */
  maxFileSize: z.nullish(
    z.number({ error: 'MAX_FILE_SIZE_NOT_VALID' }).check(
      z.int('MAX_FILE_SIZE_NOT_VALID'),
      z.gte(0, 'MAX_FILE_SIZE_NOT_VALID'),
      z.lte(MAX_MULTIPART_OBJECT_BYTES, 'MAX_FILE_SIZE_NOT_VALID'),
    ),
  ),
  /** Media types the bucket takes: `type/subtype` or `type/*`, at most 100. */
  allowedContentTypes: z.nullish(
    z.array(z.string({ error: 'ALLOWED_CONTENT_TYPES_NOT_VALID' }).check(z.maxLength(255, 'ALLOWED_CONTENT_TYPES_NOT_VALID'), z.regex(CONTENT_TYPE_PATTERN, 'ALLOWED_CONTENT_TYPES_NOT_VALID')), {
      error: 'ALLOWED_CONTENT_TYPES_NOT_VALID',
    }).check(z.maxLength(MAX_ALLOWED_CONTENT_TYPES, 'ALLOWED_CONTENT_TYPES_NOT_VALID')),
  ),
};

/** Quantum `POST /bucket/policy/<bucket>` `{max_file_size?, allowed_content_types?}` (JSON; null clears a rule). */
export const quantumPolicyBody = z.strictObject({
  max_file_size: uploadPolicyFields.maxFileSize,
  allowed_content_types: uploadPolicyFields.allowedContentTypes,
});

/** `PATCH /storage/buckets/:bucketUuid`: the upload policy's rules (at least one). */
export const updateBucketBody = z.strictObject(uploadPolicyFields).check((ctx) => {
  if (ctx.value.maxFileSize === undefined && ctx.value.allowedContentTypes === undefined) {
    ctx.issues.push({ code: 'custom', path: ['body'], message: 'UPLOAD_POLICY_NOT_PRESENT', input: ctx.value });
  }
});
