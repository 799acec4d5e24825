import type { S3Client } from '@aws-sdk/client-s3';
import { S3_LONG_CALL } from './clients';
import { isMissingObject } from './blob-store';
import type { CopySlice } from '../core/ports';
import { isNoSuchUpload, listOpenUploads, listUploadParts } from './s3-multipart-listing';

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

/** A copy in parts that stopped at the end of its slice: the parts S3 holds so far, of how many (resumed by the next call). */
export interface CopyContinued {
  readonly continued: true;
  readonly copiedParts: number;
  readonly partCount: number;
}

/**
 * Copies `source` to `toBucket`/`toKey` as a multipart upload, resumable across invocations (issue 21: a copy of up to
 * 5 TiB outlasts one). The upload is the earliest open one S3 lists for `toKey` (ListMultipartUploads: the one an earlier
 * call began; concurrent calls thus converge on one), else a new one (CreateMultipartUpload with the source's
 * Content-Type and metadata, as CopyObject keeps them). The parts S3 already holds at the size {@link copyParts} plans
 * (ListParts) are kept; each missing range is copied by UploadPartCopy with `CopySourceIfMatch` = the source's ETag (so
 * every part, in this call or an earlier one, comes from the object the caller checked), at most 8 at a time. Then
 * CompleteMultipartUpload. The parts run inside S3: the function's memory does not grow with the object.
 *
 * With a `slice`, no part is started once `slice.maxMs` ms have passed or `slice.maxBytes` bytes of parts were started
 * (at least one part is, so every call makes progress): the call then resolves with {@link CopyContinued} and the
 * upload stays open for the next call. Resuming is safe only where `toKey` names this source's bytes alone (the
 * callers' keys are per file version: lib/core/lifecycle/lifecycle.ts).
 *
 * A source that is gone (`NoSuchKey`/404) or changed (`PreconditionFailed`, 412) aborts the upload and is thrown as it
 * came. Any other failure is thrown with the upload left open for a retry to resume (the bucket's
 * AbortIncompleteMultipartUpload rule ends one that nobody resumes, 7 days after it began).
 * @returns the copy's ETag (S3's multipart ETag, `"…-N"`: not the source's), or {@link CopyContinued}.
 */
export async function copyInParts(
  client: S3Client,
  source: CopySource,
  toBucket: string,
  toKey: string,
  preferredPartBytes: number,
  slice?: CopySlice,
): Promise<string | CopyContinued> {
  const { CreateMultipartUploadCommand, UploadPartCopyCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand, HeadObjectCommand } = await sdk();
  const started = Date.now();
  const parts = copyParts(source.size, preferredPartBytes);
  const [open] = (await listOpenUploads(client, toBucket, toKey, 1_000, (upload) => upload.key === toKey)).sort((a, b) => a.initiated.localeCompare(b.initiated));
  let uploadId = open?.uploadId;
  const eTags: (string | undefined)[] = new Array<string | undefined>(parts.length);
  if (uploadId) {
    const held = await listUploadParts(client, toBucket, toKey, uploadId);
    if (held === undefined) uploadId = undefined; // completed or aborted since it was listed
    for (const part of held ?? []) {
      const planned = parts[part.partNumber - 1];
      if (planned && part.size === planned.end - planned.start + 1 && part.eTag) eTags[part.partNumber - 1] = part.eTag;
    }
  }
  if (!uploadId) {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: toBucket, Key: toKey, ContentType: source.contentType, Metadata: source.metadata }),
    );
    if (!UploadId) throw new Error(`S3 answered CreateMultipartUpload ${toKey} without an UploadId`);
    uploadId = UploadId;
  }
  const missing = parts.filter((part) => eTags[part.partNumber - 1] === undefined);
  let next = 0;
  let startedBytes = 0;
  let failed = false;
  const sliceOver = () => slice !== undefined && next > 0 && (Date.now() - started >= slice.maxMs || (slice.maxBytes !== undefined && startedBytes >= slice.maxBytes));
  const worker = async () => {
    while (!failed && next < missing.length && !sliceOver()) {
      const part = missing[next++]!;
      startedBytes += part.end - part.start + 1;
      try {
        const { CopyPartResult } = await client.send(
          new UploadPartCopyCommand({
            Bucket: toBucket,
            Key: toKey,
            UploadId: uploadId,
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
  try {
    // Every worker settles before an abort: S3 may keep a part copied while the upload is aborted (API_AbortMultipartUpload).
    const settled = await Promise.allSettled(Array.from({ length: Math.min(COPY_CONCURRENCY, missing.length) }, worker));
    const refused = settled.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
    const copiedParts = eTags.filter((eTag) => eTag !== undefined).length;
    if (copiedParts < parts.length) return { continued: true, copiedParts, partCount: parts.length };
    try {
      const completed = await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: toBucket,
          Key: toKey,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part, index) => ({ PartNumber: part.partNumber, ETag: eTags[index] })) },
        }),
        S3_LONG_CALL,
      );
      return completed.ETag ?? '';
    } catch (error) {
      // A concurrent call (a duplicate event, the sweeper) resumed the same upload and completed it first: its object
      // is this copy (the same parts of the same source).
      if (!isNoSuchUpload(error)) throw error;
      const head = await client.send(new HeadObjectCommand({ Bucket: toBucket, Key: toKey }));
      if (head.ContentLength !== source.size) throw error;
      return head.ETag ?? '';
    }
  } catch (error) {
    if (isSourceGone(error) || isSourceChanged(error)) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: toBucket, Key: toKey, UploadId: uploadId })).catch(() => undefined);
    }
    throw error;
  }
}

/** A copy refused because its source is gone: NoSuchKey, or a 404 that is not the target upload's NoSuchUpload. */
export function isSourceGone(error: unknown): boolean {
  return (error as Error | undefined)?.name !== 'NoSuchUpload' && isMissingObject(error);
}

/** A copy refused because its source no longer has the ETag it was read with (`x-amz-copy-source-if-match`: 412). */
export function isSourceChanged(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return (error as Error | undefined)?.name === 'PreconditionFailed' || status === 412;
}
