import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketFilesQuery, bucketPath } from '../../../lib/apillon/schemas';
import { listView, sdkFileView } from '../../../lib/apillon/views';
import { listFiles } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, listings, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets/:bucketUuid/files?fileStatus&sessionUuid&page&limit (READ): the SDK's listFiles. */
export const handler = routeUsing(withStores(buckets, listings))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS], model: 'FilesQueryFilter', schemas: { path: bucketPath, query: bucketFilesQuery } },
  async ({ path, query, principal, services, event }) => {
    const page = await listFiles(services, principal, path.bucketUuid, query);
    const links = { baseUrl: publicBaseUrl(services.config, event), bucket: page.bucket };
    return { data: listView(page, (entry) => sdkFileView(entry, links)) };
  },
);
