import type { S3Client } from '@aws-sdk/client-s3';
import { S3_LONG_CALL } from './clients';

/**
 * The S3 SDK's common and multipart commands, loaded on first use (lib/store/s3-commands.ts explains why); the promise
 * kept, as in blob-store.ts.
 */
let s3Commands: Promise<typeof import('./s3-commands') & typeof import('./s3-multipart-commands')> | undefined;
const sdk = () => (s3Commands ??= Promise.all([import('./s3-commands'), import('./s3-multipart-commands')]).then(([common, multipart]) => ({ ...common, ...multipart })));

const MIB = 1024 * 1024;

/**
 * S3's limits on a copy (API_CopyObject, API_UploadPartCopy, "Amazon S3 multipart upload limits"): CopyObject takes
 * a source of at most 5 GiB; a multipart copy has at most 10,000 parts of 5 MiB to 5 GiB each (the last may be smaller).
 */
export const S3_COPY_LIMITS = {
  maxCopyObjectBytes: 5 * 1024 * MIB,
  minPartBytes: 5 * MIB,
  maxPartBytes: 5 * 1024 * MIB,
  maxParts: 10_000,
} as const;

/** Parts copied at once: UploadPartCopy runs inside S3, so the function only holds open requests. */
const COPY_CONCURRENCY = 8;

/** A part of a multipart copy: the source's bytes `start`…`end` (inclusive, as in `x-amz-copy-source-range`). */
export interface CopyPart {
  readonly partNumber: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The parts a multipart copy of `size` bytes is made of: equal parts of `preferredPartBytes` (rounded up to whole
 * MiB), larger when 10,000 of them would not hold the object, never under 5 MiB; the last holds the rest.
 * @throws RangeError for a size S3 cannot hold in one object (over 10,000 parts of 5 GiB) or not a positive integer.
 */
export function copyParts(size: number, preferredPartBytes: number): CopyPart[] {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`cannot copy ${size} bytes in parts`);
  const fewestParts = Math.ceil(Math.ceil(size / S3_COPY_LIMITS.maxParts) / MIB) * MIB;
  const partBytes = Math.max(S3_COPY_LIMITS.minPartBytes, Math.ceil(preferredPartBytes / MIB) * MIB, fewestParts);
  if (partBytes > S3_COPY_LIMITS.maxPartBytes) throw new RangeError(`${size} bytes exceed S3's largest object (10,000 parts of 5 GiB)`);
  const parts: CopyPart[] = [];
  for (let start = 0; start < size; start += partBytes) {
    parts.push({ partNumber: parts.length + 1, start, end: Math.min(start + partBytes, size) - 1 });
  }
  return parts;
}

/** The source of a copy as HeadObject gives it: what the copy must match and carry over. */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  /** Bytes. */
  readonly size: number;
  /** S3's ETag, quotes included: every part is copied with `x-amz-copy-source-if-match` on it. */
  readonly eTag: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

/** HeadObject of a copy's source; undefined when it does not exist. Errors other than "not found" are the SDK's. */
export async function headCopySource(client: S3Client, bucket: string, key: string, isMissing: (error: unknown) => boolean): Promise<CopySource | undefined> {
  const { HeadObjectCommand } = await sdk();
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { bucket, key, size: head.ContentLength ?? 0, eTag: head.ETag ?? '', contentType: head.ContentType, metadata: head.Metadata };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** An S3 key as the `CopySource` of a copy: `bucket/key`, the key URL-encoded (S3 decodes x-amz-copy-source), `/` kept. */
export const copySourceHeader = (bucket: string, key: string) => `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;

/**
 * Copies `source` to `toBucket`/`toKey` as a multipart upload: CreateMultipartUpload (the source's Content-Type and
 * metadata, as CopyObject keeps them), UploadPartCopy of each {@link copyParts} range with `CopySourceIfMatch` =
 * the source's ETag (so every part comes from the same object, the one the caller checked), at most 8 at a time,
 * then CompleteMultipartUpload. The parts run inside S3: the function's memory does not grow with the object.
 *
 * Any failure aborts the target upload (best effort: an abort that fails too leaves the upload to the bucket's
 * AbortIncompleteMultipartUpload rule) and is thrown as it came: the SDK's error, `PreconditionFailed` (412) when the
 * source changed, `NoSuchKey`/404 when it vanished. Not resumable: one invocation copies the whole object (the
 * bound this puts on a file's size is in the README, "Large files").
 * @returns the copy's ETag (S3's multipart ETag, `"…-N"`: not the source's).
 */
export async function copyInParts(client: S3Client, source: CopySource, toBucket: string, toKey: string, preferredPartBytes: number): Promise<string> {
  const { CreateMultipartUploadCommand, UploadPartCopyCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand } = await sdk();
  const parts = copyParts(source.size, preferredPartBytes);
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: toBucket, Key: toKey, ContentType: source.contentType, Metadata: source.metadata }),
  );
  if (!UploadId) throw new Error(`S3 answered CreateMultipartUpload ${toKey} without an UploadId`);
  try {
    const eTags: string[] = new Array<string>(parts.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < parts.length) {
        const part = parts[next++]!;
        try {
          const { CopyPartResult } = await client.send(
            new UploadPartCopyCommand({
              Bucket: toBucket,
              Key: toKey,
              UploadId,
              PartNumber: part.partNumber,
              CopySource: copySourceHeader(source.bucket, source.key),
              CopySourceRange: `bytes=${part.start}-${part.end}`,
              CopySourceIfMatch: source.eTag,
            }),
            S3_LONG_CALL,
          );
          if (!CopyPartResult?.ETag) throw new Error(`S3 answered UploadPartCopy ${toKey} part ${part.partNumber} without an ETag`);
          eTags[part.partNumber - 1] = CopyPartResult.ETag;
        } catch (error) {
          failed = true; // the other workers stop taking parts
          throw error;
        }
      }
    };
    // Every worker settles before an abort: S3 may keep a part copied while the upload is aborted (API_AbortMultipartUpload).
    const settled = await Promise.allSettled(Array.from({ length: Math.min(COPY_CONCURRENCY, parts.length) }, worker));
    const refused = settled.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: toBucket,
        Key: toKey,
        UploadId,
        MultipartUpload: { Parts: parts.map((part, index) => ({ PartNumber: part.partNumber, ETag: eTags[index] })) },
      }),
      S3_LONG_CALL,
    );
    return completed.ETag ?? '';
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: toBucket, Key: toKey, UploadId })).catch(() => undefined);
    throw error;
  }
}
