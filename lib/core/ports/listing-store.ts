/**
 * The core's `ListingStore` port (implemented in lib/store/listing-store.ts).
 */
import type { EntryRecord, SortField } from '../model/entries';

export interface ListPage {
  readonly items: EntryRecord[];
  readonly lastKey?: Record<string, unknown>;
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
  /** Where the previous page stopped (its `lastKey`). */
  readonly startKey?: Record<string, unknown>;
}

export interface FileSetPage {
  readonly items: EntryRecord[];
  readonly total: number;
  /** Present when more files follow: the index position after the last item. */
  readonly lastKey?: Record<string, string>;
}

/** Directory listings (one index per sort field), child counts, and the file sets of a bucket or upload session. */
export interface ListingStore {
  /** Children of a directory (the listing's `total`). */
  count(bucketUuid: string, directoryUuid: string | null): Promise<number>;
  /** One page of a directory's children in the order of `orderBy`; `lastKey` continues it. */
  listPage(input: {
    bucketUuid: string;
    directoryUuid: string | null;
    orderBy: SortField;
    descending: boolean;
    limit: number;
    startKey?: Record<string, unknown>;
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
  listFiles(query: FileSetQuery): Promise<FileSetPage>;
}
