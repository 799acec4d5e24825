import type { S3Client } from '@aws-sdk/client-s3';
import type { OpenMultipartUpload, UploadedPart } from '../core/ports/multipart-uploads';

/** The multipart commands, loaded on first use (lib/store/s3-commands.ts explains why); the promise kept. */
let commands: Promise<typeof import('./s3-multipart-commands')> | undefined;
const sdk = () => (commands ??= import('./s3-multipart-commands'));

/** S3's "the upload does not exist" (aborted, completed, never made): `NoSuchUpload`, or a 404 without a body's code. */
export function isNoSuchUpload(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NoSuchUpload' || status === 404;
}

/**
 * Every part S3 holds of upload `uploadId` of `bucket`/`key` (ListParts, 1,000 a page: 10 pages for 10,000 parts), in
 * ascending part number; undefined when the upload does not exist (any more). Other errors are the SDK's. Shared by the
 * clients' multipart uploads (multipart-store.ts: resume after a crash) and the lifecycle's copies in parts
 * (multipart-copy.ts: a copy resumed in the next invocation).
 */
export async function listUploadParts(client: S3Client, bucket: string, key: string, uploadId: string): Promise<UploadedPart[] | undefined> {
  const { ListPartsCommand } = await sdk();
  const parts: UploadedPart[] = [];
  let marker: string | undefined;
  try {
    for (;;) {
      const page = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
      for (const part of page.Parts ?? []) {
        parts.push({ partNumber: part.PartNumber ?? 0, size: part.Size ?? 0, eTag: part.ETag ?? '' });
      }
      if (!page.IsTruncated || page.NextPartNumberMarker === undefined || page.NextPartNumberMarker === marker) break;
      marker = page.NextPartNumberMarker;
    }
  } catch (error) {
    if (isNoSuchUpload(error)) return undefined;
    throw error;
  }
  return parts;
}

/**
 * The open multipart uploads of `bucket` under `prefix` (ListMultipartUploads, paged; S3 lists them by key, then by
 * initiation time) that `accept` takes, at most `limit`. Errors are the SDK's.
 */
export async function listOpenUploads(client: S3Client, bucket: string, prefix: string, limit: number, accept: (upload: OpenMultipartUpload) => boolean = () => true): Promise<OpenMultipartUpload[]> {
  const { ListMultipartUploadsCommand } = await sdk();
  const open: OpenMultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
    for (const upload of page.Uploads ?? []) {
      const found = { key: upload.Key ?? '', uploadId: upload.UploadId ?? '', initiated: upload.Initiated?.toISOString() ?? '' };
      if (found.key && found.uploadId && accept(found)) open.push(found);
      if (open.length >= limit) return open;
    }
    if (!page.IsTruncated) return open;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
