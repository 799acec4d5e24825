/**
 * S3 object keys of the files bucket (and its replica): the core decides where bytes
 * live; the S3 adapter (lib/store/blob-store.ts) reads and writes at these keys.
 */

/**
 * Object key of a file's committed bytes: ids only, never the user's file name.
 * Only the service writes here, and each commit attempt copies to a key of its
 * own (`version`), so a losing attempt can never overwrite the bytes another
 * attempt committed.
 */
export function objectKey(bucketUuid: string, fileUuid: string, version: string): string {
  return `files/${bucketUuid}/${fileUuid}/${version}`;
}

/**
 * Where an upload's bytes land first (the presigned PUT, a Quantum upload).
 * A presigned URL can be used again until it expires, so the committed bytes
 * are a copy the service makes from here, never this object itself.
 */
export function uploadKey(bucketUuid: string, fileUuid: string): string {
  return `uploads/${bucketUuid}/${fileUuid}`;
}

/** Parses an upload key back to its ids; null for keys this service did not issue. */
export function parseUploadKey(key: string): { bucketUuid: string; fileUuid: string } | null {
  const match = /^uploads\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/.exec(key);
  return match ? { bucketUuid: match[1]!, fileUuid: match[2]! } : null;
}
