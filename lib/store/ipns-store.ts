import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { isConditionFailure, queryRecords, stripKeys, type Table } from './table';

/** An IPNS name of a bucket: an ed25519 key (sealed), and the record it last signed. */
export interface IpnsRecord {
  readonly ipnsUuid: string;
  readonly bucketUuid: string;
  readonly accountId: string;
  /** The user's label (Apillon's `name`). */
  readonly name: string;
  readonly description: string | null;
  /** The IPNS name: the key's libp2p-key CIDv1 in base36 (`k51…`), as kubo prints it. */
  readonly ipnsName: string;
  /** What it points at, `/ipfs/<cid>`; null until published. */
  readonly ipnsValue: string | null;
  /** Sequence number of the last signed record; -1 before the first publish. */
  readonly sequence: number;
  /** The private key, sealed (lib/store/key-sealer.ts); never returned by any route. */
  readonly sealedKey: string;
  /** The last signed record (IPNS protobuf, base64); absent until published. */
  readonly signedRecord?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

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
    const { Item } = await this.table.client.send(new GetCommand({ TableName: this.table.name, Key: keys.ipns(ipnsUuid), ConsistentRead: true }));
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
    try {
      await this.table.client.send(
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
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async delete(record: Pick<IpnsRecord, 'ipnsUuid' | 'ipnsName'>): Promise<void> {
    await Promise.all([
      this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.ipns(record.ipnsUuid) })),
      this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.ipnsName(record.ipnsName) })),
    ]);
  }
}
