import { bucketListQuery } from '../../../lib/apillon/schemas';
import { bucketView, listView } from '../../../lib/apillon/views';
import { listBuckets } from '../../../lib/apillon/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets (READ): the account's buckets, paged (the SDK's listBuckets). */
export const handler = routeUsing(withStores(buckets))(
  { surface: 'apillon', errors: ['missingPermission'], model: 'BucketQueryFilter', schemas: { query: bucketListQuery } },
  async ({ query, principal, services }) => {
    const page = await listBuckets(services, principal, query);
    return { data: listView(page, bucketView) };
  },
);
