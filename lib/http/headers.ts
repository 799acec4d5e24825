import contentDisposition from 'content-disposition';
import { format as formatMediaType, parse as parseMediaType } from 'content-type';

/**
 * Response header values built from user data (file names, stored media types,
 * URLs), each through a parser/formatter of its RFC, so nothing a user typed can
 * break a header or smuggle one in.
 */

export const GENERIC_MEDIA_TYPE = 'application/octet-stream';

/**
 * `Content-Disposition` per RFC 6266 for `fileName`: `filename` carries an ASCII
 * fallback (non-ASCII characters as `_`), `filename*` the exact name as an RFC 8187
 * ext-value (`UTF-8''` + percent-encoding of everything outside attr-char, so `'()*`
 * too); written by the `content-disposition` library.
 */
export function dispositionHeader(fileName: string, type: 'inline' | 'attachment' = 'attachment'): string {
  // The library keeps only the part after the last `/` or backslash (a basename). Stored names never hold either
  // (paths.ts refuses them); should one arrive anyway, it shows as `_` rather than losing the name's start.
  const name = fileName.replace(/[/\\]/g, '_');
  // Its default fallback keeps ISO-8859-1 letters raw, which is not ASCII on the wire.
  return contentDisposition(name, { type, fallback: name.replace(/[^\x20-\x7e]/g, '_') });
}

/**
 * A stored media type as a safe `Content-Type` value: parsed and re-formatted per
 * RFC 9110 §8.3 (type/subtype tokens, parameters quoted where needed), lower-cased;
 * anything that does not parse is `application/octet-stream`.
 */
export function safeMediaType(value: string | undefined): string {
  if (!value) return GENERIC_MEDIA_TYPE;
  try {
    const parsed = parseMediaType(value);
    return formatMediaType({ type: parsed.type, parameters: parsed.parameters });
  } catch {
    return GENERIC_MEDIA_TYPE;
  }
}

/**
 * A `Location` value: an absolute http(s) URL, serialised by the WHATWG URL parser
 * (which percent-encodes spaces, controls and non-ASCII). Throws for anything else:
 * redirects only ever point at URLs this service built (presigned S3 GETs).
 */
export function safeLocation(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`Refusing to redirect to a ${parsed.protocol} URL`);
  return parsed.href;
}

/** An HTTP-date (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}
