import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { multipartFilePath, partUrlsBody } from '../../../lib/apillon/multipart-schemas';
import { presignParts } from '../../../lib/apillon/multipart';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';
import { withMultipart } from '../../../lib/app/multipart';

/** POST /storage/buckets/:bucketUuid/upload/:sessionUuid/multipart/:fileUuid/parts {partNumbers} (EXECUTE): 60 s UploadPart URLs. */
export const handler = routeUsing(withStores(buckets, entries), withMultipart)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'multipartUploadNotFound', 'multipartUploadSuperseded'], model: 'MultipartPartsDto', schemas: { path: multipartFilePath, body: partUrlsBody } },
  async ({ path, body, principal, services }) => ({ data: { parts: await presignParts(services, principal, path, body.partNumbers) } }),
);
