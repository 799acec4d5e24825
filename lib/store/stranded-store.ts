import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from './table';

/**
 * The sparse `ByPendingStep` index: files with a lifecycle step still to run
 * (status 1, 2 or 3) carry `pendingPk = 'PENDING'` and `pendingAt` = the ISO
 * time of their last step; every other item lacks them, so the index holds only
 * unfinished files and a query costs what they are, never the whole table.
 * (The entry store sets and removes the two attributes on each step.)
 */
export const PENDING_PARTITION = 'PENDING';

export interface StrandedStore {
  /**
   * Uuids of files whose last step is at or before `beforeIso` (ISO 8601),
   * oldest first, at most `limit`; `after` continues a previous page.
   */
  pendingSince(beforeIso: string, limit: number, after?: Record<string, unknown>): Promise<{ uuids: string[]; next?: Record<string, unknown> }>;
}

export class DynamoStrandedStore implements StrandedStore {
  constructor(private readonly table: Table) {}

  async pendingSince(beforeIso: string, limit: number, after?: Record<string, unknown>): Promise<{ uuids: string[]; next?: Record<string, unknown> }> {
    const { Items, LastEvaluatedKey } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: 'ByPendingStep',
        KeyConditionExpression: 'pendingPk = :pending AND pendingAt <= :before',
        ExpressionAttributeValues: { ':pending': PENDING_PARTITION, ':before': beforeIso },
        Limit: limit,
        ExclusiveStartKey: after,
      }),
    );
    return { uuids: (Items ?? []).map((item) => String(item.pk).replace(/^ENTRY#/, '')), next: LastEvaluatedKey };
  }
}
