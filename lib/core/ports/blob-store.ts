/**
 * The core's object ports: `BlobStore` (lib/store/blob-store.ts), what every function may do with file bytes, and two
 * that only some functions need, kept apart so that the others' bundles leave their S3 machinery out (cold start,
 * issue 19): `BlobCopyStore` (lib/store/blob-copy-store.ts: the lifecycle's copies, in parts above 5 GiB) and
 * `BlobStreamStore` (lib/store/blob-stream-store.ts: streamed writes, lib-storage's multipart Upload).
 */
import type { ObjectInfo } from '../model/records';

/** File bytes: the files bucket and its replica. Object keys are ids, never user file names. */
export interface BlobStore {
  /** A URL the client PUTs the bytes to, valid `ttlSeconds`; signs Content-Length when the size is declared. */
  presignUpload(key: string, ttlSeconds: number, declaredSize?: number): Promise<string>;
  /**
   * A GET URL for the bytes, valid `ttlSeconds`, whose response carries an RFC 6266
   * `Content-Disposition` (`disposition`, default attachment) naming `fileName` and a
   * safe `Content-Type`. S3 serves Range requests on it; a presigned URL cannot force one.
   */
  presignDownload(
    key: string,
    ttlSeconds: number,
    fileName: string,
    contentType: string,
    disposition?: 'inline' | 'attachment',
  ): Promise<string>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * The bytes as a stream, from byte `fromByte` (default 0; less than the object's size) to the end;
   * undefined when the object does not exist (any more).
   */
  read(key: string, fromByte?: number): Promise<AsyncIterable<Uint8Array> | undefined>;
  /**
   * The object's bytes, or only bytes `range.start`..`range.end` (inclusive, a ranged
   * GetObject). Throws ObjectMissingError (lib/core/model/storage-errors.ts) when the object is gone.
   */
  readAll(key: string, range?: { readonly start: number; readonly end: number }): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
  deleteReplica(key: string): Promise<void>;
  headReplica(key: string): Promise<ObjectInfo | undefined>;
}

/**
 * How much of a copy in parts one invocation does before it hands on (issue 21: a copy of up to 5 TiB outlasts one
 * invocation; lib/store/multipart-copy.ts). Every call copies at least one part.
 */
export interface CopySlice {
  /** Milliseconds after which no further part is started (the parts under way finish). */
  readonly maxMs: number;
  /** Bytes of parts started per call at most (tests set a small one); absent: no byte limit. */
  readonly maxBytes?: number;
}

/** Copies inside the files bucket and to its replica, of any size: the lifecycle's commit and replication steps. */
export interface BlobCopyStore {
  /**
   * Copies `fromKey` to `toKey` in the files bucket, of any size (S3's 5 GiB CopyObject limit is the store's affair);
   * the size and ETag of the source the copy was made from (comparable with an earlier `head(fromKey)`), or undefined
   * when `fromKey` is gone or changed during the copy. With a `slice`, a copy in parts may stop at its end: 'continued',
   * and a later call with the same keys resumes it (`toKey` must name these bytes alone: a key per attempt).
   */
  copy(fromKey: string, toKey: string, slice?: CopySlice): Promise<ObjectInfo | 'continued' | undefined>;
  /**
   * Copies the object (of any size) to the replica bucket and verifies the copy (size and ETag); 'gone' when the object
   * is; 'continued' when a copy in parts stopped at the end of `slice` (a later call resumes it).
   */
  replicate(key: string, slice?: CopySlice): Promise<'verified' | 'mismatch' | 'gone' | 'continued'>;
}

/** Objects written as they are produced, with bounded memory: the trustless gateway's derived CARs. */
export interface BlobStreamStore {
  /**
   * Writes `body` to `key` as it is produced, with bounded memory (one multipart part at a time, 5 MiB; a body
   * under one part is a single PutObject), and returns its size in bytes. When `body` throws, the upload is
   * aborted (no object, no parts left) and the error is thrown.
   */
  putStream(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<number>;
}
