import { createQuantumBucket } from '../../../lib/quantum/buckets';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';
import { bucketPath } from '../../../lib/quantum/schemas';

/** POST /bucket/create/<name>: a new private bucket (master key only; 400 BUCKET_EXISTS). */
export const handler = routeUsing(withStores(buckets))({ surface: 'quantum', errors: ['masterKeyRequired', 'invalidBucketName', 'bucketExists'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => {
  const bucket = await createQuantumBucket(services, principal, path.bucket);
  return { message: `Bucket ${bucket.name} created` };
});
