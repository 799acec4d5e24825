/**
 * The port to S3 multipart uploads (API_CreateMultipartUpload, UploadPart, ListParts,
 * CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads). Keys are object keys of the files
 * bucket (an upload's object is its upload key, `uploads/<bucketUuid>/<fileUuid>`, so its completion is an
 * ObjectCreated event like any upload's). Implemented by lib/store/multipart-store.ts.
 */

/** A part S3 holds (ListParts). */
export interface UploadedPart {
  readonly partNumber: number;
  /** Bytes. */
  readonly size: number;
  /** S3's ETag of the part, quotes included (`"…"`): what CompleteMultipartUpload is given back. */
  readonly eTag: string;
}

/** A part as the client names it to complete the upload. */
export interface CompletedPart {
  readonly partNumber: number;
  readonly eTag: string;
}

/** Why S3 refused to complete an upload (its error codes): the client's parts do not make the object. */
export type CompletionRefusal = 'NoSuchUpload' | 'InvalidPart' | 'InvalidPartOrder' | 'EntityTooSmall';

/** An upload not completed nor aborted (ListMultipartUploads). */
export interface OpenMultipartUpload {
  readonly key: string;
  readonly uploadId: string;
  /** ISO time S3 created it. */
  readonly initiated: string;
}

export interface MultipartUploadStore {
  /** Starts an upload of `key` (its object gets `contentType`); resolves with S3's UploadId. */
  create(key: string, contentType: string): Promise<string>;
  /**
   * A presigned UploadPart URL (PUT, `ttlSeconds` long) for part `partNumber` (1 … 10,000) that signs its
   * Content-Length (`contentLength` bytes): S3 refuses a part of another size.
   */
  presignPart(key: string, uploadId: string, partNumber: number, contentLength: number, ttlSeconds: number): Promise<string>;
  /** Every part S3 holds of the upload, by part number (all pages); undefined when the upload does not exist (aborted, completed). */
  listParts(key: string, uploadId: string): Promise<UploadedPart[] | undefined>;
  /** Completes the upload from `parts` (ascending); resolves with S3's refusal when it refuses them. Other errors throw. */
  complete(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<CompletionRefusal | undefined>;
  /** Aborts the upload (its parts are deleted); false when it did not exist. */
  abort(key: string, uploadId: string): Promise<boolean>;
  /** Open uploads under `prefix` initiated before `beforeIso`, at most `limit` (the sweeper's work). */
  listOpen(prefix: string, beforeIso: string, limit: number): Promise<OpenMultipartUpload[]>;
}
