/**
 * The trustless gateway for directories: a generated tree (nested folders, a folder past
 * kubo's HAMT threshold, an empty file, a file of two chunks, unicode names) is stored,
 * addressed, and fetched back as CARs and raw blocks, which independent code checks:
 * `@ipld/car`'s reader, `ipfs-unixfs-exporter` (rebuilds every file and the directory
 * tree), `@ipld/dag-pb` + `ipfs-unixfs` (decodes blocks) and multiformats' sha2-256
 * (every block hashes to its CID). Never the builders that produced the blocks.
 */
import { CarReader } from '@ipld/car/reader';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { exporter, recursive } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as ipfsGateway } from '../../../functions/apillon/ipfs-gateway/handler';
import { HAMT_SHARDING_THRESHOLD_BYTES } from '../../../lib/cid/directory';
import type { DirectoryAddress } from '../../../lib/core/directories/directories';
import { MAX_SEGMENT_BYTES } from '../../../lib/core/model/paths';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { prngBytes } from '../../support/data';
import { expectApillonError } from '../../support/envelopes';
import { httpEvent, invoke, type InvokeResult } from '../../support/events';
import { buildTestServices, createTestTenant, testServices, type TestTenant } from '../../support/services';
import { storeAddressedTree, storeTree } from '../../support/trees';

/** Enough 255-byte names that Σ(name + CID bytes) passes kubo's 256 KiB, with CIDv0s as with CIDv1s. */
const WIDE_COUNT = Math.ceil(HAMT_SHARDING_THRESHOLD_BYTES / (MAX_SEGMENT_BYTES + 34)) + 8;
const wideName = (i: number) => `${String(i).padStart(4, '0')}-`.padEnd(MAX_SEGMENT_BYTES, 'x');

const TREE = new Map<string, Uint8Array>([
  ['a.txt', new TextEncoder().encode('root a')],
  ['sub/b.txt', prngBytes(100, 1)],
  ['sub/deeper/two-chunks.bin', prngBytes(300_000, 2)],
  ['sub/deeper/empty', new Uint8Array(0)],
  ['日本語/フォルダ/ファイル 📄.txt', prngBytes(33, 4)],
  ...Array.from({ length: WIDE_COUNT }, (_, i): [string, Uint8Array] => [`wide/${wideName(i)}`, prngBytes(20, 100 + i)]),
]);
const EMPTY_DIRECTORIES = ['void'];
/** Every directory of the tree, `''` the root. */
const DIRECTORIES = ['', 'sub', 'sub/deeper', '日本語', '日本語/フォルダ', 'wide', 'void'];

let services: Services;
let tenant: TestTenant;
let addresses: Map<string, DirectoryAddress>;

beforeAll(async () => {
  services = await testServices();
  setServicesForTests(services);
  tenant = await createTestTenant(services, { publicBucket: true });
  addresses = await storeAddressedTree(services, tenant, TREE, { emptyDirectories: EMPTY_DIRECTORIES });
}, 600_000);

/** `?format=` of a CID (and a path after it), or with `accept` the media type in Accept instead. */
function trustless(cid: string, rest: string | undefined, format: 'car' | 'raw', accept?: string, query: Record<string, string> = {}): Promise<InvokeResult> {
  return invoke(
    ipfsGateway,
    httpEvent({
      path: rest === undefined ? '/ipfs/{cid}' : '/ipfs/{cid}/{proxy+}',
      rawPath: `/ipfs/${cid}${rest === undefined ? '' : `/${rest.split('/').map(encodeURIComponent).join('/')}`}`,
      pathParameters: rest === undefined ? { cid } : { cid, proxy: rest },
      ...(accept ? { headers: { accept } } : { query: { format, ...query } }),
    }),
  );
}

/** Reads a CAR: its roots, and a blockstore over its blocks after checking that each hashes to its CID. */
async function verifiedCar(bytes: Uint8Array) {
  const reader = await CarReader.fromBytes(bytes);
  const blocks: { cid: CID; bytes: Uint8Array }[] = [];
  for await (const block of reader.blocks()) {
    expect(block.cid.multihash.code).toBe(sha256.code);
    expect(Buffer.from((await sha256.digest(block.bytes)).bytes).equals(Buffer.from(block.cid.multihash.bytes)), `block ${block.cid}`).toBe(true);
    blocks.push(block);
  }
  const blockstore = {
    async *get(cid: CID) {
      const block = await reader.get(cid);
      if (!block) throw new Error(`block ${cid} missing from the CAR`);
      yield block.bytes;
    },
  };
  return { roots: await reader.getRoots(), blocks, blockstore };
}

/** The tree under `root` as the exporter rebuilds it: each file's bytes by path, each directory's path. */
async function exportedTree(root: CID, blockstore: Parameters<typeof exporter>[1]) {
  const files = new Map<string, Uint8Array>();
  const directories: string[] = [];
  for await (const entry of recursive(root, blockstore)) {
    const path = entry.path.split('/').slice(1).join('/');
    const node = await exporter(entry.cid, blockstore);
    if (node.type === 'directory') {
      directories.push(path);
    } else if (node.type === 'file') {
      const chunks: Uint8Array[] = [];
      for await (const chunk of node.content()) chunks.push(chunk);
      files.set(path, new Uint8Array(Buffer.concat(chunks)));
    } else {
      throw new Error(`unexpected ${node.type} at ${path}`);
    }
  }
  return { files, directories };
}

function expectSameFiles(actual: Map<string, Uint8Array>, expected: Map<string, Uint8Array>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected) expect(Buffer.from(actual.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
}

describe('GET /ipfs/<rootCid>?format=car', () => {
  it.each(['cidV1', 'cidV0'] as const)('answers a CAR of the whole tree (%s) that the exporter rebuilds into the uploaded files and folders', async (version) => {
    // prepare
    const root = addresses.get('')![version];

    // act
    const response = await trustless(root, undefined, 'car');

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
    const car = await verifiedCar(response.bodyBytes);
    expect(car.roots.map(String)).toEqual([root]);
    const exported = await exportedTree(car.roots[0]!, car.blockstore);
    expectSameFiles(exported.files, TREE);
    expect(exported.directories.sort()).toEqual([...DIRECTORIES].sort());
    // Each block once (car-dups=n): the twenty-byte files are all different, so only shared leaves could repeat.
    expect(new Set(car.blocks.map((block) => block.cid.toString())).size).toBe(car.blocks.length);
  }, 60_000); // the whole tree (hundreds of files, a HAMT), each leaf read from S3: ~8 s alone, 20 s+ on a loaded machine

  it('gives the sharded folder as a HAMT, its CID the one the directory was addressed with', async () => {
    // act
    const response = await trustless(addresses.get('')!.cidV1, 'wide', 'raw');

    // assess
    expect(response.statusCode).toBe(200);
    expect(Buffer.from((await sha256.digest(response.bodyBytes)).bytes).equals(Buffer.from(CID.parse(addresses.get('wide')!.cidV1).multihash.bytes))).toBe(true);
    expect(UnixFS.unmarshal(dagPb.decode(response.bodyBytes).Data!).type).toBe('hamt-sharded-directory');
  });
});

describe('query parameters the gateway does not read', () => {
  it('ignores a repeated unknown parameter (utm_source twice) as IPFS gateways do, and refuses a repeated format (422)', async () => {
    // prepare
    const cid = addresses.get('')!.cidV1;
    const at = (rawQueryString: string) => ({ ...httpEvent({ path: '/ipfs/{cid}', rawPath: `/ipfs/${cid}`, pathParameters: { cid } }), rawQueryString });

    // act
    const ignored = await invoke(ipfsGateway, at('utm_source=a&utm_source=b&format=raw'));
    const refused = await invoke(ipfsGateway, at('format=raw&format=car'));

    // assess
    expect(ignored.statusCode, ignored.rawBody).toBe(200);
    expect(ignored.headers['content-type']).toBe('application/vnd.ipld.raw');
    expect(refused.statusCode).toBe(422);
    expect(refused.body.errors).toEqual([{ code: 42200034, property: 'format', message: 'PARAMETER_REPEATED' }]);
  });
});

describe('a tree past TRUSTLESS_CAR_MAX_DIRECTORIES', () => {
  it('answers 413 DAG_TOO_LARGE_FOR_FORMAT naming the limit; a sub-directory within it is still served', async () => {
    // prepare: the same tree, served by a gateway that rebuilds at most 2 directories in one CAR
    const limited = buildTestServices({ TRUSTLESS_CAR_MAX_DIRECTORIES: '2' });
    setServicesForTests(limited);
    try {
      // act
      const whole = await trustless(addresses.get('')!.cidV1, undefined, 'car');
      const sub = await trustless(addresses.get('')!.cidV1, 'sub', 'car');

      // assess
      expect(whole.statusCode, whole.rawBody).toBe(413);
      expect(whole.body).toMatchObject({ code: 41300003, message: 'DAG_TOO_LARGE_FOR_FORMAT', details: { limit: 2 } });
      expect(sub.statusCode, sub.rawBody).toBe(200);
    } finally {
      setServicesForTests(services);
    }
  });
});

describe('CARs and blocks under a path', () => {
  it('a file in the HAMT: the blocks from the root to it and its DAG, not the whole folder', async () => {
    // prepare
    const root = addresses.get('')!.cidV1;
    const name = wideName(7);

    // act
    const response = await trustless(root, `wide/${name}`, 'car');

    // assess
    expect(response.statusCode).toBe(200);
    const car = await verifiedCar(response.bodyBytes);
    expect(car.roots.map(String)).toEqual([root]);
    const entry = await exporter(`${root}/wide/${name}`, car.blockstore);
    if (entry.type !== 'file') throw new Error(`a ${entry.type}`);
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry.content()) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(Buffer.from(TREE.get(`wide/${name}`)!))).toBe(true);
    // The root, the HAMT's root shard (and a sub-shard at most), the file's one block.
    expect(car.blocks.length).toBeLessThanOrEqual(4);
  });

  it('a sub-directory: everything under it (dag-scope=all), after the root block that leads there', async () => {
    // prepare
    const root = addresses.get('')!.cidV1;

    // act
    const response = await trustless(root, 'sub', 'car');

    // assess
    const car = await verifiedCar(response.bodyBytes);
    const exported = await exportedTree(CID.parse(addresses.get('sub')!.cidV1), car.blockstore);
    expectSameFiles(exported.files, new Map([...TREE].filter(([path]) => path.startsWith('sub/')).map(([path, bytes]) => [path.slice(4), bytes])));
    expect((await exporter(`${root}/sub/deeper/empty`, car.blockstore)).type).toBe('file');
  });

  it('?format=raw at a path: the block at its end, hashing to that entry’s CID', async () => {
    // act
    const [root, deeper] = await Promise.all([trustless(addresses.get('')!.cidV1, undefined, 'raw'), trustless(addresses.get('')!.cidV1, 'sub/deeper', 'raw')]);

    // assess
    expect(Buffer.from((await sha256.digest(root.bodyBytes)).bytes).equals(Buffer.from(CID.parse(addresses.get('')!.cidV1).multihash.bytes))).toBe(true);
    expect(UnixFS.unmarshal(dagPb.decode(root.bodyBytes).Data!).type).toBe('directory');
    expect(dagPb.decode(root.bodyBytes).Links.map((link) => link.Name)).toEqual(['a.txt', 'sub', 'void', 'wide', '日本語']);
    expect(Buffer.from((await sha256.digest(deeper.bodyBytes)).bytes).equals(Buffer.from(CID.parse(addresses.get('sub/deeper')!.cidV1).multihash.bytes))).toBe(true);
    expect(deeper.headers.etag).toBe(`"${addresses.get('sub/deeper')!.cidV1}.raw"`);
  });

  it('answers Accept: application/vnd.ipld.car as ?format=car, byte for byte', async () => {
    // act
    const [byQuery, byAccept] = await Promise.all([
      trustless(addresses.get('')!.cidV1, 'sub', 'car'),
      trustless(addresses.get('')!.cidV1, 'sub', 'car', 'application/vnd.ipld.car'),
    ]);

    // assess
    expect(byAccept.statusCode).toBe(200);
    expect(Buffer.from(byAccept.bodyBytes).equals(Buffer.from(byQuery.bodyBytes))).toBe(true);
    expect(byAccept.headers.etag).toBe(byQuery.headers.etag);
  });

  it('404 for a path that names nothing', async () => {
    // act
    const answer = await trustless(addresses.get('')!.cidV1, 'sub/nope', 'car');

    // assess
    expectApillonError(answer, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
  });
});

describe('a tree larger than one response', () => {
  it('is a 302 to its CAR (written once under its root CID), which verifies whole; a file of it on its own too', async () => {
    // prepare
    const big = await createTestTenant(services, { publicBucket: true });
    const bigTree = new Map([['big/a.bin', prngBytes(2_500_000, 11)], ['big/b.bin', prngBytes(2_500_000, 12)]]);
    const bigAddresses = await storeAddressedTree(services, big, bigTree);

    // act
    const [whole, one] = await Promise.all([trustless(bigAddresses.get('')!.cidV1, undefined, 'car'), trustless(bigAddresses.get('')!.cidV1, 'big/a.bin', 'car')]);

    // assess
    expect(whole.statusCode).toBe(302);
    const fetched = await fetch(whole.headers.location!);
    const car = await verifiedCar(new Uint8Array(await fetched.arrayBuffer()));
    const exported = await exportedTree(car.roots[0]!, car.blockstore);
    expectSameFiles(exported.files, bigTree);
    expect(one.statusCode).toBe(200);
    const alone = await verifiedCar(one.bodyBytes);
    const entry = await exporter(`${bigAddresses.get('')!.cidV1}/big/a.bin`, alone.blockstore);
    expect(entry.type).toBe('file');
  });
});

describe('dag-scope of a directory', () => {
  it('block: its root block; entity: every block of its own node (a HAMT’s shards), none of its children’s', async () => {
    // prepare
    const root = addresses.get('')!.cidV1;
    const wide = addresses.get('wide')!.cidV1;

    // act
    const [block, entity] = await Promise.all([
      trustless(root, 'wide', 'car', undefined, { 'dag-scope': 'block' }),
      trustless(root, 'wide', 'car', undefined, { 'dag-scope': 'entity', 'entity-bytes': '0:10' }),
    ]);

    // assess
    const rootBlock = await verifiedCar(block.bodyBytes);
    expect(rootBlock.blocks.map((item) => item.cid.toString())).toEqual([root, wide]);
    const shards = await verifiedCar(entity.bodyBytes);
    // After the root's block, every block of the entity is a HAMT shard (no child's block), and the exporter lists every name from them alone.
    for (const item of shards.blocks.slice(1)) expect(UnixFS.unmarshal(dagPb.decode(item.bytes).Data!).type).toBe('hamt-sharded-directory');
    const listed = await exporter(wide, shards.blockstore);
    if (listed.type !== 'directory') throw new Error(`a ${listed.type}`);
    const names: string[] = [];
    for await (const child of listed.entries()) names.push(child.name);
    expect(names.sort()).toEqual([...TREE.keys()].filter((path) => path.startsWith('wide/')).map((path) => path.slice(5)).sort());
  });
});

describe('a directory that changed since its CID was computed', () => {
  it('is never served as blocks that do not hash to the CIDs asked for: 404 until its CID is recomputed', async () => {
    // prepare: a new file in sub, content addressed, its directories not recomputed yet
    const root = addresses.get('')!.cidV1;
    await storeTree(services, tenant, new Map([['sub/late.txt', new TextEncoder().encode('late')]]));

    // act
    const [car, raw, rootBlock] = await Promise.all([trustless(root, undefined, 'car'), trustless(root, 'sub', 'raw'), trustless(root, undefined, 'raw')]);

    // assess
    expectApillonError(car, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
    expectApillonError(raw, { status: 404, code: 40406005, message: 'FILE_DOES_NOT_EXISTS' });
    // The root's own children did not change (sub still has its old CID): its block is still the one asked for.
    expect(rootBlock.statusCode).toBe(200);
  });
});
