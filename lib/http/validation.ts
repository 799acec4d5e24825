import type { z } from 'zod';
import { validationError, type FieldError } from '../errors';

/**
 * Apillon validation codes (422xxxxx). A zod schema names the problem with one of
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
};
const GENERIC_CODE = 42200000;

export function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => {
    const property = issue.path.map(String).join('.') || 'body';
    const known = VALIDATION_CODES[issue.message];
    return known !== undefined
      ? { code: known, property, message: issue.message }
      : { code: GENERIC_CODE, property, message: `${property.replace(/\W+/g, '_').toUpperCase()}_NOT_VALID` };
  });
}

/** Parses `value` with `schema`, throwing the surface-neutral validation AppError on failure. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, model?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(toFieldErrors(result.error.issues), model);
  return result.data;
}
