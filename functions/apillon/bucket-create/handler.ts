import { createBucketBody } from '../../../lib/apillon/schemas';
import { bucketView } from '../../../lib/apillon/views';
import { createApillonBucket } from '../../../lib/apillon/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';

/** POST /storage/buckets {name, description} (WRITE): a new bucket, public by default. */
export const handler = routeUsing(withStores(buckets))(
  { surface: 'apillon', errors: ['missingPermission', 'wrongApplicationToken', 'bucketExists'], model: 'CreateBucketDto', schemas: { body: createBucketBody } },
  async ({ body, principal, services }) => {
    const bucket = await createApillonBucket(services, principal, body, services.config.DEFAULT_BUCKET_MAX_BYTES);
    return { status: 201, data: bucketView(bucket) };
  },
);
