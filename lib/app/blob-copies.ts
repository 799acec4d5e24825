import type { BlobCopyStore, CopySlice } from '../core/ports';
import type { StorageDeps } from '../core/ports/storage';
import { S3BlobCopyStore } from '../store/blob-copy-store';
import { extension, sliceOf, type CoreServices } from './core-services';

/** What the lifecycle's commit and replication steps add to the core services (object-created, sweep-stranded). */
export interface BlobCopyServices {
  /** Copies `uploads/` to `files/` and `files/` to the replica bucket, of any size (lib/core/ports/blob-store.ts). */
  readonly blobCopies: BlobCopyStore;
  /** How much of a copy in parts one invocation does (COPY_SLICE_SECONDS, COPY_SLICE_BYTES) before the queue takes it on. */
  readonly copySlice: CopySlice;
}

/** The copy store of `core`'s buckets (multipart copies above MULTIPART_COPY_THRESHOLD_BYTES, lib/config.ts), which reads objects' heads through `core.blobs`. */
export function blobCopiesOf(core: CoreServices & Pick<StorageDeps, 'blobs'>): BlobCopyServices {
  const { FILES_BUCKET, REPLICA_BUCKET, MULTIPART_COPY_THRESHOLD_BYTES, COPY_SLICE_SECONDS, COPY_SLICE_BYTES } = core.config;
  return {
    blobCopies: new S3BlobCopyStore(core.clients.s3, FILES_BUCKET, REPLICA_BUCKET, core.blobs, MULTIPART_COPY_THRESHOLD_BYTES),
    copySlice: sliceOf(COPY_SLICE_SECONDS, COPY_SLICE_BYTES),
  };
}

/** The core services with the copy store (built once per core services object), on services that hold the blob store (lib/app/stores.ts `blobs`). */
export const withBlobCopies = extension<BlobCopyServices, Pick<StorageDeps, 'blobs'>>(blobCopiesOf);
