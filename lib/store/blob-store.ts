import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { dispositionHeader, safeMediaType } from '../http/headers';
import type { BlobStore, ObjectInfo } from '../domain/ports';



/** True for S3's "no such object" in its several spellings (HEAD has no body, so only a 404). */
export function isMissingObject(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly replicaBucket: string,
  ) {}

  presignUpload(key: string, ttlSeconds: number, declaredSize?: number): Promise<string> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: declaredSize });
    return getSignedUrl(this.s3, command, {
      expiresIn: ttlSeconds,
      // The SDK PUTs without a Content-Type: the URL must not require one.
      unhoistableHeaders: declaredSize === undefined ? undefined : new Set(['content-length']),
    });
  }

  presignDownload(
    key: string,
    ttlSeconds: number,
    fileName: string,
    contentType: string,
    disposition: 'inline' | 'attachment' = 'attachment',
  ): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: dispositionHeader(fileName, disposition),
      ResponseContentType: safeMediaType(contentType),
    });
    return getSignedUrl(this.s3, command, { expiresIn: ttlSeconds });
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async copy(fromKey: string, toKey: string): Promise<ObjectInfo | undefined> {
    try {
      const { CopyObjectResult } = await this.s3.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: toKey, CopySource: `${this.bucket}/${fromKey}` }),
      );
      const copy = await this.head(toKey);
      return copy && { size: copy.size, eTag: CopyObjectResult?.ETag ?? copy.eTag };
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
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!Body) throw new Error(`Object ${key} has no body`);
      return Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async readAll(key: string, range?: { readonly start: number; readonly end: number }): Promise<Uint8Array> {
    const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range }));
    if (!Body) throw new Error(`Object ${key} has no body`);
    return Body.transformToByteArray();
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deleteReplica(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.replicaBucket, Key: key }));
  }

  async replicate(key: string): Promise<'verified' | 'mismatch' | 'gone'> {
    const source = await this.head(key);
    if (!source) return 'gone';
    try {
      await this.s3.send(
        new CopyObjectCommand({ Bucket: this.replicaBucket, Key: key, CopySource: `${this.bucket}/${key}` }),
      );
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

  private async headIn(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: head.ContentLength ?? 0, eTag: head.ETag ?? '' };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }
}
