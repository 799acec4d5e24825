import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { stripKeys, type Table, writeOr, writeOrFalse, getConsistent, dueItems } from './table';
import type { SessionEnding, SessionStore, UploadSessionRecord } from '../core/ports';

const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
const expiresAt = (now: string) => Math.floor(Date.parse(now) / 1000) + SESSION_TTL_SECONDS;

export class DynamoSessionStore implements SessionStore {
  constructor(private readonly table: Table) {}

  async get(sessionUuid: string): Promise<UploadSessionRecord | undefined> {
    const Item = await getConsistent(this.table, keys.session(sessionUuid));
    return Item ? stripKeys<UploadSessionRecord>(Item) : undefined;
  }

  async create(session: UploadSessionRecord): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...keys.session(session.sessionUuid), ...session, expiresAt: expiresAt(session.updatedAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ));
  }

  async openAndAddFiles(session: UploadSessionRecord, count: number): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.session(session.sessionUuid),
          UpdateExpression:
            'SET sessionUuid = :uuid, bucketUuid = :bucket, accountId = :account, #status = if_not_exists(#status, :open), ' +
            'createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :expiresAt ADD fileCount :count',
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :open AND bucketUuid = :bucket)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':uuid': session.sessionUuid,
            ':bucket': session.bucketUuid,
            ':account': session.accountId,
            ':open': 'open',
            ':now': session.updatedAt,
            ':expiresAt': expiresAt(session.updatedAt),
            ':count': count,
          },
        }),
      ));
  }

  end(sessionUuid: string, ending: SessionEnding): Promise<boolean> {
    const moving = ending.directoryPath !== undefined && ending.moveDueAt !== undefined && ending.finalPassAfter !== undefined;
    return this.updateOpen(sessionUuid, {
      UpdateExpression:
        'SET #status = :ended, endedAt = :now, updatedAt = :now, expiresAt = :expiresAt, wrapWithDirectory = :wrap' +
        (ending.directoryPath === undefined ? '' : ', directoryPath = :directoryPath') +
        (moving ? ', moveState = :moving, finalPassAfter = :finalPassAfter, duePk = :due, dueAt = :dueAt' : ''),
      ExpressionAttributeValues: {
        ':ended': 'ended',
        ':now': ending.now,
        ':expiresAt': expiresAt(ending.now),
        ':wrap': ending.wrapWithDirectory ?? false,
        ...(ending.directoryPath === undefined ? {} : { ':directoryPath': ending.directoryPath }),
        ...(moving
          ? { ':moving': 'moving', ':finalPassAfter': ending.finalPassAfter, ':due': keys.sessionMoveSchedule, ':dueAt': ending.moveDueAt }
          : {}),
      },
    });
  }

  async dueMoves(nowIso: string, limit: number): Promise<string[]> {
    const Items = await dueItems(this.table, keys.sessionMoveSchedule, nowIso, limit);
    return Items.map((item) => String(item.pk).replace(/^SESSION#/, ''));
  }

  async scheduleMove(sessionUuid: string, dueAtIso: string): Promise<void> {
    await this.updateMoving(sessionUuid, 'SET dueAt = :dueAt', { ':dueAt': dueAtIso });
  }

  async finishMove(sessionUuid: string): Promise<void> {
    await this.updateMoving(sessionUuid, 'SET moveState = :moved REMOVE duePk, dueAt', { ':moved': 'moved' });
  }

  /** An update of a session whose move is under way; a session no longer moving (finished by another run) is left alone. */
  private async updateMoving(sessionUuid: string, expression: string, values: Record<string, unknown>): Promise<void> {
    await writeOr(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.session(sessionUuid),
          UpdateExpression: expression,
          ConditionExpression: 'moveState = :moving',
          ExpressionAttributeValues: { ...values, ':moving': 'moving' },
        }),
      ), undefined);
  }

  private async updateOpen(
    sessionUuid: string,
    update: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.session(sessionUuid),
          UpdateExpression: update.UpdateExpression,
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':open': 'open' },
        }),
      ));
  }
}
