import type { MultipartUploadStore } from '../core/ports/multipart-uploads';
import { S3MultipartStore } from '../store/multipart-store';
import { extension, type CoreServices } from './core-services';

/** What the multipart routes (lib/core/upload/multipart.ts) and the sweeper's stale-upload abort use. */
export interface MultipartServices {
  /** S3 multipart uploads in the files bucket (lib/core/upload/multipart.ts). */
  readonly multipart: MultipartUploadStore;
}

/** The multipart services of `core`'s configuration. */
export function multipartOf(core: CoreServices): MultipartServices {
  return { multipart: new S3MultipartStore(core.clients.s3, core.config.FILES_BUCKET) };
}

/** The core services with the multipart store (built once per core services object). */
export const withMultipart = extension(multipartOf);
