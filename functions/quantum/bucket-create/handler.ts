import { createQuantumBucket } from '../../../lib/quantum/buckets';
import { route } from '../../../lib/app/route';
import { bucketPath } from '../../../lib/quantum/schemas';

/** POST /bucket/create/<name>: a new private bucket (master key only; 400 BUCKET_EXISTS). */
export const handler = route({ surface: 'quantum', errors: ['masterKeyRequired', 'invalidBucketName', 'bucketExists'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => {
  const bucket = await createQuantumBucket(services, principal, path.bucket);
  return { message: `Bucket ${bucket.name} created` };
});
