import { createHash } from 'node:crypto';
import { varint } from 'multiformats';

const varintLength = varint.encodingLength;

/** Appends the unsigned varint (multiformats' LEB128) of `value`, an integer in 0..2^53-1, to `out`. */
function pushVarint(out: number[], value: number): void {
  for (const byte of varint.encodeTo(value, new Uint8Array(varintLength(value)))) out.push(byte);
}

/**
 * Streaming builder of the UnixFS v1 file DAG that `ipfs add` (kubo defaults) and
 * `ipfs-unixfs-importer` (balanced layout, fixed-size chunker, dag-pb leaves) produce, keeping
 * only hashes and sizes in memory, never file data.
 *
 * Block formats (dag-pb, links written before data as go-ipfs does):
 *  - leaf:   PBNode{ Data: UnixFS{ Type: File, Data: chunk (omitted when empty), filesize: chunk.length } }
 *  - parent: PBNode{ Links: [{ Hash: child CID, Name: "", Tsize: child cumulative size }...],
 *                    Data: UnixFS{ Type: File, filesize: sum, blocksizes: [child file sizes...] } }
 * A file of one chunk has that leaf as its root; otherwise leaves are grouped `maxChildren` at a
 * time into parents, those parents again, and so on until one node is left (the importer's
 * balanced reducer; kubo's balanced builder gives the same shape).
 *
 * CIDv0 and CIDv1 trees share their leaves but not their parents: a parent's links embed the
 * children's CIDs, and a CIDv1 is two bytes longer than a CIDv0, so above one chunk the v1 root is
 * a different hash, not the v0 root re-encoded. Both trees are therefore built side by side.
 */

export interface DagOptions {
  /** Fixed chunk size in bytes (kubo `size-262144`). */
  readonly chunkSize: number;
  /** Maximum links per parent node (kubo's balanced layout: 174). */
  readonly maxChildren: number;
}

export const KUBO_DAG_OPTIONS: DagOptions = { chunkSize: 262_144, maxChildren: 174 };

/** sha2-256 multihash header: code 0x12, length 32. */
const SHA256_MULTIHASH_PREFIX = [0x12, 0x20];
/** CIDv1 header for dag-pb: version 1, codec 0x70. */
const CIDV1_DAG_PB_PREFIX = [0x01, 0x70];

const UNIXFS_TYPE_FILE = 2;

// Protobuf keys: (field number << 3) | wire type.
const PB_NODE_DATA = 0x0a; // PBNode.Data, field 1, bytes
const PB_NODE_LINKS = 0x12; // PBNode.Links, field 2, bytes
const PB_LINK_HASH = 0x0a; // PBLink.Hash, field 1, bytes
const PB_LINK_NAME = 0x12; // PBLink.Name, field 2, string
const PB_LINK_TSIZE = 0x18; // PBLink.Tsize, field 3, varint
const UNIXFS_TYPE = 0x08; // Data.Type, field 1, varint
const UNIXFS_DATA = 0x12; // Data.Data, field 2, bytes
const UNIXFS_FILESIZE = 0x18; // Data.filesize, field 3, varint
const UNIXFS_BLOCKSIZE = 0x20; // Data.blocksizes, field 4, varint (repeated, not packed)

/** What a parent needs to know of a child: its hash, its cumulative DAG size, its file bytes. */
export interface DagNode {
  /** sha2-256 digest of the node's block. */
  readonly digest: Uint8Array;
  /** Block size plus the Tsize of every link below it (the value a parent's link carries). */
  readonly tsize: number;
  /** File bytes under the node (a leaf's chunk length, a parent's UnixFS filesize). */
  readonly fileSize: number;
}

export interface DagRoots {
  /** Root of the tree whose links are CIDv0 (`ipfs add`). */
  readonly v0: DagNode;
  /** Root of the tree whose links are CIDv1 dag-pb (`ipfs add --cid-version=1 --raw-leaves=false`). */
  readonly v1: DagNode;
  /** Bytes read from the source. */
  readonly size: number;
}

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** A block of the DAG as it is built: its sha2-256 digest and its dag-pb bytes. */
export interface DagBlock {
  readonly digest: Uint8Array;
  readonly bytes: Uint8Array;
}

/** Receives the blocks of a DAG as they are built (leaves first, each parent after its children). */
export type BlockSink = (block: DagBlock) => void;

/**
 * Hashes the dag-pb leaf block wrapping `chunk`, without copying the chunk
 * (unless `sink` wants the block's bytes).
 */
export function hashLeaf(chunk: Uint8Array, sink?: BlockSink): DagNode {
  const length = chunk.length;
  // UnixFS Data message: Type, Data (only when non-empty), filesize.
  const unixfsLength = 2 + (length > 0 ? 1 + varintLength(length) + length : 0) + 1 + varintLength(length);
  const head: number[] = [PB_NODE_DATA];
  pushVarint(head, unixfsLength);
  head.push(UNIXFS_TYPE, UNIXFS_TYPE_FILE);
  if (length > 0) {
    head.push(UNIXFS_DATA);
    pushVarint(head, length);
  }
  const tail: number[] = [UNIXFS_FILESIZE];
  pushVarint(tail, length);
  const headBytes = Uint8Array.from(head);
  const tailBytes = Uint8Array.from(tail);
  const digest = length > 0 ? sha256(headBytes, chunk, tailBytes) : sha256(headBytes, tailBytes);
  if (sink) {
    const bytes = new Uint8Array(headBytes.length + length + tailBytes.length);
    bytes.set(headBytes, 0);
    bytes.set(chunk, headBytes.length);
    bytes.set(tailBytes, headBytes.length + length);
    sink({ digest, bytes });
  }
  return { digest, tsize: headBytes.length + length + tailBytes.length, fileSize: length };
}

/** Encodes and hashes a parent node over `children`, whose links are CIDs with `cidPrefix`; `sink` gets its block. */
export function hashParent(children: readonly DagNode[], cidPrefix: readonly number[], sink?: BlockSink): DagNode {
  const block: number[] = [];
  let fileSize = 0;
  let tsize = 0;
  const unixfsTail: number[] = [];
  for (const child of children) {
    // The importer drops children that carry no file bytes; only an empty file's leaf has none,
    // and that leaf is always the root, so this never triggers for a parent in practice.
    if (child.fileSize === 0) continue;
    const cidLength = cidPrefix.length + SHA256_MULTIHASH_PREFIX.length + child.digest.length;
    const linkLength = 1 + varintLength(cidLength) + cidLength + 2 + 1 + varintLength(child.tsize);
    block.push(PB_NODE_LINKS);
    pushVarint(block, linkLength);
    block.push(PB_LINK_HASH);
    pushVarint(block, cidLength);
    block.push(...cidPrefix, ...SHA256_MULTIHASH_PREFIX, ...child.digest);
    block.push(PB_LINK_NAME, 0); // Name: "" is written, as go-ipfs and ipld-dag-pb do
    block.push(PB_LINK_TSIZE);
    pushVarint(block, child.tsize);
    fileSize += child.fileSize;
    tsize += child.tsize;
    unixfsTail.push(UNIXFS_BLOCKSIZE);
    pushVarint(unixfsTail, child.fileSize);
  }
  const unixfs: number[] = [UNIXFS_TYPE, UNIXFS_TYPE_FILE, UNIXFS_FILESIZE];
  pushVarint(unixfs, fileSize);
  unixfs.push(...unixfsTail);
  block.push(PB_NODE_DATA);
  pushVarint(block, unixfs.length);
  block.push(...unixfs);
  const bytes = Uint8Array.from(block);
  const digest = sha256(bytes);
  sink?.({ digest, bytes });
  return { digest, tsize: bytes.length + tsize, fileSize };
}

/**
 * The balanced layout built incrementally: nodes of each level wait until `maxChildren` of them
 * exist, then become one parent on the level above. At most `maxChildren` nodes per level are held.
 */
class BalancedTree {
  private readonly pending: DagNode[][];
  private readonly produced: number[];

  constructor(
    private readonly cidPrefix: readonly number[],
    private readonly maxChildren: number,
    private readonly sink?: BlockSink,
    state?: TreeState,
  ) {
    this.pending = state ? state.pending.map((level) => level.map(nodeFromState)) : [];
    this.produced = state ? [...state.produced] : [];
  }

  /** What the tree holds (at most maxChildren − 1 nodes a level), to continue it in another process. */
  state(): TreeState {
    return { pending: this.pending.map((level) => level.map(nodeToState)), produced: [...this.produced] };
  }

  add(node: DagNode, level = 0): void {
    let nodes = this.pending[level];
    if (!nodes) {
      nodes = [];
      this.pending[level] = nodes;
      this.produced[level] = 0;
    }
    nodes.push(node);
    this.produced[level] = (this.produced[level] ?? 0) + 1;
    if (nodes.length === this.maxChildren) {
      this.pending[level] = [];
      this.add(hashParent(nodes, this.cidPrefix, this.sink), level + 1);
    }
  }

  /** Closes the partial groups bottom-up, as the importer's batch-then-recurse reducer does. */
  finish(): DagNode {
    for (let level = 0; level < this.pending.length; level++) {
      const nodes = this.pending[level] ?? [];
      // A level that only ever had one node holds the root; one chunk ⇒ the leaf itself is the root.
      if (this.produced[level] === 1) {
        const root = nodes[0];
        if (root) return root;
      }
      if (nodes.length > 0) {
        this.pending[level] = [];
        this.add(hashParent(nodes, this.cidPrefix, this.sink), level + 1);
      }
    }
    throw new Error('balanced tree has no nodes');
  }
}

/** A node as a checkpoint holds it: the digest in base64. */
export interface NodeState {
  readonly digest: string;
  readonly tsize: number;
  readonly fileSize: number;
}

/** One tree's pending nodes per level and how many nodes each level has had. */
export interface TreeState {
  readonly pending: readonly (readonly NodeState[])[];
  readonly produced: readonly number[];
}

/**
 * Where a file's DAG build stands after its first `hashedBytes` bytes (a whole number of chunks): enough to
 * go on from byte `hashedBytes` in another process and reach the same roots. Its size is bounded by the tree's
 * depth: at most maxChildren − 1 nodes per level and tree (5 TiB in 256 KiB chunks: 4 levels, under 120 KB of JSON).
 */
export interface DagCheckpoint {
  readonly hashedBytes: number;
  readonly leaves: number;
  readonly v0: TreeState;
  readonly v1: TreeState;
}

const nodeToState = (node: DagNode): NodeState => ({ digest: Buffer.from(node.digest).toString('base64'), tsize: node.tsize, fileSize: node.fileSize });
const nodeFromState = (node: NodeState): DagNode => ({ digest: new Uint8Array(Buffer.from(node.digest, 'base64')), tsize: node.tsize, fileSize: node.fileSize });

/**
 * The file DAG built piece by piece, able to stop at a chunk boundary and go on elsewhere: `write` the bytes
 * from `hashedBytes` on (0, or a checkpoint's), `checkpoint()` at any moment (it covers the whole chunks hashed;
 * the bytes of a partial chunk are read again by whoever continues), `finish()` at the end of the file.
 * Memory: one chunk buffer plus the trees' pending nodes. No sinks: it computes CIDs only.
 */
export class ResumableFileDag {
  private readonly v0: BalancedTree;
  private readonly v1: BalancedTree;
  private readonly buffer: Uint8Array;
  private filled = 0;
  private size: number;
  private leaves: number;

  constructor(
    private readonly options: DagOptions = KUBO_DAG_OPTIONS,
    from?: DagCheckpoint,
  ) {
    const { chunkSize, maxChildren } = options;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`bad chunkSize: ${chunkSize}`);
    if (!Number.isSafeInteger(maxChildren) || maxChildren < 2) throw new RangeError(`bad maxChildren: ${maxChildren}`);
    if (from && from.hashedBytes !== from.leaves * chunkSize) throw new RangeError('a checkpoint covers whole chunks only');
    this.v0 = new BalancedTree([], maxChildren, undefined, from?.v0);
    this.v1 = new BalancedTree(CIDV1_DAG_PB_PREFIX, maxChildren, undefined, from?.v1);
    this.buffer = new Uint8Array(chunkSize);
    this.size = from?.hashedBytes ?? 0;
    this.leaves = from?.leaves ?? 0;
  }

  /** Bytes whose leaves are built (a multiple of the chunk size until `finish`). */
  get hashedBytes(): number {
    return this.size - this.filled;
  }

  write(piece: Uint8Array): void {
    if (!(piece instanceof Uint8Array)) throw new TypeError('computeCids expects a stream of bytes (Uint8Array/Buffer pieces)');
    const { chunkSize } = this.options;
    this.size += piece.length;
    let offset = 0;
    while (offset < piece.length) {
      const remaining = piece.length - offset;
      if (this.filled === 0 && remaining >= chunkSize) {
        // A whole chunk inside this piece: hash it in place.
        this.addLeaf(piece.subarray(offset, offset + chunkSize));
        offset += chunkSize;
        continue;
      }
      const take = Math.min(remaining, chunkSize - this.filled);
      this.buffer.set(piece.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === chunkSize) {
        this.addLeaf(this.buffer);
        this.filled = 0;
      }
    }
  }

  checkpoint(): DagCheckpoint {
    return { hashedBytes: this.hashedBytes, leaves: this.leaves, v0: this.v0.state(), v1: this.v1.state() };
  }

  /** The roots, once every byte of the file has been written. */
  finish(): DagRoots {
    // The fixed-size chunker emits the remainder, or one empty chunk for an empty file.
    if (this.filled > 0 || this.leaves === 0) this.addLeaf(this.buffer.subarray(0, this.filled));
    this.filled = 0;
    return { v0: this.v0.finish(), v1: this.v1.finish(), size: this.size };
  }

  private addLeaf(chunk: Uint8Array): void {
    const leaf = hashLeaf(chunk);
    this.v0.add(leaf);
    this.v1.add(leaf);
    this.leaves++;
  }
}

/**
 * Where the blocks of each tree go, when a caller wants them (the trustless gateway): leaves,
 * shared by both trees, go to both sinks; parents to their own tree's sink. Without sinks no
 * block bytes are assembled at all.
 */
export interface DagSinks {
  readonly v0?: BlockSink;
  readonly v1?: BlockSink;
  /** Only parents go to the sinks (no leaf block is assembled): a file's inner nodes, its leaves being its bytes. */
  readonly parentsOnly?: boolean;
}

/**
 * Reads `source` to its end, re-chunking its pieces into `options.chunkSize` blocks, and returns
 * the roots of the CIDv0 and CIDv1 DAGs. Memory: one chunk buffer plus hashes and sizes (plus
 * whatever the `sinks` keep).
 */
export async function buildFileDag(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: DagOptions = KUBO_DAG_OPTIONS,
  sinks: DagSinks = {},
): Promise<DagRoots> {
  const { chunkSize, maxChildren } = options;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`bad chunkSize: ${chunkSize}`);
  if (!Number.isSafeInteger(maxChildren) || maxChildren < 2) throw new RangeError(`bad maxChildren: ${maxChildren}`);

  const v0 = new BalancedTree([], maxChildren, sinks.v0);
  const v1 = new BalancedTree(CIDV1_DAG_PB_PREFIX, maxChildren, sinks.v1);
  const leafSink: BlockSink | undefined = sinks.parentsOnly
    ? undefined
    : sinks.v0 && sinks.v1 ? (block) => { sinks.v0!(block); sinks.v1!(block); } : (sinks.v0 ?? sinks.v1);
  const addLeaf = (chunk: Uint8Array): void => {
    const leaf = hashLeaf(chunk, leafSink);
    v0.add(leaf);
    v1.add(leaf);
  };

  const buffer = new Uint8Array(chunkSize);
  let filled = 0;
  let size = 0;
  let leaves = 0;
  for await (const piece of source) {
    if (!(piece instanceof Uint8Array)) {
      throw new TypeError('computeCids expects a stream of bytes (Uint8Array/Buffer pieces)');
    }
    size += piece.length;
    let offset = 0;
    while (offset < piece.length) {
      const remaining = piece.length - offset;
      if (filled === 0 && remaining >= chunkSize) {
        // A whole chunk inside this piece: hash it in place.
        addLeaf(piece.subarray(offset, offset + chunkSize));
        leaves++;
        offset += chunkSize;
        continue;
      }
      const take = Math.min(remaining, chunkSize - filled);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === chunkSize) {
        addLeaf(buffer);
        leaves++;
        filled = 0;
      }
    }
  }
  // The fixed-size chunker emits the remainder, or one empty chunk for an empty file.
  if (filled > 0 || leaves === 0) addLeaf(buffer.subarray(0, filled));

  return { v0: v0.finish(), v1: v1.finish(), size };
}

/** Binary CIDv0 (a bare sha2-256 multihash) of a node. */
export function cidV0Bytes(node: DagNode): Uint8Array {
  return Uint8Array.from([...SHA256_MULTIHASH_PREFIX, ...node.digest]);
}

/** Binary CIDv1 dag-pb sha2-256 of a node. */
export function cidV1Bytes(node: DagNode): Uint8Array {
  return Uint8Array.from([...CIDV1_DAG_PB_PREFIX, ...SHA256_MULTIHASH_PREFIX, ...node.digest]);
}
