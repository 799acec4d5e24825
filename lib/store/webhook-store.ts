import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { FileStatus } from '../core/model/entries';
import { DELIVERY_LOG_DAYS, type DeliveryAttempt, type ReadySession, type WebhookRecord, type WebhookStore } from '../core/ports/webhook-store';
import { keys, pendingKeys } from './keys';
import { stripKeys, type Table, writeOr, writeOrFalse } from './table';

/** The webhook item: the record plus the id its delivery log is kept under. */
type StoredWebhook = WebhookRecord & { readonly webhookId: string };

/**
 * Bucket webhooks on the single table (keys.webhook, keys.webhookLog), and the "ready" claims on upload
 * sessions and files, which count on `settledCount` (added by the lifecycle's terminal transitions,
 * lib/store/lifecycle-store.ts, in the same transaction) and `fileCount` (session-store.ts).
 */
export class DynamoWebhookStore implements WebhookStore {
  constructor(private readonly table: Table) {}

  async get(bucketUuid: string): Promise<WebhookRecord | undefined> {
    const stored = await this.stored(bucketUuid);
    if (!stored) return undefined;
    const { webhookId: _id, ...webhook } = stored;
    return webhook;
  }

  async put(webhook: WebhookRecord): Promise<boolean> {
    const created = await writeOrFalse(() => this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...keys.webhook(webhook.bucketUuid), ...webhook, webhookId: randomUUID() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ));
    if (created) return true;
    // There is one: replace what the caller may change, keep the secret, createdAt and log.
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.webhook(webhook.bucketUuid),
        UpdateExpression:
          'SET #url = :url, updatedAt = :now' +
          (webhook.authType ? ', authType = :authType' : '') +
          (webhook.param1 !== undefined ? ', param1 = :param1' : '') +
          (webhook.param2 !== undefined ? ', param2 = :param2' : '') +
          (() => {
            const removed = [!webhook.authType && 'authType', webhook.param1 === undefined && 'param1', webhook.param2 === undefined && 'param2'].filter(Boolean);
            return removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : '';
          })(),
        ExpressionAttributeNames: { '#url': 'url' },
        ExpressionAttributeValues: {
          ':url': webhook.url,
          ':now': webhook.updatedAt,
          ...(webhook.authType ? { ':authType': webhook.authType } : {}),
          ...(webhook.param1 !== undefined ? { ':param1': webhook.param1 } : {}),
          ...(webhook.param2 !== undefined ? { ':param2': webhook.param2 } : {}),
        },
      }),
    );
    return false;
  }

  async delete(bucketUuid: string): Promise<boolean> {
    // The log stays under the removed webhook's id until its TTL: a new webhook starts a log of its own.
    return writeOrFalse(() =>
      this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.webhook(bucketUuid), ConditionExpression: 'attribute_exists(pk)' })),
    );
  }

  async logAttempt(bucketUuid: string, attempt: DeliveryAttempt): Promise<void> {
    const stored = await this.stored(bucketUuid);
    if (!stored) return; // removed meanwhile: nobody reads that log any more
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          pk: keys.webhookLog(stored.webhookId),
          sk: `${attempt.at}#${randomUUID()}`,
          ...attempt,
          expiresAt: Math.floor(Date.parse(attempt.at) / 1000) + DELIVERY_LOG_DAYS * 24 * 60 * 60,
        },
      }),
    );
  }

  async lastAttempts(bucketUuid: string, limit: number): Promise<DeliveryAttempt[]> {
    const stored = await this.stored(bucketUuid);
    if (!stored) return [];
    const { Items = [] } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :log',
        ExpressionAttributeValues: { ':log': keys.webhookLog(stored.webhookId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => {
      const { expiresAt: _expires, ...attempt } = stripKeys<DeliveryAttempt & { expiresAt?: number }>(item);
      return attempt;
    });
  }

  async claimReadySession(sessionUuid: string, nowIso: string): Promise<ReadySession | undefined> {
    return writeOr(async (): Promise<ReadySession> => {
      const { Attributes } = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.session(sessionUuid),
          // The claim is the outbox entry too: the session waits in the sweeper's index until markQueued.
          UpdateExpression: 'SET readyAt = :now, pendingPk = :pendingPk, pendingAt = :pendingAt',
          // fileCount > 0: a session that never had a file (the SDK ends empty ones too) has nothing to announce.
          ConditionExpression: '#status = :ended AND fileCount > :zero AND settledCount >= fileCount AND attribute_not_exists(readyAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': nowIso, ':ended': 'ended', ':zero': 0, ...outboxValues(sessionUuid, nowIso) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return readySession(Attributes ?? {}, nowIso);
    }, undefined);
  }

  async unqueuedSession(sessionUuid: string): Promise<ReadySession | undefined> {
    const { Item } = await this.table.client.send(new GetCommand({ TableName: this.table.name, Key: keys.session(sessionUuid), ConsistentRead: true }));
    if (!Item || typeof Item.readyAt !== 'string' || Item.pendingAt === undefined) return undefined;
    return readySession(Item, Item.readyAt);
  }

  async markQueued(subject: { readonly sessionUuid: string } | { readonly fileUuid: string }, readyAt: string): Promise<void> {
    const key = 'sessionUuid' in subject ? keys.session(subject.sessionUuid) : keys.entry(subject.fileUuid);
    await writeOr(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: key,
          UpdateExpression: 'REMOVE pendingPk, pendingAt',
          ConditionExpression: 'readyAt = :readyAt',
          ExpressionAttributeValues: { ':readyAt': readyAt },
        }),
      ), undefined);
  }

  async releaseReadySession(sessionUuid: string, readyAt: string): Promise<void> {
    await this.release(keys.session(sessionUuid), 'readyAt = :readyAt', { ':readyAt': readyAt });
  }

  async claimReadyFile(fileUuid: string, nowIso: string): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.entry(fileUuid),
          UpdateExpression: 'SET readyAt = :now, pendingPk = :pendingPk, pendingAt = :pendingAt',
          ConditionExpression: 'fileStatus = :replicated AND attribute_not_exists(sessionUuid) AND attribute_not_exists(readyAt)',
          ExpressionAttributeValues: { ':now': nowIso, ':replicated': FileStatus.REPLICATED, ...outboxValues(fileUuid, nowIso) },
        }),
      ));
  }

  async releaseReadyFile(fileUuid: string): Promise<void> {
    await this.release(keys.entry(fileUuid), 'attribute_exists(readyAt)', {});
  }

  private async release(key: Record<string, string>, condition: string, values: Record<string, unknown>): Promise<void> {
    await writeOr(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: key,
          UpdateExpression: 'REMOVE readyAt, pendingPk, pendingAt',
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      ), undefined);
  }

  private async stored(bucketUuid: string): Promise<StoredWebhook | undefined> {
    const { Item } = await this.table.client.send(new GetCommand({ TableName: this.table.name, Key: keys.webhook(bucketUuid), ConsistentRead: true }));
    return Item ? stripKeys<StoredWebhook>(Item) : undefined;
  }
}

/** The sweeper's index attributes (keys.ts pendingKeys) of a claim taken at `readyAt`, as expression values. */
function outboxValues(uuid: string, readyAt: string): { ':pendingPk': string; ':pendingAt': string } {
  const pending = pendingKeys(uuid, readyAt);
  return { ':pendingPk': pending.pendingPk, ':pendingAt': pending.pendingAt };
}

function readySession(session: Record<string, unknown>, readyAt: string): ReadySession {
  return {
    sessionUuid: String(session.sessionUuid),
    bucketUuid: String(session.bucketUuid),
    fileCount: Number(session.fileCount),
    settledCount: Number(session.settledCount),
    readyAt,
  };
}
