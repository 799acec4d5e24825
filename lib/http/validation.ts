import { safeParse } from 'zod/mini';
import type { $ZodIssue, $ZodType, output } from 'zod/v4/core';
import { fieldPath, validationError, type FieldError } from '../errors';

/**
 * Apillon validation codes (422xxxxx). A zod (mini) schema names the problem with one of
 * these as its error message; anything else becomes `<PROPERTY>_NOT_VALID`.
 */
export const VALIDATION_CODES: Record<string, number> = {
  BUCKET_UUID_NOT_VALID: 42200001,
  BUCKET_NAME_NOT_PRESENT: 42200002,
  FILE_NAME_NOT_PRESENT: 42200008,
  FILE_CONTENT_TYPE_NOT_PRESENT: 42200009,
  PATH_NOT_VALID: 42200010,
  FILES_NOT_PRESENT: 42200011,
  FILE_NAME_NOT_VALID: 42200012,
  FILE_SIZE_NOT_VALID: 42200013,
  CIDS_NOT_PRESENT: 42200014,
  // Apillon surface: buckets, upload requests and sessions, listings, links.
  BUCKET_NAME_NOT_VALID: 42200003,
  BUCKET_DESCRIPTION_NOT_VALID: 42200004,
  CONTENT_TYPE_NOT_VALID: 42200015,
  TOO_MANY_FILES: 42200016,
  SESSION_UUID_NOT_VALID: 42200017,
  DIRECTORY_PATH_NOT_VALID: 42200018,
  DIRECTORY_PATH_NOT_PRESENT: 42200041,
  WRAP_WITH_DIRECTORY_NOT_VALID: 42200019,
  PAGE_NOT_VALID: 42200021,
  LIMIT_NOT_VALID: 42200022,
  ORDER_BY_NOT_VALID: 42200023,
  DESC_NOT_VALID: 42200024,
  SEARCH_NOT_VALID: 42200025,
  DIRECTORY_ID_NOT_VALID: 42200026,
  FILE_STATUS_NOT_VALID: 42200027,
  CID_NOT_VALID: 42200028,
  LINK_TYPE_NOT_VALID: 42200029,
  BUCKET_PUBLIC_NOT_VALID: 42200030,
  NEXT_TOKEN_NOT_VALID: 42200020,
  MARKED_FOR_DELETION_NOT_VALID: 42200031,
  // A parameter the route does not take, a repeated one, and two fields that say different things.
  PARAMETER_NOT_SUPPORTED: 42200032,
  PARAMETER_REPEATED: 42200034,
  CONFLICTING_VALUE: 42200033,
  // IPNS names.
  IPNS_NAME_NOT_PRESENT: 42200035,
  IPNS_NAME_NOT_VALID: 42200036,
  IPNS_DESCRIPTION_NOT_VALID: 42200037,
  IPNS_VALUE_NOT_VALID: 42200038,
  CID_NOT_PRESENT: 42200039,
  FORMAT_NOT_VALID: 42200040,
  // Multipart uploads (lib/core/upload/multipart.ts; both surfaces).
  PART_NUMBERS_NOT_PRESENT: 42200050,
  TOO_MANY_PART_NUMBERS: 42200051,
  PART_NUMBER_NOT_VALID: 42200052,
  PARTS_NOT_COMPLETE: 42200053,
  PARTS_REFUSED: 42200054,
  ETAG_NOT_VALID: 42200055,
  // A bucket's upload policy (lib/core/upload/policy.ts).
  MAX_FILE_SIZE_NOT_VALID: 42200060,
  ALLOWED_CONTENT_TYPES_NOT_VALID: 42200061,
  UPLOAD_POLICY_NOT_PRESENT: 42200062,
  // Bucket webhooks.
  WEBHOOK_URL_NOT_PRESENT: 42200070,
  WEBHOOK_URL_NOT_VALID: 42200071,
  WEBHOOK_AUTH_TYPE_NOT_VALID: 42200072,
  WEBHOOK_PARAM1_NOT_VALID: 42200073,
  WEBHOOK_PARAM2_NOT_VALID: 42200074,
};
const GENERIC_CODE = 42200000;

/**
 * A failed parse's field errors: one per field (`property`), the first problem zod found with it, with the tightest
 * bounds its problems name (a size of 1e20 breaks `int` and `lte`: one FILE_SIZE_NOT_VALID with the `lte`'s `maximum`).
 */
export function toFieldErrors(issues: readonly $ZodIssue[]): FieldError[] {
  const byProperty = new Map<string, FieldError>();
  const add = (error: FieldError) => {
    const first = byProperty.get(error.property);
    if (!first) byProperty.set(error.property, error);
    else {
      // The tightest bound any of its problems names (zod's `int` names the largest safe integer, `lte` the field's own).
      const maximum = Math.min(first.maximum ?? Infinity, error.maximum ?? Infinity);
      const minimum = Math.max(first.minimum ?? -Infinity, error.minimum ?? -Infinity);
      byProperty.set(error.property, { ...first, ...(Number.isFinite(maximum) ? { maximum } : {}), ...(Number.isFinite(minimum) ? { minimum } : {}) });
    }
  };
  for (const issue of issues) {
    // A strict object's unknown keys: one error per key, naming it.
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add({ code: VALIDATION_CODES.PARAMETER_NOT_SUPPORTED!, property: fieldPath([...issue.path, key]), message: 'PARAMETER_NOT_SUPPORTED' });
      continue;
    }
    const property = fieldPath(issue.path) || 'body';
    const known = VALIDATION_CODES[issue.message];
    const field =
      known !== undefined
        ? { code: known, property, message: issue.message }
        : { code: GENERIC_CODE, property, message: `${property.replace(/\W+/g, '_').toUpperCase()}_NOT_VALID` };
    add({ ...field, ...boundOf(issue) });
  }
  return [...byProperty.values()];
}

/**
 * The bound a too-big or too-small value broke (zod's `maximum`/`minimum`: bytes for a size, items for a list,
 * UTF-16 units for text), so a refusal names its limit (issue 21) without changing its message.
 */
function boundOf(issue: $ZodIssue): { maximum?: number; minimum?: number } {
  if (issue.code === 'too_big' && (typeof issue.maximum === 'number' || typeof issue.maximum === 'bigint')) return { maximum: Number(issue.maximum) };
  if (issue.code === 'too_small' && (typeof issue.minimum === 'number' || typeof issue.minimum === 'bigint')) return { minimum: Number(issue.minimum) };
  return {};
}

/** Parses `value` with `schema`, throwing the surface-neutral validation AppError on failure. */
export function parseOrThrow<S extends $ZodType>(schema: S, value: unknown, model?: string): output<S> {
  // zod's core parser: takes `zod/mini` schemas (ours) and classic ones alike.
  const result = safeParse(schema, value);
  if (!result.success) throw validationError(toFieldErrors(result.error.issues), model);
  return result.data;
}
