import type { BlobStreamStore } from '../core/ports';
import { S3BlobStreamStore } from '../store/blob-stream-store';
import { extension, type CoreServices } from './core-services';

/** What the trustless gateway (the /ipfs and /ipns functions) adds to write the CARs it derives. */
export interface BlobStreamServices {
  /** Objects written as they are produced, with bounded memory (lib/core/ports/blob-store.ts). */
  readonly blobStreams: BlobStreamStore;
}

/** The stream store of `core`'s files bucket. */
export function blobStreamsOf(core: CoreServices): BlobStreamServices {
  return { blobStreams: new S3BlobStreamStore(core.clients.s3, core.config.FILES_BUCKET) };
}

/** The core services with the stream store (built once per core services object). */
export const withBlobStreams = extension(blobStreamsOf);
