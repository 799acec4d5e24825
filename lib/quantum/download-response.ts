import type { ServeOptions } from '../http/serve-file';

/**
 * How Quantum's `file/download` presents a file: an attachment under the file's own
 * name (never a server path), never stored by caches (the URL carries a one-time token).
 */
export const QUANTUM_DOWNLOAD_OPTIONS = {
  disposition: 'attachment',
  cacheControl: 'no-store',
  // Bytes gone between the token check and the read: the token was for bytes that are no more.
  goneError: 'invalidDownloadToken',
} as const satisfies ServeOptions;
