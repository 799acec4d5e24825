import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import type { Table } from './table';

/**
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

export class DynamoBandwidthStore implements BandwidthStore {
  constructor(private readonly table: Table) {}

  async add(accountId: string, month: string, bytes: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.bandwidth(accountId, month),
        UpdateExpression: 'ADD servedBytes :bytes',
        ExpressionAttributeValues: { ':bytes': bytes },
      }),
    );
  }

  async get(accountId: string, month: string): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.bandwidth(accountId, month), ProjectionExpression: 'servedBytes' }),
    );
    return typeof Item?.servedBytes === 'number' ? Item.servedBytes : 0;
  }
}
