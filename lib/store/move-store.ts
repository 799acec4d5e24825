import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FileStatus, RecordStatus, isFile, type EntryRecord, type FileRecord } from '../core/model/entries';
import type { FileMove, MoveStore } from '../core/ports';
import { keys, listingKeys } from './keys';
import { pendingMarkUpdate } from './directory-store';
import { queryAll, stripKeys, transactWriteOrFalse, withConflictRetry, type Table, writeOrFalse } from './table';
import { adjustCount, checkClaim, refund, retireReplaced, type TransactItem } from './transact-items';

/**
 * The writes that place an ended upload session's files under its
 * `directoryPath` (lib/core/upload/session-wrap.ts): upload requests get their new
 * path before their bytes arrive; committed files move with their path claims,
 * listing keys and child counts, in transactions conditioned on what the move
 * was decided on (the file still active, still where it was, not placed yet).
 */
export class DynamoMoveStore implements MoveStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async sessionFiles(bucketUuid: string, sessionUuid: string): Promise<FileRecord[]> {
    const items = await queryAll<Record<string, unknown>>(this.table, {
      IndexName: 'BySessionFiles',
      KeyConditionExpression: 'sessionPk = :session',
      ExpressionAttributeValues: { ':session': keys.sessionFiles(bucketUuid, sessionUuid) },
    });
    return items
      .map((item) => stripKeys<EntryRecord>(item))
      .filter((entry): entry is FileRecord => isFile(entry) && entry.recordStatus === RecordStatus.ACTIVE);
  }

  async retargetRequested(file: FileRecord, path: string, now: string): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.name,
          Key: keys.entry(file.uuid),
          // movedFrom: the folder its request was planned into, which a later pass removes if the move left it empty.
          UpdateExpression: 'SET #path = :to, #wrapped = :true, movedFrom = :movedFrom, updatedAt = :now',
          ConditionExpression: 'fileStatus = :requested AND #path = :from AND attribute_not_exists(#wrapped)',
          ExpressionAttributeNames: { '#path': 'path', '#wrapped': 'wrapped' },
          ExpressionAttributeValues: {
            ':to': path, ':from': file.path, ':true': true, ':movedFrom': file.parentUuid, ':now': now, ':requested': FileStatus.REQUESTED,
          },
        }),
      ));
  }

  itemCount(moves: readonly FileMove[]): number {
    return this.items(moves, new Date(0).toISOString()).length;
  }

  moveCommitted(moves: readonly FileMove[], now: string): Promise<boolean> {
    if (moves.length === 0) return Promise.resolve(true);
    // Commits into the same folders touch the same counters: a conflict is tried again, a lost condition is the caller's.
    return withConflictRetry(() => transactWriteOrFalse(this.table, this.items(moves, now)));
  }

  /**
   * One record update and two claim writes per file (plus the retired record of a file replaced); counts,
   * directory marks, charge and anchors once per item.
   */
  private items(moves: readonly FileMove[], now: string): TransactItem[] {
    const table = this.name;
    const bucketUuid = moves[0]?.file.bucketUuid ?? '';
    const counts = new Map<string | null, number>();
    const count = (directoryUuid: string | null, by: number) => counts.set(directoryUuid, (counts.get(directoryUuid) ?? 0) + by);
    const anchors = new Map<string, string>();
    let refunded = 0;
    const items: TransactItem[] = [];
    for (const { file, path, parentUuid, replacing, anchor } of moves) {
      const moved: EntryRecord = { ...file, path, parentUuid, updatedAt: now };
      const listing = listingKeys(moved);
      items.push(
        {
          Update: {
            TableName: table,
            Key: keys.entry(file.uuid),
            UpdateExpression:
              'SET #path = :path, parentUuid = :parentUuid, movedFrom = :movedFrom, #wrapped = :true, updatedAt = :now, ' +
              'listPk = :listPk, byName = :byName, byCreateTime = :byCreateTime, byUpdateTime = :byUpdateTime, bySize = :bySize',
            ConditionExpression:
              '#path = :from AND recordStatus = :active AND attribute_not_exists(#wrapped) AND fileStatus IN (:uploaded, :addressed, :replicated)',
            ExpressionAttributeNames: { '#path': 'path', '#wrapped': 'wrapped' },
            ExpressionAttributeValues: {
              ':path': path, ':parentUuid': parentUuid, ':movedFrom': file.parentUuid, ':true': true, ':now': now, ':from': file.path,
              ':active': RecordStatus.ACTIVE, ':uploaded': FileStatus.UPLOADED, ':addressed': FileStatus.ADDRESSED, ':replicated': FileStatus.REPLICATED,
              ':listPk': listing.listPk, ':byName': listing.byName, ':byCreateTime': listing.byCreateTime,
              ':byUpdateTime': listing.byUpdateTime, ':bySize': listing.bySize,
            },
          },
        },
        {
          Delete: {
            TableName: table,
            Key: keys.path(file.bucketUuid, file.path),
            ConditionExpression: 'entryUuid = :uuid',
            ExpressionAttributeValues: { ':uuid': file.uuid },
          },
        },
        {
          Put: {
            TableName: table,
            Item: { ...keys.path(file.bucketUuid, path), entryUuid: file.uuid, type: 'file', chargedBytes: file.chargedBytes ?? 0, objectKey: file.objectKey },
            ConditionExpression: replacing ? 'entryUuid = :replacing' : 'attribute_not_exists(pk)',
            ExpressionAttributeValues: replacing ? { ':replacing': replacing.entryUuid } : undefined,
          },
        },
      );
      count(file.parentUuid, -1);
      if (replacing) {
        items.push(retireReplaced(table, replacing.entryUuid));
        refunded += replacing.chargedBytes;
      } else {
        count(parentUuid, 1);
      }
      if (anchor) anchors.set(anchor.path, anchor.entryUuid);
    }
    for (const [directoryUuid, by] of counts) if (by !== 0) items.push(adjustCount(table, bucketUuid, directoryUuid, by));
    // Every directory that lost or gained a child is marked for a CID recompute in the same write (durable; the
    // caller's markDirectoryStale then enqueues the recompute).
    for (const directoryUuid of counts.keys()) items.push({ Update: pendingMarkUpdate(table, { bucketUuid, directoryUuid }, now) });
    for (const [path, entryUuid] of anchors) items.push(checkClaim(table, bucketUuid, path, entryUuid));
    if (refunded > 0) items.push(...refund(table, moves[0]!.file, refunded));
    return items;
  }
}
