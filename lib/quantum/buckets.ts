import type { Config } from '../config';
import { AppError, type ErrorName } from '../errors';
import type { BucketRecord } from '../core/ports';
import { issueApplicationToken } from '../core/access/accounts';
import { createBucket } from '../core/access/buckets';
import { compareCodePoints, compareNames } from '../core/model/collation';
import { parseUrlPath } from '../core/model/paths';
import { requireBucketAccess, requireMasterKey, type Principal } from '../core/access/principal';
import { credentialIdForToken, secretMatches } from '../core/access/secrets';
import { removeBucketContents } from '../core/deletion/deletion';
import type { StorageDeps } from '../core/ports/storage';

/**
 * Quantum Storage: buckets by name and their application tokens (SPEC §4).
 * Bucket and token administration needs the master key; a bucket is the same
 * record the Apillon surface sees (Quantum-created ones are private).
 */

/** What creating a Quantum bucket adds to the bucket store: its default quota. */
export interface QuantumDeps {
  readonly config: Pick<Config, 'DEFAULT_BUCKET_MAX_BYTES'>;
}

/** Names a Quantum client can create: URL-safe, one path segment, like an S3 bucket name but case-preserving. */
const NEW_BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * A bucket name from a URL segment. Anything that is not one plain name
 * (traversal, `/`, control characters, over-long, odd Unicode) is INVALID_PATH;
 * names of Apillon-created buckets (spaces, Unicode) stay reachable.
 */
export function parseBucketName(raw: string | undefined): string {
  const segments = parseUrlPath(raw ?? '');
  if (segments.length !== 1) throw new AppError('invalidPath');
  return segments[0]!;
}

/** A name for a new bucket: a plain name (as above) that also fits {@link NEW_BUCKET_NAME}; else 400 INVALID_BUCKET_NAME. */
export function parseNewBucketName(raw: string | undefined): string {
  const name = parseBucketName(raw);
  if (!NEW_BUCKET_NAME.test(name) || name.includes('..')) throw new AppError('invalidBucketName');
  return name;
}

/** The errors {@link resolveBucket} answers besides INVALID_PATH (which every route with a path parameter has). */
export const RESOLVE_BUCKET_ERRORS = ['bucketNotFound', 'wrongApplicationToken'] as const satisfies readonly ErrorName[];

/**
 * The caller's bucket named `raw`. An application token for another bucket
 * gets 400 INVALID_BUCKET (also when the name does not exist, so a token
 * cannot probe for names); everyone else 404 BUCKET_DNE.
 */
export async function resolveBucket(deps: Pick<StorageDeps, 'buckets'>, principal: Principal, raw: string | undefined): Promise<BucketRecord> {
  const name = parseBucketName(raw);
  const bucket = await deps.buckets.getByName(principal.accountId, name);
  if (!bucket || bucket.markedForDeletionAt) {
    throw new AppError(principal.bucketUuid !== undefined ? 'wrongApplicationToken' : 'bucketNotFound');
  }
  requireBucketAccess(principal, bucket);
  return bucket;
}

/** `GET /bucket`: the names of the account's buckets, oldest first. */
export async function listBucketNames(deps: Pick<StorageDeps, 'buckets'>, principal: Principal): Promise<string[]> {
  requireMasterKey(principal);
  const buckets = await deps.buckets.list(principal.accountId);
  // The listing order of every listing (lib/core/model/collation.ts), not the index's case-sensitive byte order.
  return buckets
    .filter((bucket) => !bucket.markedForDeletionAt)
    .sort((a, b) => compareNames(a.name, b.name) || compareCodePoints(a.bucketUuid, b.bucketUuid))
    .map((bucket) => bucket.name);
}

/** `POST /bucket/create/<name>`: a private bucket; 400 BUCKET_EXISTS when the account has one of that name. */
export async function createQuantumBucket(deps: Pick<StorageDeps, 'buckets'> & QuantumDeps, principal: Principal, raw: string | undefined): Promise<BucketRecord> {
  requireMasterKey(principal);
  return createBucket(deps.buckets, {
    accountId: principal.accountId,
    name: parseNewBucketName(raw),
    public: false,
    maxSizeBytes: deps.config.DEFAULT_BUCKET_MAX_BYTES,
  });
}

/**
 * `POST /bucket/remove/<name>`: the bucket with everything in it. The bucket is
 * first marked for deletion, so no upload can commit into it meanwhile; then
 * its tokens go, its files (bytes, replica, records; usage given back) and
 * directories, and last the bucket and its name. A removal that stopped half
 * way is finished by asking again.
 */
export async function removeQuantumBucket(deps: Pick<StorageDeps, 'accounts' | 'buckets' | 'entries' | 'listings' | 'deletions' | 'directories' | 'blobs' | 'lifecycleQueue' | 'logger'>, principal: Principal, raw: string | undefined): Promise<void> {
  requireMasterKey(principal);
  const found = await deps.buckets.getByName(principal.accountId, parseBucketName(raw));
  if (!found) throw new AppError('bucketNotFound');
  requireBucketAccess(principal, found);
  const bucket = (await deps.buckets.markForDeletion(found.bucketUuid, new Date().toISOString())) ?? found;
  await deleteTokens(deps, bucket);
  await removeBucketContents(deps, bucket);
  await deps.buckets.remove(bucket);
  deps.logger.info('bucket removed', { bucketUuid: bucket.bucketUuid });
}

/** `POST /token/create/<bucket>`: a new application token for one bucket (shown once). */
export async function createBucketToken(deps: Pick<StorageDeps, 'accounts' | 'buckets'>, principal: Principal, raw: string | undefined): Promise<string> {
  requireMasterKey(principal);
  const bucket = await resolveBucket(deps, principal, raw);
  return (await issueApplicationToken(deps.accounts, principal.accountId, bucket.bucketUuid)).token;
}

/** Longest token we look up; anything longer is not one of ours. */
const MAX_TOKEN_LENGTH = 1024;

/** `POST /token/remove/<token>`: 404 TOKEN_DNE unless it is an application token of the caller's account. */
export async function removeBucketToken(deps: Pick<StorageDeps, 'accounts'>, principal: Principal, token: string | undefined): Promise<void> {
  requireMasterKey(principal);
  const presented = (token ?? '').trim();
  if (presented === '' || presented.length > MAX_TOKEN_LENGTH) throw new AppError('tokenNotFound');
  const credential = await deps.accounts.getCredential(credentialIdForToken(presented));
  const owned = credential?.kind === 'app' && credential.accountId === principal.accountId;
  if (!credential || !owned || !secretMatches(presented, credential.secretHash)) throw new AppError('tokenNotFound');
  await deps.accounts.deleteCredential(credential.credentialId);
}

/** `POST /token/remove/b/<bucket>`: every token of the bucket; 404 TOKEN_DNE when it has none. Returns how many went. */
export async function removeAllBucketTokens(deps: Pick<StorageDeps, 'accounts' | 'buckets'>, principal: Principal, raw: string | undefined): Promise<number> {
  requireMasterKey(principal);
  const bucket = await resolveBucket(deps, principal, raw);
  const removed = await deleteTokens(deps, bucket);
  if (removed === 0) throw new AppError('tokenNotFound');
  return removed;
}

async function deleteTokens(deps: Pick<StorageDeps, 'accounts'>, bucket: BucketRecord): Promise<number> {
  const tokens = await deps.accounts.listBucketTokens(bucket.bucketUuid);
  await Promise.all(tokens.map((token) => deps.accounts.deleteCredential(token.credentialId)));
  return tokens.length;
}
