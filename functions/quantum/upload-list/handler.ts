import { Permission } from '../../../lib/core/access/principal';
import { listQuantumParts } from '../../../lib/quantum/uploads';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';
import { RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { uploadPath } from '../../../lib/quantum/schemas';

/** GET /upload/list/<bucket>/<upload_id> → data {parts: [{part_number, size, etag}]}: the parts S3 holds, to resume. */
export const handler = routeUsing(withStores(buckets, entries), withMultipart)({ surface: 'quantum', permission: Permission.EXECUTE, errors: [...RESOLVE_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], schemas: { path: uploadPath } }, async ({ path, principal, services }) => {
  const parts = await listQuantumParts(services, principal, path.bucket, path.upload);
  return { message: 'Upload parts', data: { parts: parts.map((part) => ({ part_number: part.partNumber, size: part.size, etag: part.eTag })) } };
});
