import { AppError } from '../errors';
import type { BucketRecord, BucketStore } from '../store/bucket-store';
import { newUuid } from './secrets';

export interface NewBucket {
  readonly accountId: string;
  readonly name: string;
  readonly description?: string;
  readonly public: boolean;
  readonly maxSizeBytes: number;
}

/** Creates a bucket; 400 BUCKET_EXISTS when the account has one of that name. */
export async function createBucket(store: BucketStore, input: NewBucket): Promise<BucketRecord> {
  const now = new Date().toISOString();
  const bucket: BucketRecord = {
    bucketUuid: newUuid(),
    accountId: input.accountId,
    name: input.name,
    description: input.description ?? '',
    public: input.public,
    maxSizeBytes: input.maxSizeBytes,
    sizeBytes: 0,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await store.create(bucket))) throw new AppError('bucketExists');
  return bucket;
}
