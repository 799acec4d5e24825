import { AppError } from '../errors';
import type { BucketRecord } from '../store/bucket-store';
import type { SessionStore } from '../store/session-store';
import { createBucket } from './buckets';
import type { SortField } from './entries';
import { Permission, requireBucketAccess, requirePermission, type Principal } from './principal';
import { isUuid } from './secrets';
import type { StorageDeps } from './storage';

/**
 * Apillon buckets (SPEC §3): the account's buckets as the SDK lists, creates and
 * reads them, and the one way every bucket-scoped Apillon route opens its bucket.
 */

/** What the Apillon surface's domain operations work with. */
export interface ApillonDeps extends StorageDeps {
  readonly sessions: SessionStore;
}

/**
 * The bucket `bucketUuid` for a caller who needs `permission` in it. 403 without
 * the permission; 404 BUCKET_NOT_FOUND for a malformed or unknown uuid; 403 for a
 * bucket of another account (or, for an application token, another bucket).
 */
export async function openBucket(deps: StorageDeps, principal: Principal, bucketUuid: string, permission: Permission): Promise<BucketRecord> {
  requirePermission(principal, permission);
  if (!isUuid(bucketUuid)) throw new AppError('bucketNotFound');
  const bucket = await deps.buckets.get(bucketUuid.toLowerCase());
  if (!bucket) throw new AppError('bucketNotFound');
  requireBucketAccess(principal, bucket);
  return bucket;
}

export interface BucketListQuery {
  readonly search?: string;
  readonly orderBy: readonly SortField[];
  readonly desc: readonly boolean[];
  readonly page: number;
  readonly limit: number;
}

/**
 * The caller's buckets (an application token sees its own only), without those
 * marked for deletion. An account has few buckets: they are read whole and paged here.
 */
export async function listBuckets(deps: StorageDeps, principal: Principal, query: BucketListQuery): Promise<{ items: BucketRecord[]; total: number }> {
  requirePermission(principal, Permission.READ);
  const needle = query.search?.trim().normalize('NFC').toLocaleLowerCase('en-US');
  const all = (await deps.buckets.list(principal.accountId))
    .filter((bucket) => !bucket.markedForDeletionAt)
    .filter((bucket) => principal.bucketUuid === undefined || bucket.bucketUuid === principal.bucketUuid)
    .filter((bucket) => !needle || bucket.name.toLocaleLowerCase('en-US').includes(needle))
    .sort(compareBuckets(query.orderBy.length ? query.orderBy : ['createTime'], query.desc));
  const offset = (query.page - 1) * query.limit;
  return { items: all.slice(offset, offset + query.limit), total: all.length };
}

function compareBuckets(orderBy: readonly SortField[], desc: readonly boolean[]) {
  const value = (bucket: BucketRecord, field: SortField): string | number => {
    switch (field) {
      case 'name': return bucket.name.toLocaleLowerCase('en-US');
      case 'createTime': return bucket.createdAt;
      case 'updateTime': return bucket.updatedAt;
      case 'size': return bucket.sizeBytes;
    }
  };
  return (a: BucketRecord, b: BucketRecord): number => {
    for (const [index, field] of orderBy.entries()) {
      const x = value(a, field);
      const y = value(b, field);
      if (x !== y) return (x < y ? -1 : 1) * (desc[index] ? -1 : 1);
    }
    return a.bucketUuid.localeCompare(b.bucketUuid);
  };
}

export interface NewApillonBucket {
  readonly name: string;
  readonly description?: string | null;
  /** Default true: what is on IPFS is public (Quantum-created buckets default to private). */
  readonly public?: boolean;
}

/** Creates a bucket (WRITE); an application token, bound to one bucket, cannot. 400 when the name is taken. */
export async function createApillonBucket(
  deps: StorageDeps,
  principal: Principal,
  input: NewApillonBucket,
  maxSizeBytes: number,
): Promise<BucketRecord> {
  requirePermission(principal, Permission.WRITE);
  if (principal.bucketUuid !== undefined) throw new AppError('wrongApplicationToken');
  return createBucket(deps.buckets, {
    accountId: principal.accountId,
    name: input.name,
    description: input.description ?? '',
    public: input.public ?? true,
    maxSizeBytes,
  });
}
