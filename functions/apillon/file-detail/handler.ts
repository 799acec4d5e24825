import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { fileInBucketPath } from '../../../lib/apillon/schemas';
import { fileDetailResponse } from '../../../lib/apillon/views';
import { getFile } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';

/** GET /storage/:bucketUuid/file/:id/detail (READ), `id` = internal id, fileUuid or CID. */
export const handler = routeUsing(withStores(buckets, entries))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'fileNotFound'], schemas: { path: fileInBucketPath } },
  async ({ path, principal, services, event }) => {
    const { record, bucket } = await getFile(services, principal, path.bucketUuid, path.id);
    return { data: fileDetailResponse(record, { baseUrl: publicBaseUrl(services.config, event), bucket }) };
  },
);
