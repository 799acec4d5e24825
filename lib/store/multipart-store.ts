import type { S3Client } from '@aws-sdk/client-s3';
import { S3_LONG_CALL } from './clients';
import type { CompletedPart, CompletionRefusal, MultipartUploadStore, OpenMultipartUpload, UploadedPart } from '../core/ports/multipart-uploads';
import { isNoSuchUpload, listOpenUploads, listUploadParts } from './s3-multipart-listing';

/** The S3 SDK's common and multipart commands, loaded on first use (lib/store/s3-commands.ts explains why); the promise kept. */
let s3Commands: Promise<typeof import('./s3-commands') & typeof import('./s3-multipart-commands')> | undefined;
const sdk = () => (s3Commands ??= Promise.all([import('./s3-commands'), import('./s3-multipart-commands')]).then(([common, multipart]) => ({ ...common, ...multipart })));

const REFUSALS: ReadonlySet<string> = new Set<CompletionRefusal>(['NoSuchUpload', 'InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

/**
 * S3 multipart uploads in the files bucket through `@aws-sdk/client-s3` and its presigner. S3's
 * refusals the domain acts on come back as values (NoSuchUpload, the completion refusals); every
 * other error is the SDK's, thrown after the client's retries (lib/store/clients.ts).
 */
export class S3MultipartStore implements MultipartUploadStore {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
  ) {}

  async create(key: string, contentType: string): Promise<string> {
    const [{ CreateMultipartUploadCommand }, client] = await Promise.all([sdk(), this.s3()]);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
    if (!UploadId) throw new Error(`S3 answered CreateMultipartUpload ${key} without an UploadId`);
    return UploadId;
  }

  async presignPart(key: string, uploadId: string, partNumber: number, contentLength: number, ttlSeconds: number): Promise<string> {
    const [{ UploadPartCommand, getSignedUrl }, client] = await Promise.all([sdk(), this.s3()]);
    const command = new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, ContentLength: contentLength });
    // Content-Length stays a signed header (as the single PUT's): S3 refuses a part of another size.
    return getSignedUrl(client, command, { expiresIn: ttlSeconds, unhoistableHeaders: new Set(['content-length']) });
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[] | undefined> {
    return listUploadParts(await this.s3(), this.bucket, key, uploadId);
  }

  async complete(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<CompletionRefusal | undefined> {
    const [{ CompleteMultipartUploadCommand }, client] = await Promise.all([sdk(), this.s3()]);
    try {
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.eTag })) },
        }),
        // S3 assembles the parts before it answers (minutes for a large object): not the 8 s of a GET.
        S3_LONG_CALL,
      );
      return undefined;
    } catch (error) {
      const name = (error as Error | undefined)?.name ?? '';
      if (REFUSALS.has(name)) return name as CompletionRefusal;
      throw error;
    }
  }

  async abort(key: string, uploadId: string): Promise<boolean> {
    const [{ AbortMultipartUploadCommand }, client] = await Promise.all([sdk(), this.s3()]);
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
      return true;
    } catch (error) {
      if (isNoSuchUpload(error)) return false;
      throw error;
    }
  }

  async listOpen(prefix: string, beforeIso: string, limit: number): Promise<OpenMultipartUpload[]> {
    return listOpenUploads(await this.s3(), this.bucket, prefix, limit, (upload) => upload.initiated < beforeIso);
  }
}
