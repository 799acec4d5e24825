import type { S3Client } from '@aws-sdk/client-s3';
import { S3_LONG_CALL } from './clients';
import { isMissingObject } from './blob-store';
import { copyInParts, copySourceHeader, headCopySource, isSourceChanged, isSourceGone, S3_COPY_LIMITS, type CopyContinued, type CopySource } from './multipart-copy';
import type { BlobCopyStore, BlobStore, CopySlice, ObjectInfo } from '../core/ports';

/** CopyObject and the multipart commands, loaded on first use (lib/store/s3-commands.ts explains why). */
let s3MultipartCommands: Promise<typeof import('./s3-multipart-commands')> | undefined;
const copyCommands = () => (s3MultipartCommands ??= import('./s3-multipart-commands'));

const isContinued = (copied: string | CopyContinued): copied is CopyContinued => typeof copied !== 'string';

/** The part size a multipart copy prefers (bytes): few parts, each a few seconds of S3's own copying. */
const COPY_PART_BYTES = 512 * 1024 * 1024;

/**
 * The lifecycle's copies through `@aws-sdk/client-s3`: `uploads/` to `files/` at the commit and `files/` to the replica
 * bucket, of any size (CopyObject up to S3's 5 GiB, a multipart copy above: lib/store/multipart-copy.ts). Only the
 * functions that copy (object-created, sweep-stranded: lib/app/blob-copies.ts) carry it. Errors are the SDK's.
 */
export class S3BlobCopyStore implements BlobCopyStore {
  /**
   * @param blobs the same buckets' {@link BlobStore}: the replica is verified by HeadObject through it.
   * @param multipartCopyBytes sources larger than this (bytes) are copied in parts ({@link copyChecked}); S3's CopyObject
   *   limit (5 GiB) unless configured lower (MULTIPART_COPY_THRESHOLD_BYTES, lib/config.ts: tests).
   */
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
    private readonly replicaBucket: string,
    private readonly blobs: Pick<BlobStore, 'head' | 'headReplica'>,
    private readonly multipartCopyBytes: number = S3_COPY_LIMITS.maxCopyObjectBytes,
  ) {}

  /**
   * The source is read (HeadObject) and copied on the condition that it still has that ETag, so what this returns
   * is the size and ETag of the bytes the copy holds, comparable with an earlier HEAD of `fromKey` whichever way it
   * was copied (a multipart copy's own ETag is `"…-N"`, and on AWS so is a multipart upload's, never a CopyObject's).
   * Undefined when `fromKey` is gone or changed during the copy (then nothing is left at `toKey` by this call);
   * 'continued' when a copy in parts stopped at the end of `slice` (the next call with the same keys resumes it).
   */
  async copy(fromKey: string, toKey: string, slice?: CopySlice): Promise<ObjectInfo | 'continued' | undefined> {
    const source = await headCopySource(await this.s3(), this.bucket, fromKey, isMissingObject);
    if (!source) return undefined;
    try {
      if (isContinued(await this.copyChecked(source, this.bucket, toKey, slice))) return 'continued';
    } catch (error) {
      if (isSourceGone(error) || isSourceChanged(error)) return undefined;
      throw error;
    }
    return { size: source.size, eTag: source.eTag };
  }

  /**
   * The copy is made on the condition that the source keeps the ETag read first ({@link copyChecked}); it is verified
   * by reading the replica back: the size of the source and the ETag the copy produced (a multipart copy's is not the
   * source's). 'mismatch' also when the source changed during the copy; 'continued' when a copy in parts stopped at the
   * end of `slice` (the next call resumes it).
   */
  async replicate(key: string, slice?: CopySlice): Promise<'verified' | 'mismatch' | 'gone' | 'continued'> {
    const source = await headCopySource(await this.s3(), this.bucket, key, isMissingObject);
    if (!source) return 'gone';
    let copied: ObjectInfo;
    try {
      const eTag = await this.copyChecked(source, this.replicaBucket, key, slice);
      if (isContinued(eTag)) return 'continued';
      copied = { size: source.size, eTag: eTag || source.eTag };
    } catch (error) {
      if (isSourceGone(error)) return 'gone';
      if (isSourceChanged(error)) return 'mismatch';
      throw error;
    }
    if (await this.replicaMatches(key, copied)) return 'verified';
    // Two runs may copy the same object at once (a duplicate event, the sweeper): what one reads while the other
    // writes can differ for a moment where the store is not atomic (s3rver). A copy that is really wrong stays wrong.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = await this.blobs.head(key);
    if (!settled) return 'gone';
    return settled.eTag === source.eTag && (await this.replicaMatches(key, copied)) ? 'verified' : 'mismatch';
  }

  private async replicaMatches(key: string, copied: ObjectInfo): Promise<boolean> {
    const copy = await this.blobs.headReplica(key);
    return copy !== undefined && copy.size === copied.size && copy.eTag === copied.eTag;
  }

  /**
   * Copies `source` to `toBucket`/`toKey` if it still has the ETag it was read with (`x-amz-copy-source-if-match`:
   * S3 answers 412 PreconditionFailed otherwise); resolves with the copy's ETag. Up to {@link multipartCopyBytes}
   * one CopyObject (S3 refuses a source over 5 GiB); above, a multipart copy (lib/store/multipart-copy.ts), resumable:
   * with a `slice` it may stop early ({@link CopyContinued}) and the next call with the same target goes on. S3 may
   * answer a copy 200 and then an error in the body (API_CopyObject.html): the SDK reads that as the error it is,
   * which the client's retries cover.
   */
  private async copyChecked(source: CopySource, toBucket: string, toKey: string, slice?: CopySlice): Promise<string | CopyContinued> {
    const [{ CopyObjectCommand }, client] = await Promise.all([copyCommands(), this.s3()]);
    if (source.size > this.multipartCopyBytes) {
      return copyInParts(client, source, toBucket, toKey, Math.min(this.multipartCopyBytes, COPY_PART_BYTES), slice);
    }
    const { CopyObjectResult } = await client.send(
      new CopyObjectCommand({ Bucket: toBucket, Key: toKey, CopySource: copySourceHeader(source.bucket, source.key), CopySourceIfMatch: source.eTag }),
      S3_LONG_CALL,
    );
    return CopyObjectResult?.ETag ?? '';
  }

}
