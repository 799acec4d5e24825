import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FileStatus, RecordStatus, type EntryRecord } from '../core/model/entries';
import type {
  CommitFailure, CommitInput, LifecycleStore, PendingItem, ReservationRelease } from '../core/ports';
import { cidAttributes, keys, listingKeys, pendingKeys, pendingPartition, PENDING_SHARDS } from './keys';
import { failedConditionIndex, transactWrite, type Table, writeOr, writeOrFalse } from './table';
import {
  adjustCount,
  chargeUsage,
  checkClaim,
  claimPath,
  holdsReservation,
  releaseReservation,
  retireReplaced,
  sessionSettledItem,
  type TransactItem,
} from './transact-items';

/** The lifecycle writes of a file (status 1→2→3→4) and the sweeper's index of files waiting for a step. */
export class DynamoLifecycleStore implements LifecycleStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async commitUpload({ file, size, limits, replacing, anchor, now, reservedBytes }: CommitInput): Promise<CommitFailure | undefined> {
    const delta = size - (replacing?.chargedBytes ?? 0);
    // [issue 21] An upload in parts settles its reservation on the real size, in this write (its record gives it up).
    const held = reservedBytes ? holdsReservation(reservedBytes) : undefined;
    const committed: EntryRecord = { ...file, size, chargedBytes: size, updatedAt: now, fileStatus: FileStatus.UPLOADED };
    const listing = listingKeys(committed);
    const pending = pendingKeys(file.uuid, now);
    // Reasons are reported by the index of the item whose condition failed: keep them in this order.
    const labelled: [CommitFailure, TransactItem][] = [
      [
        'file-changed',
        {
          Update: {
            TableName: this.name,
            Key: keys.entry(file.uuid),
            UpdateExpression:
              'SET fileStatus = :uploaded, size = :size, chargedBytes = :size, updatedAt = :now, parentUuid = :parentUuid, objectKey = :objectKey, ' +
              'listPk = :listPk, byName = :byName, byCreateTime = :byCreateTime, byUpdateTime = :byUpdateTime, bySize = :bySize, ' +
              'pendingPk = :pendingPk, pendingAt = :pendingAt ' +
              `REMOVE expiresAt, commitCopy${held ? ', reservedBytes' : ''}`,
            // [wrap] `#path = :path`: a session end may retarget the upload meanwhile (session-wrap.ts); decide again then.
            ConditionExpression: `fileStatus = :requested AND recordStatus = :active AND #path = :path${held ? ` AND ${held.condition}` : ''}`,
            ExpressionAttributeNames: { '#path': 'path' },
            ExpressionAttributeValues: {
              ':uploaded': FileStatus.UPLOADED, ':requested': FileStatus.REQUESTED, ':active': RecordStatus.ACTIVE, ':size': size, ':now': now, ':parentUuid': file.parentUuid, ':objectKey': file.objectKey,
              ':path': file.path,
              ':listPk': listing.listPk, ':byName': listing.byName, ':byCreateTime': listing.byCreateTime,
              ':byUpdateTime': listing.byUpdateTime, ':bySize': listing.bySize, ':pendingPk': pending.pendingPk, ':pendingAt': pending.pendingAt,
              ...(held?.values ?? {}),
            },
          },
        },
      ],
      ...chargeUsage(this.name, limits, delta, -(reservedBytes ?? 0)).map((item, index): [CommitFailure, TransactItem] => [index === 0 ? 'account-limit' : 'bucket-limit', item]),
      ['path-changed', claimPath(this.name, committed, replacing?.entryUuid)],
      replacing ? ['replaced-changed', retireReplaced(this.name, replacing.entryUuid)] : ['path-changed', adjustCount(this.name, file.bucketUuid, file.parentUuid, 1)],
    ];
    // The folder must still be there: a file listed under a removed folder would be seen by nobody.
    if (anchor) labelled.push(['parent-changed', checkClaim(this.name, file.bucketUuid, anchor.path, anchor.entryUuid)]);
    try {
      await transactWrite(this.table, labelled.map(([, item]) => item));
      return undefined;
    } catch (error) {
      const index = failedConditionIndex(error);
      if (index >= 0) return labelled[index]![0];
      throw error;
    }
  }

  async transition(
    uuid: string,
    from: number,
    to: number,
    set: Record<string, unknown> = {},
    options: { settled?: boolean; activeOnly?: boolean; countInSession?: string; release?: ReservationRelease } = {},
  ): Promise<boolean> {
    const names = Object.keys(set);
    const held = options.release ? holdsReservation(options.release.bytes) : undefined;
    const removed = [...(options.settled ? ['pendingPk', 'pendingAt'] : []), ...(held ? ['reservedBytes'] : [])];
    const conditions = [options.activeOnly ? 'fileStatus = :from AND recordStatus = :active' : 'fileStatus = :from', ...(held ? [held.condition] : [])];
    const update = {
      TableName: this.name,
      Key: keys.entry(uuid),
      UpdateExpression: `SET fileStatus = :to${names.map((name, i) => `, #s${i} = :s${i}`).join('')}${removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names.length ? Object.fromEntries(names.map((name, i) => [`#s${i}`, name])) : undefined,
      ExpressionAttributeValues: {
        ':to': to,
        ':from': from,
        ...(options.activeOnly ? { ':active': RecordStatus.ACTIVE } : {}),
        ...(held?.values ?? {}),
        ...Object.fromEntries(names.map((name, i) => [`:s${i}`, set[name]])),
      },
    };
    const session = options.countInSession;
    const others: TransactItem[] = [
      // The file's move and its session's count in one transaction: counted once, by the run whose move wins.
      ...(session === undefined ? [] : [sessionSettledItem(this.name, session)]),
      // [issue 21] Its reservation given back in the same write: once, by the run whose move wins.
      ...(options.release ? releaseReservation(this.name, options.release, options.release.bytes) : []),
    ];
    if (others.length === 0) return writeOrFalse(() => this.table.client.send(new UpdateCommand(update)));
    return writeOrFalse(() => withConflictRetries(() => transactWrite(this.table, [{ Update: update }, ...others])));
  }

  async deferPending(uuid: string, untilIso: string): Promise<void> {
    const pending = pendingKeys(uuid, untilIso);
    await writeOr(() => this.table.client.send(
      new UpdateCommand({
        TableName: this.name,
        Key: keys.entry(uuid),
        UpdateExpression: 'SET pendingPk = :pendingPk, pendingAt = :pendingAt',
        ConditionExpression: 'attribute_exists(pendingPk)',
        ExpressionAttributeValues: { ':pendingPk': pending.pendingPk, ':pendingAt': pending.pendingAt },
      }),
    ), undefined);
  }

  async pendingFiles(beforeIso: string, limit: number): Promise<string[]> {
    return (await this.pendingItems(beforeIso, limit)).flatMap((item) => (item.kind === 'entry' ? [item.uuid] : []));
  }

  async pendingItems(beforeIso: string, limit: number): Promise<PendingItem[]> {
    const perShard = Math.max(1, Math.ceil(limit / PENDING_SHARDS));
    const shards = await Promise.all(
      Array.from({ length: PENDING_SHARDS }, async (_, shard) => {
        const { Items } = await this.table.client.send(
          new QueryCommand({
            TableName: this.name,
            IndexName: 'ByPendingStep',
            KeyConditionExpression: 'pendingPk = :shard AND pendingAt < :before',
            ExpressionAttributeValues: { ':shard': pendingPartition(shard), ':before': beforeIso },
            Limit: perShard,
          }),
        );
        return (Items ?? []).map((item): PendingItem => {
          const pk = String(item.pk);
          // A bucket root's item (BUCKET#<uuid> / ROOT) waits there too while its CIDs are stale, and an upload
          // session's (SESSION#<uuid>) while its claimed files.ready is not queued yet (webhook-store.ts).
          if (pk.startsWith('BUCKET#')) return { kind: 'root', bucketUuid: pk.slice('BUCKET#'.length) };
          if (pk.startsWith('SESSION#')) return { kind: 'session', sessionUuid: pk.slice('SESSION#'.length) };
          return { kind: 'entry', uuid: pk.replace(/^ENTRY#/, '') };
        });
      }),
    );
    return shards.flat().slice(0, limit);
  }

  async clearPending(uuid: string): Promise<void> {
    await writeOr(() => this.table.client.send(
      new UpdateCommand({
        TableName: this.name,
        Key: keys.entry(uuid),
        UpdateExpression: 'REMOVE pendingPk, pendingAt',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ), undefined);
  }

  recordCids(file: EntryRecord, cids: { cidV0: string; cidV1: string; dagSizeV0: number; dagSizeV1: number }, now: string): Promise<boolean> {
    return this.transition(file.uuid, FileStatus.UPLOADED, FileStatus.ADDRESSED, {
      ...cidAttributes(file, cids),
      updatedAt: now,
      pendingAt: pendingKeys(file.uuid, now).pendingAt,
    });
  }
}

/** Tries of a session-counting transaction that lost to another transaction on the same session item. */
const CONFLICT_TRIES = 8;

/**
 * Runs `write` again (with a short random backoff) while DynamoDB cancels it for a TransactionConflict: the files
 * of one session settle concurrently and each counts on the same session item. A condition failure or any other
 * error is the caller's; so is a conflict that outlasts the tries (the event's retry continues).
 */
async function withConflictRetries(write: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict') && !reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
      if (!conflict || attempt >= CONFLICT_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
    }
  }
}
