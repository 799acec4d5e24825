/**
 * The core's `BandwidthStore` port (implemented in lib/store/bandwidth-store.ts).
 *
 * Bytes served per account and month: one counter item per account-month,
 * updated with an atomic ADD (one write per served response, no read, no
 * transaction). The counter is its own item rather than an attribute of the
 * account item, so downloads never conflict with the upload transactions that
 * charge `usedBytes` there (DynamoDB cancels a transaction when another
 * request writes one of its items at the same time).
 */
export interface BandwidthStore {
  /** Adds `bytes` to the account's counter of `month` (`yyyy-mm`, UTC); creates it at 0 first. */
  add(accountId: string, month: string, bytes: number): Promise<void>;
  /** Bytes counted for the account in `month`; 0 when nothing was served. */
  get(accountId: string, month: string): Promise<number>;
}
