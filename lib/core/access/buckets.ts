import { AppError } from '../../errors';
import type { BucketRecord, BucketStore } from '../ports';
import type { UploadPolicy } from '../upload/policy';
import { newUuid } from './secrets';

export interface NewBucket {
  readonly accountId: string;
  readonly name: string;
  readonly description?: string;
  readonly public: boolean;
  readonly maxSizeBytes: number;
  readonly uploadPolicy?: UploadPolicy;
}

/** Longest bucket name, in UTF-8 bytes of its NFC form: the name is part of a DynamoDB key (BUCKETNAME#<name>). */
export const MAX_BUCKET_NAME_BYTES = 255;
/** Longest bucket description, in characters (at most 4 bytes each). */
export const MAX_BUCKET_DESCRIPTION_LENGTH = 1000;

/**
 * Creates a bucket; 400 BUCKET_EXISTS when the account has one of that name. The surfaces
 * validate names in their own terms (422 / INVALID_BUCKET_NAME); this is the last line for any caller.
 */
export async function createBucket(store: BucketStore, input: NewBucket): Promise<BucketRecord> {
  const nameBytes = Buffer.byteLength(input.name, 'utf8');
  if (nameBytes === 0 || nameBytes > MAX_BUCKET_NAME_BYTES || input.name !== input.name.normalize('NFC')) throw new AppError('invalidBucketName');
  const now = new Date().toISOString();
  const bucket: BucketRecord = {
    bucketUuid: newUuid(),
    accountId: input.accountId,
    name: input.name,
    description: input.description ?? '',
    public: input.public,
    maxSizeBytes: input.maxSizeBytes,
    ...(input.uploadPolicy ? { uploadPolicy: input.uploadPolicy } : {}),
    sizeBytes: 0,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await store.create(bucket))) throw new AppError('bucketExists');
  return bucket;
}
