/**
 * The CARv1 encoder (lib/cid/car.ts: `@ipld/car`'s buffer writer) against `@ipld/car`'s stream writer
 * (its other encoder) for the same roots and blocks (CIDv0 and CIDv1 roots, a root long enough for
 * 2-byte CBOR lengths and a multi-byte header varint), a header written out by hand from the CARv1 and
 * DAG-CBOR specs, and `@ipld/car`'s reader.
 */
import { CarReader } from '@ipld/car/reader';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { encodeCarV1 } from '../../lib/cid/car';

const RAW = 0x55;

async function rawBlock(bytes: Uint8Array): Promise<{ cid: CID; bytes: Uint8Array }> {
  return { cid: CID.createV1(RAW, await sha256.digest(bytes)), bytes };
}

async function dagPbBlockV0(data: Uint8Array, links: { cid: CID; size: number }[] = []): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagPb.encode(dagPb.prepare({ Data: data, Links: links.map((link) => ({ Hash: link.cid, Tsize: link.size })) }));
  return { cid: CID.createV0(await sha256.digest(bytes)), bytes };
}

/** `@ipld/car`'s stream writer output for the roots and blocks. */
async function streamWriterCar(roots: CID[], blocks: { cid: CID; bytes: Uint8Array }[]): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create(roots);
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of out) chunks.push(chunk);
  })();
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await collected;
  return Uint8Array.from(Buffer.concat(chunks));
}

const ours = (roots: CID[], blocks: { cid: CID; bytes: Uint8Array }[]) => encodeCarV1(roots.map((root) => root.bytes), blocks.map((block) => ({ cid: block.cid.bytes, bytes: block.bytes })));

describe('CARv1 encoder', () => {
  it('writes the same bytes as @ipld/car for a CIDv1 (raw) root and blocks of several sizes', async () => {
    // prepare
    const blocks = await Promise.all([new Uint8Array(0), new Uint8Array(100).fill(7), new Uint8Array(70_000).fill(9)].map(rawBlock));
    const roots = [blocks[1]!.cid];

    // act
    const car = ours(roots, blocks);

    // assess
    expect(Buffer.from(car).toString('hex')).toBe(Buffer.from(await streamWriterCar(roots, blocks)).toString('hex'));
  });

  it('writes the same bytes as @ipld/car for a CIDv0 (dag-pb) root over its children', async () => {
    // prepare
    const leaf = await dagPbBlockV0(new TextEncoder().encode('leaf'));
    const root = await dagPbBlockV0(new Uint8Array([8, 1]), [{ cid: leaf.cid, size: leaf.bytes.byteLength }]);
    const blocks = [root, leaf];

    // act
    const car = ours([root.cid], blocks);

    // assess
    expect(root.cid.version).toBe(0);
    expect(Buffer.from(car).toString('hex')).toBe(Buffer.from(await streamWriterCar([root.cid], blocks)).toString('hex'));
  });

  it('writes the same header as @ipld/car for long roots (2-byte CBOR lengths, multi-byte header varint) and several roots', async () => {
    // prepare: identity-hashed CIDs carry their content, so their length is chosen.
    const long = CID.createV1(RAW, identity.digest(new Uint8Array(300).fill(1)));
    const short = (await rawBlock(new Uint8Array([1]))).cid;
    const v0 = (await dagPbBlockV0(new Uint8Array([8, 1]))).cid;

    // act
    const car = ours([long, short, v0], []);

    // assess
    expect(Buffer.from(car).toString('hex')).toBe(Buffer.from(await streamWriterCar([long, short, v0], [])).toString('hex'));
  });

  it('starts with the DAG-CBOR header the CARv1 spec gives: {roots: [tag 42 (0x00 + CID)], version: 1}, keys length-first', async () => {
    // prepare
    const root = (await rawBlock(new Uint8Array([1]))).cid;

    // act: a CAR without blocks is the header's varint length (one byte here) and the header
    const car = ours([root], []);
    const header = car.subarray(1);

    // assess: a2 | 65 "roots" | 81 | d8 2a | 58 25 00 <36 CID bytes> | 67 "version" | 01, written out by hand.
    const expected = ['a2', '65', Buffer.from('roots').toString('hex'), '81', 'd82a', '5825', '00', Buffer.from(root.bytes).toString('hex'), '67', Buffer.from('version').toString('hex'), '01'].join('');
    expect(root.bytes.byteLength).toBe(36);
    expect(car[0]).toBe(header.byteLength);
    expect(Buffer.from(header).toString('hex')).toBe(expected);
  });

  it('is read back by @ipld/car\'s reader: the roots and every block', async () => {
    // prepare
    const leaf = await dagPbBlockV0(new TextEncoder().encode('leaf'));
    const root = await dagPbBlockV0(new Uint8Array([8, 1]), [{ cid: leaf.cid, size: leaf.bytes.byteLength }]);

    // act
    const reader = await CarReader.fromBytes(ours([root.cid], [root, leaf]));

    // assess
    expect((await reader.getRoots()).map(String)).toEqual([root.cid.toString()]);
    const read = [];
    for await (const block of reader.blocks()) read.push({ cid: block.cid.toString(), bytes: Buffer.from(block.bytes).toString('hex') });
    expect(read).toEqual([root, leaf].map((block) => ({ cid: block.cid.toString(), bytes: Buffer.from(block.bytes).toString('hex') })));
  });
});
