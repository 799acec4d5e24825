/**
 * Blocks inside a file's DAG, found by their own CIDs (lib/core/ports/block-index.ts), against DynamoDB Local
 * and s3rver: a client that knows only the root CID walks the file block by block with `?format=raw`, as Helia's
 * trustless-gateway block broker does, and `ipfs-unixfs-exporter` rebuilds the file from what the gateway
 * answers; leaves and inner nodes (a file of more than 174 chunks has a level of them) are served raw and as CARs;
 * nothing is served once no public file holds the block. Checked with independent code (`ipfs-unixfs-exporter`,
 * `@ipld/dag-pb`, `ipfs-unixfs`, `@ipld/car`, node:crypto), never with the builder that produced the blocks.
 */
import { createHash } from 'node:crypto';
import { CarReader } from '@ipld/car/reader';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { exporter } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, prngBytes, uploadFile } from './helpers';

const CHUNK = 262_144;
let services: Services;
let owner: TestTenant;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  owner = await createTestTenant(services, { publicBucket: true });
}, 60_000);

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** The raw block the gateway answers for `cid`, checked to hash to it (sha2-256). */
async function rawBlock(cid: CID | string): Promise<Uint8Array> {
  const response = await call('ipfsGateway', { params: { cid: cid.toString() }, query: { format: 'raw' } });
  expect(response.statusCode, `raw block ${cid.toString()}`).toBe(200);
  expect(response.headers['content-type']).toBe('application/vnd.ipld.raw');
  expect(sha256(response.bodyBytes)).toEqual(CID.parse(cid.toString()).multihash.digest);
  return response.bodyBytes;
}

/** The file as `ipfs-unixfs-exporter` reads it from the gateway one raw block at a time (the block broker's way). */
async function walkedFromGateway(root: string): Promise<{ bytes: Buffer; fetched: number }> {
  let fetched = 0;
  const blockstore = {
    async *get(cid: CID) {
      fetched++;
      yield await rawBlock(cid);
    },
  };
  const entry = await exporter(CID.parse(root), blockstore);
  if (entry.type !== 'file') throw new Error(`the root is a ${entry.type}`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry.content()) chunks.push(chunk as Uint8Array);
  return { bytes: Buffer.concat(chunks), fetched };
}

function linksOf(node: Uint8Array): { cids: CID[]; sizes: number[] } {
  const decoded = dagPb.decode(node);
  return { cids: decoded.Links.map((link) => link.Hash), sizes: UnixFS.unmarshal(decoded.Data!).blockSizes.map(Number) };
}

async function carCids(bytes: Uint8Array, root: CID): Promise<string[]> {
  const reader = await CarReader.fromBytes(bytes);
  expect((await reader.getRoots()).map(String)).toEqual([root.toString()]);
  const cids: string[] = [];
  for await (const block of reader.blocks()) {
    expect(sha256(block.bytes)).toEqual(block.cid.multihash.digest);
    cids.push(block.cid.toString());
  }
  return cids;
}

describe('GET /ipfs/<CID of a block inside a file>', () => {
  it('serves every leaf once the DAG is built, so the exporter rebuilds the file from raw blocks alone, for CIDv1 and CIDv0', async () => {
    // prepare: four chunks, the last short
    const bytes = prngBytes(3 * CHUNK + 10, 7001);
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'walked.bin', bytes, contentType: 'application/octet-stream' });
    const entry = (await services.entries.get(uploaded.fileUuid))!;
    const leafV1 = linksOf(await rawBlock(entry.cidV1!)).cids[2]!;

    // act
    const v1 = await walkedFromGateway(entry.cidV1!);
    const v0 = await walkedFromGateway(entry.cidV0!);
    const leafCar = await call('ipfsGateway', { params: { cid: leafV1.toString() }, query: { format: 'car' } });

    // assess
    expect(v1.bytes.equals(Buffer.from(bytes))).toBe(true);
    expect(v1.fetched).toBe(5); // the root and its four leaves
    expect(v0.bytes.equals(Buffer.from(bytes))).toBe(true);
    expect(leafCar.statusCode).toBe(200);
    expect(await carCids(leafCar.bodyBytes, leafV1)).toEqual([leafV1.toString()]);
  });

  it('answers 404 for a block of a file no longer public, and for a digest nothing holds', async () => {
    // prepare
    const bytes = prngBytes(2 * CHUNK + 1, 7002);
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'deleted.bin', bytes, contentType: 'application/octet-stream' });
    const entry = (await services.entries.get(uploaded.fileUuid))!;
    const leaf = linksOf(await rawBlock(entry.cidV1!)).cids[0]!;
    await rawBlock(leaf); // served while the file is there

    // act
    const deleted = await call('bucketFileDelete', { params: { bucketUuid: owner.bucket.bucketUuid, id: uploaded.fileUuid }, headers: owner.headers.basic });
    const gone = await call('ipfsGateway', { params: { cid: leaf.toString() }, query: { format: 'raw' } });
    const nothing = CID.createV1(dagPb.code, Digest.create(0x12, sha256(prngBytes(64, 7004))));
    const unknown = await call('ipfsGateway', { params: { cid: nothing.toString() }, query: { format: 'raw' } });

    // assess
    expect(deleted.statusCode).toBe(200);
    expect(gone.statusCode).toBe(404);
    expect(gone.body.message).toBe('FILE_DOES_NOT_EXISTS');
    expect(unknown.statusCode).toBe(404);
  });

  it('serves the inner nodes of a file of more than 174 chunks raw and as CARs of the bytes under them', async () => {
    // prepare: 175 chunks and 5 bytes: a root over two inner nodes (174 leaves, then 2)
    const bytes = prngBytes(175 * CHUNK + 5, 7003);
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'two-levels.bin', bytes, contentType: 'application/octet-stream' });
    const entry = (await services.entries.get(uploaded.fileUuid))!;
    const root = linksOf(await rawBlock(entry.cidV1!));
    expect(root.cids).toHaveLength(2);
    const [first, second] = root.cids as [CID, CID];

    // act
    const firstNode = linksOf(await rawBlock(first));
    const secondNode = linksOf(await rawBlock(second));
    const lastLeaf = await rawBlock(secondNode.cids[1]!);
    const car = await call('ipfsGateway', { params: { cid: second.toString() }, query: { format: 'car' } });
    const range = await call('ipfsGateway', { params: { cid: first.toString() }, query: { format: 'car', 'entity-bytes': `${CHUNK}:${2 * CHUNK - 1}` } });

    // assess
    expect(firstNode.cids).toHaveLength(174);
    expect(secondNode.sizes).toEqual([CHUNK, 5]);
    expect(UnixFS.unmarshal(dagPb.decode(lastLeaf).Data!).data).toEqual(new Uint8Array(bytes.subarray(175 * CHUNK)));
    expect(car.statusCode).toBe(200);
    expect(await carCids(car.bodyBytes, second)).toEqual([second.toString(), ...secondNode.cids.map(String)]);
    expect(range.statusCode).toBe(200);
    expect(await carCids(range.bodyBytes, first)).toEqual([first.toString(), firstNode.cids[1]!.toString()]);
  }, 120_000);
});
