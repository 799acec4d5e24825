import { RecordStatus, type EntryRecord } from '../core/model/entries';
import type {
  DeletionStore } from '../core/ports';
import { pendingMarkUpdate } from './directory-store';
import { keys } from './keys';
import { transactWriteOrFalse, withConflictRetry, type Table, dueItems } from './table';
import { adjustCount, holdsReservation, refund, releasePath, releaseReservation, type TransactItem } from './transact-items';

/** Deletion: marks, removals, purges, each giving the charge back once. */
export class DynamoDeletionStore implements DeletionStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async markForDeletion(file: EntryRecord, holdsPath: boolean, now: string, purgeAt: string): Promise<boolean> {
    const held = file.reservedBytes ? holdsReservation(file.reservedBytes) : undefined;
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.name,
          Key: keys.entry(file.uuid),
          UpdateExpression:
            'SET recordStatus = :marked, markedForDeletionAt = :now, purgeAt = :purgeAt, duePk = :due, dueAt = :purgeAt, updatedAt = :now ' +
            `REMOVE listPk, byName, byCreateTime, byUpdateTime, bySize, expiresAt, pendingPk, pendingAt${held ? ', reservedBytes' : ''}`,
          ConditionExpression: `recordStatus = :active AND fileStatus = :observed${held ? ` AND ${held.condition}` : ''}`,
          ExpressionAttributeValues: {
            ':marked': RecordStatus.MARKED_FOR_DELETION, ':active': RecordStatus.ACTIVE, ':observed': file.fileStatus,
            ':now': now, ':purgeAt': purgeAt, ':due': keys.purgeSchedule,
            ...(held?.values ?? {}),
          },
        },
      },
      // [issue 21] An open upload in parts deleted: its reservation goes back with its record's (once: the condition above).
      ...(held ? releaseReservation(this.name, file, file.reservedBytes!) : []),
    ];
    if (holdsPath) items.push(...this.leaveDirectory(file, now));
    return withConflictRetry(() => transactWriteOrFalse(this.table, items));
  }

  deleteFile(file: EntryRecord, holdsPath: boolean): Promise<boolean> {
    const charged = file.chargedBytes ?? 0;
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.name,
          Key: keys.entry(file.uuid),
          ConditionExpression: `recordStatus = :active AND fileStatus = :observed${file.reservedBytes ? ' AND reservedBytes = :held' : ''}`,
          ExpressionAttributeValues: { ':active': RecordStatus.ACTIVE, ':observed': file.fileStatus, ...(file.reservedBytes ? { ':held': file.reservedBytes } : {}) },
        },
      },
    ];
    if (charged > 0) items.push(...refund(this.name, file, charged));
    // [issue 21] An open upload in parts removed: its reservation goes back with its record.
    if (file.reservedBytes) items.push(...releaseReservation(this.name, file, file.reservedBytes));
    if (holdsPath) items.push(...this.leaveDirectory(file, new Date().toISOString()));
    return withConflictRetry(() => transactWriteOrFalse(this.table, items));
  }

  deleteDirectory(directory: EntryRecord): Promise<boolean> {
    return withConflictRetry(() => transactWriteOrFalse(this.table, [
      { Delete: { TableName: this.name, Key: keys.entry(directory.uuid), ConditionExpression: 'attribute_exists(pk)' } },
      ...this.leaveDirectory(directory, new Date().toISOString()),
      {
        Delete: {
          TableName: this.name,
          Key: keys.directoryCounter(directory.bucketUuid, directory.uuid),
          // Only an empty directory goes; a child that arrived meanwhile keeps it.
          ConditionExpression: 'attribute_not_exists(pk) OR #count = :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':zero': 0 },
        },
      },
    ]));
  }

  /**
   * What an entry leaving its directory writes: its path released, the directory's child count
   * down by one, and the directory (or the bucket root) marked for a CID recompute (the durable
   * half of the mark, see pendingMarkUpdate; the domain enqueues the recompute after the write).
   */
  private leaveDirectory(entry: EntryRecord, now: string): TransactItem[] {
    return [
      releasePath(this.name, entry),
      adjustCount(this.name, entry.bucketUuid, entry.parentUuid, -1),
      { Update: pendingMarkUpdate(this.name, { bucketUuid: entry.bucketUuid, directoryUuid: entry.parentUuid }, now) },
    ];
  }

  purge(file: EntryRecord): Promise<boolean> {
    const charged = file.chargedBytes ?? 0;
    return withConflictRetry(() => transactWriteOrFalse(this.table, [
      {
        Delete: {
          TableName: this.name,
          Key: keys.entry(file.uuid),
          ConditionExpression: 'recordStatus = :marked',
          ExpressionAttributeValues: { ':marked': RecordStatus.MARKED_FOR_DELETION },
        },
      },
      ...(charged > 0 ? refund(this.name, file, charged) : []),
    ]));
  }

  async duePurges(nowIso: string, limit: number): Promise<string[]> {
    const Items = await dueItems(this.table, keys.purgeSchedule, nowIso, limit);
    return Items.map((item) => String(item.pk).replace(/^ENTRY#/, ''));
  }
}
