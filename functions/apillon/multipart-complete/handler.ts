import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { completeMultipartBody, multipartFilePath } from '../../../lib/apillon/multipart-schemas';
import { multipartFileView } from '../../../lib/apillon/views';
import { completeMultipartUpload } from '../../../lib/apillon/multipart';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, lifecycle, uploads, blobs, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';

/** POST /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart/:fileUuid/complete {parts} (EXECUTE): the file enters the lifecycle. */
export const handler = routeUsing(withStores(buckets, entries, lifecycle, uploads, blobs), withMultipart)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], model: 'MultipartCompleteDto', schemas: { path: multipartFilePath, body: completeMultipartBody } },
  async ({ path, body, principal, services }) => {
    const parts = body.parts.map((part) => ({ partNumber: part.partNumber, eTag: part.ETag }));
    return { data: multipartFileView(await completeMultipartUpload(services, principal, path, parts)) };
  },
);
