import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { fileInBucketPath } from '../../../lib/apillon/schemas';
import { fileDetailView } from '../../../lib/apillon/views';
import { deleteFile } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, deletions, directories, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';

/** DELETE /storage/:bucketUuid/file/:id (WRITE): the record, marked for deletion (status 8). */
export const handler = routeUsing(withStores(buckets, entries, deletions, directories), withQueues)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'fileNotFound', 'fileMarkedForDeletion'], schemas: { path: fileInBucketPath } },
  async ({ path, principal, services, event }) => {
    const { record, bucket } = await deleteFile(services, principal, path.bucketUuid, path.id);
    return { data: fileDetailView(record, { baseUrl: publicBaseUrl(services.config, event), bucket }) };
  },
);
