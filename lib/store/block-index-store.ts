import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BlockIndex, BlockLocation } from '../core/ports/block-index';
import { keys } from './keys';
import { batchWriteAll, type Table } from './table';

/** The trustless gateway's block index in the table: `BLOCK#<digest>` / `<root CID>` items with a TTL (keys.ts). */
export class DynamoBlockIndex implements BlockIndex {
  constructor(private readonly table: Table) {}

  async put(locations: readonly BlockLocation[], lifetimeSeconds: number): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + lifetimeSeconds;
    // One item per (digest, root): a block the DAG holds twice (a repeated chunk) keeps its first place.
    const unique = new Map<string, BlockLocation>();
    for (const location of locations) {
      const id = `${location.digest} ${location.rootCid}`;
      if (!unique.has(id)) unique.set(id, location);
    }
    const requests = [...unique.values()].map((location) => ({
        PutRequest: {
          Item: { pk: keys.blockPartition(location.digest), sk: location.rootCid, kind: location.kind, offset: location.offset, length: location.length, expiresAt },
        },
      }));
    await batchWriteAll(this.table, requests);
  }

  async find(digest: string, limit: number): Promise<BlockLocation[]> {
    const { Items = [] } = await this.table.client.send(
      new QueryCommand({ TableName: this.table.name, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.blockPartition(digest) }, Limit: limit }),
    );
    const now = Math.floor(Date.now() / 1000);
    return Items.filter((item) => typeof item.expiresAt !== 'number' || item.expiresAt > now).map((item) => ({
      digest,
      rootCid: String(item.sk),
      kind: item.kind === 'node' ? 'node' : 'leaf',
      offset: Number(item.offset),
      length: Number(item.length),
    }));
  }
}
