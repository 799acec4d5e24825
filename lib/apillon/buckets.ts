import { mergePolicy } from '../core/upload/policy';
import { AppError, invalidNextToken, type ErrorName } from '../errors';
import type { BucketRecord } from '../core/ports';
import { createBucket } from '../core/access/buckets';
import { compareCodePoints, foldName } from '../core/model/collation';
import type { SortField } from '../core/model/entries';
import { Permission, requireBucketAccess, requirePermission, type Principal } from '../core/access/principal';
import { isUuid } from '../core/access/secrets';
import type { StorageDeps } from '../core/ports/storage';
import { encodeCursor, isCursorOffset, openCursor } from '../core/model/cursor';

/**
 * Apillon buckets (SPEC §3): the account's buckets as the SDK lists, creates and
 * reads them, and the one way every bucket-scoped Apillon route opens its bucket.
 */

/** The errors {@link openBucket} answers: every bucket-scoped Apillon route declares them (its route spec's `errors`). */
export const OPEN_BUCKET_ERRORS = ['missingPermission', 'bucketNotFound', 'recordOfAnotherAccount', 'wrongApplicationToken'] as const satisfies readonly ErrorName[];

/**
 * The bucket `bucketUuid` for a caller who needs `permission` in it. 403 without
 * the permission; 404 BUCKET_NOT_FOUND for a malformed or unknown uuid; 403 for a
 * bucket of another account (or, for an application token, another bucket).
 */
export async function openBucket(deps: Pick<StorageDeps, 'buckets'>, principal: Principal, bucketUuid: string, permission: Permission): Promise<BucketRecord> {
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
  /** A cursor from a previous page (an offset into this same listing); takes the place of `page`. */
  readonly nextToken?: string;
}

/**
 * The caller's buckets (an application token sees its own only), without those
 * marked for deletion, in the listing order of lib/core/model/collation.ts. An
 * account has few buckets: they are read whole and paged here; `nextToken` is
 * an offset cursor bound to this listing (422 NEXT_TOKEN_NOT_VALID otherwise).
 */
export async function listBuckets(
  deps: Pick<StorageDeps, 'buckets'>,
  principal: Principal,
  query: BucketListQuery,
): Promise<{ items: BucketRecord[]; total: number; nextToken?: string }> {
  requirePermission(principal, Permission.READ);
  const search = query.search?.trim();
  const needle = search ? foldName(search) : undefined;
  const orderBy = query.orderBy.length ? query.orderBy : (['createTime'] as const);
  const scope = JSON.stringify([principal.accountId, principal.bucketUuid ?? null, orderBy, query.desc, needle ?? '']);
  const offset = query.nextToken === undefined ? (query.page - 1) * query.limit : decodeOffsetCursor(query.nextToken, scope);
  const all = (await deps.buckets.list(principal.accountId))
    .filter((bucket) => !bucket.markedForDeletionAt)
    .filter((bucket) => principal.bucketUuid === undefined || bucket.bucketUuid === principal.bucketUuid)
    .filter((bucket) => !needle || foldName(bucket.name).includes(needle))
    .sort(compareBuckets(orderBy, query.desc));
  const items = all.slice(offset, offset + query.limit);
  const next = offset + items.length;
  const nextToken = next < all.length ? encodeCursor({ offset: next, scope }) : undefined;
  return { items, total: all.length, ...(nextToken ? { nextToken } : {}) };
}

function decodeOffsetCursor(token: string, scope: string): number {
  const { offset } = openCursor(token, scope);
  if (!isCursorOffset(offset)) throw invalidNextToken();
  return offset;
}

/** Buckets in the listing order (collation.ts): field by field, then the uuid in the direction of the last field. */
function compareBuckets(orderBy: readonly SortField[], desc: readonly boolean[]) {
  const compare = (a: BucketRecord, b: BucketRecord, field: SortField): number => {
    switch (field) {
      case 'name': return compareCodePoints(foldName(a.name), foldName(b.name));
      case 'createTime': return compareCodePoints(a.createdAt, b.createdAt);
      case 'updateTime': return compareCodePoints(a.updatedAt, b.updatedAt);
      case 'size': return Math.sign(a.sizeBytes - b.sizeBytes);
    }
  };
  return (a: BucketRecord, b: BucketRecord): number => {
    for (const [index, field] of orderBy.entries()) {
      const order = compare(a, b, field);
      if (order !== 0) return desc[index] ? -order : order;
    }
    const order = compareCodePoints(a.bucketUuid, b.bucketUuid);
    return desc[orderBy.length - 1] ? -order : order;
  };
}

export interface NewApillonBucket {
  readonly name: string;
  readonly description?: string | null;
  /** Default true: what is on IPFS is public (Quantum-created buckets default to private). */
  readonly public?: boolean;
  /** The upload policy's rules (bytes; media types), absent or null for none. */
  readonly maxFileSize?: number | null;
  readonly allowedContentTypes?: readonly string[] | null;
}

/** Creates a bucket (WRITE); an application token, bound to one bucket, cannot. 400 when the name is taken. */
export async function createApillonBucket(
  deps: Pick<StorageDeps, 'buckets'>,
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
    uploadPolicy: mergePolicy(undefined, input),
  });
}
