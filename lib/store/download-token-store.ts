import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { RecordStatus } from '../core/model/entries';
import type {
  DownloadTokenRecord, DownloadTokenStore } from '../core/ports';
import { keys } from './keys';
import { stripKeys, transactWriteOrFalse, withConflictRetry, type Table, getConsistent } from './table';

/** One-time download tokens (Quantum). */
export class DynamoDownloadTokenStore implements DownloadTokenStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async putDownloadToken(token: DownloadTokenRecord): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.name,
        Item: { ...keys.downloadToken(token.tokenHash), ...token },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getDownloadToken(tokenHash: string): Promise<DownloadTokenRecord | undefined> {
    const Item = await getConsistent(this.table, keys.downloadToken(tokenHash));
    return Item ? stripKeys<DownloadTokenRecord>(Item) : undefined;
  }

  redeemDownloadToken(token: DownloadTokenRecord): Promise<boolean> {
    return withConflictRetry(() => transactWriteOrFalse(this.table, [
      { Delete: { TableName: this.name, Key: keys.downloadToken(token.tokenHash), ConditionExpression: 'attribute_exists(pk)' } },
      {
        Update: {
          TableName: this.name,
          Key: keys.entry(token.fileUuid),
          UpdateExpression: 'SET downloadGeneration = :next',
          ConditionExpression:
            'recordStatus = :active AND (downloadGeneration = :generation OR (attribute_not_exists(downloadGeneration) AND :generation = :zero))',
          ExpressionAttributeValues: { ':active': RecordStatus.ACTIVE, ':generation': token.generation, ':next': token.generation + 1, ':zero': 0 },
        },
      },
    ]));
  }
}
