import { invalidNextToken } from '../../errors';

/**
 * Listing cursors (`nextToken`), one envelope for all: base64url JSON `{ key | offset, scope }`.
 * An offset cursor (a listing sorted in memory) is the core's; a key cursor (a page of an index)
 * is issued and verified by the store that reads the index (lib/store/cursor.ts), so the core
 * passes it through without reading it.
 */

/**
 * A `nextToken`: the cursor as base64url JSON. Every listing (directories, a
 * bucket's files, the bucket list) makes its tokens here and reads them with
 * `openCursor`, so a token is only ever honoured by the listing (`scope`) that made it.
 */
export function encodeCursor(cursor: { readonly key?: unknown; readonly offset?: number; readonly scope: string }): string {
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
