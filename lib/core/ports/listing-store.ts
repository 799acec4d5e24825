/**
 * The core's `ListingStore` port (implemented in lib/store/listing-store.ts).
 */
import type { EntryRecord, SortField } from '../model/entries';

export interface ListPage {
  readonly items: EntryRecord[];
  /** Present when the index may hold more: a token (opaque to the core) that continues after the last item. */
  readonly nextToken?: string;
}

export interface FileSetQuery {
  readonly bucketUuid: string;
  /** The files of this upload session only. */
  readonly sessionUuid?: string;
  readonly fileStatus?: number;
  /** Active files (5) or files marked for deletion (8). */
  readonly recordStatus: number;
  /** Matching files to skip before the page (ignored items of earlier pages). */
  readonly offset: number;
  readonly limit: number;
  /** Where the previous page stopped: its `nextToken`, issued by this store for the same `scope`. */
  readonly after?: string;
  /** The listing the tokens belong to (the caller's words for bucket, session and filters); required with `after`, and for a `nextToken`. */
  readonly scope?: string;
}

export interface FileSetPage {
  readonly items: EntryRecord[];
  readonly total: number;
  /** Present when more files follow (and `scope` was given): a token, opaque to the core, continuing after the last item. */
  readonly nextToken?: string;
}

/** Directory listings (one index per sort field), child counts, and the file sets of a bucket or upload session. */
export interface ListingStore {
  /** Children of a directory (the listing's `total`). */
  count(bucketUuid: string, directoryUuid: string | null): Promise<number>;
  /**
   * The identity of a directory's listing, as the store names it: opaque to the core, which puts it
   * in the `scope` of its listing tokens so that a token is honoured only by the listing that made it.
   */
  listingScope(bucketUuid: string, directoryUuid: string | null): string;
  /**
   * One page of a directory's children in the order of `orderBy`, at most `limit` (its `nextToken`
   * continues it). `after`: a `nextToken` this store issued for the same `scope`; anything else
   * throws 422 NEXT_TOKEN_NOT_VALID (AppError invalidNextToken) before any read.
   */
  listPage(input: {
    bucketUuid: string;
    directoryUuid: string | null;
    orderBy: SortField;
    descending: boolean;
    limit: number;
    after?: string;
    scope: string;
    keysOnly?: boolean;
  }): Promise<ListPage>;
  /** Every child of a directory (search and multi-field sorts). */
  listAll(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[]>;
  /**
   * Every child of a directory as it is now: the listing index is read (a DynamoDB GSI, which
   * catches up with writes eventually), then each listed entry's own item with a strongly
   * consistent read, keeping those still listed in this directory, and their number is checked
   * against the directory's child counter (consistent, written in the same transactions as the
   * entries). Undefined when the index has not caught up yet (a child added or removed since),
   * so the caller can ask again rather than decide on a stale listing. Costs about two reads per child.
   */
  readChildren(bucketUuid: string, directoryUuid: string | null): Promise<EntryRecord[] | undefined>;
  /**
   * One page of the files of a bucket, or of one upload session of it, oldest
   * first (ByBucketFiles / BySessionFiles), with the number of matching files.
   */
  /**
   * A page of a bucket's (or session's) files, with their total. `after` as in `listPage`
   * (422 NEXT_TOKEN_NOT_VALID for a token of another scope, bucket or session).
   */
  listFiles(query: FileSetQuery): Promise<FileSetPage>;
}
