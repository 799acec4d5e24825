import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { multipartFilePath } from '../../../lib/apillon/multipart-schemas';
import { uploadedPartsView } from '../../../lib/apillon/views';
import { listUploadedParts } from '../../../lib/apillon/multipart';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';

/** GET /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart/:fileUuid (EXECUTE): the parts S3 holds, to resume. */
export const handler = routeUsing(withStores(buckets, entries), withMultipart)({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], schemas: { path: multipartFilePath } }, async ({ path, principal, services }) => {
  const { file, parts } = await listUploadedParts(services, principal, path);
  return { data: uploadedPartsView(file, parts) };
});
