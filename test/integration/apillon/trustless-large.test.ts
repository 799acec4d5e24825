/**
 * The trustless gateway for a file larger than one Lambda response (8 MiB + 1000 bytes: 33 leaves under one
 * root), against DynamoDB Local and s3rver: the CAR is a 302 to a derived object, `dag-scope` and `entity-bytes`
 * give exactly the blocks the spec asks for, `car-dups` says whether a repeated block is sent again, bad
 * parameters are 400s. Checked with independent code (`@ipld/car` reader, `ipfs-unixfs-exporter`, `@ipld/dag-pb`,
 * `ipfs-unixfs`, node:crypto sha2-256), never with the builder that produced the blocks.
 */
import { createHash } from 'node:crypto';
import { CarReader } from '@ipld/car/reader';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { exporter } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { dagIndexKey } from '../../../lib/core/model/object-keys';
import { answerOf } from '../../support/downloads';
import { expectApillonError } from '../../support/envelopes';
import { httpEvent } from '../../support/events';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, prngBytes, uploadFile } from './helpers';

const CHUNK = 262_144;
let services: Services;
let owner: TestTenant;
/** Past Lambda's 6 MB response: 32 whole chunks and a last one of 1000 bytes. */
const FILE = prngBytes(32 * CHUNK + 1000, 2121);
let cidV1: string;
let cidV0: string;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  owner = await createTestTenant(services, { publicBucket: true });
  const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'large.bin', bytes: FILE, contentType: 'application/octet-stream' });
  const entry = (await services.entries.get(uploaded.fileUuid))!;
  cidV1 = entry.cidV1!;
  cidV0 = entry.cidV0!;
}, 60_000);

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

interface ReadCar {
  readonly reader: CarReader;
  /** The blocks' CIDs in the CAR's order. */
  readonly cids: string[];
}

/** A CAR read by `@ipld/car`: its root is `root`, every block hashes to its CID (sha2-256). */
async function readCar(bytes: Uint8Array, root: string): Promise<ReadCar> {
  const reader = await CarReader.fromBytes(bytes);
  expect((await reader.getRoots()).map(String)).toEqual([CID.parse(root).toString()]);
  const cids: string[] = [];
  for await (const block of reader.blocks()) {
    expect(sha256(block.bytes)).toEqual(block.cid.multihash.digest);
    cids.push(block.cid.toString());
  }
  return { reader, cids };
}

/** The file's bytes `offset`..`offset + length` as `ipfs-unixfs-exporter` reads them from the CAR's blocks alone. */
async function exported(car: ReadCar, root: string, offset?: number, length?: number): Promise<Buffer> {
  const blockstore = {
    async *get(cid: CID) {
      const block = await car.reader.get(cid);
      if (!block) throw new Error(`block ${cid} missing from the CAR`);
      yield block.bytes;
    },
  };
  const entry = await exporter(CID.parse(root), blockstore);
  if (entry.type !== 'file') throw new Error(`the root is a ${entry.type}`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry.content({ offset, length })) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
}

/** The root block's links (leaf CIDs), in file order, read with `@ipld/dag-pb` and `ipfs-unixfs`. */
function leavesOf(rootBytes: Uint8Array): { cids: string[]; sizes: number[] } {
  const node = dagPb.decode(rootBytes);
  return { cids: node.Links.map((link) => link.Hash.toString()), sizes: UnixFS.unmarshal(node.Data!).blockSizes.map(Number) };
}

/** The CAR behind a gateway answer: the body of a 200, or the object a 302 points at. */
async function carOf(response: Awaited<ReturnType<typeof call>>): Promise<Uint8Array> {
  if (response.statusCode === 200) return response.bodyBytes;
  expect(response.statusCode).toBe(302);
  const fetched = await fetch(response.headers.location!);
  expect(fetched.status).toBe(200);
  return new Uint8Array(await fetched.arrayBuffer());
}

describe('GET /ipfs/:cid?format=car of a file larger than a Lambda response', () => {
  it('redirects to a CAR of every block, which an independent reader verifies and rebuilds into the file; again from the stored CAR', async () => {
    // act
    const first = await call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car' } });
    const second = await call('ipfsGateway', { params: { cid: cidV1 }, headers: { accept: 'application/vnd.ipld.car; version=1; order=dfs' } });

    // assess
    expect(first.statusCode).toBe(302);
    expect(first.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers.etag).toBe(`"${cidV1}.car"`);
    const car = await readCar(await carOf(first), cidV1);
    expect(car.cids).toHaveLength(34); // the root, then its 33 leaves in file order (depth-first)
    const root = await car.reader.get(CID.parse(cidV1));
    expect(car.cids).toEqual([CID.parse(cidV1).toString(), ...leavesOf(root!.bytes).cids]);
    expect((await exported(car, cidV1)).equals(Buffer.from(FILE))).toBe(true);
    expect(second.statusCode).toBe(302);
    expect(Buffer.from(await carOf(second)).equals(Buffer.from(await carOf(first)))).toBe(true);
    // The inner nodes are kept under the CID, for the requests that need only some blocks.
    expect(await services.blobs.head(dagIndexKey(cidV1))).toBeDefined();
  }, 60_000);

  it('serves the CIDv0 DAG for a Qm CID, HEAD without a body', async () => {
    // act
    const head = await answerOf(ipfsGateway, httpEvent({ method: 'HEAD', path: '/ipfs/{cid}', rawPath: `/ipfs/${cidV0}`, pathParameters: { cid: cidV0 }, query: { format: 'car' } }));
    const get = await call('ipfsGateway', { params: { cid: cidV0 }, query: { format: 'car' } });

    // assess
    expect(head.status).toBe(302);
    expect(head.bytes.byteLength).toBe(0);
    const car = await readCar(await carOf(get), cidV0);
    expect(car.cids).toHaveLength(34);
    expect(CID.parse(car.cids[1]!).version).toBe(0);
    expect((await exported(car, cidV0)).equals(Buffer.from(FILE))).toBe(true);
  }, 60_000);

  it('answers If-None-Match naming this CAR with a 304 (nothing built), and a tag of another variant or CID in full', async () => {
    // act
    const tag = `"${cidV1}.car"`;
    const [same, other, raw] = await Promise.all([
      call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car' }, headers: { 'if-none-match': tag } }),
      call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car', 'dag-scope': 'block' }, headers: { 'if-none-match': tag } }),
      call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'raw' }, headers: { 'if-none-match': `"${cidV0}.raw"` } }),
    ]);

    // assess
    expect(same.statusCode).toBe(304);
    expect(same.rawBody).toBe('');
    expect(same.headers.etag).toBe(tag);
    expect(other.statusCode).toBe(200);
    expect(other.headers.etag).not.toBe(tag);
    expect(raw.statusCode).toBe(200);
  });

  it('dag-scope=block: the root block alone, in the body; raw: the same block', async () => {
    // act
    const [block, raw] = await Promise.all([
      call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car', 'dag-scope': 'block' } }),
      call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'raw' } }),
    ]);

    // assess
    expect(block.statusCode).toBe(200);
    expect(block.headers.etag).toMatch(new RegExp(`^"${cidV1}\\.car\\.[0-9a-f]{16}"$`));
    const car = await readCar(block.bodyBytes, cidV1);
    expect(car.cids).toEqual([CID.parse(cidV1).toString()]);
    expect(raw.statusCode).toBe(200);
    expect(sha256(raw.bodyBytes)).toEqual(CID.parse(cidV1).multihash.digest);
    expect(leavesOf(raw.bodyBytes).cids).toHaveLength(33);
  });

  it.each([
    ['262144:524287', [1], 262_144, 262_144],
    ['100:300000', [0, 1], 100, 299_901],
    ['-1000:*', [32], 32 * CHUNK, 1000],
    ['-1001:-1001', [31], 32 * CHUNK - 1, 1],
    ['-1001:-1000', [31, 32], 32 * CHUNK - 1, 2],
    ['8388000:99999999', [31, 32], 8_388_000, 32 * CHUNK + 1000 - 8_388_000],
  ])('entity-bytes=%s: the root and exactly the leaves %j, enough to read those bytes', async (range, leaves, offset, length) => {
    // act
    const response = await call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car', 'entity-bytes': range } });

    // assess
    expect(response.statusCode).toBe(200);
    const car = await readCar(response.bodyBytes, cidV1);
    const root = await car.reader.get(CID.parse(cidV1));
    const { cids } = leavesOf(root!.bytes);
    expect(car.cids).toEqual([CID.parse(cidV1).toString(), ...leaves.map((index) => cids[index]!)]);
    const bytes = await exported(car, cidV1, offset, length);
    expect(bytes.equals(Buffer.from(FILE.subarray(offset, offset + length)))).toBe(true);
  });

  it('entity-bytes that resolve to no byte (from 5 MB to 5 MB before the end of 8 MiB) are the root block only, as dag-scope=block', async () => {
    // act
    const response = await call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car', 'entity-bytes': '5000000:-5000000' } });

    // assess
    expect(response.statusCode).toBe(200);
    expect((await readCar(response.bodyBytes, cidV1)).cids).toEqual([CID.parse(cidV1).toString()]);
  });
});

describe('car-dups', () => {
  it('n (the default) sends a repeated leaf once; y sends it each time the walk meets it', async () => {
    // prepare: four chunks, the first three alike
    const same = prngBytes(CHUNK, 5);
    const bytes = Buffer.concat([same, same, same, prngBytes(CHUNK, 6)]);
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'repeats.bin', bytes, contentType: 'application/octet-stream' });
    const cid = (await services.entries.get(uploaded.fileUuid))!.cidV1!;

    // act
    const [once, each] = await Promise.all([
      call('ipfsGateway', { params: { cid }, query: { format: 'car' } }),
      call('ipfsGateway', { params: { cid }, query: { format: 'car', 'car-dups': 'y' } }),
    ]);

    // assess
    expect(once.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
    expect((await readCar(once.bodyBytes, cid)).cids).toHaveLength(3);
    expect(each.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=y');
    const all = await readCar(each.bodyBytes, cid);
    expect(all.cids).toHaveLength(5);
    expect(new Set(all.cids).size).toBe(3);
    expect((await exported(all, cid)).equals(bytes)).toBe(true);
  });
});

describe('bad trustless parameters', () => {
  it.each([
    [{ 'dag-scope': 'everything' }, undefined, 40006060, 'DAG_SCOPE_NOT_VALID'],
    [{ 'entity-bytes': '10-20' }, undefined, 40006061, 'ENTITY_BYTES_NOT_VALID'],
    [{ 'entity-bytes': '20:10' }, undefined, 40006061, 'ENTITY_BYTES_NOT_VALID'],
    [{ 'entity-bytes': `${32 * CHUNK + 1000}:*` }, undefined, 40006062, `ENTITY_BYTES_OUT_OF_RANGE: entity-bytes starts at byte ${32 * CHUNK + 1000} of a file of ${32 * CHUNK + 1000} bytes`],
    [{ 'car-version': '2' }, undefined, 40006063, 'CAR_VERSION_NOT_SUPPORTED'],
    [{}, 'application/vnd.ipld.car; order=bfs', 40006064, 'CAR_ORDER_NOT_SUPPORTED'],
    [{ 'car-dups': 'maybe' }, undefined, 40006065, 'CAR_DUPS_NOT_VALID'],
  ])('%j (Accept %s): 400 %s', async (query, accept, code, message) => {
    // act
    const response = await call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car', ...query }, ...(accept ? { headers: { accept } } : {}) });

    // assess
    expectApillonError(response, { status: 400, code, message });
  });
});
