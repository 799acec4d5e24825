import * as dagPb from '@ipld/dag-pb';
import { murmur3128 } from '@multiformats/murmur3';
import { Bucket, createHAMT } from 'hamt-sharding';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

/**
 * UnixFS directory nodes as `ipfs add -r --cid-version=1 --raw-leaves=false`
 * (kubo defaults) builds them, from the children's names, CIDs and sizes alone,
 * so a directory's CID can be computed from its child records without reading
 * any file bytes:
 *
 * - a plain directory is one dag-pb node, UnixFS type Directory, one link per
 *   child (Name, Hash, Tsize), links sorted by name bytes (the dag-pb spec's
 *   order, which `@ipld/dag-pb`'s `prepare` applies and kubo uses);
 * - past kubo's sharding threshold (boxo `HAMTShardingSize`: the sum over links
 *   of name bytes + CID bytes exceeds 256 KiB) it is a HAMT: UnixFS
 *   HAMTShard nodes, fanout 256, hash murmur3-x64-64 (the first 8 bytes of
 *   murmur3-x64-128, byte-reversed, as go-unixfs does), link names "XX" + name
 *   for entries and "XX" for sub-shards (XX = slot in upper-case hex).
 *
 * Sizes are Tsize: a node's block bytes plus the Tsize of every link below it.
 */
export interface DirectoryChild {
  /** The child's name in this directory (UTF-8; no `/`). */
  readonly name: string;
  /** The child's root CID (a file's CIDv1, a directory's CID from this module). */
  readonly cid: CID;
  /** The child's cumulative DAG size in bytes (Tsize). */
  readonly size: number;
}

export interface DirectoryNode {
  readonly cid: CID;
  /** Tsize of the directory: its own block(s) plus everything below. */
  readonly size: number;
  /** Every block of the directory node itself (one, or the shards of a HAMT), root last. */
  readonly blocks: readonly { readonly cid: CID; readonly bytes: Uint8Array }[];
  readonly sharded: boolean;
}

/** Kubo's (boxo's) HAMTShardingSize, in bytes of the links-bytes estimate. */
export const HAMT_SHARDING_THRESHOLD_BYTES = 262_144;
const HAMT_FANOUT_BITS = 8;
const HAMT_HASH_MURMUR3_X64_64 = 0x22n;

const utf8 = new TextEncoder();

/** Kubo's size estimate of a plain directory node: Σ (name bytes + CID bytes). */
export function estimatedDirectorySize(children: readonly DirectoryChild[]): number {
  return children.reduce((sum, child) => sum + utf8.encode(child.name).length + child.cid.bytes.length, 0);
}

/**
 * Which CID version the directory's own blocks are named by: 1 for `ipfs add -r --cid-version=1`
 * (the children's CIDs are then CIDv1 too), 0 for kubo's default `ipfs add -r` (children by CIDv0).
 * It matters beyond the root: a HAMT links its sub-shards by CIDs of this version.
 */
export type CidVersion = 0 | 1;

/**
 * The directory node (or HAMT) over `children`; names must be distinct. `cidVersion` (default 1)
 * names the directory's blocks; give children CIDs of the same version, as kubo's DAG has them.
 */
export async function buildDirectory(children: readonly DirectoryChild[], cidVersion: CidVersion = 1): Promise<DirectoryNode> {
  const names = new Set(children.map((child) => child.name));
  if (names.size !== children.length) throw new Error('Directory children must have distinct names');
  return estimatedDirectorySize(children) > HAMT_SHARDING_THRESHOLD_BYTES ? buildHamt(children, cidVersion) : buildFlat(children, cidVersion);
}

async function block(node: dagPb.PBNode, cidVersion: CidVersion): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagPb.encode(dagPb.prepare(node));
  const digest = await sha256.digest(bytes);
  return { cid: cidVersion === 0 ? CID.createV0(digest) : CID.createV1(dagPb.code, digest), bytes };
}

async function buildFlat(children: readonly DirectoryChild[], cidVersion: CidVersion): Promise<DirectoryNode> {
  const links = children.map((child) => ({ Name: child.name, Hash: child.cid, Tsize: child.size }));
  const built = await block({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: links }, cidVersion);
  const size = built.bytes.length + children.reduce((sum, child) => sum + child.size, 0);
  return { cid: built.cid, size, blocks: [built], sharded: false };
}

/** go-unixfs's HAMT hash: murmur3-x64-128, first 64 bits, byte-reversed. */
async function hamtHash(key: Uint8Array): Promise<Uint8Array> {
  return (await murmur3128.encode(key)).slice(0, 8).reverse();
}

async function buildHamt(children: readonly DirectoryChild[], cidVersion: CidVersion): Promise<DirectoryNode> {
  const bucket = createHAMT<DirectoryChild>({ hashFn: hamtHash, bits: HAMT_FANOUT_BITS });
  for (const child of children) await bucket.put(child.name, child);
  const blocks: { cid: CID; bytes: Uint8Array }[] = [];
  const root = await flushShard(bucket, blocks, cidVersion);
  return { cid: root.cid, size: root.size, blocks, sharded: true };
}

async function flushShard(bucket: Bucket<DirectoryChild>, blocks: { cid: CID; bytes: Uint8Array }[], cidVersion: CidVersion): Promise<{ cid: CID; size: number }> {
  const slots = bucket._children;
  const padLength = (bucket.tableSize() - 1).toString(16).length;
  const links: dagPb.PBLink[] = [];
  let childrenSize = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.get(i);
    if (slot == null) continue;
    const prefix = i.toString(16).toUpperCase().padStart(padLength, '0');
    if (slot instanceof Bucket) {
      const shard = await flushShard(slot, blocks, cidVersion);
      links.push({ Name: prefix, Hash: shard.cid, Tsize: shard.size });
      childrenSize += shard.size;
    } else {
      links.push({ Name: prefix + slot.key, Hash: slot.value.cid, Tsize: slot.value.size });
      childrenSize += slot.value.size;
    }
  }
  // The bitfield of occupied slots, little-endian as go-unixfs writes it.
  const data = Uint8Array.from(slots.bitField().reverse());
  const unixfs = new UnixFS({ type: 'hamt-sharded-directory', data, fanout: BigInt(bucket.tableSize()), hashType: HAMT_HASH_MURMUR3_X64_64 });
  const built = await block({ Data: unixfs.marshal(), Links: links }, cidVersion);
  blocks.push(built);
  return { cid: built.cid, size: built.bytes.length + childrenSize };
}
