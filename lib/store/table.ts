import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** The single DynamoDB table all stores share. */
export interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly name: string;
}

/** Item attributes that only exist for the data model, never part of a domain record. */
const KEY_ATTRIBUTES = [
  'pk', 'sk', 'listPk', 'byName', 'byCreateTime', 'byUpdateTime', 'bySize',
  'refPk', 'refSk', 'cidPk', 'cidV0Pk', 'cidSk', 'duePk', 'dueAt', 'expiresAt',
  'filesPk', 'filesSk', 'sessionPk', 'pendingPk', 'pendingAt',
] as const;

export function stripKeys<T>(item: Record<string, unknown>): T {
  const record = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  return record as T;
}

/** True when a conditional write (or a transaction, for the given reasons) lost its condition. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return false;
}

/** Index of the cancellation reason that failed its condition in a cancelled transaction, or -1. */
export function failedConditionIndex(error: unknown): number {
  if (!(error instanceof TransactionCanceledException)) return -1;
  return (error.CancellationReasons ?? []).findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** True when a transaction was cancelled because another one touched the same items. */
export function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

/** Runs a query to the end, following LastEvaluatedKey. */
export async function queryAll<T>(table: Table, input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(new QueryCommand({ ...input, TableName: table.name, ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as T[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Retries `operation` while it fails with a transaction conflict (optimistic concurrency). */
export async function withConflictRetry<T>(operation: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * One item by its table key with a strongly consistent read (GetItem, ConsistentRead: a write
 * acknowledged before is seen); undefined when there is none. Attributes as stored (keys included).
 */
export async function getConsistent(table: Table, key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
  return Item;
}

/**
 * Items of one schedule (a `duePk` partition of the ByDueDate index: purges, commit intents,
 * session moves) due at `nowIso` (ISO 8601) or earlier, oldest first, at most `limit`. The index
 * is eventually consistent and projects keys: callers read what they act on again.
 */
export async function dueItems(table: Table, schedule: string, nowIso: string, limit: number): Promise<Record<string, unknown>[]> {
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'ByDueDate',
      KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
      ExpressionAttributeValues: { ':due': schedule, ':now': nowIso },
      Limit: limit,
    }),
  );
  return Items ?? [];
}

/** Writes `items` in one DynamoDB transaction (all or none). */
export async function transactWrite(table: Table, items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<void> {
  await table.client.send(new TransactWriteCommand({ TransactItems: items }));
}

/**
 * Runs one conditional write (`write` sends a Put, Update, Delete or TransactWrite, and may map
 * what it answers): its value when it was written, `onConditionFailed` when its condition failed
 * ({@link isConditionFailure}: ConditionalCheckFailedException, or a transaction cancelled by a
 * condition); any other error is thrown. The store's one conditional-write catch (issue 20): every
 * store goes through this (or {@link writeOrFalse}) rather than catching the condition by hand.
 * A write whose lost condition means "nothing to do" passes `undefined`.
 */
export async function writeOr<T, F>(write: () => Promise<T>, onConditionFailed: F): Promise<T | F> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) return onConditionFailed;
    throw error;
  }
}

/**
 * Runs one conditional write (`write` sends a Put, Update, Delete or TransactWrite): true when it
 * was written, false when its condition failed; any other error is thrown ({@link writeOr}).
 */
export function writeOrFalse(write: () => Promise<unknown>): Promise<boolean> {
  return writeOr(async () => {
    await write();
    return true;
  }, false);
}

/** `transactWrite`, answering false instead of throwing when a condition failed. */
export function transactWriteOrFalse(table: Table, items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<boolean> {
  return writeOrFalse(() => transactWrite(table, items));
}

/** DynamoDB's limit of keys per BatchGetItem call. */
/** Items a BatchWriteItem call takes at most (DynamoDB's limit). */
export const BATCH_WRITE_ITEMS = 25;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes `requests` (BatchWriteItem `PutRequest`/`DeleteRequest` entries, each of its own key) in calls of at most
 * BATCH_WRITE_ITEMS, `concurrency` calls at a time. Unwritten entries (throttling) are sent again with exponential
 * backoff; throws after UNPROCESSED_RETRIES. No condition applies: use it only for items no other writer races with
 * (fresh keys, or items that are the same whoever writes them).
 */
export async function batchWriteAll(table: Table, requests: readonly Record<string, unknown>[], concurrency = 8): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_ITEMS) chunks.push(requests.slice(i, i + BATCH_WRITE_ITEMS));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++]!;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error('BatchWriteItem left items unprocessed after retries');
        if (attempt > 0) await pause(2 ** attempt * 10);
        const { UnprocessedItems } = await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending as never } }));
        pending = (UnprocessedItems?.[table.name] ?? []) as Record<string, unknown>[];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}

const BATCH_GET_KEYS = 100;
/** Retries of a batch call's unprocessed part (DynamoDB answers part of a batch when throttled). */
export const UNPROCESSED_RETRIES = 8;

/**
 * The items at `wanted` (primary keys), read with strongly consistent BatchGetItem calls of at
 * most 100 keys each, in parallel; absent items are left out, in no particular order. Unprocessed
 * keys (throttling) are asked again with exponential backoff; throws after UNPROCESSED_RETRIES.
 */
export function batchGetConsistent(table: Table, wanted: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
  return batchGet(table, wanted, true);
}

/**
 * The items at `wanted`, in the order of `wanted` (absent ones left out): what a query of a KEYS_ONLY
 * index (infra/storage-table.json, docs/index-plan.md) reads after the index gave it the keys.
 * `consistent`: strongly consistent reads (1 read unit per 4 KB) or eventually consistent ones (half),
 * which is enough behind an index that is itself eventually consistent. Unprocessed keys as
 * {@link batchGetConsistent}.
 */
export async function batchGetInOrder(
  table: Table,
  wanted: readonly { pk: string; sk: string }[],
  options: { consistent: boolean },
): Promise<Record<string, unknown>[]> {
  const found = new Map((await batchGet(table, wanted, options.consistent)).map((item) => [`${item.pk as string}\u0000${item.sk as string}`, item]));
  return wanted.flatMap((key): Record<string, unknown>[] => {
    const item = found.get(`${key.pk}\u0000${key.sk}`);
    return item ? [item] : [];
  });
}

/**
 * Every item of a query of a KEYS_ONLY index (all pages), each read from the table (consistent
 * BatchGetItem), in the index's order; items gone since the index saw them are left out.
 */
export async function queryRecords(table: Table, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
  const keys = await queryAll<Record<string, unknown>>(table, input);
  return batchGetInOrder(table, keys.map((item) => ({ pk: item.pk as string, sk: item.sk as string })), { consistent: true });
}

async function batchGet(table: Table, wanted: readonly { pk: string; sk: string }[], consistent: boolean): Promise<Record<string, unknown>[]> {
  const chunks: { pk: string; sk: string }[][] = [];
  for (let i = 0; i < wanted.length; i += BATCH_GET_KEYS) chunks.push(wanted.slice(i, i + BATCH_GET_KEYS));
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const found: Record<string, unknown>[] = [];
      let pending: { pk: string; sk: string }[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error('BatchGetItem left keys unprocessed after retries');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10));
        const { Responses, UnprocessedKeys } = await table.client.send(
          new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: consistent } } }),
        );
        found.push(...((Responses?.[table.name] ?? []) as Record<string, unknown>[]));
        pending = (UnprocessedKeys?.[table.name]?.Keys ?? []) as { pk: string; sk: string }[];
      }
      return found;
    }),
  );
  return pages.flat();
}
