import { AppError } from '../errors';

/**
 * Paths inside a bucket. A path is a list of segments; every path that could
 * leave the bucket or alias another one is refused with INVALID_PATH before
 * anything is stored.
 */

/** A path is a DynamoDB sort key (<= 1024 bytes) and mirrors S3's key limit. */
export const MAX_PATH_BYTES = 1024;
/** One name, as on common file systems. */
export const MAX_SEGMENT_BYTES = 255;

// C0/C1 control characters (incl. NUL), and the Unicode line/paragraph separators.
const FORBIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export interface PathOptions {
  /** Strip one leading and trailing `/` (the Apillon `path` field, the SDK sends `dir/`). */
  readonly lenientSlashes?: boolean;
}

function invalid(): never {
  throw new AppError('invalidPath');
}

/** Validates and normalises (NFC) one name. */
export function normaliseSegment(raw: string): string {
  if (!raw.isWellFormed() || FORBIDDEN_CHARACTER.test(raw) || raw.includes('/') || raw.includes('\\')) invalid();
  const name = raw.normalize('NFC');
  // Compatibility forms (fullwidth dots and slashes, …) must not smuggle in `..`, `/` or `\`.
  const compatible = name.normalize('NFKC');
  if (name.trim() === '' || compatible === '.' || compatible === '..' || /[/\\]/.test(compatible)) invalid();
  // A segment that still decodes to a traversal, a separator or a control character (`%2e%2e`,
  // `%252e%252e` and deeper) is refused too, however many layers of encoding it carries.
  let decoded = name;
  for (let layer = 0; layer < 8 && decoded.includes('%'); layer++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      break; // a literal `%` in a name
    }
    if (next === decoded) break;
    decoded = next;
    const decodedCompatible = decoded.normalize('NFKC');
    if (decodedCompatible === '.' || decodedCompatible === '..' || /[/\\]/.test(decodedCompatible) || FORBIDDEN_CHARACTER.test(decoded)) invalid();
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_SEGMENT_BYTES) invalid();
  return name;
}

/** Splits and validates a bucket-relative path; the empty path (root) gives []. */
export function parsePath(raw: string, options: PathOptions = {}): string[] {
  let text = raw;
  if (options.lenientSlashes) text = text.replace(/^\/+/, '').replace(/\/+$/, '');
  if (text === '') return [];
  if (text.startsWith('/')) invalid();
  const segments = text.split('/').map(normaliseSegment);
  if (Buffer.byteLength(segments.join('/'), 'utf8') > MAX_PATH_BYTES) invalid();
  return segments;
}

/**
 * Validates a path taken from a URL. API Gateway may hand it over still
 * percent-encoded or already decoded; it is decoded once when it is valid
 * percent-encoding, and anything that would decode further into a traversal is
 * refused by the segment rules.
 */
export function parseUrlPath(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A literal `%` in a name: keep the text as it is.
  }
  return parsePath(decoded);
}

export function joinPath(segments: readonly string[]): string {
  return segments.join('/');
}
