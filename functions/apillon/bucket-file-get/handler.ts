import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { fileInBucketPath } from '../../../lib/apillon/schemas';
import { sdkFileView } from '../../../lib/apillon/views';
import { getFile } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets/:bucketUuid/files/:id (READ): one file as the SDK's File.get reads it. */
export const handler = routeUsing(withStores(buckets, entries))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'fileNotFound'], schemas: { path: fileInBucketPath } },
  async ({ path, principal, services, event }) => {
    const { record, bucket } = await getFile(services, principal, path.bucketUuid, path.id);
    return { data: sdkFileView(record, { baseUrl: publicBaseUrl(services.config, event), bucket }) };
  },
);
