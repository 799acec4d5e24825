import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { isConditionFailure, stripKeys, type Table } from './table';

/** An Apillon upload session: a client-chosen uuid that groups the files of one upload. */
export interface UploadSessionRecord {
  readonly sessionUuid: string;
  readonly bucketUuid: string;
  readonly accountId: string;
  readonly status: 'open' | 'ended';
  /** Upload requests made in the session. */
  readonly fileCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly endedAt?: string;
  /** What the client asked for when it ended the session (kept for the record). */
  readonly wrapWithDirectory?: boolean;
  readonly directoryPath?: string;
}

export interface SessionEnding {
  readonly now: string;
  readonly wrapWithDirectory?: boolean;
  readonly directoryPath?: string;
}

/** Upload sessions. They expire (DynamoDB TTL) a week after their last change. */
export interface SessionStore {
  get(sessionUuid: string): Promise<UploadSessionRecord | undefined>;
  /** Creates the session; false when one with that uuid exists already. */
  create(session: UploadSessionRecord): Promise<boolean>;
  /**
   * Opens `session` when it does not exist yet and counts `count` files into it,
   * in one conditional write; false when a session of that uuid exists but is
   * ended or belongs to another bucket (read it to tell which).
   */
  openAndAddFiles(session: UploadSessionRecord, count: number): Promise<boolean>;
  /** Ends an open session; false when it is not open. */
  end(sessionUuid: string, ending: SessionEnding): Promise<boolean>;
}

const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
const expiresAt = (now: string) => Math.floor(Date.parse(now) / 1000) + SESSION_TTL_SECONDS;

export class DynamoSessionStore implements SessionStore {
  constructor(private readonly table: Table) {}

  async get(sessionUuid: string): Promise<UploadSessionRecord | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.session(sessionUuid), ConsistentRead: true }),
    );
    return Item ? stripKeys<UploadSessionRecord>(Item) : undefined;
  }

  async create(session: UploadSessionRecord): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...keys.session(session.sessionUuid), ...session, expiresAt: expiresAt(session.updatedAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async openAndAddFiles(session: UploadSessionRecord, count: number): Promise<boolean> {
    try {
      await this.table.client.send(
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
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  end(sessionUuid: string, ending: SessionEnding): Promise<boolean> {
    return this.updateOpen(sessionUuid, {
      UpdateExpression:
        'SET #status = :ended, endedAt = :now, updatedAt = :now, expiresAt = :expiresAt, wrapWithDirectory = :wrap' +
        (ending.directoryPath === undefined ? '' : ', directoryPath = :directoryPath'),
      ExpressionAttributeValues: {
        ':ended': 'ended',
        ':now': ending.now,
        ':expiresAt': expiresAt(ending.now),
        ':wrap': ending.wrapWithDirectory ?? false,
        ...(ending.directoryPath === undefined ? {} : { ':directoryPath': ending.directoryPath }),
      },
    });
  }

  private async updateOpen(
    sessionUuid: string,
    update: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.session(sessionUuid),
          UpdateExpression: update.UpdateExpression,
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':open': 'open' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
