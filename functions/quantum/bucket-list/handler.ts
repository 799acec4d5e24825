import { listBucketNames } from '../../../lib/quantum/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';

/** GET /bucket: the names of the caller's buckets (master key only). */
export const handler = routeUsing(withStores(buckets))({ surface: 'quantum' , errors: ['masterKeyRequired'] }, async ({ principal, services }) => ({
  message: 'Buckets retrieved successfully',
  data: { Buckets: await listBucketNames(services, principal) },
}));
