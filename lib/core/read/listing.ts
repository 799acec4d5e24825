import { invalidNextToken } from '../../errors';
import { compareCodePoints, foldName } from '../model/collation';
import type { ListingStore } from '../ports';
import { encodeCursor, isCursorOffset, openCursor } from '../model/cursor';
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


/**
 * One page of a directory. Without a search and with at most one sort field the
 * page is read straight from the listing index for that field (its cost does not
 * depend on how big the directory is) and `total` comes from the directory's
 * counter. A search, or several sort fields, reads the directory and sorts in memory.
 */
export async function listDirectory(listings: ListingStore, query: ListQuery): Promise<ListResult> {
  const orderBy = query.orderBy.length ? query.orderBy : (['name'] as const);
  // The listing's identity as the store names it (opaque here): a token is only honoured by the listing that made it.
  const scope = JSON.stringify([listings.listingScope(query.bucketUuid, query.directoryUuid), orderBy, query.desc, query.search ?? '']);
  // A name contains the search as typed (spaces included: names may begin or end with one); empty is no search.
  const search = query.search || undefined;
  // The index read (one sort field, no search) continues from a token the store issued; the in-memory sort from an offset.
  const indexed = !search && orderBy.length === 1;

  if (indexed) {
    const field = orderBy[0]!;
    const descending = query.desc[0] ?? false;
    const page = (after: string | undefined, limit: number, keysOnly = false) =>
      listings.listPage({ bucketUuid: query.bucketUuid, directoryUuid: query.directoryUuid, orderBy: field, descending, limit, after, scope, keysOnly });

    let after = query.nextToken;
    if (after === undefined) {
      // Jump to the page by reading only keys of what comes before it.
      for (let toSkip = (query.page - 1) * query.limit; toSkip > 0; ) {
        const skipped = await page(after, Math.min(toSkip, SKIP_BATCH), true);
        toSkip -= skipped.items.length;
        after = skipped.nextToken;
        if (after === undefined) return { items: [], total: await listings.count(query.bucketUuid, query.directoryUuid) };
      }
    }
    const [result, total] = await Promise.all([
      page(after, query.limit),
      listings.count(query.bucketUuid, query.directoryUuid),
    ]);
    const more = result.nextToken !== undefined && result.items.length === query.limit;
    return { items: result.items, total, nextToken: more ? result.nextToken : undefined };
  }

  const needle = search === undefined ? undefined : foldName(search);
  const all = (await listings.listAll(query.bucketUuid, query.directoryUuid))
    .filter((entry) => !needle || foldName(entry.name).includes(needle))
    .sort(compareEntries(orderBy, query.desc));
  const offset = query.nextToken === undefined ? (query.page - 1) * query.limit : decodeOffsetCursor(query.nextToken, scope);
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

/** An offset cursor of this listing (same `scope`), for the in-memory sort. 422 otherwise. */
function decodeOffsetCursor(token: string, scope: string): number {
  const cursor = openCursor(token, scope);
  if (!isCursorOffset(cursor.offset) || cursor.key !== undefined) throw invalidNextToken();
  return cursor.offset;
}
