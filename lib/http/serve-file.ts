import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FileRecord } from '../core/model/entries';
import { openContent } from '../core/read/file-content';
import { METRIC_NAMES } from '../core/ports/metrics';
import { INLINE_DOWNLOAD_MAX_BYTES, type StorageDeps } from '../core/ports/storage';
import { AppError, type ErrorName } from '../errors';
import { conditionalHeaders, selectResponse, type Selection, type Validators } from './conditional';
import { dispositionHeader, httpDate, safeLocation, safeMediaType } from './headers';

/**
 * One GET or HEAD of a stored file, answered as API Gateway will pass it on (it adds
 * nothing): the download routes' shared HTTP semantics (RFC 9110), see README "Downloads".
 */

export interface FileToServe {
  readonly file: FileRecord;
  /** The file's size in bytes. */
  readonly size: number;
  /** Its strong entity tag, quotes included. */
  readonly etag: string;
}

export interface ServeOptions {
  /** `inline` (shown by the browser) or `attachment` (saved under the file's name). */
  readonly disposition: 'inline' | 'attachment';
  /** Cache-Control of the file's 200/206/304 answers (redirects are never stored: their URL expires). */
  readonly cacheControl: string;
  /** More headers of the file's answers (e.g. a Content-Security-Policy). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The error when the bytes are gone by the time they are read. */
  readonly goneError: ErrorName;
  /**
   * Runs once, right before bytes or a URL to them are handed out (200, 206, 302),
   * never for HEAD, 304 or 416: where a one-time token is spent. May throw.
   */
  readonly beforeContent?: () => Promise<void>;
  /** Most bytes in the response body (default INLINE_DOWNLOAD_MAX_BYTES). */
  readonly inlineLimit?: number;
}

/**
 * The answer to `event` (GET or HEAD) for `target`:
 * - 304 (no body) when If-None-Match / If-Modified-Since say the client's copy is current;
 * - 206 with Content-Range for one satisfiable byte range (If-Range permitting);
 * - 416 RANGE_NOT_SATISFIABLE with `Content-Range: bytes *\/<size>`;
 * - else 200 with the whole file;
 * - GET of more than the inline limit (the file, or the range): 302 to a presigned S3 GET
 *   (≤ 60 s), to which the client sends its Range again;
 * - HEAD: the status and headers GET would have for the bytes (200/206 with Content-Length,
 *   also for a file GET would redirect), no body.
 * Every 200/206/304 carries ETag, Last-Modified, Accept-Ranges: bytes and Cache-Control; a 302 the ETag of
 * the version its URL leads to.
 */
export async function serveFile(
  deps: Pick<StorageDeps, 'blobs' | 'metrics' | 'presignTtlSeconds'>,
  event: APIGatewayProxyEventV2,
  target: FileToServe,
  options: ServeOptions,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { file, size } = target;
  const { validators, selection } = select(event, target);
  const cacheHeaders = {
    etag: validators.etag,
    'last-modified': httpDate(validators.lastModified),
    'accept-ranges': 'bytes',
    'cache-control': options.cacheControl,
  };
  if (selection.kind === 'not-modified') return { statusCode: 304, headers: cacheHeaders, body: '' };
  if (selection.kind === 'unsatisfiable') {
    throw new AppError('rangeNotSatisfiable', { headers: { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' } });
  }

  const range = selection.kind === 'partial' ? selection.range : undefined;
  const headers: Record<string, string> = {
    ...cacheHeaders,
    'content-type': safeMediaType(file.contentType),
    'content-disposition': dispositionHeader(file.name, options.disposition),
    'x-content-type-options': 'nosniff',
    ...options.headers,
    'content-length': String(range ? range.end - range.start + 1 : size),
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}),
  };
  const statusCode = range ? 206 : 200;
  if (event.requestContext.http.method === 'HEAD') return { statusCode, headers, body: '' };

  await options.beforeContent?.();
  const content = await openContent(deps, file, {
    range,
    size,
    inlineLimit: options.inlineLimit ?? INLINE_DOWNLOAD_MAX_BYTES,
    disposition: options.disposition,
    goneError: options.goneError,
  });
  if ('url' in content) {
    // The ETag names the version the URL leads to (each stored version has an object key of its own, so the URL
    // serves those bytes or, once they are replaced and deleted, nothing); the redirect itself expires, so no-store.
    return { statusCode: 302, headers: { location: safeLocation(content.url), etag: validators.etag, 'cache-control': 'no-store' }, body: '' };
  }
  deps.metrics.bytes(METRIC_NAMES.bytesServed, content.bytes.byteLength);
  return { statusCode, headers, body: Buffer.from(content.bytes).toString('base64'), isBase64Encoded: true };
}

/** What the request's conditional and Range headers select for `target` (RFC 9110 §13, §14). */
function select(event: APIGatewayProxyEventV2, target: FileToServe): { validators: Validators; selection: Selection } {
  const validators: Validators = { etag: target.etag, lastModified: new Date(target.file.createdAt), size: target.size };
  return { validators, selection: selectResponse(conditionalHeaders(event.headers), validators) };
}

/**
 * Bytes that {@link serveFile}'s `response` to `event` hands out, for bandwidth metering:
 * the body of a 200 or 206 (its Content-Length); behind a 302, what the client then
 * fetches from S3 (the range it asked for, else the whole file); 0 for HEAD, 304 and
 * anything else that carries no content.
 */
export function bytesSent(event: APIGatewayProxyEventV2, target: FileToServe, response: APIGatewayProxyStructuredResultV2): number {
  if (event.requestContext.http.method === 'HEAD') return 0;
  if (response.statusCode === 200 || response.statusCode === 206) return Number(response.headers?.['content-length'] ?? 0);
  if (response.statusCode === 302) {
    const { selection } = select(event, target);
    return selection.kind === 'partial' ? selection.range.end - selection.range.start + 1 : target.size;
  }
  return 0;
}
