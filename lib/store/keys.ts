import { nameSortKey, SORT_KEY_SEPARATOR } from '../core/model/collation';

/**
 * DynamoDB key builders. Every key of the single table is built here and only
 * here, so the data model can be read in one place:
 *
 * | item                 | pk                        | sk                  | secondary keys                                  |
 * |----------------------|---------------------------|---------------------|-------------------------------------------------|
 * | account              | ACCOUNT#<accountId>       | PROFILE             |                                                 |
 * | credential           | CRED#<credentialId>       | CRED                | refPk ACCOUNT#<id>#CREDS / BUCKET#<id>#TOKENS   |
 * | bucket               | BUCKET#<bucketUuid>       | BUCKET              | refPk ACCOUNT#<id>#BUCKETS (sk = name)          |
 * | bucket name claim    | ACCOUNT#<accountId>       | BUCKETNAME#<name>   |                                                 |
 * | bucket root directory| BUCKET#<bucketUuid>       | ROOT                | cidPk, cidV0Pk (its CIDs), pendingPk (stale)    |
 * | entry (file or dir)  | ENTRY#<uuid>              | ENTRY               | listPk, refPk FILENUM#<n>, cidPk, duePk         |
 * |   (files also)       |                           |                     | filesPk FILES#<bucket>, sessionPk (uploads)     |
 * | path claim           | PATH#<bucketUuid>         | <path>              |                                                 |
 * | open upload's claim  | UPLOADCLAIM#<bucketUuid>  | <path>              | (expiresAt: its upload's deadline + a day)      |
 * | directory counter    | COUNT#<bucketUuid>        | <dirUuid or ROOT>   |                                                 |
 * | upload session       | SESSION#<sessionUuid>     | SESSION             | duePk SESSIONMOVE, dueAt (while its files move) |
 * | download token       | DLTOKEN#<tokenId>         | DLTOKEN             |                                                 |
 * | sequence             | SEQUENCE                  | <name>              |                                                 |
 * | commit intent        | INTENT#<intentId>         | INTENT              | duePk INTENT, dueAt                             |
 * | bandwidth counter    | ACCOUNT#<accountId>       | BANDWIDTH#<yyyy-mm> |                                                 |
 * | IPNS name            | IPNS#<ipnsUuid>           | IPNS                | refPk BUCKET#<id>#IPNS (sk = time)              |
 * | IPNS name lookup     | IPNSNAME#<ipnsName>       | IPNSNAME            |                                                 |
 * | bucket webhook       | WEBHOOK#<bucketUuid>      | WEBHOOK             |                                                 |
 * | webhook delivery log | WEBHOOKLOG#<webhookId>    | <ISO time>#<id>     | (expiresAt: 30 days)                            |
 * | DAG block location   | BLOCK#<sha2-256 hex>      | <root CID>          | (expiresAt: derived objects' days + 2)          |
 *
 * Files short of their last lifecycle step also carry `pendingPk`/`pendingAt`
 * (sparse index ByPendingStep, sharded so no one partition takes every write):
 * the sweeper reads what has waited too long there. Directories (and bucket root
 * items) are in that index while a change waits for their CID recompute; they
 * also carry `contentVersion`, `staleSince` and, once addressed, their CIDs with
 * `cidPk`/`cidV0Pk`/`cidSk` (lib/store/directory-store.ts).
 */
export const ROOT_DIRECTORY = 'ROOT';

export const keys = {
  account: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' }),
  credential: (credentialId: string) => ({ pk: `CRED#${credentialId}`, sk: 'CRED' }),
  accountCredentialsRef: (accountId: string) => `ACCOUNT#${accountId}#CREDS`,
  bucketTokensRef: (bucketUuid: string) => `BUCKET#${bucketUuid}#TOKENS`,
  bucket: (bucketUuid: string) => ({ pk: `BUCKET#${bucketUuid}`, sk: 'BUCKET' }),
  /**
   * The bucket's root directory: its CIDs and recompute state, on an item of its own (not the
   * bucket item, which every upload transaction writes).
   */
  bucketRoot: (bucketUuid: string) => ({ pk: `BUCKET#${bucketUuid}`, sk: 'ROOT' }),
  accountBucketsRef: (accountId: string) => `ACCOUNT#${accountId}#BUCKETS`,
  bucketName: (accountId: string, name: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `BUCKETNAME#${name}` }),
  entry: (uuid: string) => ({ pk: `ENTRY#${uuid}`, sk: 'ENTRY' }),
  path: (bucketUuid: string, path: string) => ({ pk: `PATH#${bucketUuid}`, sk: path }),
  pathPartition: (bucketUuid: string) => `PATH#${bucketUuid}`,
  /** An open multipart upload's hold on a file path (issue 21; lib/core/upload/multipart.ts): one open upload per path. */
  uploadClaim: (bucketUuid: string, path: string) => ({ pk: `UPLOADCLAIM#${bucketUuid}`, sk: path }),
  directoryCounter: (bucketUuid: string, directoryUuid: string | null) => ({
    pk: `COUNT#${bucketUuid}`,
    sk: directoryUuid ?? ROOT_DIRECTORY,
  }),
  /** Partition of the listing indexes: the children of one directory. */
  listing: (bucketUuid: string, directoryUuid: string | null) => `${bucketUuid}#${directoryUuid ?? ROOT_DIRECTORY}`,
  fileNumberRef: (fileNumber: number) => `FILENUM#${fileNumber}`,
  /**
   * ByCid / ByCidV0 partition: the bare CID, so one query finds a CID in every
   * bucket (the public gateway) and a `cidSk` prefix narrows it to one bucket.
   */
  cid: (cid: string) => `CID#${cid}`,
  cidSort: (bucketUuid: string, createdAt: string, uuid: string) => `${bucketUuid}#${createdAt}#${uuid}`,
  cidSortPrefix: (bucketUuid: string) => `${bucketUuid}#`,
  /** Partition of the ByBucketFiles index: every file of a bucket, any status. */
  bucketFiles: (bucketUuid: string) => `FILES#${bucketUuid}`,
  /** Partition of the BySessionFiles index: the files of one upload session. */
  sessionFiles: (bucketUuid: string, sessionUuid: string) => `SESSION#${bucketUuid}#${sessionUuid}`,
  session: (sessionUuid: string) => ({ pk: `SESSION#${sessionUuid}`, sk: 'SESSION' }),
  downloadToken: (tokenId: string) => ({ pk: `DLTOKEN#${tokenId}`, sk: 'DLTOKEN' }),
  sequence: (name: string) => ({ pk: 'SEQUENCE', sk: name }),
  /** Partition of the purge schedule (files marked for deletion, due at `dueAt`). */
  purgeSchedule: 'PURGE',
  /** Partition (of ByDueDate) of commit intents a sweeper completes or undoes once due. */
  intentSchedule: 'INTENT',
  /** Partition (of ByDueDate) of ended upload sessions whose files are being placed under their `directoryPath`. */
  sessionMoveSchedule: 'SESSIONMOVE',
  intent: (intentId: string) => ({ pk: `INTENT#${intentId}`, sk: 'INTENT' }),
  /** A bucket's webhook (lib/store/webhook-store.ts). */
  webhook: (bucketUuid: string) => ({ pk: `WEBHOOK#${bucketUuid}`, sk: 'WEBHOOK' }),
  /** The delivery log of one webhook (a webhook set again after a removal starts a new log). */
  webhookLog: (webhookId: string) => `WEBHOOKLOG#${webhookId}`,
  /** Where a block of a file DAG the trustless gateway built is (lib/core/ports/block-index.ts), one item per root. */
  blockPartition: (digest: string) => `BLOCK#${digest}`,
  /** Bytes served to an account: one counter per calendar month (UTC, `yyyy-mm`), so a month's figure needs no reset job. */
  bandwidth: (accountId: string, month: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `BANDWIDTH#${month}` }),
  ipns: (ipnsUuid: string) => ({ pk: `IPNS#${ipnsUuid}`, sk: 'IPNS' }),
  /** refPk of a bucket's IPNS names (the ByRef index, sorted by creation time). */
  bucketIpnsRef: (bucketUuid: string) => `BUCKET#${bucketUuid}#IPNS`,
  /** An IPNS name (`k51…`) → its record, for `/ipns/<name>`. */
  ipnsName: (ipnsName: string) => ({ pk: `IPNSNAME#${ipnsName}`, sk: 'IPNSNAME' }),
} as const;

/** Width of the zero-padded size in the size sort key (up to ~1 PB). */
const SIZE_DIGITS = 16;

/**
 * The attributes that put an entry into its directory's listing indexes (one
 * index per sort field). Ties break on the uuid so pages never overlap. Removing
 * `listPk` takes the entry out of every listing at once. `byName` is the name
 * collation of lib/core/model/collation.ts (folded name, U+0000, uuid): DynamoDB's
 * byte order of it is the order the in-memory sort uses. The other keys are a
 * fixed-width value, the same separator and the uuid.
 */
export function listingKeys(entry: {
  bucketUuid: string;
  parentUuid: string | null;
  uuid: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  size?: number;
}): Record<'listPk' | 'byName' | 'byCreateTime' | 'byUpdateTime' | 'bySize', string> {
  const tie = `${SORT_KEY_SEPARATOR}${entry.uuid}`;
  return {
    listPk: keys.listing(entry.bucketUuid, entry.parentUuid),
    byName: nameSortKey(entry.name, entry.uuid),
    byCreateTime: `${entry.createdAt}${tie}`,
    byUpdateTime: `${entry.updatedAt}${tie}`,
    bySize: `${String(entry.size ?? 0).padStart(SIZE_DIGITS, '0')}${tie}`,
  };
}

/** The sort attribute of each listing index (what a cursor's start key must carry). */
export const LISTING_SORT_ATTRIBUTE: Record<'name' | 'createTime' | 'updateTime' | 'size', string> = {
  name: 'byName',
  createTime: 'byCreateTime',
  updateTime: 'byUpdateTime',
  size: 'bySize',
};

export const LISTING_INDEX: Record<'name' | 'createTime' | 'updateTime' | 'size', string> = {
  name: 'ListByName',
  createTime: 'ListByCreateTime',
  updateTime: 'ListByUpdateTime',
  size: 'ListBySize',
};

/**
 * The attributes that put a file into its bucket's file index (and its upload
 * session's, when it has one), oldest first; set once, when the upload is requested.
 */
export function fileSetKeys(file: {
  bucketUuid: string;
  uuid: string;
  createdAt: string;
  sessionUuid?: string;
}): Record<'filesPk' | 'filesSk', string> & { sessionPk?: string } {
  return {
    filesPk: keys.bucketFiles(file.bucketUuid),
    filesSk: `${file.createdAt}#${file.uuid}`,
    ...(file.sessionUuid ? { sessionPk: keys.sessionFiles(file.bucketUuid, file.sessionUuid) } : {}),
  };
}

/** Shards of the ByPendingStep index: writes spread over this many partitions, the sweeper reads them all. */
export const PENDING_SHARDS = 8;

/** The ByPendingStep partition of one shard. */
export function pendingPartition(shard: number): string {
  return `PENDING#${shard}`;
}

/**
 * The attributes that put a file into the sweeper's index of files waiting for
 * a lifecycle step since `sinceIso`; the shard is a stable function of the uuid.
 */
export function pendingKeys(fileUuid: string, sinceIso: string): { pendingPk: string; pendingAt: string } {
  let hash = 0;
  for (let i = 0; i < fileUuid.length; i++) hash = (hash * 31 + fileUuid.charCodeAt(i)) >>> 0;
  return { pendingPk: pendingPartition(hash % PENDING_SHARDS), pendingAt: `${sinceIso}#${fileUuid}` };
}

/**
 * The attributes that give an entry (file or directory) its CIDs, their DAG sizes (Tsize, bytes)
 * and its place in the CID indexes (ByCid by CIDv1, ByCidV0 by CIDv0, sorted by bucket then age).
 */
export function cidAttributes(
  entry: { readonly bucketUuid: string; readonly createdAt: string; readonly uuid: string },
  cids: { readonly cidV0: string; readonly cidV1: string; readonly dagSizeV0: number; readonly dagSizeV1: number },
): Record<string, unknown> {
  return {
    cidV0: cids.cidV0,
    cidV1: cids.cidV1,
    dagSizeV0: cids.dagSizeV0,
    dagSizeV1: cids.dagSizeV1,
    cidPk: keys.cid(cids.cidV1),
    cidV0Pk: keys.cid(cids.cidV0),
    cidSk: keys.cidSort(entry.bucketUuid, entry.createdAt, entry.uuid),
  };
}
