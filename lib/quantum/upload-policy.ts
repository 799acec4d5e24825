import type { StorageDeps } from '../core/ports/storage';
import { AppError } from '../errors';
import type { BucketRecord } from '../core/ports';
import { requireMasterKey, type Principal } from '../core/access/principal';
import { mergePolicy, type PolicyChange } from '../core/upload/policy';
import type { BucketPolicyDeps } from '../core/ports/bucket-policy';
import { resolveBucket } from './buckets';

/**
 * Quantum `POST /bucket/policy/<bucket>` (master key): the bucket's upload policy, changed as
 * the Apillon surface's changeUploadPolicy changes it; 404 BUCKET_DNE for a bucket the account does not have.
 */
export async function changeQuantumUploadPolicy(deps: Pick<StorageDeps, 'buckets'> & BucketPolicyDeps, principal: Principal, bucketName: string | undefined, change: PolicyChange): Promise<BucketRecord> {
  requireMasterKey(principal);
  const bucket = await resolveBucket(deps, principal, bucketName);
  const updated = await deps.bucketPolicies.setUploadPolicy(bucket.bucketUuid, mergePolicy(bucket.uploadPolicy, change), new Date().toISOString());
  if (!updated) throw new AppError('bucketNotFound');
  return updated;
}
