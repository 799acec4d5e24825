/**
 * The parts of the S3 SDK the functions use, in one module that lib/store/clients.ts, blob-store.ts and
 * health.ts load with `import()` on first use. A dynamic `import('@aws-sdk/client-s3')` would keep every
 * command of the package in each bundle (esbuild cannot tree-shake what a dynamic import may reach:
 * ~56 KB more); importing the names here statically lets it drop the rest. What only some functions send is in
 * modules of its own, so that the others leave it out: s3-multipart-commands.ts (multipart uploads and copies), s3-upload.ts
 * (lib-storage's Upload).
 */
export {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
export { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
export { formatUrl } from '@aws-sdk/core/util';
export { getEndpointFromInstructions } from '@smithy/core/endpoints';
export { extendedEncodeURIComponent, HttpRequest } from '@smithy/core/protocols';
