/**
 * The trustless gateway for files: `/ipfs/<cid>?format=raw|car` checked with
 * independent code (`@ipld/car` reader, `ipfs-unixfs-exporter`, `@ipld/dag-pb`,
 * node:crypto sha2-256), never with the builder that produced the blocks.
 */
import { createHash } from 'node:crypto';
import { CarReader } from '@ipld/car/reader';
import * as dagPb from '@ipld/dag-pb';
import { exporter } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { expectApillonError } from '../../support/envelopes';
import { createTestTenant, testServices, type TestTenant } from '../../support/services';
import { call, prngBytes, uploadFile } from './helpers';

let services: Services;
let owner: TestTenant;
/** Three 256 KiB chunks and a bit: a root with four leaves. */
const FILE = prngBytes(3 * 262_144 + 1000, 77);
let cidV1: string;
let cidV0: string;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  owner = await createTestTenant(services, { publicBucket: true });
  const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'four-chunks.bin', bytes: FILE, contentType: 'application/octet-stream' });
  const entry = (await services.entries.get(uploaded.fileUuid))!;
  cidV1 = entry.cidV1!;
  cidV0 = entry.cidV0!;
});

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** Every block of a CAR hashes to its CID, and the exporter rebuilds the file from the root. */
async function verifiedCar(bytes: Uint8Array, expectedRoot: string): Promise<{ blocks: number; content: Uint8Array }> {
  const reader = await CarReader.fromBytes(bytes);
  const roots = await reader.getRoots();
  expect(roots.map(String)).toEqual([CID.parse(expectedRoot).toString()]);
  let blocks = 0;
  for await (const block of reader.blocks()) {
    expect(block.cid.multihash.code).toBe(0x12);
    expect(sha256(block.bytes)).toEqual(block.cid.multihash.digest);
    blocks += 1;
  }
  const blockstore = {
    async *get(cid: CID) {
      const block = await reader.get(cid);
      if (!block) throw new Error(`block ${cid} missing from the CAR`);
      yield block.bytes;
    },
  };
  const entry = await exporter(roots[0]!, blockstore);
  if (entry.type !== 'file') throw new Error(`the root is a ${entry.type}, not a file`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry.content()) chunks.push(chunk as Uint8Array);
  return { blocks, content: new Uint8Array(Buffer.concat(chunks)) };
}

describe('GET /ipfs/:cid?format=car', () => {
  it('answers a CAR of the CIDv1 DAG that an independent reader verifies and rebuilds into the file', async () => {
    // act
    const response = await call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'car' } });

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const { blocks, content } = await verifiedCar(response.bodyBytes, cidV1);
    expect(blocks).toBe(5); // four leaves and their parent
    expect(Buffer.from(content).equals(Buffer.from(FILE))).toBe(true);
  });

  it('answers the CIDv0 DAG for a Qm CID, chosen by Accept as well', async () => {
    // act
    const response = await call('ipfsGateway', { params: { cid: cidV0 }, headers: { accept: 'application/vnd.ipld.car' } });

    // assess
    expect(response.statusCode).toBe(200);
    const { content } = await verifiedCar(response.bodyBytes, cidV0);
    expect(Buffer.from(content).equals(Buffer.from(FILE))).toBe(true);
  });

  it('answers the type Accept prefers by q-value (RFC 9110 §12.5.1), not the first one listed; q=0 is the plain file', async () => {
    // act
    const car = await call('ipfsGateway', { params: { cid: cidV1 }, headers: { accept: 'application/vnd.ipld.raw;q=0.5, application/vnd.ipld.car' } });
    const raw = await call('ipfsGateway', { params: { cid: cidV1 }, headers: { accept: 'application/vnd.ipld.car;q=0.2, application/vnd.ipld.raw' } });
    const plain = await call('ipfsGateway', { params: { cid: cidV1 }, headers: { accept: 'application/vnd.ipld.car;q=0, text/html' } });

    // assess
    expect([car.statusCode, car.headers['content-type']]).toEqual([200, 'application/vnd.ipld.car; version=1; order=dfs; dups=n']);
    expect([raw.statusCode, raw.headers['content-type']]).toEqual([200, 'application/vnd.ipld.raw']);
    expect(sha256(raw.bodyBytes)).toEqual(CID.parse(cidV1).multihash.digest);
    expect(plain.statusCode).toBe(200);
    expect(Buffer.from(plain.bodyBytes).equals(Buffer.from(FILE))).toBe(true);
  });
});

describe('GET /ipfs/:cid?format=raw', () => {
  it('answers the root block: it hashes to the CID and links the four leaves', async () => {
    // act
    const response = await call('ipfsGateway', { params: { cid: cidV1 }, headers: { accept: 'application/vnd.ipld.raw' } });

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.ipld.raw');
    expect(sha256(response.bodyBytes)).toEqual(CID.parse(cidV1).multihash.digest);
    const node = dagPb.decode(response.bodyBytes);
    expect(node.Links).toHaveLength(4);
    expect(node.Links.every((link) => link.Hash.version === 1)).toBe(true);
  });

  it('answers a one-chunk file’s only block, which is its content as a UnixFS leaf', async () => {
    // prepare
    const uploaded = await uploadFile(services, owner.bucket.bucketUuid, owner.headers.basic, { fileName: 'small.txt', bytes: 'small block' });
    const { cidV1: small } = (await services.entries.get(uploaded.fileUuid))!;

    // act
    const response = await call('ipfsGateway', { params: { cid: small! }, query: { format: 'raw' } });

    // assess
    expect(sha256(response.bodyBytes)).toEqual(CID.parse(small!).multihash.digest);
    expect(Buffer.from(response.bodyBytes).includes(Buffer.from('small block'))).toBe(true);
  });
});

describe('bad trustless requests', () => {
  it('422 for an unknown format, 404 for a CID no public file has', async () => {
    // act
    const [badFormat, unknown] = await Promise.all([
      call('ipfsGateway', { params: { cid: cidV1 }, query: { format: 'tar' } }),
      call('ipfsGateway', { params: { cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }, query: { format: 'raw' } }),
    ]);

    // assess
    expect(badFormat.statusCode).toBe(422);
    expect(badFormat.body.errors[0].code).toBe(42200040);
    expectApillonError(unknown, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
  });
});
