import { invalidNextToken } from '../../errors';
import { compareCodePoints, foldName } from '../model/collation';
import type { ListingStore } from '../ports';
import { keys, LISTING_SORT_ATTRIBUTE } from '../../store/keys';
import type { EntryRecord, SortField } from '../model/entries';

export interface ListQuery {
  readonly bucketUuid: string;
  /** null for the bucket root. */
  readonly directoryUuid: string | null;
  /** Name contains, case-insensitive. */
  readonly search?: string;
  readonly orderBy: readonly SortField[];
  /** Per `orderBy` field, by index; missing entries are ascending. */
  readonly desc: readonly boolean[];
  /** 1-based. */
  readonly page: number;
  readonly limit: number;
  /** A cursor from a previous page; takes precedence over `page`. */
  readonly nextToken?: string;
}

export interface ListResult {
  readonly items: EntryRecord[];
  readonly total: number;
  /** Present when more items follow. */
  readonly nextToken?: string;
}

/** Most keys skipped per round trip when jumping to a far page. */
const SKIP_BATCH = 1000;

interface Cursor {
  /** The index position to continue from (fast path). */
  readonly key?: Record<string, unknown>;
  /** The offset to continue from (search or several sort fields). */
  readonly offset?: number;
  /** The listing the cursor belongs to: a cursor is never honoured for another directory or order. */
  readonly scope: string;
}

/**
 * One page of a directory. Without a search and with at most one sort field the
 * page is read straight from the listing index for that field (its cost does not
 * depend on how big the directory is) and `total` comes from the directory's
 * counter. A search, or several sort fields, reads the directory and sorts in memory.
 */
export async function listDirectory(listings: ListingStore, query: ListQuery): Promise<ListResult> {
  const orderBy = query.orderBy.length ? query.orderBy : (['name'] as const);
  const listPk = keys.listing(query.bucketUuid, query.directoryUuid);
  const scope = JSON.stringify([listPk, orderBy, query.desc, query.search ?? '']);
  // A name contains the search as typed (spaces included: names may begin or end with one); empty is no search.
  const search = query.search || undefined;
  // The index read (one sort field, no search) continues from an index key; the in-memory sort from an offset.
  const indexed = !search && orderBy.length === 1;
  const cursor =
    query.nextToken === undefined ? undefined : decodeCursor(query.nextToken, scope, indexed ? { listPk, sortAttribute: LISTING_SORT_ATTRIBUTE[orderBy[0]!] } : null);

  if (indexed) {
    const field = orderBy[0]!;
    const descending = query.desc[0] ?? false;
    const page = (startKey: Record<string, unknown> | undefined, limit: number, keysOnly = false) =>
      listings.listPage({ bucketUuid: query.bucketUuid, directoryUuid: query.directoryUuid, orderBy: field, descending, limit, startKey, keysOnly });

    let startKey = cursor?.key;
    if (!cursor) {
      // Jump to the page by reading only keys of what comes before it.
      for (let toSkip = (query.page - 1) * query.limit; toSkip > 0; ) {
        const skipped = await page(startKey, Math.min(toSkip, SKIP_BATCH), true);
        toSkip -= skipped.items.length;
        startKey = skipped.lastKey;
        if (!startKey) return { items: [], total: await listings.count(query.bucketUuid, query.directoryUuid) };
      }
    }
    const [result, total] = await Promise.all([
      page(startKey, query.limit),
      listings.count(query.bucketUuid, query.directoryUuid),
    ]);
    const more = result.lastKey !== undefined && result.items.length === query.limit;
    return { items: result.items, total, nextToken: more ? encodeCursor({ key: result.lastKey, scope }) : undefined };
  }

  const needle = search === undefined ? undefined : foldName(search);
  const all = (await listings.listAll(query.bucketUuid, query.directoryUuid))
    .filter((entry) => !needle || foldName(entry.name).includes(needle))
    .sort(compareEntries(orderBy, query.desc));
  const offset = cursor?.offset ?? (query.page - 1) * query.limit;
  const items = all.slice(offset, offset + query.limit);
  const next = offset + items.length;
  return { items, total: all.length, nextToken: next < all.length ? encodeCursor({ offset: next, scope }) : undefined };
}

function compareOtherField(a: EntryRecord, b: EntryRecord, field: Exclude<SortField, 'name'>): number {
  switch (field) {
    case 'createTime':
      return compareCodePoints(a.createdAt, b.createdAt);
    case 'updateTime':
      return compareCodePoints(a.updatedAt, b.updatedAt);
    case 'size':
      return Math.sign((a.size ?? 0) - (b.size ?? 0));
  }
}

/**
 * The listing order of lib/core/model/collation.ts for any sort fields: field by
 * field, each ascending or descending, then the uuid as one more field with the
 * direction of the last one. With one field this is exactly the index order
 * (`value U+0000 uuid`, read forwards or backwards), so every path agrees.
 */
export function compareEntries(orderBy: readonly SortField[], desc: readonly boolean[]) {
  const fields = orderBy.length ? orderBy : (['name'] as const);
  const folded = new Map<EntryRecord, string>();
  const fold = (entry: EntryRecord) => folded.get(entry) ?? folded.set(entry, foldName(entry.name)).get(entry)!;
  const compareField = (a: EntryRecord, b: EntryRecord, field: SortField) =>
    field === 'name' ? compareCodePoints(fold(a), fold(b)) : compareOtherField(a, b, field);
  return (a: EntryRecord, b: EntryRecord): number => {
    for (const [index, field] of fields.entries()) {
      const order = compareField(a, b, field);
      if (order !== 0) return desc[index] ? -order : order;
    }
    const order = compareCodePoints(a.uuid, b.uuid);
    return desc[fields.length - 1] ? -order : order;
  };
}

/**
 * A `nextToken`: the cursor as base64url JSON. Every listing (directories, a
 * bucket's files, the bucket list) makes its tokens here and reads them with
 * `openCursor`, so a token is only ever honoured by the listing (`scope`) that made it.
 */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/**
 * The fields of a `nextToken` made for `scope`, not checked further (each listing
 * checks the key or offset it uses). 422 (invalidNextToken) for anything that is
 * not such a token.
 */
export function openCursor(token: string, scope: string): { readonly key?: unknown; readonly offset?: unknown } {
  let cursor: { key?: unknown; offset?: unknown; scope?: unknown };
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof cursor;
  } catch {
    throw invalidNextToken();
  }
  if (typeof cursor !== 'object' || cursor === null || cursor.scope !== scope) throw invalidNextToken();
  return cursor;
}

/** A cursor's offset: a non-negative safe integer. */
export function isCursorOffset(offset: unknown): offset is number {
  return Number.isSafeInteger(offset) && (offset as number) >= 0;
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

/**
 * A cursor of this listing (same `scope`): an index key of the listing's partition
 * when `index` is given (index read), else an offset (in-memory sort). 422 otherwise.
 */
function decodeCursor(token: string, scope: string, index: { listPk: string; sortAttribute: string } | null): Cursor {
  const cursor = openCursor(token, scope) as Cursor;
  if (index) {
    // Never page another directory, nor hand DynamoDB a start key it cannot use.
    const keyIsValid = isEntryIndexKey(cursor.key, { partitionAttribute: 'listPk', partition: index.listPk, sortAttribute: index.sortAttribute });
    if (!keyIsValid || cursor.offset !== undefined) throw invalidNextToken();
  } else {
    if (!isCursorOffset(cursor.offset) || cursor.key !== undefined) throw invalidNextToken();
  }
  return cursor;
}
