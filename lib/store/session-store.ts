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
  /** Counts `count` more files into an open session; false when it is not open (ended or gone). */
  addFiles(sessionUuid: string, count: number, now: string): Promise<boolean>;
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

  addFiles(sessionUuid: string, count: number, now: string): Promise<boolean> {
    return this.updateOpen(sessionUuid, {
      UpdateExpression: 'ADD fileCount :count SET updatedAt = :now, expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':count': count, ':now': now, ':expiresAt': expiresAt(now) },
    });
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
