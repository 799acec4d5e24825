import { base36 } from 'multiformats/bases/base36';
export { resolveIpns } from '../core/read/ipns-names';
import { toCidV1 } from '../cid';
import { AppError, validationError } from '../errors';
import type { KeySealer } from '../core/ports';
import type { IpnsRecord, IpnsStore } from '../core/ports';
import { openBucket } from './buckets';
import { Permission, type Principal } from '../core/access/principal';
import { isUuid, newUuid } from '../core/access/secrets';
import type { StorageDeps } from '../core/ports/storage';

/**
 * IPNS names per bucket (the SDK's `bucket.createIpns/listIpnsNames/ipns(uuid)`).
 * Each name is an ed25519 key made here; its private half is stored only sealed
 * (AES-256-GCM, lib/store/key-sealer.ts) and opened only to sign. Records follow
 * the IPNS Record spec (https://specs.ipfs.tech/ipns/ipns-record/) through the
 * `ipns` library: V1+V2 signatures, validity type EOL, a sequence number that
 * grows by one per publish.
 */
export interface IpnsDeps extends IpnsReadDeps {
  readonly keySealer: KeySealer;
}

/** What the routes that do not sign need besides the bucket store: the IPNS names. */
export interface IpnsReadDeps {
  readonly ipns: IpnsStore;
}

/** The key and record libraries, loaded when a name is first made or signed (lib/apillon/ipns-keys.ts says why). */
const ipnsKeys = () => import('./ipns-keys');

/**
 * How long a signed record stays valid (its EOL), in ms. Kubo signs for 48 h and
 * republishes; nothing republishes here yet, so records are signed for a year.
 */
export const IPNS_RECORD_LIFETIME_MS = 365 * 24 * 3600 * 1000;
/** The record's TTL (how long resolvers may cache it), in ns: 5 minutes, so a publish shows soon. */
export const IPNS_RECORD_TTL_NS = 5n * 60n * 1_000_000_000n;

/** `POST /storage/buckets/:bucketUuid/ipns` (EXECUTE): a new name; published at once when `cid` is given. */
export async function createIpns(
  deps: Pick<StorageDeps, 'buckets'> & IpnsDeps,
  principal: Principal,
  bucketUuid: string,
  input: { name: string; description?: string | null; cid?: string | null },
): Promise<IpnsRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  const cid = input.cid ? ipfsCid(input.cid) : undefined;
  const ipnsUuid = newUuid();
  const { generateKeyPair } = await ipnsKeys();
  const key = await generateKeyPair('Ed25519');
  const now = new Date().toISOString();
  const record: IpnsRecord = {
    ipnsUuid,
    bucketUuid: bucket.bucketUuid,
    accountId: bucket.accountId,
    name: input.name,
    description: input.description ?? null,
    ipnsName: key.publicKey.toCID().toString(base36),
    ipnsValue: null,
    sequence: -1,
    sealedKey: await deps.keySealer.seal(key.raw, ipnsUuid),
    createdAt: now,
    updatedAt: now,
  };
  await deps.ipns.create(record);
  return cid ? sign(deps, record, cid) : record;
}

/** `GET /storage/buckets/:bucketUuid/ipns` (READ): the bucket's names, filtered and paged as the SDK asks. */
export async function listIpns(
  deps: Pick<StorageDeps, 'buckets'> & IpnsReadDeps,
  principal: Principal,
  bucketUuid: string,
  query: { ipnsName?: string; ipnsValue?: string; search?: string; page: number; limit: number },
): Promise<{ items: IpnsRecord[]; total: number }> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const search = query.search?.toLowerCase();
  const all = (await deps.ipns.listByBucket(bucket.bucketUuid)).filter(
    (record) =>
      (query.ipnsName === undefined || record.ipnsName === query.ipnsName) &&
      (query.ipnsValue === undefined || record.ipnsValue === query.ipnsValue || record.ipnsValue === `/ipfs/${query.ipnsValue}`) &&
      (search === undefined || record.name.toLowerCase().includes(search)),
  );
  const start = (query.page - 1) * query.limit;
  return { items: all.slice(start, start + query.limit), total: all.length };
}

/** `GET /storage/buckets/:bucketUuid/ipns/:ipnsUuid` (READ). 404 IPNS_RECORD_NOT_FOUND. */
export async function getIpns(deps: Pick<StorageDeps, 'buckets'> & IpnsReadDeps, principal: Principal, bucketUuid: string, ipnsUuid: string): Promise<IpnsRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  return findIpns(deps, bucket.bucketUuid, ipnsUuid);
}

/**
 * `POST …/ipns/:ipnsUuid/publish {cid}` (EXECUTE): signs a record pointing at
 * `/ipfs/<cid>` with the next sequence number and stores it. Concurrent publishes
 * each get their own sequence number; the last one stored wins.
 */
export async function publishIpns(deps: Pick<StorageDeps, 'buckets'> & IpnsDeps, principal: Principal, bucketUuid: string, ipnsUuid: string, cid: string): Promise<IpnsRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.EXECUTE);
  const normalised = ipfsCid(cid);
  return sign(deps, await findIpns(deps, bucket.bucketUuid, ipnsUuid), normalised);
}

/** `DELETE …/ipns/:ipnsUuid` (WRITE): the name and its key are gone; returns the record as it was. */
export async function deleteIpns(deps: Pick<StorageDeps, 'buckets'> & IpnsReadDeps, principal: Principal, bucketUuid: string, ipnsUuid: string): Promise<IpnsRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  const record = await findIpns(deps, bucket.bucketUuid, ipnsUuid);
  await deps.ipns.delete(record);
  return record;
}

// ---- helpers ----------------------------------------------------------------

async function findIpns(deps: IpnsReadDeps, bucketUuid: string, reference: string): Promise<IpnsRecord> {
  const record = isUuid(reference) ? await deps.ipns.get(reference.toLowerCase()) : undefined;
  if (!record || record.bucketUuid !== bucketUuid) throw new AppError('ipnsRecordNotFound');
  return record;
}

/** A CID to point a name at, as CIDv1 base32 (what the records and links use); 422 CID_NOT_VALID otherwise. */
function ipfsCid(cid: string): string {
  const v1 = toCidV1(cid.trim());
  if (!v1) throw validationError([{ code: 42200028, property: 'cid', message: 'CID_NOT_VALID' }]);
  return v1;
}

async function sign(deps: IpnsDeps, record: IpnsRecord, cid: string): Promise<IpnsRecord> {
  const { privateKeyFromRaw, createIPNSRecord, marshalIPNSRecord } = await ipnsKeys();
  const key = privateKeyFromRaw(await deps.keySealer.open(record.sealedKey, record.ipnsUuid));
  let current = record;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const sequence = current.sequence + 1;
    const ipnsValue = `/ipfs/${cid}`;
    const signed = await createIPNSRecord(key, ipnsValue, BigInt(sequence), IPNS_RECORD_LIFETIME_MS, { v1Compatible: true, ttlNs: IPNS_RECORD_TTL_NS });
    const update = { ipnsValue, sequence, signedRecord: Buffer.from(marshalIPNSRecord(signed)).toString('base64'), updatedAt: new Date().toISOString() };
    if (await deps.ipns.publish(record.ipnsUuid, current.sequence, update)) return { ...current, ...update };
    // Another publish took this sequence number (or the name went): start again from what is stored.
    const stored = await deps.ipns.get(record.ipnsUuid);
    if (!stored) throw new AppError('ipnsRecordNotFound');
    current = stored;
  }
  throw new AppError('ipnsPublishConflict');
}
