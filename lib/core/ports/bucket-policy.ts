import type { BucketRecord } from '../model/records';
import type { UploadPolicy } from '../upload/policy';

/**
 * The port that changes a bucket's upload policy (lib/core/upload/policy.ts). Implemented by
 * lib/store/bucket-policy-store.ts on the bucket's own item.
 */
export interface BucketPolicyStore {
  /**
   * Sets (or, with undefined, removes) the upload policy of bucket `bucketUuid` at `now` (ISO), only while the
   * bucket exists and is not marked for deletion; resolves with the bucket as it is afterwards, undefined when
   * that condition failed.
   */
  setUploadPolicy(bucketUuid: string, policy: UploadPolicy | undefined, now: string): Promise<BucketRecord | undefined>;
}

/** What changing a bucket's upload policy adds to the bucket store (both surfaces' policy routes). */
export interface BucketPolicyDeps {
  readonly bucketPolicies: BucketPolicyStore;
}
