import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EntryRecord, FileRecord } from '../core/model/entries';
import { FileStatus, RecordStatus } from '../core/model/entries';
import type {
  CommitFailure,
  CommitIntent,
  CommitPlan,
  OpenUploadFailure,
  OpenUploadWrite,
  PathClaim,
  StagedCommit,
  StagedCommitOutcome,
  UploadClaim,
  UploadSnapshot,
  UploadStore,
} from '../core/ports';
import { keys } from './keys';
import { NumberAllocator } from './number-allocator';
import { batchGetConsistent, batchWriteAll, failedConditionIndex, stripKeys, type Table, writeOrFalse, dueItems } from './table';
import {
  adjustCount,
  chargeUsage,
  checkClaim,
  sessionSettledItem,
  supersedeItem,
  claimPath,
  entryItem,
  MAX_TRANSACTION_ITEMS,
  retireReplaced,
  type TransactItem,
} from './transact-items';

export class DynamoUploadStore implements UploadStore {
  private readonly numbers: NumberAllocator;

  constructor(private readonly table: Table) {
    this.numbers = new NumberAllocator(table);
  }

  takeNumbers(count: number): Promise<number[]> {
    return this.numbers.take(count);
  }

  async readSnapshot(accountId: string, bucketUuid: string, paths: readonly string[], uploadClaimPaths: readonly string[] = []): Promise<UploadSnapshot> {
    const uploadPaths = [...new Set(uploadClaimPaths)];
    const wanted = [
      keys.account(accountId),
      keys.bucket(bucketUuid),
      ...[...new Set(paths)].map((path) => keys.path(bucketUuid, path)),
      ...uploadPaths.map((path) => keys.uploadClaim(bucketUuid, path)),
    ];
    const items = await batchGetConsistent(this.table, wanted);
    const byKey = new Map(items.map((item) => [`${item.pk}\u0000${item.sk}`, item]));
    const find = (key: { pk: string; sk: string }) => byKey.get(`${key.pk}\u0000${key.sk}`);
    const account = find(keys.account(accountId));
    const bucket = find(keys.bucket(bucketUuid));
    const claims = new Map<string, PathClaim>();
    for (const path of paths) {
      const item = find(keys.path(bucketUuid, path));
      if (item) {
        claims.set(path, {
          path,
          entryUuid: item.entryUuid as string,
          type: item.type as PathClaim['type'],
          ...(typeof item.chargedBytes === 'number' ? { chargedBytes: item.chargedBytes } : {}),
          ...(typeof item.objectKey === 'string' ? { objectKey: item.objectKey } : {}),
        });
      }
    }
    const uploadClaims = new Map<string, UploadClaim>();
    for (const path of uploadPaths) {
      const item = find(keys.uploadClaim(bucketUuid, path));
      if (item) uploadClaims.set(path, { path, fileUuid: item.fileUuid as string });
    }
    return {
      account: account ? (stripKeys(account) as UploadSnapshot['account']) : undefined,
      bucket: bucket ? (stripKeys(bucket) as UploadSnapshot['bucket']) : undefined,
      claims,
      ...(uploadPaths.length > 0 ? { uploadClaims } : {}),
    };
  }

  async openUpload(write: OpenUploadWrite): Promise<OpenUploadFailure | undefined> {
    const table = this.table.name;
    const { file, supersede } = write;
    const reserved = file.reservedBytes ?? 0;
    const released = supersede?.file.reservedBytes ?? 0;
    const labelled: [OpenUploadFailure, TransactItem][] = [
      // Reasons are reported by the index of the item whose condition failed: keep them in this order.
      ...chargeUsage(table, write.limits, 0, reserved - released).map((item, index): [OpenUploadFailure, TransactItem] => [index === 0 ? 'account-limit' : 'bucket-limit', item]),
      [
        'claim-changed',
        {
          Put: {
            TableName: table,
            Item: { ...keys.uploadClaim(file.bucketUuid, file.path), fileUuid: file.uuid, createdAt: write.now, expiresAt: write.claimExpiresAtEpochSeconds },
            ConditionExpression: write.claimHolder ? 'fileUuid = :holder' : 'attribute_not_exists(pk)',
            ...(write.claimHolder ? { ExpressionAttributeValues: { ':holder': write.claimHolder } } : {}),
          },
        },
      ],
      // A fresh uuid: the condition only guards against a bug.
      ['claim-changed', { Put: { TableName: table, Item: entryItem(file, false), ConditionExpression: 'attribute_not_exists(pk)' } }],
    ];
    if (write.requirePathFree) {
      labelled.push(['path-changed', { ConditionCheck: { TableName: table, Key: keys.path(file.bucketUuid, file.path), ConditionExpression: 'attribute_not_exists(pk)' } }]);
    }
    if (supersede) {
      labelled.push(['superseded-changed', supersedeItem(table, supersede.file, file.uuid, supersede.reason, write.now)]);
      // [webhooks] The superseded file is settled: its session counts it (issue 22's files.ready rule), in this write.
      if (supersede.file.sessionUuid) labelled.push(['superseded-changed', sessionSettledItem(table, supersede.file.sessionUuid)]);
    }
    return this.transactLabelled(labelled);
  }

  async releaseUploadClaim(bucketUuid: string, path: string, fileUuid: string): Promise<void> {
    await writeOrFalse(() =>
      this.table.client.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: keys.uploadClaim(bucketUuid, path),
          ConditionExpression: 'fileUuid = :me',
          ExpressionAttributeValues: { ':me': fileUuid },
        }),
      ),
    );
  }

  async markCompleting(file: Pick<EntryRecord, 'uuid' | 'bucketUuid' | 'path'>, nowIso: string): Promise<boolean> {
    return writeOrFalse(() =>
      this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.name,
                Key: keys.entry(file.uuid),
                UpdateExpression: 'SET completingAt = if_not_exists(completingAt, :now)',
                ConditionExpression: 'fileStatus = :requested AND recordStatus = :active AND #path = :path',
                ExpressionAttributeNames: { '#path': 'path' },
                ExpressionAttributeValues: { ':now': nowIso, ':requested': FileStatus.REQUESTED, ':active': RecordStatus.ACTIVE, ':path': file.path },
              },
            },
            {
              // Uploads made before claims existed hold none: absent is theirs.
              ConditionCheck: {
                TableName: this.table.name,
                Key: keys.uploadClaim(file.bucketUuid, file.path),
                ConditionExpression: 'attribute_not_exists(pk) OR fileUuid = :me',
                ExpressionAttributeValues: { ':me': file.uuid },
              },
            },
          ],
        }),
      ),
    );
  }

  async clearCompleting(fileUuid: string): Promise<void> {
    await writeOrFalse(() =>
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.entry(fileUuid),
          UpdateExpression: 'REMOVE completingAt',
          ConditionExpression: 'fileStatus = :requested',
          ExpressionAttributeValues: { ':requested': FileStatus.REQUESTED },
        }),
      ),
    );
  }

  async putUploadRequests(files: readonly FileRecord[], expiresAtEpochSeconds: number): Promise<void> {
    const requests = files.map((file) => ({ PutRequest: { Item: { ...entryItem(file, false), expiresAt: expiresAtEpochSeconds } } }));
    // Every record has a fresh uuid, so no write can overwrite another record: no condition needed.
    await batchWriteAll(this.table, requests, Number.POSITIVE_INFINITY);
  }

  async createDirectories(directories: readonly EntryRecord[], anchors: readonly { path: string; entryUuid: string }[] = []): Promise<boolean> {
    // At most three items a directory (claim, record, a parent's count) plus the anchor checks.
    const perTransaction = Math.floor((MAX_TRANSACTION_ITEMS - anchors.length) / 3);
    for (let start = 0; start < directories.length; start += perTransaction) {
      const chunk = directories.slice(start, start + perTransaction);
      const items: TransactItem[] = [
        ...chunk.flatMap((directory) => this.directoryItems(directory)),
        ...this.countItems(chunk),
        ...(start === 0 ? anchors.map((anchor) => checkClaim(this.table.name, chunk[0]!.bucketUuid, anchor.path, anchor.entryUuid)) : []),
      ];
      if (!(await writeOrFalse(() => this.table.client.send(new TransactWriteCommand({ TransactItems: items }))))) return false;
    }
    return true;
  }

  async putIntent(intent: CommitIntent): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...keys.intent(intent.intentId), duePk: keys.intentSchedule, ...intent },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async abortIntent(intentId: string): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.intent(intentId),
          UpdateExpression: 'SET #state = :aborted',
          ConditionExpression: '#state = :staged',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':aborted': 'aborted', ':staged': 'staged' },
        }),
      ));
  }

  async deleteIntent(intentId: string): Promise<void> {
    await this.table.client.send(new DeleteCommand({ TableName: this.table.name, Key: keys.intent(intentId) }));
  }

  async dueIntents(nowIso: string, limit: number): Promise<CommitIntent[]> {
    const Items = await dueItems(this.table, keys.intentSchedule, nowIso, limit);
    // The index is eventually consistent and carries keys only: read each intent itself.
    const intents = await batchGetConsistent(this.table, Items.map((item) => ({ pk: item.pk as string, sk: item.sk as string })));
    return intents.map((item) => ({ ...stripKeys<CommitIntent>(item), dueAt: item.dueAt as string }));
  }

  async commitStaged(commit: StagedCommit): Promise<StagedCommitOutcome> {
    const table = this.table.name;
    const bucketUuid = commit.limits.bucketUuid;
    const plan: CommitPlan = {
      files: commit.files,
      directories: commit.directories,
      replaced: [...commit.replaced.values()].map((claim) => ({ path: claim.path, entryUuid: claim.entryUuid })),
      replacedObjectKeys: commit.replacedObjectKeys,
    };
    // The decision: usage charged, every path claimed, the folders it hangs off still there.
    // Reasons are reported by the index of the item whose condition failed: keep them in this order.
    const decision: [CommitFailure, TransactItem][] = [
      ...chargeUsage(table, commit.limits, commit.deltaBytes).map(
        (item, index): [CommitFailure, TransactItem] => [index === 0 ? 'account-limit' : 'bucket-limit', item],
      ),
      ...commit.anchors.map((anchor): [CommitFailure, TransactItem] => ['parent-changed', checkClaim(table, bucketUuid, anchor.path, anchor.entryUuid)]),
      ...commit.directories.map((directory): [CommitFailure, TransactItem] => ['path-changed', claimPath(table, directory, undefined)]),
      ...commit.files.map((file): [CommitFailure, TransactItem] => ['path-changed', claimPath(table, file, commit.replaced.get(file.path)?.entryUuid)]),
    ];
    const records = this.planItems(plan, true);
    if (decision.length + records.length + 1 <= MAX_TRANSACTION_ITEMS) {
      // Everything in one transaction: the common case (up to about 45 files).
      const failure = await this.transactLabelled<CommitFailure>([['intent-changed', this.finishItem(commit.intentId, plan.replacedObjectKeys, 'staged')], ...decision, ...records.map((item): [CommitFailure, TransactItem] => ['file-changed', item])]);
      return failure ? { failure } : { committed: 'whole' };
    }
    if (decision.length + 1 > MAX_TRANSACTION_ITEMS) {
      throw new Error(`A staged commit of ${commit.files.length} files and ${commit.directories.length} new directories cannot be decided in one transaction`);
    }
    // Too many items for one transaction. The first one is the commit point: it decides (charges, claims) and
    // stores the plan in the intent; the records follow in further transactions, each applied exactly once (the
    // intent counts them): the caller's rollForward, or the sweeper's when the caller stops or fails.
    const failure = await this.transactLabelled<CommitFailure>([
      [
        'intent-changed',
        {
          Update: {
            TableName: table,
            Key: keys.intent(commit.intentId),
            UpdateExpression: 'SET #state = :committing, #plan = :plan, applied = :zero',
            ConditionExpression: '#state = :staged',
            ExpressionAttributeNames: { '#state': 'state', '#plan': 'plan' },
            ExpressionAttributeValues: { ':committing': 'committing', ':staged': 'staged', ':plan': plan, ':zero': 0 },
          },
        },
      ],
      ...decision,
    ]);
    return failure ? { failure } : { committed: 'decided', plan };
  }

  async rollForward(intent: Pick<CommitIntent, 'intentId' | 'plan' | 'applied'>): Promise<void> {
    if (!intent.plan) throw new Error(`Commit intent ${intent.intentId} has no plan to roll forward`);
    const items = this.planItems(intent.plan, false);
    const perTransaction = MAX_TRANSACTION_ITEMS - 1;
    const chunks = Math.ceil(items.length / perTransaction);
    for (let chunk = intent.applied ?? 0; chunk < chunks; chunk++) {
      const last = chunk === chunks - 1;
      const sequence: TransactItem = last
        ? this.finishItem(intent.intentId, intent.plan.replacedObjectKeys, 'committing', chunk)
        : {
            Update: {
              TableName: this.table.name,
              Key: keys.intent(intent.intentId),
              UpdateExpression: 'SET applied = :next',
              ConditionExpression: '#state = :committing AND applied = :chunk',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':committing': 'committing', ':chunk': chunk, ':next': chunk + 1 },
            },
          };
      try {
        await this.table.client.send(new TransactWriteCommand({ TransactItems: [sequence, ...items.slice(chunk * perTransaction, (chunk + 1) * perTransaction)] }));
      } catch (error) {
        // Another run (the request, or the sweeper) applied this part first: continue from where it is.
        if (failedConditionIndex(error) !== 0) throw error;
        const [current] = await batchGetConsistent(this.table, [keys.intent(intent.intentId)]);
        if (!current || current.state !== 'committing') return;
        chunk = Number(current.applied) - 1;
      }
    }
  }

  /**
   * The records a plan writes: entries of the new directories and files
   * (listed), the retired records of replaced files, the child counts. In the
   * one-transaction commit the replaced records must still be active (the
   * decision rests on it); rolled forward after the commit point, their claims
   * were already taken over, so they are simply removed.
   */
  private planItems(plan: CommitPlan, guarded: boolean): TransactItem[] {
    const table = this.table.name;
    const replacedPaths = new Set(plan.replaced.map((claim) => claim.path));
    // Only new names add a child to their folder; a replacement takes the place of one.
    const added = [...plan.directories, ...plan.files.filter((file) => !replacedPaths.has(file.path))];
    return [
      ...plan.directories.map((directory): TransactItem => ({ Put: { TableName: table, Item: entryItem(directory, true) } })),
      ...plan.files.map((file): TransactItem => ({ Put: { TableName: table, Item: entryItem(file, true), ...(guarded ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } })),
      ...plan.replaced.map(({ entryUuid }): TransactItem => (guarded ? retireReplaced(table, entryUuid) : { Delete: { TableName: table, Key: keys.entry(entryUuid) } })),
      ...this.countItems(added),
    ];
  }

  /** Ends an intent: committed with the replaced bytes still to delete, or gone when there are none. */
  private finishItem(intentId: string, replacedObjectKeys: readonly string[], from: 'staged' | 'committing', chunk?: number): TransactItem {
    const condition = from === 'staged' ? '#state = :from' : '#state = :from AND applied = :chunk';
    const values = { ':from': from, ...(chunk === undefined ? {} : { ':chunk': chunk }) };
    return replacedObjectKeys.length > 0
      ? {
          Update: {
            TableName: this.table.name,
            Key: keys.intent(intentId),
            UpdateExpression: 'SET #state = :committed, objectKeys = :replaced REMOVE #plan',
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#state': 'state', '#plan': 'plan' },
            ExpressionAttributeValues: { ...values, ':committed': 'committed', ':replaced': replacedObjectKeys },
          },
        }
      : {
          Delete: {
            TableName: this.table.name,
            Key: keys.intent(intentId),
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: values,
          },
        };
  }

  /** One transaction of `labelled` items; the label of the item whose condition failed, or undefined when it was written. */
  private async transactLabelled<Label>(labelled: [Label, TransactItem][]): Promise<Label | undefined> {
    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: labelled.map(([, item]) => item) }));
      return undefined;
    } catch (error) {
      const index = failedConditionIndex(error);
      if (index >= 0) return labelled[index]![0];
      throw error;
    }
  }

  /** The claim and the record of a new directory (its parent's count is the caller's: one item per counter). */
  private directoryItems(directory: EntryRecord): TransactItem[] {
    return [claimPath(this.table.name, directory, undefined), { Put: { TableName: this.table.name, Item: entryItem(directory, true) } }];
  }

  /** One count update per directory that gains children among `added` (a transaction may touch an item once). */
  private countItems(added: readonly EntryRecord[]): TransactItem[] {
    const counts = new Map<string | null, { bucketUuid: string; by: number }>();
    for (const entry of added) {
      const current = counts.get(entry.parentUuid);
      counts.set(entry.parentUuid, { bucketUuid: entry.bucketUuid, by: (current?.by ?? 0) + 1 });
    }
    return [...counts].map(([directoryUuid, { bucketUuid, by }]) => adjustCount(this.table.name, bucketUuid, directoryUuid, by));
  }
}
