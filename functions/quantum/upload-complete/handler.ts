import { Permission } from '../../../lib/core/access/principal';
import { completeQuantumUpload } from '../../../lib/quantum/uploads';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, lifecycle, uploads, blobs, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';
import { RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { completeUploadBody, uploadPath } from '../../../lib/quantum/schemas';

/** POST /upload/complete/<bucket>/<upload_id> {parts: [{part_number, etag}]} → data {path}: the file enters the lifecycle. */
export const handler = routeUsing(withStores(buckets, entries, lifecycle, uploads, blobs), withMultipart)({ surface: 'quantum', permission: Permission.EXECUTE, errors: [...RESOLVE_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], schemas: { path: uploadPath, body: completeUploadBody } }, async ({ path, body, principal, services }) => {
  const parts = body.parts.map((part) => ({ partNumber: part.part_number, eTag: part.etag }));
  const file = await completeQuantumUpload(services, principal, path.bucket, path.upload, parts);
  return { message: 'Upload complete', data: { path: file.path } };
});
