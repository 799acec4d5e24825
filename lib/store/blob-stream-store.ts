import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobStreamStore } from '../core/ports';

/** lib-storage's Upload, loaded on first use (lib/store/s3-commands.ts explains why): only this store's functions carry it. */
let s3Upload: Promise<typeof import('./s3-upload')> | undefined;
const sdk = () => (s3Upload ??= import('./s3-upload'));

/**
 * Objects written as they are produced, in the files bucket, through `@aws-sdk/lib-storage`'s multipart `Upload`
 * (`@aws-sdk/client-s3` underneath): the trustless gateway's derived CARs (lib/app/blob-streams.ts). Errors are the SDK's.
 */
export class S3BlobStreamStore implements BlobStreamStore {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    private readonly bucket: string,
  ) {}

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

}
