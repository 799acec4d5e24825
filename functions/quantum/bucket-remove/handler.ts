import { removeQuantumBucket } from '../../../lib/quantum/buckets';
import { route } from '../../../lib/app/route';
import { bucketPath } from '../../../lib/quantum/schemas';

/** POST /bucket/remove/<name>: the bucket, its tokens and everything in it (master key only; 404 BUCKET_DNE). */
export const handler = route({ surface: 'quantum', errors: ['masterKeyRequired', 'bucketNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => {
  await removeQuantumBucket(services, principal, path.bucket);
  return { message: 'Bucket removed' };
});
