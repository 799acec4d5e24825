import { Permission } from '../../../lib/core/access/principal';
import { abortQuantumUpload } from '../../../lib/quantum/uploads';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, lifecycle, uploads, blobs, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';
import { RESOLVE_BUCKET_ERRORS } from '../../../lib/quantum/buckets';
import { uploadPath } from '../../../lib/quantum/schemas';

/** POST /upload/abort/<bucket>/<upload_id>: the upload is cancelled, its parts deleted (nothing was charged). */
export const handler = routeUsing(withStores(buckets, entries, lifecycle, uploads, blobs), withMultipart)({ surface: 'quantum', permission: Permission.EXECUTE, errors: [...RESOLVE_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], schemas: { path: uploadPath } }, async ({ path, principal, services }) => {
  await abortQuantumUpload(services, principal, path.bucket, path.upload);
  return { message: 'Upload aborted' };
});
