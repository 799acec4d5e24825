import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { fileInBucketPath } from '../../../lib/apillon/schemas';
import { sdkFileView } from '../../../lib/apillon/views';
import { deleteFile } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, deletions, directories, withStores } from '../../../lib/app/stores';
import { withQueues } from '../../../lib/app/queues';

/** DELETE /storage/buckets/:bucketUuid/files/:id (WRITE): marks the file for deletion (the SDK's File.delete). */
export const handler = routeUsing(withStores(buckets, entries, deletions, directories), withQueues)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'fileNotFound'], schemas: { path: fileInBucketPath } },
  async ({ path, principal, services, event }) => {
    const { record, bucket } = await deleteFile(services, principal, path.bucketUuid, path.id);
    return { data: sdkFileView(record, { baseUrl: publicBaseUrl(services.config, event), bucket }) };
  },
);
