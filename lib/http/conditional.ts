import fresh from 'fresh';
import parseRange from 'range-parser';

/**
 * Conditional and range requests for a stored file (RFC 9110 §13, §14), decided
 * from the request's headers and the file's validators alone, before any byte is
 * read: `fresh` compares If-None-Match / If-Modified-Since, `range-parser` reads Range.
 */

/** What identifies one stored version of a file. */
export interface Validators {
  /** A strong entity tag, quotes included (`"bafy…"`). */
  readonly etag: string;
  /** When this version was stored (sent at one-second precision). */
  readonly lastModified: Date;
  /** The whole representation's length, in bytes. */
  readonly size: number;
}

/** The request headers this decision reads (names lower-cased). */
export interface ConditionalHeaders {
  readonly 'if-none-match'?: string;
  readonly 'if-modified-since'?: string;
  readonly 'if-range'?: string;
  readonly range?: string;
  readonly 'cache-control'?: string;
}

/** A byte range, both ends inclusive, as in `Content-Range`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export type Selection =
  /** 304: the client's copy is current (no body). */
  | { readonly kind: 'not-modified' }
  /** 200: the whole representation. */
  | { readonly kind: 'full' }
  /** 206: one range of it. */
  | { readonly kind: 'partial'; readonly range: ByteRange }
  /** 416: no range of the request overlaps the representation. */
  | { readonly kind: 'unsatisfiable' };

/**
 * How to answer a GET or HEAD of a representation with `validators`:
 *
 * 1. If-None-Match, else If-Modified-Since (RFC 9110 §13.2.2: If-None-Match wins; weak
 *    comparison; `*` matches) → 304. A request with `Cache-Control: no-cache` is always
 *    answered in full (the `fresh` library's end-to-end reload rule).
 * 2. Range, unless If-Range names another version (an entity tag: strong comparison;
 *    a date: exactly Last-Modified, §13.1.5) or the Range is not a valid `bytes` range
 *    (then it is ignored, §14.2):
 *    - one range, or ranges that overlap or touch (merged) → 206 of that range;
 *    - several disjoint ranges → 200 with the whole file: multipart/byteranges is not
 *      produced, and the whole representation is what RFC 9110 lets a server send
 *      instead (§14.2 "A server MAY ignore the Range header field"); every client handles it;
 *    - no range overlapping the file → 416 (with `Content-Range: bytes *\/size`).
 *    An empty file is always sent whole (no byte range of it exists, §14.1.2).
 */
export function selectResponse(headers: ConditionalHeaders, validators: Validators): Selection {
  if (isNotModified(headers, validators)) return { kind: 'not-modified' };
  const range = headers.range;
  if (range === undefined || validators.size === 0 || !ifRangeMatches(headers['if-range'], validators)) return { kind: 'full' };
  const ranges = parseRange(validators.size, clampSuffixRanges(range, validators.size), { combine: true });
  if (ranges === -2 || (ranges !== -1 && ranges.type !== 'bytes')) return { kind: 'full' };
  if (ranges === -1) return { kind: 'unsatisfiable' };
  if (ranges.length !== 1) return { kind: 'full' };
  return { kind: 'partial', range: { start: ranges[0]!.start, end: ranges[0]!.end } };
}

/**
 * RFC 9110 §14.1.3: a suffix range longer than the representation means all of it;
 * range-parser 1.x counts it unsatisfiable instead, so `-N` with N ≥ size becomes `0-`.
 */
function clampSuffixRanges(header: string, size: number): string {
  return header.replace(/([=,][ \t]*)-(\d+)(?=[ \t]*(?:,|$))/g, (whole, lead: string, digits: string) =>
    Number(digits) >= size ? `${lead}0-` : whole,
  );
}

function isNotModified(headers: ConditionalHeaders, validators: Validators): boolean {
  const request = {
    'if-none-match': headers['if-none-match'],
    // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
    'if-modified-since': headers['if-none-match'] === undefined ? headers['if-modified-since'] : undefined,
    'cache-control': headers['cache-control'],
  };
  return fresh(request, { etag: validators.etag, 'last-modified': validators.lastModified.toUTCString() });
}

/** RFC 9110 §13.1.5: an entity tag matches by strong comparison (a weak tag never does); a date must equal Last-Modified. */
function ifRangeMatches(ifRange: string | undefined, validators: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === validators.etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === Math.floor(validators.lastModified.getTime() / 1000) * 1000;
}

/** The headers of `event`-style header maps, lower-cased, as `ConditionalHeaders`. */
export function conditionalHeaders(headers: Record<string, string | undefined> | undefined): ConditionalHeaders {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) lower[name.toLowerCase()] = value;
  return {
    'if-none-match': lower['if-none-match'],
    'if-modified-since': lower['if-modified-since'],
    'if-range': lower['if-range'],
    range: lower.range,
    'cache-control': lower['cache-control'],
  };
}
