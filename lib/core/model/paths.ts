import { AppError } from '../../errors';

/**
 * Paths inside a bucket. A path is a list of segments; every path that could
 * leave the bucket or alias another one is refused with INVALID_PATH before
 * anything is stored.
 */

/** A path is a DynamoDB sort key (<= 1024 bytes) and mirrors S3's key limit. */
export const MAX_PATH_BYTES = 1024;
/** One name, as on common file systems. */
export const MAX_SEGMENT_BYTES = 255;

// C0/C1 control characters (incl. NUL), the Unicode line/paragraph separators, and U+FFFD (the mark of
// bytes some decoder could not read: lib/http/text.ts).
const FORBIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\uFFFD]/;

/** Unicode format characters (General Category Cf): bidi controls, zero-width characters, BOM, soft hyphen, tags, … */
const FORMAT_CHARACTER = /\p{Cf}/u;
/** The format characters a name may need, removed before the Cf test: see {@link hasHiddenCharacters}. */
const NEEDED_FORMAT_CHARACTERS = [
  // An emoji tag sequence (subdivision flags such as England's): U+1F3F4, tags U+E0020–U+E007E, CANCEL TAG U+E007F.
  /(?<=\u{1F3F4})[\u{E0020}-\u{E007E}]+\u{E007F}/gu,
  // ZWNJ / ZWJ between two letters (with their marks): Persian, Arabic and Indic scripts need them to spell words.
  /(?<=\p{L}\p{M}*)[\u200C\u200D](?=\p{L})/gu,
  // ZWJ between two emoji (after an optional VS16 or skin-tone modifier): 👩‍💻, 🏳️‍🌈.
  /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu,
];

/**
 * Whether `name` holds characters that hide or reorder text, so that a listing
 * would show something other than the name (`evil\u202Egpj.exe` shows as
 * `evilexe.jpg`). The rule, for every name (files, folders, buckets of both
 * surfaces): no Unicode format character (General Category Cf: the bidi controls
 * U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069; the zero-width U+200B,
 * U+2060–U+2064, U+FEFF; the soft hyphen U+00AD; tags; …), except where a script
 * or an emoji needs one: ZWNJ (U+200C) or ZWJ (U+200D) between two letters, ZWJ
 * between two emoji, and the tag characters of an emoji tag sequence.
 */
export function hasHiddenCharacters(name: string): boolean {
  if (!FORMAT_CHARACTER.test(name)) return false;
  const rest = NEEDED_FORMAT_CHARACTERS.reduce((text, needed) => text.replace(needed, ''), name);
  return FORMAT_CHARACTER.test(rest);
}

/**
 * Whether `name` may not be a name: not well-formed (lone surrogates), a control
 * or line-separator character, U+FFFD, or a hidden character ({@link hasHiddenCharacters}).
 */
export function hasForbiddenCharacters(name: string): boolean {
  return !name.isWellFormed() || FORBIDDEN_CHARACTER.test(name) || hasHiddenCharacters(name);
}

export interface PathOptions {
  /** Strip one leading and trailing `/` (the Apillon `path` field, the SDK sends `dir/`). */
  readonly lenientSlashes?: boolean;
}

function invalid(): never {
  throw new AppError('invalidPath');
}

/** Validates and normalises (NFC) one name. */
export function normaliseSegment(raw: string): string {
  if (!raw.isWellFormed() || raw.includes('/') || raw.includes('\\')) invalid();
  const name = raw.normalize('NFC');
  if (hasForbiddenCharacters(name)) invalid();
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
    if (decodedCompatible === '.' || decodedCompatible === '..' || /[/\\]/.test(decodedCompatible) || hasForbiddenCharacters(decoded)) invalid();
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
 * refused by the segment rules. Escapes that decode to invalid UTF-8 (`%FF`),
 * and U+FFFD where API Gateway already replaced such bytes, are 400 INVALID_UTF8.
 */
export function parseUrlPath(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch (error) {
    // A literal `%` in a name keeps the text as it is; escapes of invalid UTF-8 are refused.
    const invalidEscape = (raw.match(/(?:%[0-9a-f]{2})+/gi) ?? []).some((run) => {
      try {
        decodeURIComponent(run);
        return false;
      } catch {
        return true;
      }
    });
    if (invalidEscape) throw new AppError('invalidUtf8', { cause: error });
  }
  if (decoded.includes('\uFFFD')) throw new AppError('invalidUtf8');
  return parsePath(decoded);
}

export function joinPath(segments: readonly string[]): string {
  return segments.join('/');
}
