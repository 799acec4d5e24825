import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { multipartFilePath } from '../../../lib/apillon/multipart-schemas';
import { multipartFileView } from '../../../lib/apillon/views';
import { abortMultipartUpload } from '../../../lib/apillon/multipart';
import { route } from '../../../lib/app/route';

/** DELETE /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart/:fileUuid (EXECUTE): aborts the upload (status 106). */
export const handler = route({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'multipartUploadNotFound'], schemas: { path: multipartFilePath } }, async ({ path, principal, services }) => ({
  data: multipartFileView(await abortMultipartUpload(services, principal, path)),
}));
