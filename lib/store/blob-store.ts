import type { S3Client } from '@aws-sdk/client-s3';
import type { HttpRequest } from '@smithy/core/protocols';
import { RECORDER_MIDDLEWARE, recordUnsentCall } from './aws-call-record';
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
 * (uploads/ and files/) and its replica. Copies and streamed writes are stores of their own (blob-copy-store.ts,
 * blob-stream-store.ts): only the functions that make them carry their S3 machinery. Errors are the SDK's (`name` = S3's error code,
 * `$metadata.httpStatusCode`), retried by the client's settings (lib/store/clients.ts).
 */
export class S3BlobStore implements BlobStore {
  /** Resolved once per store (a warm container keeps it): see {@link uploadTemplate}. Reset when resolving fails. */
  private template?: Promise<UploadTemplate>;

  /**
   * @param clock the signing time of presigned URLs (tests fix it to compare with the SDK's getSignedUrl).
   */
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
    private readonly replicaBucket: string,
    private readonly clock: () => Date = () => new Date(),
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
