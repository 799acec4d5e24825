import type { S3Client } from '@aws-sdk/client-s3';
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
const sdk = () => import('./s3-commands');

/** An S3 key as the `CopySource` of a copy: `bucket/key`, the key URL-encoded (S3 decodes x-amz-copy-source), `/` kept. */
const copySource = (bucket: string, key: string) => `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;

/**
 * File bytes in S3 through `@aws-sdk/client-s3` and `@aws-sdk/s3-request-presigner`: the files bucket
 * (uploads/ and files/) and its replica. Errors are the SDK's (`name` = S3's error code,
 * `$metadata.httpStatusCode`), retried by the client's settings (lib/store/clients.ts).
 */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
    private readonly replicaBucket: string,
  ) {}

  async presignUpload(key: string, ttlSeconds: number, declaredSize?: number): Promise<string> {
    const [{ PutObjectCommand, getSignedUrl }, client] = await Promise.all([sdk(), this.s3()]);
    // Signs Content-Length when declared (S3 then refuses another size); never a Content-Type: clients
    // (the official Apillon SDK) PUT without one. Content-Length stays a signed header, not a query parameter.
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: declaredSize });
    return getSignedUrl(client, command, {
      expiresIn: ttlSeconds,
      ...(declaredSize === undefined ? {} : { unhoistableHeaders: new Set(['content-length']) }),
    });
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

  async copy(fromKey: string, toKey: string): Promise<ObjectInfo | undefined> {
    try {
      const eTag = await this.copyObject(this.bucket, fromKey, this.bucket, toKey);
      const copy = await this.head(toKey);
      return copy && { size: copy.size, eTag: eTag || copy.eTag };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.headIn(this.bucket, key);
  }

  headReplica(key: string): Promise<ObjectInfo | undefined> {
    return this.headIn(this.replicaBucket, key);
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
      const { Body } = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
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

  async replicate(key: string): Promise<'verified' | 'mismatch' | 'gone'> {
    const source = await this.head(key);
    if (!source) return 'gone';
    try {
      await this.copyObject(this.bucket, key, this.replicaBucket, key);
    } catch (error) {
      if (isMissingObject(error)) return 'gone';
      throw error;
    }
    if (await this.replicaMatches(key, source)) return 'verified';
    // Two runs may copy the same object at once (a duplicate event, the sweeper): what one reads while the other
    // writes can differ for a moment where the store is not atomic (s3rver). A copy that is really wrong stays wrong.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = await this.head(key);
    if (!settled) return 'gone';
    return (await this.replicaMatches(key, settled)) ? 'verified' : 'mismatch';
  }

  private async replicaMatches(key: string, source: ObjectInfo): Promise<boolean> {
    const copy = await this.headReplica(key);
    return copy !== undefined && copy.size === source.size && copy.eTag === source.eTag;
  }

  /**
   * CopyObject; resolves with the copy's ETag. S3 may answer a copy 200 and then an error in the body
   * (API_CopyObject.html): the SDK reads that as the error it is, which the client's retries cover.
   */
  private async copyObject(fromBucket: string, fromKey: string, toBucket: string, toKey: string): Promise<string> {
    const [{ CopyObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
    const { CopyObjectResult } = await client.send(new CopyObjectCommand({ Bucket: toBucket, Key: toKey, CopySource: copySource(fromBucket, fromKey) }));
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
