import { listBucketNames } from '../../../lib/quantum/buckets';
import { route } from '../../../lib/app/route';

/** GET /bucket: the names of the caller's buckets (master key only). */
export const handler = route({ surface: 'quantum' , errors: ['masterKeyRequired'] }, async ({ principal, services }) => ({
  message: 'Buckets retrieved successfully',
  data: { Buckets: await listBucketNames(services, principal) },
}));
