import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { FileStatus, RecordStatus, type EntryRecord } from '../core/model/entries';
import type { ChargeLimits } from '../core/model/records';
import { fileSetKeys, keys, listingKeys, pendingKeys } from './keys';

/**
 * The pieces every multi-item write of the entry model is built from (path
 * claims, listing counters, usage charges), shared by the stores so each rule
 * (for example "a charge never passes the limit") is written once.
 */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit of actions in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/** An entry as stored: its record plus the index keys it is found by (listing only when `listed`). */
export function entryItem(entry: EntryRecord, listed: boolean): Record<string, unknown> {
  return {
    ...keys.entry(entry.uuid),
    refPk: keys.fileNumberRef(entry.number),
    refSk: entry.uuid,
    ...(listed ? listingKeys(entry) : {}),
    ...(entry.type === 'file' ? fileSetKeys(entry) : {}),
    // Files short of status 4 wait in the sweeper's index; so do new directories until their first CID (lib/core/directories/directories.ts).
    ...(entry.type === 'file' && (entry.fileStatus ?? 0) < FileStatus.REPLICATED ? pendingKeys(entry.uuid, entry.updatedAt) : {}),
    ...(entry.type === 'directory' && entry.cidV1 === undefined ? pendingKeys(entry.uuid, entry.createdAt) : {}),
    ...entry,
  };
}

/**
 * Puts the path claim for `entry`; the path must be free, or held by
 * `replacingUuid`. File claims carry the bytes charged for the file, so a
 * replacement's refund is known from the claim alone.
 */
export function claimPath(table: string, entry: EntryRecord, replacingUuid: string | undefined): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: {
        ...keys.path(entry.bucketUuid, entry.path),
        entryUuid: entry.uuid,
        type: entry.type,
        ...(entry.type === 'file' ? { chargedBytes: entry.chargedBytes ?? 0, objectKey: entry.objectKey } : {}),
      },
      ConditionExpression: replacingUuid ? 'entryUuid = :replacing' : 'attribute_not_exists(pk)',
      ExpressionAttributeValues: replacingUuid ? { ':replacing': replacingUuid } : undefined,
    },
  };
}

export function releasePath(table: string, entry: EntryRecord): TransactItem {
  return {
    Delete: {
      TableName: table,
      Key: keys.path(entry.bucketUuid, entry.path),
      ConditionExpression: 'entryUuid = :uuid',
      ExpressionAttributeValues: { ':uuid': entry.uuid },
    },
  };
}

/** The path claim of `path` must still be held by `entryUuid` (a folder that must not vanish meanwhile). */
export function checkClaim(table: string, bucketUuid: string, path: string, entryUuid: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: table,
      Key: keys.path(bucketUuid, path),
      ConditionExpression: 'entryUuid = :holder',
      ExpressionAttributeValues: { ':holder': entryUuid },
    },
  };
}

/** Adds `by` to the child count of a directory (the listing's `total`). */
export function adjustCount(table: string, bucketUuid: string, directoryUuid: string | null, by: number): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: keys.directoryCounter(bucketUuid, directoryUuid),
      UpdateExpression: 'ADD #count :by',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':by': by },
    },
  };
}

/**
 * Adds `delta` bytes to a usage attribute (`used`) and `reservedDelta` to its reservations (`reservedBytes`: bytes
 * held by open multipart uploads, issue 21), refusing to let the two together pass the limit. DynamoDB conditions
 * cannot add, so when the sum grows the condition bounds each attribute on its own: `used <= maxUsed` and
 * `reservedBytes <= maxReserved`, the two bounds summing to `limit - (delta + reservedDelta)` and each at least the
 * value the decision read (`seen`), the headroom split between them. Whatever concurrent writes did, a write whose
 * condition holds leaves used + reserved within the limit (race-free); one that fails is decided again on fresh
 * figures. A write that does not grow the sum (a refund, a reservation settled on its real size) is never refused.
 * The limit itself is pinned to the value the caller computed against.
 */
export function charge(
  table: string,
  key: Record<string, string>,
  names: { readonly used: string; readonly limit: string },
  limitValue: number,
  seen: { readonly used: number; readonly reserved: number },
  delta: { readonly used: number; readonly reserved: number },
  bucket = false,
): TransactItem {
  const grows = delta.used + delta.reserved;
  const conditions = ['attribute_exists(pk)', `#limit = :limit`];
  const values: Record<string, unknown> = { ':limit': limitValue };
  if (grows > 0) {
    const headroom = limitValue - seen.used - seen.reserved - grows;
    values[':maxUsed'] = seen.used + Math.ceil(headroom / 2);
    values[':maxReserved'] = seen.reserved + Math.floor(headroom / 2);
    conditions.push('(attribute_not_exists(#used) OR #used <= :maxUsed)', '(attribute_not_exists(#reserved) OR #reserved <= :maxReserved)');
  }
  if (bucket) conditions.push('attribute_not_exists(markedForDeletionAt)');
  const adds: string[] = [];
  if (delta.used !== 0 || delta.reserved === 0) {
    adds.push('#used :delta');
    values[':delta'] = delta.used;
  }
  if (delta.reserved !== 0) {
    adds.push('#reserved :reservedDelta');
    values[':reservedDelta'] = delta.reserved;
  }
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      // DynamoDB refuses a name the expressions do not use.
      ExpressionAttributeNames: {
        '#limit': names.limit,
        ...(grows > 0 || adds.includes('#used :delta') ? { '#used': names.used } : {}),
        ...(grows > 0 || delta.reserved !== 0 ? { '#reserved': RESERVED_ATTRIBUTE } : {}),
      },
      ExpressionAttributeValues: values,
    },
  };
}

/** The attribute of an account or bucket holding the bytes reserved by open multipart uploads. */
export const RESERVED_ATTRIBUTE = 'reservedBytes';

/**
 * Charges an account's usage and its bucket's size by `delta` bytes and their reservations by `reservedDelta` (a
 * reservation made: > 0; settled or released: < 0), within quota and bucket limit counting both (see `charge`).
 */
export function chargeUsage(table: string, limits: ChargeLimits, delta: number, reservedDelta = 0): [TransactItem, TransactItem] {
  return [
    charge(table, keys.account(limits.accountId), { used: 'usedBytes', limit: 'quotaBytes' }, limits.quotaBytes, { used: limits.seen.accountUsedBytes, reserved: limits.seen.accountReservedBytes }, { used: delta, reserved: reservedDelta }),
    charge(table, keys.bucket(limits.bucketUuid), { used: 'sizeBytes', limit: 'maxSizeBytes' }, limits.bucketMaxBytes, { used: limits.seen.bucketSizeBytes, reserved: limits.seen.bucketReservedBytes }, { used: delta, reserved: reservedDelta }, true),
  ];
}

/**
 * Gives back a reservation of `bytes` on the account and the bucket of `file` (never refused). The caller's write on
 * the file removes its `reservedBytes` under the condition {@link holdsReservation}, so it is given back once.
 */
export function releaseReservation(table: string, file: Pick<EntryRecord, 'accountId' | 'bucketUuid'>, bytes: number): TransactItem[] {
  return subtractFromAccountAndBucket(table, file, { account: RESERVED_ATTRIBUTE, bucket: RESERVED_ATTRIBUTE }, bytes);
}

/** The condition (and its value) under which a write on a file may give back its reservation of `bytes`: it still holds it. */
export function holdsReservation(bytes: number): { readonly condition: string; readonly values: Record<string, number> } {
  return { condition: 'reservedBytes = :heldReservation', values: { ':heldReservation': bytes } };
}

/** Gives back the bytes charged for `file`. */
export function refund(table: string, file: EntryRecord, charged: number): TransactItem[] {
  return subtractFromAccountAndBucket(table, file, { account: 'usedBytes', bucket: 'sizeBytes' }, charged);
}

/** `bytes` taken off a counter of the account and one of the bucket of `file` (unconditional ADDs: never refused). */
function subtractFromAccountAndBucket(
  table: string,
  file: Pick<EntryRecord, 'accountId' | 'bucketUuid'>,
  attributes: { readonly account: string; readonly bucket: string },
  bytes: number,
): TransactItem[] {
  const update = (key: Record<string, string>, attribute: string): TransactItem => ({
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: 'ADD #counter :delta',
      ExpressionAttributeNames: { '#counter': attribute },
      ExpressionAttributeValues: { ':delta': -bytes },
    },
  });
  return [update(keys.account(file.accountId), attributes.account), update(keys.bucket(file.bucketUuid), attributes.bucket)];
}

/** Deletes the record of a file another one replaces; it must still be the active file the caller saw. */
export function retireReplaced(table: string, replacedUuid: string): TransactItem {
  return {
    Delete: {
      TableName: table,
      Key: keys.entry(replacedUuid),
      ConditionExpression: 'recordStatus = :active',
      ExpressionAttributeValues: { ':active': RecordStatus.ACTIVE },
    },
  };
}

/** How long a settled upload request stays readable (its file detail) before DynamoDB's TTL removes it (seconds). */
export const SETTLED_REQUEST_TTL_SECONDS = 24 * 60 * 60;

/**
 * An open multipart upload superseded by upload `byUuid` (issue 21): 1 → 106 with `supersededBy` and `reason`, out of
 * the sweeper's index, its reservation given up (the caller's write gives the bytes back on the account and bucket).
 * Conditioned on its being still open where it was (a session end may have moved it), not completing (a completing
 * upload keeps its place), and holding exactly the reservation read.
 */
export function supersedeItem(table: string, file: EntryRecord, byUuid: string, reason: string, nowIso: string): TransactItem {
  const held = file.reservedBytes ? holdsReservation(file.reservedBytes) : undefined;
  return {
    Update: {
      TableName: table,
      Key: keys.entry(file.uuid),
      UpdateExpression: 'SET fileStatus = :cancelled, supersededBy = :by, rejectionReason = :reason, updatedAt = :now, expiresAt = :expiresAt REMOVE pendingPk, pendingAt, reservedBytes',
      ConditionExpression: `fileStatus = :requested AND recordStatus = :active AND #path = :path AND attribute_not_exists(completingAt)${held ? ` AND ${held.condition}` : ''}`,
      ExpressionAttributeNames: { '#path': 'path' },
      ExpressionAttributeValues: {
        ':cancelled': FileStatus.ERROR_UPLOAD_CANCELLED,
        ':requested': FileStatus.REQUESTED,
        ':active': RecordStatus.ACTIVE,
        ':by': byUuid,
        ':reason': reason,
        ':now': nowIso,
        ':path': file.path,
        ':expiresAt': Math.floor(Date.parse(nowIso) / 1000) + SETTLED_REQUEST_TTL_SECONDS,
        ...(held?.values ?? {}),
      },
    },
  };
}

/** Lets go of an open upload's claim on its path, which `fileUuid` must still hold. */
export function releaseUploadClaim(table: string, bucketUuid: string, path: string, fileUuid: string): TransactItem {
  return {
    Delete: {
      TableName: table,
      Key: keys.uploadClaim(bucketUuid, path),
      ConditionExpression: 'fileUuid = :holder',
      ExpressionAttributeValues: { ':holder': fileUuid },
    },
  };
}

/** The item that counts one more settled file on an upload session (lifecycle-store.ts `transition`'s `countInSession`). */
export function sessionSettledItem(table: string, sessionUuid: string): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: keys.session(sessionUuid),
      // A session gone past its TTL is not brought back for good: the item it leaves expires too.
      UpdateExpression: 'ADD settledCount :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': Math.floor(Date.now() / 1000) + 7 * 24 * 60 * 60 },
    },
  };
}
