import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import type { BandwidthStore } from '../core/ports';
import type { Table } from './table';

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
