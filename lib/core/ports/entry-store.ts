/**
 * The core's `EntryStore` port (implemented in lib/store/entry-store.ts).
 */
import type { EntryRecord } from '../model/entries';
import type { PathClaim } from '../model/records';

/** Entries (files and directories) of all buckets and their path claims: reads and lookups. */
export interface EntryStore {
  get(uuid: string): Promise<EntryRecord | undefined>;
  /** By Apillon's integer id. */
  getByNumber(number: number): Promise<EntryRecord | undefined>;
  /** The entries of one bucket with this CID (v0 or v1). */
  findByCid(bucketUuid: string, cid: { v0?: string; v1?: string }): Promise<EntryRecord[]>;
  /**
   * The entries, in any bucket, with this CID (the public gateway's lookup), read from
   * the CID index one small page at a time as the caller iterates: a caller that stops
   * at the first servable entry reads one page.
   */
  findByCidInAnyBucket(cid: { v0?: string; v1?: string }): AsyncIterable<EntryRecord>;
  getPathClaim(bucketUuid: string, path: string): Promise<PathClaim | undefined>;
  /** Every claim strictly under `directoryPath` (its whole subtree); `''` gives every claim of the bucket. */
  listSubtreeClaims(bucketUuid: string, directoryPath: string): Promise<PathClaim[]>;
}
