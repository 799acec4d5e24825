import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { HttpRequest } from '@smithy/core/protocols';
import { RECORDER_MIDDLEWARE, recordUnsentCall } from './aws-call-record';
import { S3_LONG_CALL } from './clients';
import { copyInParts, copySourceHeader, headCopySource, S3_COPY_LIMITS, type CopySource } from './multipart-copy';
import { dispositionHeader, safeMediaType } from '../http/headers';
import { ObjectMissingError } from '../core/model/storage-errors';
import type { BlobStore, ObjectInfo } from '../core/ports';

/** True for S3's "no such object" in its several spellings (HEAD has no body, so only a 404). */
export function isMissingObject(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}

/**
 * The S3 SDK's commands and presigner, loaded on first use (lib/store/clients.ts, s3-commands.ts explain why).
 * Nothing here imports them statically, or every function would evaluate them at init.
 */
let s3Commands: Promise<typeof import('./s3-commands')> | undefined;
/** The module's promise is kept: under a loader (tsx, vitest) every `import()` call costs a resolve round trip. */
const sdk = () => (s3Commands ??= import('./s3-commands'));

/** A copy refused because its source is gone: NoSuchKey, or a 404 that is not the target upload's NoSuchUpload. */
function sourceGone(error: unknown): boolean {
  return (error as Error | undefined)?.name !== 'NoSuchUpload' && isMissingObject(error);
}
/** A copy refused because its source no longer has the ETag it was read with (`x-amz-copy-source-if-match`: 412). */
function sourceChanged(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return (error as Error | undefined)?.name === 'PreconditionFailed' || status === 412;
}

/** The part size a multipart copy prefers (bytes): few parts, each a few seconds of S3's own copying. */
const COPY_PART_BYTES = 512 * 1024 * 1024;

/** The key of the one PutObject request {@link S3BlobStore} resolves through the SDK and then presigns per key. */
const TEMPLATE_KEY = 'presign-template';

/**
 * A PutObject request as the S3 client's middleware stack builds it (endpoint, path style, headers), unsigned,
 * with the presigner and signing scope getSignedUrl would use for it. Only the key's path and the
 * Content-Length header differ from one upload URL to the next.
 */
interface UploadTemplate {
  readonly request: HttpRequest;
  /** The request's path up to the key (`/<bucket>/` path-style, `/` virtual-hosted). */
  readonly pathPrefix: string;
  readonly presigner: InstanceType<Awaited<ReturnType<typeof sdk>>['S3RequestPresigner']>;
  readonly signing: { readonly signingRegion?: string; readonly signingService?: string };
}

/**
 * File bytes in S3 through `@aws-sdk/client-s3` and `@aws-sdk/s3-request-presigner`: the files bucket
 * (uploads/ and files/) and its replica. Errors are the SDK's (`name` = S3's error code,
 * `$metadata.httpStatusCode`), retried by the client's settings (lib/store/clients.ts).
 */
export class S3BlobStore implements BlobStore {
  /** Resolved once per store (a warm container keeps it): see {@link uploadTemplate}. Reset when resolving fails. */
  private template?: Promise<UploadTemplate>;

  /**
   * @param clock the signing time of presigned URLs (tests fix it to compare with the SDK's getSignedUrl).
   * @param multipartCopyBytes sources larger than this (bytes) are copied in parts ({@link copyChecked}); S3's CopyObject
   *   limit (5 GiB) unless configured lower (MULTIPART_COPY_THRESHOLD_BYTES, lib/config.ts: tests).
   */
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
    private readonly replicaBucket: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly multipartCopyBytes: number = S3_COPY_LIMITS.maxCopyObjectBytes,
  ) {}

  /**
   * A presigned PutObject URL for `key`, valid `ttlSeconds` seconds; with `declaredSize` (bytes) Content-Length is
   * a signed header, so S3 refuses a body of another size. Never a Content-Type (the official Apillon SDK PUTs
   * without one). The same URL the SDK's `getSignedUrl` gives for `PutObjectCommand` (test/unit/blob-store-presign
   * compares them byte for byte), at a fraction of its cost: getSignedUrl resolves the endpoint and builds and
   * runs the client's whole middleware stack for every URL, ~0.5–2 ms each, and an upload batch asks for 200.
   * Here the stack runs once per store; each URL is a copy of that request with its own key, signed by the SDK's
   * `S3RequestPresigner`.
   */
  async presignUpload(key: string, ttlSeconds: number, declaredSize?: number): Promise<string> {
    const [{ formatUrl, extendedEncodeURIComponent, HttpRequest: Request }, template, client] = await Promise.all([sdk(), this.uploadTemplate(), this.s3()]);
    // The URL's holder will PutObject this key: recorded where the AWS calls are (the IAM test), as getSignedUrl's run through the stack was.
    recordUnsentCall(client, 'S3', 'PutObject', { Bucket: this.bucket, Key: key, ContentLength: declaredSize });
    const request = Request.clone(template.request);
    // The serializer's own encoding of a greedy `{Key+}` label: each segment encoded, `/` kept.
    request.path = template.pathPrefix + key.split('/').map(extendedEncodeURIComponent).join('/');
    if (declaredSize === undefined) delete request.headers['content-length'];
    else request.headers['content-length'] = String(declaredSize);
    const presigned = await template.presigner.presign(request, {
      expiresIn: ttlSeconds,
      signingDate: this.clock(),
      ...template.signing,
      ...(declaredSize === undefined ? {} : { unhoistableHeaders: new Set(['content-length']) }),
    });
    return formatUrl(presigned);
  }

  /**
   * What `getSignedUrl(client, new PutObjectCommand(…))` does before it signs (@aws-sdk/s3-request-presigner):
   * the endpoint's auth scheme gives the presigner's signing name and region; the client's middleware stack,
   * cut short before `awsAuthMiddleware`, gives the request; the SDK's per-invocation headers are dropped.
   */
  private uploadTemplate(): Promise<UploadTemplate> {
    this.template ??= this.resolveUploadTemplate().catch((error: unknown) => {
      this.template = undefined;
      throw error;
    });
    return this.template;
  }

  private async resolveUploadTemplate(): Promise<UploadTemplate> {
    const [{ PutObjectCommand, S3RequestPresigner, getEndpointFromInstructions }, client] = await Promise.all([sdk(), this.s3()]);
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: TEMPLATE_KEY, ContentLength: 0 });
    const endpoint = await getEndpointFromInstructions(command.input, PutObjectCommand, client.config);
    const authScheme = endpoint.properties?.authSchemes?.[0] as { signingRegion?: string; signingName?: string } | undefined;
    const region = authScheme?.signingRegion;
    const presigner = new S3RequestPresigner({ ...client.config, signingName: authScheme?.signingName, region: async () => region! });
    let captured: { request: HttpRequest; signing: UploadTemplate['signing'] } | undefined;
    const stack = client.middlewareStack.clone();
    // Building the template is not a call: only each presigned URL is (recordUnsentCall in presignUpload).
    stack.remove(RECORDER_MIDDLEWARE);
    stack.addRelativeTo(
      (_next: unknown, context: Record<string, unknown>) => async (args: { request: unknown }) => {
        captured = {
          request: args.request as HttpRequest,
          signing: { signingRegion: (context['signing_region'] as string | undefined) ?? region, signingService: context['signing_service'] as string | undefined },
        };
        return { response: {}, output: { $metadata: {} } };
      },
      { name: 'presignInterceptMiddleware', relation: 'before', toMiddleware: 'awsAuthMiddleware', override: true },
    );
    await command.resolveMiddleware(stack as never, client.config, {})({ input: command.input });
    if (!captured) throw new Error('the S3 client built no PutObject request to presign');
    const { request } = captured;
    for (const header of ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent']) delete request.headers[header];
    if (!request.path.endsWith(`/${TEMPLATE_KEY}`)) throw new Error(`unexpected PutObject path ${request.path}`);
    return { request, pathPrefix: request.path.slice(0, -TEMPLATE_KEY.length), presigner, signing: captured.signing };
  }

  async presignDownload(
    key: string,
    ttlSeconds: number,
    fileName: string,
    contentType: string,
    disposition: 'inline' | 'attachment' = 'attachment',
  ): Promise<string> {
    const [{ GetObjectCommand, getSignedUrl }, client] = await Promise.all([sdk(), this.s3()]);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: dispositionHeader(fileName, disposition),
      ResponseContentType: safeMediaType(contentType),
    });
    return getSignedUrl(client, command, { expiresIn: ttlSeconds });
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const [{ PutObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
    await client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }));
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<number> {
    const [{ Upload }, client] = await Promise.all([sdk(), this.s3()]);
    let size = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const piece of body) {
          size += piece.byteLength;
          yield piece;
        }
      })(),
    );
    // lib-storage's Upload: parts of 5 MiB, one in flight; it aborts the multipart upload itself when the body fails.
    const upload = new Upload({ client, params: { Bucket: this.bucket, Key: key, Body: counted, ContentType: contentType }, queueSize: 1, leavePartsOnError: false });
    await upload.done();
    return size;
  }

  /**
   * The source is read (HeadObject) and copied on the condition that it still has that ETag, so what this returns
   * is the size and ETag of the bytes the copy holds, comparable with an earlier HEAD of `fromKey` whichever way it
   * was copied (a multipart copy's own ETag is `"…-N"`, and on AWS so is a multipart upload's, never a CopyObject's).
   * Undefined when `fromKey` is gone or changed during the copy (then nothing is left at `toKey` by this call).
   */
  async copy(fromKey: string, toKey: string): Promise<ObjectInfo | undefined> {
    const source = await headCopySource(await this.s3(), this.bucket, fromKey, isMissingObject);
    if (!source) return undefined;
    try {
      await this.copyChecked(source, this.bucket, toKey);
    } catch (error) {
      if (sourceGone(error) || sourceChanged(error)) return undefined;
      throw error;
    }
    return { size: source.size, eTag: source.eTag };
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.headIn(this.bucket, key);
  }

  headReplica(key: string): Promise<ObjectInfo | undefined> {
    return this.headIn(this.replicaBucket, key);
  }

  async read(key: string, fromByte = 0): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
      const Range = fromByte > 0 ? `bytes=${fromByte}-` : undefined;
      const { Body } = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range }));
      if (!Body) throw new Error(`S3 answered GetObject ${key} without a body`);
      return Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async readAll(key: string, range?: { readonly start: number; readonly end: number }): Promise<Uint8Array> {
    const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
    const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
    let Body;
    try {
      ({ Body } = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range })));
    } catch (error) {
      if (isMissingObject(error)) throw new ObjectMissingError(key, { cause: error });
      throw error;
    }
    if (!Body) throw new Error(`S3 answered GetObject ${key} without a body`);
    return Body.transformToByteArray();
  }

  delete(key: string): Promise<void> {
    return this.deleteIn(this.bucket, key);
  }

  deleteReplica(key: string): Promise<void> {
    return this.deleteIn(this.replicaBucket, key);
  }

  /**
   * The copy is made on the condition that the source keeps the ETag read first ({@link copyChecked}); it is verified
   * by reading the replica back: the size of the source and the ETag the copy produced (a multipart copy's is not the
   * source's). 'mismatch' also when the source changed during the copy.
   */
  async replicate(key: string): Promise<'verified' | 'mismatch' | 'gone'> {
    const source = await headCopySource(await this.s3(), this.bucket, key, isMissingObject);
    if (!source) return 'gone';
    let copied: ObjectInfo;
    try {
      copied = { size: source.size, eTag: (await this.copyChecked(source, this.replicaBucket, key)) || source.eTag };
    } catch (error) {
      if (sourceGone(error)) return 'gone';
      if (sourceChanged(error)) return 'mismatch';
      throw error;
    }
    if (await this.replicaMatches(key, copied)) return 'verified';
    // Two runs may copy the same object at once (a duplicate event, the sweeper): what one reads while the other
    // writes can differ for a moment where the store is not atomic (s3rver). A copy that is really wrong stays wrong.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = await this.head(key);
    if (!settled) return 'gone';
    return settled.eTag === source.eTag && (await this.replicaMatches(key, copied)) ? 'verified' : 'mismatch';
  }

  private async replicaMatches(key: string, copied: ObjectInfo): Promise<boolean> {
    const copy = await this.headReplica(key);
    return copy !== undefined && copy.size === copied.size && copy.eTag === copied.eTag;
  }

  /**
   * Copies `source` to `toBucket`/`toKey` if it still has the ETag it was read with (`x-amz-copy-source-if-match`:
   * S3 answers 412 PreconditionFailed otherwise); resolves with the copy's ETag. Up to {@link multipartCopyBytes}
   * one CopyObject (S3 refuses a source over 5 GiB); above, a multipart copy (lib/store/multipart-copy.ts). S3 may
   * answer a copy 200 and then an error in the body (API_CopyObject.html): the SDK reads that as the error it is,
   * which the client's retries cover.
   */
  private async copyChecked(source: CopySource, toBucket: string, toKey: string): Promise<string> {
    const [{ CopyObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
    if (source.size > this.multipartCopyBytes) {
      return copyInParts(client, source, toBucket, toKey, Math.min(this.multipartCopyBytes, COPY_PART_BYTES));
    }
    const { CopyObjectResult } = await client.send(
      new CopyObjectCommand({ Bucket: toBucket, Key: toKey, CopySource: copySourceHeader(source.bucket, source.key), CopySourceIfMatch: source.eTag }),
      S3_LONG_CALL,
    );
    return CopyObjectResult?.ETag ?? '';
  }

  private async deleteIn(bucket: string, key: string): Promise<void> {
    const [{ DeleteObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  private async headIn(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const [{ HeadObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: head.ContentLength ?? 0, eTag: head.ETag ?? '' };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }
}
