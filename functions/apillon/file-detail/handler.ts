import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { fileInBucketPath } from '../../../lib/apillon/schemas';
import { fileDetailResponse } from '../../../lib/apillon/views';
import { getFile } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { route } from '../../../lib/app/route';

/** GET /storage/:bucketUuid/file/:id/detail (READ), `id` = internal id, fileUuid or CID. */
export const handler = route(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'fileNotFound'], schemas: { path: fileInBucketPath } },
  async ({ path, principal, services, event }) => {
    const { record, bucket } = await getFile(services, principal, path.bucketUuid, path.id);
    return { data: fileDetailResponse(record, { baseUrl: publicBaseUrl(services.config, event), bucket }) };
  },
);
