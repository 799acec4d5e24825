import type { StorageDeps } from '../core/ports/storage';
import { AppError } from '../errors';
import { openBucket } from './buckets';
import type { BucketRecord } from '../core/ports';
import { Permission, type Principal } from '../core/access/principal';
import type { BucketPolicyDeps } from '../core/ports/bucket-policy';
import { mergePolicy, type PolicyChange } from '../core/upload/policy';


/**
 * Changes bucket `bucketUuid`'s upload policy (WRITE in it): a rule given sets it, `null` clears it, absent keeps
 * it. Uploads requested from now on are checked against the new policy, and so is every file whose bytes arrive
 * from now on, also one requested before (its bytes are then refused: status 107). 404 for a bucket marked for
 * deletion meanwhile (40406009).
 */
export async function changeUploadPolicy(deps: Pick<StorageDeps, 'buckets'> & BucketPolicyDeps, principal: Principal, bucketUuid: string, change: PolicyChange): Promise<BucketRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  if (bucket.markedForDeletionAt) throw new AppError('bucketMarkedForDeletion');
  const updated = await deps.bucketPolicies.setUploadPolicy(bucket.bucketUuid, mergePolicy(bucket.uploadPolicy, change), new Date().toISOString());
  if (!updated) throw new AppError('bucketMarkedForDeletion');
  return updated;
}

