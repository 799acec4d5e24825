/**
 * The core's own names for what storage answers, so the core never reads an AWS error:
 * the adapters in lib/store map S3 and DynamoDB errors to these inside them.
 */

/**
 * The object at `key` is not there (S3 `NoSuchKey`, or a 404 without a body): replaced or
 * purged since its record was read. Thrown by `BlobStore.readAll` (lib/store/blob-store.ts
 * maps it); `cause` is the S3 error.
 */
export class ObjectMissingError extends Error {
  override readonly name = 'ObjectMissingError';

  constructor(
    readonly key: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`object ${key} is not there`, options);
  }
}
