import { removeQuantumBucket } from '../../../lib/quantum/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, listings, deletions, directories, blobs, withStores } from '../../../lib/app/stores';
import { bucketPath } from '../../../lib/quantum/schemas';

/** POST /bucket/remove/<name>: the bucket, its tokens and everything in it (master key only; 404 BUCKET_DNE). */
export const handler = routeUsing(withStores(buckets, entries, listings, deletions, directories, blobs))({ surface: 'quantum', errors: ['masterKeyRequired', 'bucketNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => {
  await removeQuantumBucket(services, principal, path.bucket);
  return { message: 'Bucket removed' };
});
