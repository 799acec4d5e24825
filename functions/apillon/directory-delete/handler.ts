import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { directoryInBucketPath } from '../../../lib/apillon/schemas';
import { sdkDirectoryView } from '../../../lib/apillon/views';
import { deleteDirectory } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, deletions, directories, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';

/** DELETE /storage/buckets/:bucketUuid/directories/:directoryUuid (WRITE): its files are marked for deletion. */
export const handler = routeUsing(withStores(buckets, entries, deletions, directories), withQueues)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'directoryNotFound'], schemas: { path: directoryInBucketPath } },
  async ({ path, principal, services, event }) => {
    const { record, bucket } = await deleteDirectory(services, principal, path.bucketUuid, path.directoryUuid);
    return { data: sdkDirectoryView(record, { baseUrl: publicBaseUrl(services.config, event), bucket }) };
  },
);
