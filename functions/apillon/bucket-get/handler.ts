import { bucketPath } from '../../../lib/apillon/schemas';
import { bucketView } from '../../../lib/apillon/views';
import { openBucket, OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { Permission } from '../../../lib/core/access/principal';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets/:bucketUuid (READ). */
export const handler = routeUsing(withStores(buckets))(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS], schemas: { path: bucketPath } },
  async ({ path, principal, services }) => {
    const bucket = await openBucket(services, principal, path.bucketUuid, Permission.READ);
    return { data: bucketView(bucket) };
  },
);
