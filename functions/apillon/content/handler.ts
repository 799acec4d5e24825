import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath, contentQuery } from '../../../lib/apillon/schemas';
import { contentItemView, listView } from '../../../lib/apillon/views';
import { listContent } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, listings, withStores } from '../../../lib/app/stores';

/** GET /storage/:bucketUuid/content?search&directoryId&page&limit&orderBy&desc (READ): the seed's listing. */
export const handler = routeUsing(withStores(buckets, entries, listings))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'directoryNotFound'], model: 'DirectoryContentQueryFilter', schemas: { path: bucketPath, query: contentQuery } },
  async ({ path, query, principal, services, event }) => {
    const page = await listContent(services, principal, path.bucketUuid, { ...query, directory: query.directoryId });
    const links = { baseUrl: publicBaseUrl(services.config, event), bucket: page.bucket };
    return { data: listView(page, (entry) => contentItemView(entry, page.directory?.number ?? null, links)) };
  },
);
