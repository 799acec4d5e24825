import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { multipartFilePath } from '../../../lib/apillon/multipart-schemas';
import { multipartFileView } from '../../../lib/apillon/views';
import { abortMultipartUpload } from '../../../lib/apillon/multipart';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, lifecycle, uploads, blobs, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';

/** DELETE /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart/:fileUuid (EXECUTE): aborts the upload (status 106). */
export const handler = routeUsing(withStores(buckets, entries, lifecycle, uploads, blobs), withMultipart)({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], schemas: { path: multipartFilePath } }, async ({ path, principal, services }) => ({
  data: multipartFileView(await abortMultipartUpload(services, principal, path)),
}));
