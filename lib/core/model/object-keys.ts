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

/**
 * Objects derived from content by the trustless gateway (lib/gateway/trustless*.ts), named by what they are made
 * of: a CID's DAG never changes, so an object under a CID is never stale, whoever wrote it and when. The files
 * bucket's lifecycle rule `expire-derived-objects` (serverless.yml) deletes them after DERIVED_OBJECT_DAYS;
 * a request after that writes them again.
 */
export const DERIVED_PREFIX = 'derived/';

/** Days a derived object lives (the template's lifecycle rule says the same). */
export const DERIVED_OBJECT_DAYS = 7;

/** The inner (non-leaf) blocks of the file DAG whose root is `rootCid` (the CID string as asked: v0 or v1), as a CARv1. */
export function dagIndexKey(rootCid: string): string {
  return `${DERIVED_PREFIX}dag/${rootCid}.car`;
}

/**
 * A CAR the trustless gateway served by redirect: its root CID and `variant`, a digest of everything else that
 * decides its blocks (content path, dag-scope, entity-bytes, dups).
 */
export function derivedCarKey(rootCid: string, variant: string): string {
  return `${DERIVED_PREFIX}car/${rootCid}/${variant}.car`;
}
