import { describe, it, expect } from 'vitest';
import { importer } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { base16 } from 'multiformats/bases/base16';
import { base32, base32upper } from 'multiformats/bases/base32';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { create as createDigest } from 'multiformats/hashes/digest';
import { computeCids, toCidV1 } from '../../lib/cid';
import { buildFileDag, cidV0Bytes, cidV1Bytes, type DagOptions } from '../../lib/cid/dag';

/*
 * Cross-check against ipfs-unixfs-importer@7.0.1, the exact version @apillon/sdk 3.x pins. Its
 * calculateCID() calls `importer([{ content }], block, { cidVersion: 1, onlyHash: true })`; with
 * 7.0.1's defaults that is: chunker 'fixed', maxChunkSize 262144, strategy 'balanced',
 * maxChildrenPerNode 174, rawLeaves false (7.0.1 does not switch to raw leaves for v1),
 * reduceSingleLeafToSelf true, leafType 'file', hashAlg 'sha2-256'.
 */

const noBlocks = {
  get: async () => {
    throw new Error('unexpected block get');
  },
  put: async () => {
    throw new Error('unexpected block put');
  },
};

/** The importer's last entry: the root's CID and its `size`, which in 7.0.1 is the DAG's cumulative size (Tsize). */
async function importerRoot(data: Uint8Array, options: { cidVersion: 0 | 1 }): Promise<{ cid: string; size: number }> {
  let last: { cid: { toString(): string }; size: number | bigint } | undefined;
  for await (const entry of importer([{ content: [data] }] as never, noBlocks as never, { ...options, onlyHash: true } as never)) last = entry as never;
  if (!last) throw new Error('importer yielded nothing');
  return { cid: last.cid.toString(), size: Number(last.size) };
}

/** The SDK's calculateCID, with the importer's tree-shape knobs exposed for small-scale tests. */
async function importerCid(
  data: Uint8Array,
  options: { cidVersion: 0 | 1; maxChunkSize?: number; maxChildrenPerNode?: number },
): Promise<string> {
  let last: { cid: { toString(): string } } | undefined;
  const entries = importer([{ content: [data] }] as never, noBlocks as never, { ...options, onlyHash: true } as never);
  for await (const entry of entries) last = entry;
  if (!last) throw new Error('importer yielded nothing');
  return last.cid.toString();
}

/** Seeded 32-bit LCG, so failures are reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = next() >>> 24;
  return out;
}

async function* pieces(data: Uint8Array, next: () => number, maxPiece: number): AsyncGenerator<Uint8Array> {
  let offset = 0;
  while (offset < data.length) {
    const size = next() % (maxPiece + 1); // zero-length pieces included
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

async function ourCids(data: Uint8Array, next: () => number, maxPiece: number, options?: DagOptions) {
  const roots = await buildFileDag(pieces(data, next, maxPiece), options);
  return { cidV0: base58btc.baseEncode(cidV0Bytes(roots.v0)), cidV1: base32.encode(cidV1Bytes(roots.v1)) };
}

describe('computeCids agrees with ipfs-unixfs-importer@7.0.1 (the Apillon SDK)', () => {
  it('on random sizes around chunk boundaries with kubo parameters', async () => {
    // prepare
    const next = rng(2024);
    const CHUNK = 262_144;
    const sizes = [0, 1, 2, 100, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1, 3 * CHUNK - 7];
    for (let i = 0; i < 8; i++) sizes.push(next() % (4 * CHUNK));
    const files = sizes.map((size) => randomBytes(next, size));

    // act
    const ours = [];
    const theirs = [];
    for (const data of files) {
      ours.push(await computeCids(pieces(data, next, 100_000)));
      const [v0, v1] = [await importerRoot(data, { cidVersion: 0 }), await importerRoot(data, { cidVersion: 1 })];
      // The DAG sizes too: what a directory's link to the file carries.
      theirs.push({ cidV0: v0.cid, cidV1: v1.cid, size: data.length, dagSizeV0: v0.size, dagSizeV1: v1.size });
    }

    // assess
    expect(ours).toEqual(theirs);
  }, 60_000);

  it('on deep trees (tiny chunks, few links per node) for every leaf count 1..70', async () => {
    // prepare: 16-byte chunks and 3 links per node give trees of depth up to 4 in a few KiB.
    const next = rng(7);
    const options: DagOptions = { chunkSize: 16, maxChildren: 3 };
    const files: Uint8Array[] = [];
    for (let leaves = 1; leaves <= 70; leaves++) files.push(randomBytes(next, (leaves - 1) * 16 + 1 + (next() % 16)));
    files.push(new Uint8Array(0), randomBytes(next, 27 * 16), randomBytes(next, 81 * 16));

    // act
    const ours = [];
    const theirs = [];
    for (const data of files) {
      ours.push(await ourCids(data, next, 40, options));
      const importerOptions = { maxChunkSize: 16, maxChildrenPerNode: 3 };
      theirs.push({
        cidV0: await importerCid(data, { cidVersion: 0, ...importerOptions }),
        cidV1: await importerCid(data, { cidVersion: 1, ...importerOptions }),
      });
    }

    // assess
    expect(ours).toEqual(theirs);
  }, 60_000);

  it('on the kubo layout with 174 links at the level boundaries (1 KiB chunks)', async () => {
    // prepare: 173, 174, 175, 174*174, 174*174+1 leaves; the shape is the same as at 256 KiB.
    const next = rng(99);
    const options: DagOptions = { chunkSize: 1024, maxChildren: 174 };
    const leafCounts = [173, 174, 175, 348, 349, 174 * 174, 174 * 174 + 1];
    const files = leafCounts.map((leaves) => randomBytes(next, (leaves - 1) * 1024 + 1 + (next() % 1024)));

    // act
    const ours = [];
    const theirs = [];
    for (const data of files) {
      ours.push(await ourCids(data, next, 5000, options));
      const importerOptions = { maxChunkSize: 1024, maxChildrenPerNode: 174 };
      theirs.push({
        cidV0: await importerCid(data, { cidVersion: 0, ...importerOptions }),
        cidV1: await importerCid(data, { cidVersion: 1, ...importerOptions }),
      });
    }

    // assess
    expect(ours).toEqual(theirs);
  }, 60_000);
});

describe('toCidV1 agrees with multiformats', () => {
  it('on random CIDs in every supported encoding', () => {
    // prepare
    const next = rng(5);
    const cases: { input: string; expected: string }[] = [];
    for (let i = 0; i < 50; i++) {
      const digest = createDigest(0x12, randomBytes(next, 32));
      const v0 = CID.createV0(digest);
      cases.push({ input: v0.toString(), expected: v0.toV1().toString(base32) });
      for (const codec of [0x70, 0x55, 0x71, 0x0129]) {
        const v1 = CID.createV1(codec, digest);
        for (const base of [base32, base32upper, base58btc, base36, base16]) {
          cases.push({ input: v1.toString(base), expected: v1.toString(base32) });
        }
      }
      // Another hash function (sha2-512) and an identity multihash.
      const v1sha512 = CID.createV1(0x55, createDigest(0x13, randomBytes(next, 64)));
      cases.push({ input: v1sha512.toString(base58btc), expected: v1sha512.toString(base32) });
      const identity = CID.createV1(0x55, createDigest(0x00, randomBytes(next, next() % 20)));
      cases.push({ input: identity.toString(base36), expected: identity.toString(base32) });
    }

    // act
    const results = cases.map(({ input }) => toCidV1(input));

    // assess
    expect(results).toEqual(cases.map(({ expected }) => expected));
  });
});
