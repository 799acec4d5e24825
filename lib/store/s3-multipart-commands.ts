/**
 * The S3 commands of multipart uploads and copies, loaded on first use by the stores that send them (multipart-store.ts,
 * multipart-copy.ts, blob-copy-store.ts): a module of their own, so that functions that send none leave them out of their
 * bundles (s3-commands.ts says why the names are listed).
 */
export {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
