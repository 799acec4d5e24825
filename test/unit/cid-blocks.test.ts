/**
 * The DAG builder's block output (for the trustless gateway): the same roots as
 * without it, every block hashing to its digest, and an independent exporter
 * (`ipfs-unixfs-exporter`) rebuilding the bytes from those blocks alone, on deep trees.
 */
import { createHash } from 'node:crypto';
import { exporter } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { buildFileDag, cidV0Bytes, cidV1Bytes, type DagBlock, type DagNode } from '../../lib/cid/dag';
import { prngBytes } from '../support/data';

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const DEEP = { chunkSize: 64, maxChildren: 3 };

describe('buildFileDag with block sinks', () => {
  it.each([0, 1, 64, 65, 64 * 9, 64 * 9 + 1, 64 * 28 + 5])('keeps the roots and emits blocks that hash to their digests (%i bytes)', async (length) => {
    // prepare
    const data = prngBytes(length, length + 1);
    const v0Blocks: DagBlock[] = [];
    const v1Blocks: DagBlock[] = [];

    // act
    const plain = await buildFileDag([data], DEEP);
    const withSinks = await buildFileDag([data], DEEP, { v0: (block) => v0Blocks.push(block), v1: (block) => v1Blocks.push(block) });

    // assess
    expect(withSinks).toEqual(plain);
    for (const block of [...v0Blocks, ...v1Blocks]) expect(sha256(block.bytes)).toEqual(block.digest);
    expect(v0Blocks.at(-1)!.digest).toEqual(plain.v0.digest);
    expect(v1Blocks.at(-1)!.digest).toEqual(plain.v1.digest);
  });

  it.each(['v0', 'v1'] as const)('gives blocks from which ipfs-unixfs-exporter rebuilds the bytes (%s tree)', async (version) => {
    // prepare
    const data = prngBytes(64 * 40 + 17, 9);
    const store = new Map<string, Uint8Array>();
    const cidOf = (node: Pick<DagNode, 'digest'>) => CID.decode(version === 'v0' ? cidV0Bytes(node as DagNode) : cidV1Bytes(node as DagNode));

    // act
    const roots = await buildFileDag([data], DEEP, { [version]: (block: DagBlock) => store.set(cidOf(block).toString(), block.bytes) });
    const entry = await exporter(cidOf(roots[version]), {
      async *get(cid: CID) {
        const bytes = store.get(cid.toString());
        if (!bytes) throw new Error(`missing block ${cid}`);
        yield bytes;
      },
    });

    // assess
    if (entry.type !== 'file') throw new Error('not a file');
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry.content()) chunks.push(chunk as Uint8Array);
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
  });
});
