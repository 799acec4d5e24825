/**
 * The core's `BucketStore` port (implemented in lib/store/bucket-store.ts).
 */
import type { BucketRecord } from '../model/records';

/** Buckets, unique by name within an account. */
export interface BucketStore {
  /** Creates the bucket; false when the account already has a bucket of that name. */
  create(bucket: BucketRecord): Promise<boolean>;
  get(bucketUuid: string): Promise<BucketRecord | undefined>;
  getByName(accountId: string, name: string): Promise<BucketRecord | undefined>;
  list(accountId: string): Promise<BucketRecord[]>;
  /**
   * Marks the bucket for deletion (no upload commits into it from then on) and
   * returns it; a bucket already marked keeps its first mark. Undefined when there is no such bucket.
   */
  markForDeletion(bucketUuid: string, now: string): Promise<BucketRecord | undefined>;
  /** Deletes the bucket record, its name claim, its root listing counter and its root directory's CIDs; false when it was already gone. */
  remove(bucket: BucketRecord): Promise<boolean>;
}
