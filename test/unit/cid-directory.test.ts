/**
 * Directory CIDs from child names, CIDs and sizes (lib/cid/directory.ts) against
 * an independent build: `ipfs-unixfs-importer` 17 with kubo's options for
 * `ipfs add -r --cid-version=1 --raw-leaves=false` (profile unixfs-v0-2015:
 * 256 KiB chunks, 174 links, links-bytes sharding at 256 KiB, with CIDv1 and
 * dag-pb leaves), on a tree with nested folders and one directory past the
 * sharding threshold. Files come from our own streaming DAG builder.
 */
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer-kubo';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { buildFileDag, cidV0Bytes, cidV1Bytes } from '../../lib/cid/dag';
import { buildDirectory, estimatedDirectorySize, HAMT_SHARDING_THRESHOLD_BYTES, type DirectoryChild } from '../../lib/cid/directory';
import { prngBytes } from '../support/data';

/** A generated tree: path → bytes. `wide/` has enough long names to pass kubo's threshold. */
function generatedTree(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('a.txt', new TextEncoder().encode('root a'));
  files.set('sub/b.txt', prngBytes(100, 1));
  files.set('sub/deeper/c.bin', prngBytes(300_000, 2)); // two chunks
  files.set('sub/deeper/empty', new Uint8Array(0));
  files.set('Ü/ünïcode name.txt', prngBytes(10, 3));
  for (let i = 0; i < 1200; i++) files.set(`wide/${String(i).padStart(5, '0')}-${'x'.repeat(200)}`, prngBytes(20, 100 + i));
  return files;
}

/** Directory CIDs bottom-up with our code only: files by buildFileDag, directories by buildDirectory (CIDv1 or CIDv0 DAGs). */
async function ourDirectoryCids(files: Map<string, Uint8Array>, version: 0 | 1 = 1): Promise<Map<string, { cid: string; sharded: boolean }>> {
  const children = new Map<string, DirectoryChild[]>();
  const dirs = new Set<string>(['']);
  for (const [path, bytes] of files) {
    const roots = await buildFileDag([bytes]);
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) dirs.add(parts.slice(0, depth).join('/'));
    const parent = parts.slice(0, -1).join('/');
    const root = version === 0 ? { cid: CID.decode(cidV0Bytes(roots.v0)), size: roots.v0.tsize } : { cid: CID.decode(cidV1Bytes(roots.v1)), size: roots.v1.tsize };
    children.set(parent, [...(children.get(parent) ?? []), { name: parts.at(-1)!, ...root }]);
  }
  const result = new Map<string, { cid: string; sharded: boolean }>();
  // Deepest first, so a directory's subdirectories are built before it.
  for (const dir of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length || b.length - a.length)) {
    const node = await buildDirectory(children.get(dir) ?? [], version);
    result.set(dir, { cid: node.cid.toString(), sharded: node.sharded });
    if (dir !== '') {
      const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
      children.set(parent, [...(children.get(parent) ?? []), { name: dir.split('/').at(-1)!, cid: node.cid, size: node.size }]);
    }
  }
  return result;
}

describe('buildDirectory', () => {
  it('gives every directory the CID ipfs-unixfs-importer computes with kubo’s options, HAMT-sharded where kubo shards', async () => {
    // prepare
    const files = generatedTree();

    // act
    const ours = await ourDirectoryCids(files);
    const theirs = new Map<string, string>();
    for await (const entry of importer([...files].map(([path, content]) => ({ path, content })), new MemoryBlockstore(), {
      profile: 'unixfs-v0-2015',
      cidVersion: 1,
      rawLeaves: false,
      wrapWithDirectory: true,
    })) {
      theirs.set(entry.path ?? '', entry.cid.toString());
    }

    // assess
    expect(ours.get('wide')!.sharded).toBe(true);
    expect(ours.get('sub')!.sharded).toBe(false);
    for (const [dir, { cid }] of ours) expect({ dir, cid }).toEqual({ dir, cid: theirs.get(dir) });
  }, 120_000);

  it('gives the CIDv0 DAG (kubo’s default `ipfs add -r`) too: CIDv0 names, v0 links, HAMT sub-shards linked by CIDv0', async () => {
    // prepare
    const files = generatedTree();

    // act
    const ours = await ourDirectoryCids(files, 0);
    const theirs = new Map<string, string>();
    for await (const entry of importer([...files].map(([path, content]) => ({ path, content })), new MemoryBlockstore(), {
      profile: 'unixfs-v0-2015',
      cidVersion: 0,
      rawLeaves: false,
      wrapWithDirectory: true,
    })) {
      theirs.set(entry.path ?? '', entry.cid.toString());
    }

    // assess
    expect(ours.get('wide')!.sharded).toBe(true);
    expect(ours.get('')!.cid).toMatch(/^Qm/);
    for (const [dir, { cid }] of ours) expect({ dir, cid }).toEqual({ dir, cid: theirs.get(dir) });
  }, 120_000);

  it('shards only past the threshold: Σ(name bytes + CID bytes) > 256 KiB', async () => {
    // prepare: names sized so that the estimate lands exactly on the threshold, then one byte over
    const cid = CID.parse('bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq');
    const perLink = 200 + cid.bytes.length;
    const count = Math.floor(HAMT_SHARDING_THRESHOLD_BYTES / perLink);
    const rest = HAMT_SHARDING_THRESHOLD_BYTES - count * perLink - cid.bytes.length;
    const children = Array.from({ length: count }, (_, i) => ({ name: `${String(i).padStart(6, '0')}${'n'.repeat(194)}`, cid, size: 13 }));
    const atThreshold = [...children, { name: 'z'.repeat(rest), cid, size: 13 }];
    const overThreshold = [...children, { name: 'z'.repeat(rest + 1), cid, size: 13 }];

    // act
    const [at, over] = await Promise.all([buildDirectory(atThreshold), buildDirectory(overThreshold)]);

    // assess
    expect(estimatedDirectorySize(atThreshold)).toBe(HAMT_SHARDING_THRESHOLD_BYTES);
    expect(at.sharded).toBe(false);
    expect(over.sharded).toBe(true);
  });
});
