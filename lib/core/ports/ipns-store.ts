/**
 * The core's `IpnsStore` port (implemented in lib/store/ipns-store.ts).
 */
import type { IpnsRecord } from '../model/records';

/** IPNS names and their records. */
export interface IpnsStore {
  /** Stores a new name and its name → uuid lookup in one transaction. */
  create(record: IpnsRecord): Promise<void>;
  get(ipnsUuid: string): Promise<IpnsRecord | undefined>;
  /** The record of an IPNS name (`k51…`), via its lookup item. */
  getByName(ipnsName: string): Promise<IpnsRecord | undefined>;
  /** Every name of a bucket, oldest first. */
  listByBucket(bucketUuid: string): Promise<IpnsRecord[]>;
  /**
   * Stores a newly signed record if the stored sequence is still `previousSequence`
   * (so sequence numbers only grow, whatever runs concurrently); false otherwise.
   */
  publish(ipnsUuid: string, previousSequence: number, update: Pick<IpnsRecord, 'ipnsValue' | 'sequence' | 'signedRecord' | 'updatedAt'>): Promise<boolean>;
  /** Deletes the name and its lookup. */
  delete(record: Pick<IpnsRecord, 'ipnsUuid' | 'ipnsName'>): Promise<void>;
}
