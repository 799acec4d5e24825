/** lib-storage's multipart `Upload`, loaded on first use by blob-stream-store.ts only (s3-commands.ts says why). */
export { Upload } from '@aws-sdk/lib-storage';
