import { buildQueryString } from '@smithy/core/protocols';
import type { IncomingMessage } from 'node:http';
import { AwsServiceError, readAll, SignedHttpClient, type AwsCredentials } from './aws-http';

/**
 * The few S3 operations the functions send (PutObject, GetObject with Range,
 * HeadObject, CopyObject, DeleteObject, HeadBucket, CreateBucket) and the two
 * presigned URLs they hand out, on the AWS SDK's own SigV4 signer
 * (`@smithy/signature-v4`) and HTTP handler (`@smithy/node-http-handler`,
 * keep-alive), which the DynamoDB client bundles anyway; signing, sending and
 * retries are the core shared with the SQS client (`aws-http.ts`).
 *
 * Why not `@aws-sdk/client-s3`: its bundle keeps all of S3's ~480 operation
 * schemas, its XML, event-stream and checksum machinery, ~165 KB of every
 * function and the largest part of its `require()` time (bench/bundles.ts prints
 * the figures). The REST API used here is small and stable:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ (error codes:
 * ErrorResponses.html; CopyObject's "200 with an error body": API_CopyObject.html).
 *
 * Errors are thrown as {@link S3Error}, shaped like the SDK's (`name` is S3's
 * error code, `$metadata.httpStatusCode` the HTTP status), so callers test
 * `name === 'NoSuchKey'` or the status as before. Requests are sent up to
 * `maxAttempts` times on network errors, 5xx, 429 and CopyObject's
 * 200-with-error, with the SDK's backoff (full jitter, base 100 ms).
 */
export interface S3ClientOptions {
  readonly region: string;
  /** An emulator's or LocalStack's base URL: buckets are then addressed by path, not by virtual host. */
  readonly endpoint?: string;
  /** Default: the environment's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, read per request. */
  readonly credentials?: S3Credentials;
  /** Attempts per request, first included (default 3, as the SDK clients were configured). */
  readonly maxAttempts?: number;
}

export type S3Credentials = AwsCredentials;

/** Size (bytes) and ETag (quoted, as S3 sends it) of a stored object. */
export interface S3ObjectHead {
  readonly contentLength: number;
  readonly eTag: string;
}

/** Told when a request starts; the function it returns, if any, when it ends (benches count and time requests). */
export type S3RequestObserver = (operation: S3Operation) => (() => void) | void;

export type S3Operation = 'PutObject' | 'GetObject' | 'HeadObject' | 'CopyObject' | 'DeleteObject' | 'HeadBucket' | 'CreateBucket';

/** An error S3 answered (or a request that could not reach it): `name` is S3's error code. */
export class S3Error extends AwsServiceError {}

/** Error names S3 gives a body-less answer (HEAD) by status, as the SDK names them. */
const STATUS_CODES: Readonly<Record<number, string>> = { 301: 'PermanentRedirect', 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed' };

/** Retried with backoff: throttling and S3's transient errors (the SDK's standard retry mode). */
const RETRYABLE_CODES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeTooSkewed', 'Throttling', 'ThrottlingException']);

export class S3Client {
  private readonly observers: S3RequestObserver[] = [];
  private readonly core: SignedHttpClient<S3Error>;

  constructor(private readonly options: S3ClientOptions) {
    // S3 signs the path as sent (encoded once), unlike other services.
    this.core = new SignedHttpClient({ ...options, service: 's3', uriEscapePath: false, retryableCodes: RETRYABLE_CODES, error: S3Error });
  }

  /** Adds a request observer (benches). */
  observe(observer: S3RequestObserver): void {
    this.observers.push(observer);
  }

  /** PutObject of bytes held in memory. */
  async putObject(bucket: string, key: string, body: Uint8Array, contentType?: string): Promise<void> {
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    await this.send('PutObject', 'PUT', this.url(bucket, key), { headers, body });
  }

  /**
   * GetObject as a stream of chunks; `range` is inclusive byte offsets (HTTP Range,
   * RFC 9110 §14.1.2). Throws S3Error `NoSuchKey` (404) for a missing object.
   */
  async getObject(bucket: string, key: string, range?: { readonly start: number; readonly end: number }): Promise<AsyncIterable<Uint8Array>> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const { body } = await this.send('GetObject', 'GET', this.url(bucket, key), { headers, stream: true });
    return body;
  }

  /** GetObject read whole into memory (bytes); see getObject. */
  async getObjectBytes(bucket: string, key: string, range?: { readonly start: number; readonly end: number }): Promise<Uint8Array> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const { body } = await this.send('GetObject', 'GET', this.url(bucket, key), { headers, stream: true });
    return readAll(body);
  }

  /** HeadObject: size and ETag. Throws S3Error `NotFound` (404) for a missing object. */
  async headObject(bucket: string, key: string): Promise<S3ObjectHead> {
    const { headers } = await this.send('HeadObject', 'HEAD', this.url(bucket, key));
    return { contentLength: Number(headers['content-length'] ?? 0), eTag: headers.etag ?? '' };
  }

  /**
   * CopyObject within S3; returns the copy's ETag. S3 may answer 200 and still
   * report an error in the body (it has started streaming the answer): that is
   * thrown (and retried) like any other error.
   */
  async copyObject(from: { readonly bucket: string; readonly key: string }, to: { readonly bucket: string; readonly key: string }): Promise<{ eTag: string }> {
    const headers = { 'x-amz-copy-source': `/${from.bucket}/${encodeKey(from.key)}` };
    const { text } = await this.send('CopyObject', 'PUT', this.url(to.bucket, to.key), { headers, copy: true });
    return { eTag: xmlText(text, 'ETag') ?? '' };
  }

  /** DeleteObject (S3 answers 204 whether or not the object existed). */
  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.send('DeleteObject', 'DELETE', this.url(bucket, key));
  }

  /** HeadBucket: resolves when the bucket exists and is reachable; `signal` aborts the request. */
  async headBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    await this.send('HeadBucket', 'HEAD', this.url(bucket), { signal });
  }

  /** CreateBucket in the client's region (LocationConstraint outside us-east-1, as S3 requires). */
  async createBucket(bucket: string): Promise<void> {
    const region = this.options.region;
    const body =
      region === 'us-east-1'
        ? undefined
        : new TextEncoder().encode(
            `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
          );
    await this.send('CreateBucket', 'PUT', this.url(bucket), { body });
  }

  /**
   * A presigned PutObject URL valid `expiresIn` seconds. With `contentLength`
   * (bytes) the length is a signed header: S3 refuses a body of any other size.
   * No checksum is baked in (the SDK >= 3.729 would add an empty-body CRC32 unless
   * told WHEN_REQUIRED) and no Content-Type is required.
   */
  async presignPutObject(bucket: string, key: string, expiresIn: number, contentLength?: number, signingDate?: Date): Promise<string> {
    const headers: Record<string, string> = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
    return this.presign('PUT', this.url(bucket, key), expiresIn, headers, signingDate);
  }

  /**
   * A presigned GetObject URL valid `expiresIn` seconds; `responseHeaders` are S3's
   * response-* overrides (response-content-disposition, response-content-type).
   */
  async presignGetObject(bucket: string, key: string, expiresIn: number, responseHeaders: Readonly<Record<string, string>> = {}, signingDate?: Date): Promise<string> {
    const url = this.url(bucket, key);
    for (const [name, value] of Object.entries(responseHeaders)) url.searchParams.set(name, value);
    return this.presign('GET', url, expiresIn, {}, signingDate);
  }

  private async presign(method: string, url: URL, expiresIn: number, headers: Record<string, string>, signingDate?: Date): Promise<string> {
    const request = this.core.request(method, url, headers);
    // Presigned S3 requests are signed with UNSIGNED-PAYLOAD (the header is hoisted into the query, as the SDK does);
    // Content-Length stays a header: signed, not hoisted.
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const signed = await this.core.signer.presign(request, { expiresIn, signingDate, unhoistableHeaders: new Set(['content-length']) });
    return `${url.origin}${signed.path}?${buildQueryString(signed.query ?? {})}`;
  }

  /** The object's (or bucket's) URL: virtual-hosted on AWS where the name allows, else path-style. */
  private url(bucket: string, key?: string): URL {
    const path = key === undefined ? '' : `/${encodeKey(key)}`;
    const { endpoint, region } = this.options;
    if (endpoint) return new URL(`${endpoint.replace(/\/+$/, '')}/${bucket}${path}`);
    // Names with dots would break the TLS wildcard certificate: the SDK addresses those by path too.
    if (/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) return new URL(`https://${bucket}.s3.${region}.amazonaws.com${path || '/'}`);
    return new URL(`https://s3.${region}.amazonaws.com/${bucket}${path}`);
  }

  private async send(
    operation: S3Operation,
    method: string,
    url: URL,
    request: { headers?: Record<string, string>; body?: Uint8Array; signal?: AbortSignal; stream?: boolean; copy?: boolean } = {},
  ): Promise<{ readonly headers: Record<string, string>; readonly body: IncomingMessage; readonly text: string }> {
    const finished = this.observers.map((observer) => observer(operation));
    const headers: Record<string, string> = {
      ...request.headers,
      // Bodies travel over TLS on AWS; hashing each upload for the signature would cost CPU for nothing (as the SDK does for streams).
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-length': String(request.body?.byteLength ?? 0),
    };
    if (method === 'GET' || method === 'HEAD' || method === 'DELETE') delete headers['content-length'];
    try {
      return await this.core.send({ method, url, headers, body: request.body, signal: request.signal }, async (response) => {
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        const body = response.body;
        if (ok && request.stream) return { headers: response.headers, body, text: '' };
        const text = new TextDecoder().decode(await readAll(body));
        if (ok && !(request.copy && /<Error>/.test(text))) return { headers: response.headers, body, text };
        throw responseError(response.statusCode, response.headers, text, method);
      });
    } finally {
      for (const done of finished) done?.();
    }
  }
}

/** An S3 key as a URL path: each segment percent-encoded (RFC 3986 unreserved kept), `/` kept. */
export function encodeKey(key: string): string {
  // WHATWG URLs drop `.` and `..` segments (even percent-encoded); no key of this service has one.
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) throw new RangeError(`S3 key with a dot segment: ${key}`);
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function responseError(statusCode: number, headers: Record<string, string>, text: string, method: string): S3Error {
  const requestId = headers['x-amz-request-id'];
  const code = xmlText(text, 'Code');
  // A copy's 200-with-error is an internal failure of S3's: reported (and retried) as a 500.
  const status = statusCode < 300 ? 500 : statusCode;
  if (code) return new S3Error(code, xmlText(text, 'Message') ?? code, status, requestId);
  const name = STATUS_CODES[statusCode] ?? (statusCode >= 500 ? 'InternalError' : 'UnknownError');
  return new S3Error(name, `S3 answered ${statusCode} to ${method}`, status, requestId);
}

/** The text of the first `<tag>` of an S3 XML answer, XML entities decoded; undefined if absent. */
function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!match) return undefined;
  return match[1]!.replace(/&(#x[0-9a-f]+|#\d+|quot|amp|apos|lt|gt);/gi, (_, entity: string) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return ({ quot: '"', amp: '&', apos: "'", lt: '<', gt: '>' } as Record<string, string>)[entity.toLowerCase()]!;
  });
}
