import { createBucketToken } from '../../../lib/quantum/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';
import { bucketPath } from '../../../lib/quantum/schemas';

/** POST /token/create/<bucket>: an application token for one bucket, shown once (master key only). */
export const handler = routeUsing(withStores(buckets))({ surface: 'quantum', errors: ['masterKeyRequired', 'bucketNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => ({
  message: 'Token created',
  data: { token: await createBucketToken(services, principal, path.bucket) },
}));
