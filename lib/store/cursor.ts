import { invalidNextToken } from '../errors';
import { encodeCursor, openCursor } from '../core/model/cursor';

/**
 * Key cursors: a `nextToken` holding a DynamoDB ExclusiveStartKey of one of our entry
 * indexes, issued and verified here so that no table key leaves the store (issue 20). The
 * envelope is the core's (lib/core/model/cursor.ts: base64url JSON `{ key, scope }`).
 */

/** A token continuing after `key` within `scope` (the listing it belongs to). */
export function issueKeyCursor(key: Record<string, unknown>, scope: string): string {
  return encodeCursor({ key, scope });
}

/**
 * The start key a token of `scope` holds, checked to be exactly an entry index key of
 * `index` (so DynamoDB never gets a key it rejects, and no other partition is paged).
 * 422 NEXT_TOKEN_NOT_VALID (invalidNextToken) otherwise.
 */
export function openKeyCursor(token: string, scope: string, index: { partitionAttribute: string; partition: string; sortAttribute: string }): Record<string, string> {
  const cursor = openCursor(token, scope);
  if (cursor.offset !== undefined || !isEntryIndexKey(cursor.key, index)) throw invalidNextToken();
  return cursor.key;
}

/** DynamoDB's limit for a sort key value (bytes); a partition key may hold 2048. */
const MAX_KEY_VALUE_BYTES = 1024;

/**
 * Whether `key` is exactly a start key of an entry index of ours: the table key of an
 * entry (`pk` ENTRY#<uuid>, `sk` ENTRY) plus the index's partition attribute, holding
 * `partition`, and its sort attribute: those attributes and no others, all strings.
 * Anything else would reach DynamoDB as an ExclusiveStartKey it rejects, or page
 * another partition.
 */
export function isEntryIndexKey(key: unknown, index: { partitionAttribute: string; partition: string; sortAttribute: string }): key is Record<string, string> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const record = key as Record<string, unknown>;
  const expected = ['pk', 'sk', index.partitionAttribute, index.sortAttribute];
  const names = Object.keys(record);
  if (names.length !== expected.length || !expected.every((name) => Object.hasOwn(record, name))) return false;
  const valid = (value: unknown) => typeof value === 'string' && value !== '' && Buffer.byteLength(value, 'utf8') <= MAX_KEY_VALUE_BYTES;
  return (
    expected.every((name) => valid(record[name])) &&
    /^ENTRY#[0-9a-f-]{36}$/.test(record.pk as string) &&
    record.sk === 'ENTRY' &&
    record[index.partitionAttribute] === index.partition
  );
}
