import { AppError } from '../../errors';
/**
 * A bucket's upload policy (issue 21; Supabase Storage's bucket `fileSizeLimit` and `allowedMimeTypes` are the
 * model), pure. Checked twice: at the upload request on what the client declares, and when the object arrives on
 * its real size (lifecycle.ts). Every refusal names the file and the limit (bytes, or the types allowed).
 */

export interface UploadPolicy {
  /** Largest file the bucket takes (bytes); absent: no limit but the bucket's size and the quota. */
  readonly maxFileSize?: number;
  /**
   * Media types the bucket takes: exact (`application/pdf`) or a whole top-level type (`image/*`); compared on the
   * type/subtype only (parameters and case ignored). Absent: any type.
   */
  readonly allowedContentTypes?: readonly string[];
}

/** Most entries of `allowedContentTypes`. */
export const MAX_ALLOWED_CONTENT_TYPES = 100;
/** `type/subtype` or `type/*` (RFC 9110 §8.3.1 tokens), or `*\/*`. */
export const CONTENT_TYPE_PATTERN = /^(?:[!#$%&'*+.^_`|~0-9a-z-]+\/(?:[!#$%&'*+.^_`|~0-9a-z-]+|\*)|\*\/\*)$/i;

/** What a file is checked on. `size` undefined: not declared (checked when the bytes arrive). */
export interface PolicyCandidate {
  readonly name: string;
  readonly size?: number;
  readonly contentType: string;
}

export interface PolicyViolation {
  readonly rule: 'maxFileSize' | 'allowedContentTypes';
  /** `FILE_TOO_LARGE` or `CONTENT_TYPE_NOT_ALLOWED`, then the file and the limit, e.g.
   *  `FILE_TOO_LARGE: "a.bin" is 12 bytes; this bucket takes files of at most 10 bytes`. */
  readonly reason: string;
}

/** The media type's `type/subtype`, lower case, without parameters. */
export function essence(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** True when `contentType` is one `allowed` lists (exact, `type/*`, or `*\/*`). */
export function contentTypeAllowed(allowed: readonly string[], contentType: string): boolean {
  const type = essence(contentType);
  return allowed.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule === '*/*') return true;
    if (rule.endsWith('/*')) return type.startsWith(rule.slice(0, -1));
    return type === rule;
  });
}

/** The first rule of `policy` that `file` breaks, else undefined. */
export function policyViolation(policy: UploadPolicy | undefined, file: PolicyCandidate): PolicyViolation | undefined {
  if (!policy) return undefined;
  if (policy.maxFileSize !== undefined && file.size !== undefined && file.size > policy.maxFileSize) {
    return {
      rule: 'maxFileSize',
      reason: `FILE_TOO_LARGE: ${JSON.stringify(file.name)} is ${file.size} bytes; this bucket takes files of at most ${policy.maxFileSize} bytes`,
    };
  }
  if (policy.allowedContentTypes !== undefined && !contentTypeAllowed(policy.allowedContentTypes, file.contentType)) {
    return {
      rule: 'allowedContentTypes',
      reason: `CONTENT_TYPE_NOT_ALLOWED: ${JSON.stringify(file.name)} is ${essence(file.contentType)}; this bucket takes ${policy.allowedContentTypes.join(', ') || 'no type'}`,
    };
  }
  return undefined;
}

/**
 * Throws 422 UPLOAD_POLICY_VIOLATION for the first file of a batch the policy refuses, its message the reason
 * (the file and the limit) and its details `{fileName, rule, reason, maxFileSize and limitBytes | allowedContentTypes}`
 * (Quantum's `data`, the Apillon body's `details`).
 */
export function requireWithinPolicy(policy: UploadPolicy | undefined, files: readonly PolicyCandidate[]): void {
  if (!policy) return;
  for (const file of files) {
    const violation = policyViolation(policy, file);
    if (!violation) continue;
    // `limitBytes` as every size refusal carries it (errors.ts sizeRefusal), beside the rule's own name.
    const limit = violation.rule === 'maxFileSize' ? { maxFileSize: policy.maxFileSize, limitBytes: policy.maxFileSize } : { allowedContentTypes: policy.allowedContentTypes };
    throw new AppError('uploadPolicyViolation', { message: violation.reason, details: { fileName: file.name, rule: violation.rule, reason: violation.reason, ...limit } });
  }
}

/** Rules as a request gives them: a value sets the rule, `null` clears it, absent keeps what `current` has. */
export interface PolicyChange {
  readonly maxFileSize?: number | null;
  readonly allowedContentTypes?: readonly string[] | null;
}

/** `current` with `change` applied; undefined when no rule is left. Content types are kept lower case, once each. */
export function mergePolicy(current: UploadPolicy | undefined, change: PolicyChange): UploadPolicy | undefined {
  const maxFileSize = change.maxFileSize === undefined ? current?.maxFileSize : (change.maxFileSize ?? undefined);
  const types = change.allowedContentTypes === undefined ? current?.allowedContentTypes : (change.allowedContentTypes ?? undefined);
  const allowedContentTypes = types && [...new Set(types.map((type) => type.trim().toLowerCase()))];
  if (maxFileSize === undefined && allowedContentTypes === undefined) return undefined;
  return { ...(maxFileSize === undefined ? {} : { maxFileSize }), ...(allowedContentTypes === undefined ? {} : { allowedContentTypes }) };
}
