import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketContentQuery, bucketPath } from '../../../lib/apillon/schemas';
import { listView, sdkContentItemView } from '../../../lib/apillon/views';
import { listContent } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, listings, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets/:bucketUuid/content?directoryUuid&... (READ): the listing as the SDK's listObjects reads it. */
export const handler = routeUsing(withStores(buckets, entries, listings))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'directoryNotFound'], model: 'DirectoryContentQueryFilter', schemas: { path: bucketPath, query: bucketContentQuery } },
  async ({ path, query, principal, services, event }) => {
    const page = await listContent(services, principal, path.bucketUuid, { ...query, directory: query.directoryUuid });
    const links = { baseUrl: publicBaseUrl(services.config, event), bucket: page.bucket };
    return { data: listView(page, (entry) => sdkContentItemView(entry, links)) };
  },
);
