import { AppError } from '../../errors';
import { openBucket } from '../../apillon/buckets';
import type { BucketRecord } from '../ports';
import { Permission, requireMasterKey, type Principal } from '../access/principal';
import { resolveBucket } from '../../quantum/buckets';
import type { StorageDeps } from '../ports/storage';
import type { BucketPolicyStore } from '../ports/bucket-policy';
import { mergePolicy, type PolicyChange } from './policy';

export interface BucketPolicyDeps extends StorageDeps {
  readonly bucketPolicies: BucketPolicyStore;
}

/**
 * Changes bucket `bucketUuid`'s upload policy (WRITE in it): a rule given sets it, `null` clears it, absent keeps
 * it. Uploads requested from now on are checked against the new policy, and so is every file whose bytes arrive
 * from now on, also one requested before (its bytes are then refused: status 107). 404 for a bucket marked for
 * deletion meanwhile (40406009).
 */
export async function changeUploadPolicy(deps: BucketPolicyDeps, principal: Principal, bucketUuid: string, change: PolicyChange): Promise<BucketRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  if (bucket.markedForDeletionAt) throw new AppError('bucketMarkedForDeletion');
  const updated = await deps.bucketPolicies.setUploadPolicy(bucket.bucketUuid, mergePolicy(bucket.uploadPolicy, change), new Date().toISOString());
  if (!updated) throw new AppError('bucketMarkedForDeletion');
  return updated;
}

/**
 * Quantum `POST /bucket/policy/<bucket>` (master key): the bucket's upload policy, changed as
 * {@link changeUploadPolicy} changes it; 404 BUCKET_DNE for a bucket the account does not have.
 */
export async function changeQuantumUploadPolicy(deps: BucketPolicyDeps, principal: Principal, bucketName: string | undefined, change: PolicyChange): Promise<BucketRecord> {
  requireMasterKey(principal);
  const bucket = await resolveBucket(deps, principal, bucketName);
  const updated = await deps.bucketPolicies.setUploadPolicy(bucket.bucketUuid, mergePolicy(bucket.uploadPolicy, change), new Date().toISOString());
  if (!updated) throw new AppError('bucketNotFound');
  return updated;
}
