import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { FileStatus, RecordStatus, type EntryRecord } from '../core/model/entries';
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
 * Adds `delta` bytes to a usage attribute, refusing to pass the limit. DynamoDB
 * conditions cannot add, so the check is `used <= limit - delta`, with the
 * limit itself pinned to the value the caller computed against.
 */
export function charge(
  table: string,
  key: Record<string, string>,
  used: string,
  limit: string,
  limitValue: number,
  delta: number,
  bucket = false,
): TransactItem {
  const conditions = ['attribute_exists(pk)', `#limit = :limit`];
  if (delta > 0) conditions.push(`(attribute_not_exists(#used) OR #used <= :maxBefore)`);
  if (bucket) conditions.push('attribute_not_exists(markedForDeletionAt)');
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: 'ADD #used :delta',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { '#used': used, '#limit': limit },
      ExpressionAttributeValues: { ':delta': delta, ':limit': limitValue, ...(delta > 0 ? { ':maxBefore': limitValue - delta } : {}) },
    },
  };
}

/** Charges an account's usage and its bucket's size by `delta` bytes, within quota and bucket limit. */
export function chargeUsage(
  table: string,
  limits: { accountId: string; quotaBytes: number; bucketUuid: string; bucketMaxBytes: number },
  delta: number,
): [TransactItem, TransactItem] {
  return [
    charge(table, keys.account(limits.accountId), 'usedBytes', 'quotaBytes', limits.quotaBytes, delta),
    charge(table, keys.bucket(limits.bucketUuid), 'sizeBytes', 'maxSizeBytes', limits.bucketMaxBytes, delta, true),
  ];
}

/** Gives back the bytes charged for `file`. */
export function refund(table: string, file: EntryRecord, charged: number): TransactItem[] {
  const update = (key: Record<string, string>, attribute: string): TransactItem => ({
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: 'ADD #used :delta',
      ExpressionAttributeNames: { '#used': attribute },
      ExpressionAttributeValues: { ':delta': -charged },
    },
  });
  return [update(keys.account(file.accountId), 'usedBytes'), update(keys.bucket(file.bucketUuid), 'sizeBytes')];
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
