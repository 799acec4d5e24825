import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import { toCidV1 } from '../cid';
import { buildFileDag, type DagBlock } from '../cid/dag';
import { buildDirectory, type DirectoryNode } from '../cid/directory';
import { AppError, type ErrorName } from '../errors';
import { cidVersionOf, entryCid, findPublicContent, publicDirectory, type PublicDirectory } from '../core/read/public-content';
import { directoryLinks } from '../core/directories/directories';
import { isFile, type EntryRecord, type FileRecord } from '../core/model/entries';
import { entryBelow, linkedChildren } from './path-gateway';
import type { StorageDeps } from '../core/ports/storage';

/**
 * The trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * the blocks of a UnixFS DAG, rebuilt on request, so a client can check every block
 * against the CID it asked for. A file's DAG is rebuilt from its bytes in S3 by the
 * streaming builder that computed its CIDs (lib/cid/dag.ts); a directory's node
 * (HAMT shards included) from its current children's names, CIDs and DAG sizes by
 * lib/cid/directory.ts, the rule its CID was computed by. A node that no longer
 * hashes to the CID its parent (or the request) names, because the directory changed
 * since, is never served: 404.
 */
export type TrustlessFormat = 'raw' | 'car';

/**
 * The format a gateway request asks for: `?format=raw|car` first, else the
 * first trustless media type in Accept (the spec's two ways); undefined for
 * the plain content.
 */
export function trustlessFormat(format: string | undefined, accept: string | undefined): TrustlessFormat | undefined {
  if (format === 'raw' || format === 'car') return format;
  for (const range of (accept ?? '').split(',')) {
    const type = range.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/vnd.ipld.raw') return 'raw';
    if (type === 'application/vnd.ipld.car') return 'car';
  }
  return undefined;
}

/** Largest file whose DAG is sent whole as a CAR: what one Lambda response carries (bytes). */
export const CAR_MAX_FILE_BYTES = 4 * 1024 * 1024;
/**
 * Most bytes of blocks in one CAR of a directory tree: a 4 MiB file's CAR with room for
 * the directory nodes, still inside Lambda's 6 MB response once base64-encoded.
 */
export const CAR_MAX_BYTES = CAR_MAX_FILE_BYTES + 256 * 1024;
/** Most directories one CAR rebuilds (each is one listing query): past it, 413. */
export const CAR_MAX_DIRECTORIES = 500;
/** Largest file whose root block is computed on request (its whole DAG is hashed), in bytes. */
export const RAW_ROOT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** A block with its binary CID (v0 in a CIDv0 DAG, v1 dag-pb in a CIDv1 one, as their links name them). */
export interface CidBlock {
  readonly cid: Uint8Array;
  readonly bytes: Uint8Array;
}

export interface TrustlessContent {
  /** The account whose content is served (its bandwidth counts the response). */
  readonly accountId: string;
  /** The CAR's root: the CID the request's content path starts from, binary. */
  readonly root: Uint8Array;
  /**
   * `raw`: the block at the end of the path alone; `car`: the blocks that lead from
   * the root along the path to it, then its whole DAG (dag-scope=all), depth-first,
   * each block once.
   */
  readonly blocks: readonly CidBlock[];
}

/**
 * What `/ipfs/<cid>[/<segments…>]?format=raw|car` serves, for a file or a directory
 * the public gateway serves (found as the path gateway finds it). `Qm…` asks for the
 * CIDv0 DAG, a CIDv1 for the CIDv1 DAG. Errors: 404 FILE_DOES_NOT_EXISTS when nothing
 * public has that CID or path, or a node rebuilt along the way does not hash to the
 * CID that names it (the directory changed since: its CID is being recomputed);
 * 413 FILE_TOO_LARGE_FOR_FORMAT for a file above the limits above, 413
 * DAG_TOO_LARGE_FOR_FORMAT for a directory tree whose CAR would pass CAR_MAX_BYTES or
 * CAR_MAX_DIRECTORIES. Blocks inside a file's DAG are not indexed: only root CIDs are found.
 */
export async function openTrustless(
  deps: StorageDeps,
  cid: string,
  format: TrustlessFormat,
  segments: readonly string[] = [],
): Promise<TrustlessContent> {
  const version = cidVersionOf(cid);
  let target = await findPublicContent(deps, cid); // 422 CID_NOT_VALID first for a string that is no CID
  const root = parseCid(cid);
  let expected = root;
  const pathBlocks: CidBlock[] = [];
  for (const segment of segments) {
    if (target.kind !== 'directory') throw new AppError('fileNotFound');
    const { node } = await verifiedDirectoryNode(deps, target.directory, expected, version);
    const step = linkTo(node, expected, segment);
    if (!step) throw new AppError('fileNotFound');
    pathBlocks.push(...step.blocks);
    target = await entryBelow(deps, target.directory, [segment], version);
    if (!sameDigest(CID.parse(target.cid), step.link)) throw new AppError('fileNotFound');
    expected = step.link;
  }
  const accountId = target.kind === 'file' ? target.file.accountId : target.directory.bucket.accountId;

  if (format === 'raw') {
    const block =
      target.kind === 'file'
        ? await fileRootBlock(deps, target.file, target.size, expected, version)
        : rootBlock((await verifiedDirectoryNode(deps, target.directory, expected, version)).node, expected);
    return { accountId, root: root.bytes, blocks: [block] };
  }

  const store = new BlockStore(CAR_MAX_BYTES, 'dagTooLargeForFormat');
  if (target.kind === 'file') {
    if (target.size > CAR_MAX_FILE_BYTES) throw new AppError('fileTooLargeForFormat');
    await collectFile(deps, target.file, expected, version, store);
  } else {
    await collectDirectory(deps, target.directory, expected, version, store, { directories: 0 });
  }
  return { accountId, root: root.bytes, blocks: [...pathBlocks, ...store.depthFirst(expected)] };
}

/** A CID string as the request gave it (v0 stays v0: its DAG links CIDv0s). */
function parseCid(cid: string): CID {
  if (cidVersionOf(cid) === 0) return CID.parse(cid);
  const v1 = toCidV1(cid);
  if (!v1) throw new Error(`Not a CID: ${cid}`); // findPublicContent refused it already (422)
  return CID.parse(v1);
}

function sameDigest(a: CID, b: CID): boolean {
  return Buffer.from(a.multihash.bytes).equals(Buffer.from(b.multihash.bytes));
}

/**
 * `directory`'s node over the links its CID was computed from (directoryLinks, the one rule),
 * checked against `expected`: 404 when it hashes to another CID (it changed since). `children`
 * are the entries it links, in link order (name bytes).
 */
async function verifiedDirectoryNode(
  deps: StorageDeps,
  directory: PublicDirectory,
  expected: CID,
  version: 0 | 1,
): Promise<{ node: DirectoryNode; children: EntryRecord[] }> {
  // Only children with their DAG sizes: directoryLinks would rebuild a legacy file's sizes from its
  // bytes and store them, a write the gateway may not make. Its directory's recompute stored them
  // before computing the CID asked for; a child still without them is newer than that CID (404 below).
  const children = (await linkedChildren(deps, directory)).filter((child) => child.dagSizeV0 !== undefined && child.dagSizeV1 !== undefined);
  const links = await directoryLinks(deps, children);
  const node = await buildDirectory(version === 0 ? links.v0 : links.v1, version);
  if (!sameDigest(node.cid, expected)) throw new AppError('fileNotFound');
  // A child the rule left out (no DAG size) is not in the node: not walked either.
  const linked = new Set((version === 0 ? links.v0 : links.v1).map((link) => link.name));
  return { node, children: children.filter((child) => linked.has(child.name)) };
}

/** The root block of a directory node, under the CID that names it. */
function rootBlock(node: DirectoryNode, cid: CID): CidBlock {
  return { cid: cid.bytes, bytes: node.blocks[node.blocks.length - 1]!.bytes };
}

/**
 * The blocks of `node` that lead from its root (named `cid`) to the link named `name`
 * (its single block; in a HAMT, the shards on the way) and that link's CID; undefined
 * when the node has no such link. HAMT links are named by a two-hex-digit slot, then
 * the entry's name (a sub-shard's link is the slot alone: fanout 256).
 */
function linkTo(node: DirectoryNode, cid: CID, name: string): { blocks: CidBlock[]; link: CID } | undefined {
  const shards = new Map(node.blocks.map((block) => [Buffer.from(block.cid.multihash.bytes).toString('hex'), block.bytes]));
  const search = (blockCid: CID, bytes: Uint8Array): { blocks: CidBlock[]; link: CID } | undefined => {
    for (const link of dagPb.decode(bytes).Links) {
      const linkName = link.Name ?? '';
      if (!node.sharded) {
        if (linkName === name) return { blocks: [{ cid: blockCid.bytes, bytes }], link: link.Hash };
      } else if (linkName.length > 2 && linkName.slice(2) === name) {
        return { blocks: [{ cid: blockCid.bytes, bytes }], link: link.Hash };
      } else if (linkName.length === 2) {
        const shard = shards.get(Buffer.from(link.Hash.multihash.bytes).toString('hex'));
        const found = shard && search(link.Hash, shard);
        if (found) return { blocks: [{ cid: blockCid.bytes, bytes }, ...found.blocks], link: found.link };
      }
    }
    return undefined;
  };
  return search(cid, node.blocks[node.blocks.length - 1]!.bytes);
}

/** The root block of a file's DAG, rebuilt from its bytes (every block hashed, only the root kept). */
async function fileRootBlock(deps: StorageDeps, file: FileRecord, size: number, expected: CID, version: 0 | 1): Promise<CidBlock> {
  if (size > RAW_ROOT_MAX_FILE_BYTES) throw new AppError('fileTooLargeForFormat');
  let last: DagBlock | undefined;
  const sink = (block: DagBlock) => {
    last = block;
  };
  const root = await buildFileBlocks(deps, file, version, sink);
  // The builder emits each parent after its children, so the root is the last block built.
  if (!last || Buffer.compare(last.digest, root) !== 0 || !Buffer.from(root).equals(Buffer.from(expected.multihash.digest))) {
    throw new AppError('fileNotFound');
  }
  return { cid: expected.bytes, bytes: last.bytes };
}

/** Builds `file`'s DAG in `version` from its bytes, every block to `sink`; the root's digest. */
async function buildFileBlocks(deps: StorageDeps, file: FileRecord, version: 0 | 1, sink: (block: DagBlock) => void): Promise<Uint8Array> {
  const source = await deps.blobs.read(file.objectKey);
  if (!source) throw new AppError('fileNotFound');
  const roots = await buildFileDag(source, undefined, version === 0 ? { v0: sink } : { v1: sink });
  return (version === 0 ? roots.v0 : roots.v1).digest;
}

async function collectFile(deps: StorageDeps, file: FileRecord, expected: CID, version: 0 | 1, store: BlockStore): Promise<void> {
  const root = await buildFileBlocks(deps, file, version, (block) => store.add(block.digest, block.bytes));
  if (!Buffer.from(root).equals(Buffer.from(expected.multihash.digest))) throw new AppError('fileNotFound');
}

/** Every block under `directory` (its node, then each child's DAG, sub-directories recursively) into `store`. */
async function collectDirectory(
  deps: StorageDeps,
  directory: PublicDirectory,
  expected: CID,
  version: 0 | 1,
  store: BlockStore,
  visited: { directories: number },
): Promise<void> {
  if (++visited.directories > CAR_MAX_DIRECTORIES) throw new AppError('dagTooLargeForFormat');
  const { node, children } = await verifiedDirectoryNode(deps, directory, expected, version);
  for (const block of node.blocks) store.add(block.cid.multihash.digest, block.bytes);
  for (const child of children) {
    const cid = CID.parse(entryCid(child, version)!);
    if (isFile(child)) {
      // Checked before any byte is read: a CAR holds at least the file's bytes.
      if (store.bytes + (child.size ?? 0) > store.limit) throw new AppError('dagTooLargeForFormat');
      await collectFile(deps, child, cid, version, store);
    } else {
      await collectDirectory(deps, publicDirectory(directory.bucket, child), cid, version, store, visited);
    }
  }
}

/** Blocks by sha2-256 digest, at most `limit` bytes in all (then `error`). */
class BlockStore {
  private readonly blocks = new Map<string, Uint8Array>();
  bytes = 0;

  constructor(
    readonly limit: number,
    private readonly error: ErrorName,
  ) {}

  add(digest: Uint8Array, bytes: Uint8Array): void {
    const key = Buffer.from(digest).toString('hex');
    if (this.blocks.has(key)) return;
    this.bytes += bytes.byteLength;
    if (this.bytes > this.limit) throw new AppError(this.error);
    this.blocks.set(key, bytes);
  }

  /**
   * The blocks reachable from `root`, depth-first in link order (the spec's
   * `car-order=dfs`), each once, each under the CID its parent links it by.
   * Throws (a fault of ours, not of the request) when a linked block is missing.
   */
  depthFirst(root: CID): CidBlock[] {
    const out: CidBlock[] = [];
    const seen = new Set<string>();
    const visit = (cid: CID) => {
      const key = Buffer.from(cid.multihash.digest).toString('hex');
      if (seen.has(key)) return;
      seen.add(key);
      const bytes = this.blocks.get(key);
      if (!bytes) throw new Error(`Block ${cid.toString()} of a rebuilt DAG is missing`);
      out.push({ cid: cid.bytes, bytes });
      for (const link of dagPb.decode(bytes).Links) visit(link.Hash);
    };
    visit(root);
    return out;
  }
}
