import { listBucketNames } from '../../../lib/domain/quantum-buckets';
import { route } from '../../../lib/http/route';

/** GET /bucket: the names of the caller's buckets (master key only). */
export const handler = route({ surface: 'quantum' }, async ({ principal, services }) => ({
  message: 'Buckets retrieved successfully',
  data: { Buckets: await listBucketNames(services, principal) },
}));
