import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import type { IpnsRecord, IpnsStore } from '../core/ports';
import { queryRecords, stripKeys, type Table, writeOrFalse, getConsistent } from './table';

export class DynamoIpnsStore implements IpnsStore {
  constructor(private readonly table: Table) {}

  async create(record: IpnsRecord): Promise<void> {
    await this.table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table.name,
              Item: { ...keys.ipns(record.ipnsUuid), refPk: keys.bucketIpnsRef(record.bucketUuid), refSk: `${record.createdAt}#${record.ipnsUuid}`, ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.table.name,
              Item: { ...keys.ipnsName(record.ipnsName), ipnsUuid: record.ipnsUuid },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  async get(ipnsUuid: string): Promise<IpnsRecord | undefined> {
    const Item = await getConsistent(this.table, keys.ipns(ipnsUuid));
    return Item ? stripKeys<IpnsRecord>(Item) : undefined;
  }

  async getByName(ipnsName: string): Promise<IpnsRecord | undefined> {
    const { Item } = await this.table.client.send(new GetCommand({ TableName: this.table.name, Key: keys.ipnsName(ipnsName) }));
    return typeof Item?.ipnsUuid === 'string' ? this.get(Item.ipnsUuid) : undefined;
  }

  async listByBucket(bucketUuid: string): Promise<IpnsRecord[]> {
    // ByRef is KEYS_ONLY (docs/index-plan.md): the records are read from the table.
    const items = await queryRecords(this.table, {
      IndexName: 'ByRef',
      KeyConditionExpression: 'refPk = :ref',
      ExpressionAttributeValues: { ':ref': keys.bucketIpnsRef(bucketUuid) },
    });
    return items.map((item) => stripKeys<IpnsRecord>(item));
  }

  async publish(
    ipnsUuid: string,
    previousSequence: number,
    update: Pick<IpnsRecord, 'ipnsValue' | 'sequence' | 'signedRecord' | 'updatedAt'>,
  ): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.ipns(ipnsUuid),
          UpdateExpression: 'SET ipnsValue = :value, #sequence = :sequence, signedRecord = :record, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND #sequence = :previous',
          ExpressionAttributeNames: { '#sequence': 'sequence' },
          ExpressionAttributeValues: {
            ':value': update.ipnsValue,
            ':sequence': update.sequence,
            ':record': update.signedRecord,
            ':now': update.updatedAt,
            ':previous': previousSequence,
          },
        }),
      ));
  }

  async delete(record: Pick<IpnsRecord, 'ipnsUuid' | 'ipnsName'>): Promise<void> {
    await Promise.all([
      this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.ipns(record.ipnsUuid) })),
      this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.ipnsName(record.ipnsName) })),
    ]);
  }
}
