import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EntryRecord } from '../core/model/entries';
import type { DirectoryCids, DirectoryRef, DirectoryState, DirectoryStore } from '../core/ports';
import { cidAttributes, keys, pendingKeys } from './keys';
import { stripKeys, transactWrite, withConflictRetry, type Table, writeOr, writeOrFalse, getConsistent } from './table';
import type { TransactItem } from './transact-items';

/**
 * Directory addresses on the single table. A directory's CIDs, its CID index keys
 * (`cidPk`/`cidV0Pk`/`cidSk`, as a file's) and its recompute state
 * (`contentVersion`, `staleSince`, `pendingPk`/`pendingAt`) live on its entry item
 * (`ENTRY#<uuid>`); a bucket root's on an item of its own (`BUCKET#<uuid>` / `ROOT`),
 * which a mark creates when it is missing.
 */
/** Tries of a mark that meets a transaction on the same item (TransactionConflictException). */
const MARK_ATTEMPTS = 8;

export class DynamoDirectoryStore implements DirectoryStore {
  constructor(private readonly table: Table) {}

  private get name(): string {
    return this.table.name;
  }

  async get(directory: DirectoryRef): Promise<DirectoryState | undefined> {
    const Item = await getConsistent(this.table, directoryKey(directory));
    if (directory.directoryUuid !== null) {
      if (!Item) return undefined;
      if (Item.type !== 'directory') {
        // A mark that raced the directory's removal left an item with only its mark: not a directory.
        if (Item.type === undefined) await this.discard(directory);
        return undefined;
      }
    }
    const item = Item ?? {};
    const record = item.type === 'directory' ? stripKeys<EntryRecord>(item) : undefined;
    return {
      record,
      contentVersion: Number(item.contentVersion ?? 0),
      staleSince: item.staleSince as string | undefined,
      pending: item.pendingPk !== undefined,
      cids:
        typeof item.cidV1 === 'string' && typeof item.cidV0 === 'string'
          ? { cidV0: item.cidV0, cidV1: item.cidV1, dagSizeV0: Number(item.dagSizeV0), dagSizeV1: Number(item.dagSizeV1) }
          : undefined,
    };
  }

  async markStale(directory: DirectoryRef, now: string): Promise<'marked' | 'already-stale' | 'gone'> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeOr(async () => {
          const { Attributes } = await this.table.client.send(
            new UpdateCommand({ ...markStaleUpdate(this.name, directory, now), ReturnValues: 'UPDATED_OLD' }),
          );
          return Attributes?.staleSince === undefined ? 'marked' as const : 'already-stale' as const;
        }, 'gone' as const);
      } catch (error) {
        // A lost condition (the directory is gone) is answered 'gone' above; any other error lands here.
        // A deletion's or a recompute's transaction on the same directory item is under way: a moment later it is done.
        if ((error as { name?: string }).name !== 'TransactionConflictException' || attempt >= MARK_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  async markPending(directory: DirectoryRef, now: string): Promise<void> {
    const update = pendingMarkUpdate(this.name, directory, now);
    await writeOr(() => this.table.client.send(
        new UpdateCommand({ ...update, ...(directory.directoryUuid !== null ? { ConditionExpression: 'attribute_exists(pk)' } : {}) }),
      ), undefined);
  }

  async recordCids(
    directory: DirectoryRef,
    input: { contentVersion: number; cids: DirectoryCids; record: EntryRecord; markParent?: DirectoryRef; now: string },
  ): Promise<boolean> {
    const { cids, contentVersion, record } = input;
    const isRoot = directory.directoryUuid === null;
    const set: Record<string, unknown> = { ...cidAttributes(record, cids), addressedAt: input.now };
    if (isRoot) {
      // The root's record fields (what the CID index hands a lookup), written with every address.
      const { uuid, type, bucketUuid, accountId, number, name, path, parentUuid, createdAt, recordStatus } = record;
      Object.assign(set, { uuid, type, bucketUuid, accountId, number, name, path, parentUuid, createdAt, updatedAt: input.now, recordStatus });
    }
    const names = Object.keys(set);
    const update: NonNullable<TransactItem['Update']> = {
      TableName: this.name,
      Key: directoryKey(directory),
      UpdateExpression: `SET ${names.map((_, i) => `#s${i} = :s${i}`).join(', ')} REMOVE staleSince, pendingPk, pendingAt`,
      ConditionExpression: `${isRoot ? '' : '#type = :directory AND '}${contentVersion === 0 ? 'attribute_not_exists(contentVersion)' : 'contentVersion = :version'}`,
      ExpressionAttributeNames: { ...Object.fromEntries(names.map((name, i) => [`#s${i}`, name])), ...(isRoot ? {} : { '#type': 'type' }) },
      ExpressionAttributeValues: {
        ...Object.fromEntries(names.map((name, i) => [`:s${i}`, set[name]])),
        ...(isRoot ? {} : { ':directory': 'directory' }),
        ...(contentVersion === 0 ? {} : { ':version': contentVersion }),
      },
    };
    return writeOrFalse(async () => {
      if (input.markParent) await withConflictRetry(() => transactWrite(this.table, [{ Update: update }, { Update: pendingMarkUpdate(this.name, input.markParent!, input.now) }]));
      else await this.table.client.send(new UpdateCommand(update));
    });
  }

  async recordFileDagSizes(fileUuid: string, cidV1: string, sizes: { dagSizeV0: number; dagSizeV1: number }): Promise<void> {
    await writeOr(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.name,
          Key: keys.entry(fileUuid),
          UpdateExpression: 'SET dagSizeV0 = :v0, dagSizeV1 = :v1',
          ConditionExpression: 'cidV1 = :cid',
          ExpressionAttributeValues: { ':v0': sizes.dagSizeV0, ':v1': sizes.dagSizeV1, ':cid': cidV1 },
        }),
      ), undefined);
  }

  async discard(directory: DirectoryRef): Promise<void> {
    await writeOr(() => this.table.client.send(
        new DeleteCommand({
          TableName: this.name,
          Key: directoryKey(directory),
          ...(directory.directoryUuid === null ? {} : { ConditionExpression: 'attribute_not_exists(#type)', ExpressionAttributeNames: { '#type': 'type' } }),
        }),
      ), undefined);
  }
}

/** The item holding a directory's address: its entry, or its bucket's root item. */
export function directoryKey(directory: DirectoryRef): Record<string, string> {
  return directory.directoryUuid === null ? keys.bucketRoot(directory.bucketUuid) : keys.entry(directory.directoryUuid);
}

/** The id a directory has in the sweeper's pending index (its shard and `pendingAt` suffix). */
export function pendingIdOf(directory: DirectoryRef): string {
  return directory.directoryUuid ?? `ROOT#${directory.bucketUuid}`;
}

/**
 * The mark that makes a directory stale, as a plain UpdateItem (`markStale`): ADD 1 to
 * contentVersion; staleSince and the pending index keys only where absent (the oldest
 * unaddressed change counts). A directory entry must exist; a root item is created by its
 * first mark.
 */
export function markStaleUpdate(table: string, directory: DirectoryRef, now: string): NonNullable<TransactItem['Update']> {
  const pending = pendingKeys(pendingIdOf(directory), now);
  return {
    TableName: table,
    Key: directoryKey(directory),
    UpdateExpression:
      'SET staleSince = if_not_exists(staleSince, :now), pendingPk = if_not_exists(pendingPk, :pendingPk), pendingAt = if_not_exists(pendingAt, :pendingAt) ' +
      'ADD contentVersion :one',
    ...(directory.directoryUuid !== null ? { ConditionExpression: 'attribute_exists(pk)' } : {}),
    ExpressionAttributeValues: { ':now': now, ':pendingPk': pending.pendingPk, ':pendingAt': pending.pendingAt, ':one': 1 },
  };
}

/**
 * The durable half of a mark, for a transaction that changes a directory's children (a
 * deletion, a removal, a child directory's new CID): ADD 1 to contentVersion (a recompute
 * in flight loses its race) and the pending index keys where absent (the sweeper finds the
 * directory even if nothing else happens). Unconditional: the child being counted in the
 * directory keeps it there, and a failed condition would fail the change itself. It leaves
 * staleSince alone, so the caller's `markStale` right after it still tells whether the
 * directory was clean, i.e. whether to enqueue its recompute.
 */
export function pendingMarkUpdate(table: string, directory: DirectoryRef, now: string): NonNullable<TransactItem['Update']> {
  const pending = pendingKeys(pendingIdOf(directory), now);
  return {
    TableName: table,
    Key: directoryKey(directory),
    UpdateExpression: 'SET pendingPk = if_not_exists(pendingPk, :pendingPk), pendingAt = if_not_exists(pendingAt, :pendingAt) ADD contentVersion :one',
    ExpressionAttributeValues: { ':pendingPk': pending.pendingPk, ':pendingAt': pending.pendingAt, ':one': 1 },
  };
}
