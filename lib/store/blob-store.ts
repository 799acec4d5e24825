import { type S3Client } from './s3-client';
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
    // Signs Content-Length when declared (S3 then refuses another size); never a Content-Type: clients PUT without one.
    return this.s3.presignPutObject(this.bucket, key, ttlSeconds, declaredSize);
  }

  presignDownload(
    key: string,
    ttlSeconds: number,
    fileName: string,
    contentType: string,
    disposition: 'inline' | 'attachment' = 'attachment',
  ): Promise<string> {
    return this.s3.presignGetObject(this.bucket, key, ttlSeconds, {
      'response-content-disposition': dispositionHeader(fileName, disposition),
      'response-content-type': safeMediaType(contentType),
    });
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.putObject(this.bucket, key, body, contentType);
  }

  async copy(fromKey: string, toKey: string): Promise<ObjectInfo | undefined> {
    try {
      const { eTag } = await this.s3.copyObject({ bucket: this.bucket, key: fromKey }, { bucket: this.bucket, key: toKey });
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
      return await this.s3.getObject(this.bucket, key);
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async readAll(key: string, range?: { readonly start: number; readonly end: number }): Promise<Uint8Array> {
    return this.s3.getObjectBytes(this.bucket, key, range);
  }

  async delete(key: string): Promise<void> {
    await this.s3.deleteObject(this.bucket, key);
  }

  async deleteReplica(key: string): Promise<void> {
    await this.s3.deleteObject(this.replicaBucket, key);
  }

  async replicate(key: string): Promise<'verified' | 'mismatch' | 'gone'> {
    const source = await this.head(key);
    if (!source) return 'gone';
    try {
      await this.s3.copyObject({ bucket: this.bucket, key }, { bucket: this.replicaBucket, key });
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
      const head = await this.s3.headObject(bucket, key);
      return { size: head.contentLength, eTag: head.eTag };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }
}
