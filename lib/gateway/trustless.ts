import { createHash } from 'node:crypto';
import { CarReader } from '@ipld/car/reader';
import { parse as parseMediaType } from 'content-type';
import Negotiator from 'negotiator';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { toCidV1 } from '../cid';
import { encodeCarV1, type CarBlock } from '../cid/car';
import { buildFileDag, hashLeaf, KUBO_DAG_OPTIONS, type DagBlock } from '../cid/dag';
import { buildDirectory, type DirectoryNode } from '../cid/directory';
import { AppError } from '../errors';
import { cidVersionOf, entryCid, findPublicContent, publicDirectory, type PublicContent, type PublicDirectory } from '../core/read/public-content';
import { directoryLinks } from '../core/directories/directories';
import { isFile, type EntryRecord, type FileRecord } from '../core/model/entries';
import { dagIndexKey, DERIVED_OBJECT_DAYS } from '../core/model/object-keys';
import { ObjectMissingError } from '../core/model/storage-errors';
import { entryBelow, linkedChildren } from './path-gateway';
import type { StorageDeps } from '../core/ports/storage';
import type { BlockIndex, BlockLocation } from '../core/ports/block-index';

/**
 * The trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * the blocks of a UnixFS DAG, rebuilt on request, so a client can check every block
 * against the CID it asked for.
 *
 * A file's DAG (dag-pb leaves of 256 KiB, balanced, lib/cid/dag.ts) is two things: its
 * leaves, each the UnixFS wrapping of one chunk of the S3 object (a ranged read, hashed
 * and checked against the link that names it), and its inner nodes, which depend on every
 * byte. The inner nodes are kept as a CARv1 under the root CID (`derived/dag/<cid>.car`,
 * about 0.02 % of the file): written by the first request that needs them, from one
 * streamed pass over the object checked against the CID, read by every later one. So a
 * block, an `entity-bytes` range or a whole file costs the bytes it holds, not a rehash.
 * Building them also records where each block of the DAG is (lib/core/ports/block-index.ts), so a
 * block inside the file is found by its own CID too (`/ipfs/<block CID>?format=raw`, the way a client
 * that fetches block by block, such as Helia's trustless-gateway broker, walks a large file from its root).
 * A directory's node (HAMT shards included) is rebuilt from its current children's
 * names, CIDs and DAG sizes by lib/cid/directory.ts, the rule its CID was computed by.
 * A node that no longer hashes to the CID its parent (or the request) names, because the
 * directory changed since, is never served: 404.
 *
 * Time: building the inner nodes reads the whole object once, and a CAR too large for a
 * response is written whole (trustless-views.ts), both inside one invocation (29 s behind API
 * Gateway's 30 s). A file too large for that gets nothing: the request times out, no partial
 * index or CAR is kept (an unfinished multipart upload is aborted by the bucket's rule), and the
 * next request starts over. Precomputing the inner nodes in the lifecycle's sliced CID pass
 * (lib/core/lifecycle/sliced-cids.ts) would lift the first limit; a CAR written across
 * invocations the second.
 */
export type TrustlessFormat = 'raw' | 'car';

/** What the trustless gateway adds to the storage ports it reads and writes (each function picks those): the block index (lib/app/block-index.ts). */
export interface TrustlessDeps {
  readonly blockIndex: BlockIndex;
}

/** Locations of one block tried at a lookup (one per root DAG that holds it; past that, the first ones found). */
const MAX_BLOCK_LOCATIONS = 10;

/** The multihash code of sha2-256, the only hash the gateway's DAGs use. */
const SHA2_256 = 0x12;

/** Seconds a block location lives: past the derived DAG index it points into, which a root request then rebuilds. */
const BLOCK_LOCATION_SECONDS = (DERIVED_OBJECT_DAYS + 2) * 24 * 60 * 60;

/** The spec's `dag-scope`: the root block alone, the entity (a file, a directory's own nodes), or everything under it. */
export type DagScope = 'block' | 'entity' | 'all';

/**
 * The spec's `entity-bytes=from:to`: offsets in bytes, both ends included; a negative one counts from the end
 * (`-1` is the last byte), `to` `'*'` is the end of the file.
 */
export interface EntityBytes {
  readonly from: number;
  readonly to: number | '*';
}

/** What a trustless request asks for (query parameters first, then the Accept media type's parameters). */
export interface TrustlessRequest {
  readonly format: TrustlessFormat;
  readonly scope: DagScope;
  /** Only for a CAR of a file (ignored for a directory, as the spec says). */
  readonly entityBytes?: EntityBytes;
  /** `car-dups=y`: a block is sent each time the walk meets it; `n` (the default): once. */
  readonly dups: boolean;
}

/** Query parameters a trustless request reads (as the route gives them: strings, or absent). */
export type TrustlessQuery = Readonly<Record<string, unknown>>;

const RAW_MEDIA_TYPE = 'application/vnd.ipld.raw';
const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';

/**
 * The trustless media type Accept prefers, RFC 9110 §12.5.1: ranges ordered by q-value (q=0: not acceptable), the
 * more specific first among equals, by `negotiator`; only the two explicit types count (a wildcard asks for the plain
 * content). For a CAR, the parameters (`version`, `order`, `dups`) of the most preferred CAR range, parsed by
 * `content-type` (a range it cannot parse gives none). Undefined when Accept names neither type.
 */
function acceptedTrustlessType(accept: string | undefined): { format: TrustlessFormat; parameters: Map<string, string> } | undefined {
  if (!accept) return undefined;
  const preferred = new Negotiator({ headers: { accept } }).mediaTypes().map((type) => type.toLowerCase()).find((type) => type === RAW_MEDIA_TYPE || type === CAR_MEDIA_TYPE);
  if (preferred === undefined) return undefined;
  if (preferred === RAW_MEDIA_TYPE) return { format: 'raw', parameters: new Map() };
  let best: { q: number; parameters: Map<string, string> } | undefined;
  for (const range of accept.split(',')) {
    let parsed;
    try {
      parsed = parseMediaType(range.trim());
    } catch {
      continue;
    }
    if (parsed.type.toLowerCase() !== CAR_MEDIA_TYPE) continue;
    const { q = '1', ...rest } = parsed.parameters;
    const weight = Number(q);
    if (!(weight > 0) || (best && best.q >= weight)) continue;
    best = { q: weight, parameters: new Map(Object.entries(rest).map(([name, value]) => [name.toLowerCase(), value])) };
  }
  return { format: 'car', parameters: best?.parameters ?? new Map() };
}

/**
 * The trustless request a gateway request makes: `?format=raw|car` first, else the trustless media type Accept
 * prefers by q-value (the spec's two ways; {@link acceptedTrustlessType}); undefined for the plain content.
 * CAR parameters: `dag-scope`, `entity-bytes` (which implies `dag-scope=entity`), `car-version`,
 * `car-order`, `car-dups` in the query, else `version`, `order`, `dups` of Accept's CAR type.
 * Errors (400): DAG_SCOPE_NOT_VALID, ENTITY_BYTES_NOT_VALID, CAR_VERSION_NOT_SUPPORTED (only 1),
 * CAR_ORDER_NOT_SUPPORTED (`dfs`, or `unk`, which a depth-first CAR satisfies), CAR_DUPS_NOT_VALID.
 */
export function trustlessRequest(query: TrustlessQuery, accept: string | undefined): TrustlessRequest | undefined {
  const accepted = acceptedTrustlessType(accept);
  const format: TrustlessFormat | undefined = query.format === 'raw' || query.format === 'car' ? query.format : accepted?.format;
  const carParameters = accepted?.parameters ?? new Map<string, string>();
  if (!format) return undefined;
  if (format === 'raw') return { format, scope: 'block', dups: false };

  const text = (name: string, fallback?: string): string | undefined => {
    const value = query[name];
    return typeof value === 'string' ? value : fallback;
  };
  const version = text('car-version', carParameters.get('version'));
  if (version !== undefined && version !== '1') throw new AppError('carVersionNotSupported');
  const order = text('car-order', carParameters.get('order'));
  if (order !== undefined && order !== 'dfs' && order !== 'unk') throw new AppError('carOrderNotSupported');
  const dups = text('car-dups', carParameters.get('dups'));
  if (dups !== undefined && dups !== 'y' && dups !== 'n') throw new AppError('carDupsNotValid');
  const scope = text('dag-scope');
  if (scope !== undefined && scope !== 'block' && scope !== 'entity' && scope !== 'all') throw new AppError('dagScopeNotValid');
  const bytes = text('entity-bytes');
  const entityBytes = bytes === undefined ? undefined : parseEntityBytes(bytes);
  return { format, scope: entityBytes ? 'entity' : (scope ?? 'all'), ...(entityBytes ? { entityBytes } : {}), dups: dups === 'y' };
}

/** `from:to` as the spec allows it; 400 ENTITY_BYTES_NOT_VALID otherwise (and for `to` before `from`, both counted from the start or both from the end). */
function parseEntityBytes(value: string): EntityBytes {
  const match = /^(-?\d{1,15}):(-?\d{1,15}|\*)$/.exec(value);
  if (!match) throw new AppError('entityBytesNotValid');
  const from = Number(match[1]);
  const to = match[2] === '*' ? '*' : Number(match[2]);
  if (to !== '*' && Math.sign(from) === Math.sign(to) && to < from) throw new AppError('entityBytesNotValid');
  return { from, to };
}

/**
 * Bytes `start`..`end` (inclusive) of a file of `size` bytes that `range` names; undefined when it names none
 * (a zero-length range, or an empty file: the spec then answers as `dag-scope=block`). 400 ENTITY_BYTES_OUT_OF_RANGE,
 * naming the size in bytes, when it starts at or past the end of a non-empty file (the spec's "entirely outside …
 * determinable upfront").
 */
export function resolveEntityBytes(range: EntityBytes, size: number): { start: number; end: number } | undefined {
  if (size === 0) return undefined; // an empty file has no byte to ask for; its one block says so
  if (range.from >= size && range.from >= 0) {
    throw new AppError('entityBytesOutOfRange', { message: `ENTITY_BYTES_OUT_OF_RANGE: entity-bytes starts at byte ${range.from} of a file of ${size} bytes` });
  }
  const start = range.from < 0 ? Math.max(0, size + range.from) : range.from;
  const end = range.to === '*' ? size - 1 : range.to < 0 ? size + range.to : Math.min(range.to, size - 1);
  return end >= start ? { start, end } : undefined;
}

/** Most directories one CAR rebuilds by default (each is one listing query): past it, 413 DAG_TOO_LARGE_FOR_FORMAT (config TRUSTLESS_CAR_MAX_DIRECTORIES). */
export const CAR_MAX_DIRECTORIES = 500;

/** A block with its binary CID (v0 in a CIDv0 DAG, v1 dag-pb in a CIDv1 one, as their links name them). */
export interface CidBlock {
  readonly cid: Uint8Array;
  readonly bytes: Uint8Array;
}

/** A raw block: the block at the end of the content path. */
export interface TrustlessBlock {
  readonly format: 'raw';
  /** The account whose content is served (its bandwidth counts the response). */
  readonly accountId: string;
  readonly block: CidBlock;
}

/** A CAR, its blocks produced as they are written. */
export interface TrustlessCar {
  readonly format: 'car';
  readonly accountId: string;
  /** The CAR's root: the CID the request's content path starts from, binary. */
  readonly root: Uint8Array;
  /**
   * The blocks that lead from the root along the path to its end, then the scope's blocks there, depth-first
   * (`order=dfs`), each once unless `dups`. Read as it goes (S3 ranges for a file's leaves); throws AppError 404
   * when a block read does not hash to the CID its parent names (the content changed since).
   */
  readonly blocks: () => AsyncIterable<CidBlock>;
  /** File bytes the CAR carries at least (its leaves' chunks), whether it can fit a response; undefined for a directory (not known before its walk). */
  readonly fileBytes: number | undefined;
}

export type TrustlessContent = TrustlessBlock | TrustlessCar;

/**
 * What `/ipfs/<cid>[/<segments…>]` serves in a trustless format, for a file or a directory
 * the public gateway serves (found as the path gateway finds it). `Qm…` asks for the
 * CIDv0 DAG, a CIDv1 for the CIDv1 DAG. Errors: 404 FILE_DOES_NOT_EXISTS when nothing
 * public has that CID or path, or a node rebuilt along the way does not hash to the
 * CID that names it (the directory changed since: its CID is being recomputed);
 * 400 ENTITY_BYTES_OUT_OF_RANGE ({@link resolveEntityBytes}); 413 DAG_TOO_LARGE_FOR_FORMAT
 * (while the CAR is written) for a tree of more than `limits.maxDirectories` directories (default CAR_MAX_DIRECTORIES).
 * A CID that names no file or directory but a block inside the DAG of one (a leaf or an inner node of a file
 * the gateway has built the DAG of, lib/core/ports/block-index.ts) is that block: its raw bytes, or a CAR of the
 * DAG under it (`dag-scope`, and `entity-bytes` counted from its first byte).
 */
export async function openTrustless(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'directories' | 'blobs' | 'logger'> & TrustlessDeps,
  cid: string,
  request: TrustlessRequest,
  segments: readonly string[] = [],
  limits: { readonly maxDirectories: number } = { maxDirectories: CAR_MAX_DIRECTORIES },
): Promise<TrustlessContent> {
  const version = cidVersionOf(cid);
  let target: PublicContent;
  try {
    target = await findPublicContent(deps, cid); // 422 CID_NOT_VALID first for a string that is no CID
  } catch (error) {
    // Not a file or directory: perhaps a block inside a file's DAG (a leaf, an inner node).
    if (segments.length === 0 && isNotFound(error)) return openIndexedBlock(deps, parseCid(cid), request);
    throw error;
  }
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
  const end = target;
  const accountId = end.kind === 'file' ? end.file.accountId : end.directory.bucket.accountId;

  if (request.format === 'raw') {
    if (end.kind === 'directory') {
      const { node } = await verifiedDirectoryNode(deps, end.directory, expected, version);
      return { format: 'raw', accountId, block: { cid: expected.bytes, bytes: node.blocks[node.blocks.length - 1]!.bytes } };
    }
    const file = await openFileDag(deps, end.file, end.size, expected, version);
    return { format: 'raw', accountId, block: { cid: expected.bytes, bytes: await file.rootBlock() } };
  }

  const seen = request.dups ? undefined : new Set<string>();
  if (end.kind === 'file') {
    let scope = request.scope;
    let range: ByteRange | undefined;
    if (request.entityBytes) {
      range = resolveEntityBytes(request.entityBytes, end.size);
      if (!range) scope = 'block';
    }
    // Opened here, before any byte of the response: the 404 of a changed file, or the 400 above, is a status.
    const file = await openFileDag(deps, end.file, end.size, expected, version);
    const fileBytes = scope === 'block' ? 0 : range ? range.end - range.start + 1 : end.size;
    return {
      format: 'car',
      accountId,
      root: root.bytes,
      fileBytes,
      blocks: async function* () {
        yield* unique(pathBlocks, seen);
        yield* file.blocks(scope, range, seen);
      },
    };
  }
  const directory = end.directory;
  // The directory's own node is checked before the response starts (404 when it changed).
  await verifiedDirectoryNode(deps, directory, expected, version);
  return {
    format: 'car',
    accountId,
    root: root.bytes,
    fileBytes: request.scope === 'all' ? undefined : 0,
    blocks: async function* () {
      yield* unique(pathBlocks, seen);
      yield* directoryBlocks(deps, directory, expected, version, request.scope, seen, { directories: 0, max: limits.maxDirectories });
    },
  };
}

/** Bytes `start`..`end` of a file, both included. */
interface ByteRange {
  readonly start: number;
  readonly end: number;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** `blocks`, less those `seen` already holds (each added); all of them when `seen` is undefined (dups=y). */
function* unique(blocks: readonly CidBlock[], seen: Set<string> | undefined): Iterable<CidBlock> {
  for (const block of blocks) {
    if (seen) {
      const key = hex(CID.decode(block.cid).multihash.digest);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    yield block;
  }
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
  deps: Pick<StorageDeps, 'listings' | 'directories' | 'blobs'>,
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

/**
 * The blocks of `node` that lead from its root (named `cid`) to the link named `name`
 * (its single block; in a HAMT, the shards on the way) and that link's CID; undefined
 * when the node has no such link. HAMT links are named by a two-hex-digit slot, then
 * the entry's name (a sub-shard's link is the slot alone: fanout 256).
 */
function linkTo(node: DirectoryNode, cid: CID, name: string): { blocks: CidBlock[]; link: CID } | undefined {
  const shards = new Map(node.blocks.map((block) => [hex(block.cid.multihash.bytes), block.bytes]));
  const search = (blockCid: CID, bytes: Uint8Array): { blocks: CidBlock[]; link: CID } | undefined => {
    for (const link of dagPb.decode(bytes).Links) {
      const linkName = link.Name ?? '';
      if (!node.sharded) {
        if (linkName === name) return { blocks: [{ cid: blockCid.bytes, bytes }], link: link.Hash };
      } else if (linkName.length > 2 && linkName.slice(2) === name) {
        return { blocks: [{ cid: blockCid.bytes, bytes }], link: link.Hash };
      } else if (linkName.length === 2) {
        const shard = shards.get(hex(link.Hash.multihash.bytes));
        const found = shard && search(link.Hash, shard);
        if (found) return { blocks: [{ cid: blockCid.bytes, bytes }, ...found.blocks], link: found.link };
      }
    }
    return undefined;
  };
  return search(cid, node.blocks[node.blocks.length - 1]!.bytes);
}

/**
 * The blocks under `directory` depth-first: its node's blocks (a HAMT's shards in link order) and, for
 * `all`, each child's DAG where the node links it. `block`: the root block only; `entity`: the node's
 * blocks (what enumerating the directory needs). 413 DAG_TOO_LARGE_FOR_FORMAT past CAR_MAX_DIRECTORIES.
 */
async function* directoryBlocks(
  deps: Pick<StorageDeps, 'listings' | 'directories' | 'blobs' | 'logger'> & TrustlessDeps,
  directory: PublicDirectory,
  expected: CID,
  version: 0 | 1,
  scope: DagScope,
  seen: Set<string> | undefined,
  visited: { directories: number; readonly max: number },
): AsyncGenerator<CidBlock> {
  if (++visited.directories > visited.max) {
    throw new AppError('dagTooLargeForFormat', { details: { limit: visited.max, reason: `A CAR rebuilds at most ${visited.max} directories; this tree has more. Ask for a CAR of a sub-directory, or its files one by one.` } });
  }
  const { node, children } = await verifiedDirectoryNode(deps, directory, expected, version);
  const shards = new Map(node.blocks.map((block) => [hex(block.cid.multihash.digest), block.bytes]));
  const byCid = new Map(children.map((child) => [hex(CID.parse(entryCid(child, version)!).multihash.digest), child]));
  const walk = async function* (cid: CID, bytes: Uint8Array): AsyncGenerator<CidBlock> {
    yield* unique([{ cid: cid.bytes, bytes }], seen);
    if (scope === 'block') return;
    for (const link of dagPb.decode(bytes).Links) {
      const key = hex(link.Hash.multihash.digest);
      const shard = shards.get(key);
      if (shard) {
        yield* walk(link.Hash, shard);
        continue;
      }
      if (scope !== 'all') continue;
      if (seen?.has(key)) continue; // the same content again (dups=n): its DAG is in the CAR already
      const child = byCid.get(key);
      if (!child) throw new Error(`Directory ${directory.path || '/'} links ${link.Hash.toString()}, which none of its children has`);
      if (isFile(child)) {
        // The record's size: bytes that differ from it do not hash to the link (404), a missing object is a 404 too.
        const file = await openFileDag(deps, child, child.size ?? 0, link.Hash, version);
        yield* file.blocks('all', undefined, seen);
      } else {
        yield* directoryBlocks(deps, publicDirectory(directory.bucket, child), link.Hash, version, 'all', seen, visited);
      }
    }
  };
  yield* walk(expected, node.blocks[node.blocks.length - 1]!.bytes);
}

/** A file's DAG, ready to be walked: its root block, and its blocks for a scope and range. */
interface FileDag {
  rootBlock(): Promise<Uint8Array>;
  blocks(scope: DagScope, range: ByteRange | undefined, seen: Set<string> | undefined): AsyncIterable<CidBlock>;
}

const CHUNK_SIZE = KUBO_DAG_OPTIONS.chunkSize;

/**
 * The DAG of `file` (`size` bytes in S3) whose root is `expected`: a one-chunk file is its one leaf (read and
 * checked here); a larger one has its inner nodes from {@link innerNodes}. 404 when the bytes do not give `expected`.
 */
async function openFileDag(deps: Pick<StorageDeps, 'blobs' | 'logger'> & TrustlessDeps, file: FileRecord, size: number, expected: CID, version: 0 | 1): Promise<FileDag> {
  if (size <= CHUNK_SIZE) {
    const leaf = leafBlock(await readObject(deps, file, size === 0 ? undefined : { start: 0, end: size - 1 }, size), expected);
    return {
      rootBlock: async () => leaf,
      blocks: async function* (_scope, _range, seen) {
        yield* unique([{ cid: expected.bytes, bytes: leaf }], seen);
      },
    };
  }
  const inner = await innerNodes(deps, file, size, expected, version);
  const rootBytes = inner.get(hex(expected.multihash.digest))!;
  return {
    rootBlock: async () => rootBytes,
    blocks: (scope, range, seen) => walkFile(deps, file, inner, { cid: expected, offset: 0, length: size }, scope, range, seen),
  };
}

/** The object's bytes (or a range of them): 404 when the object is gone. */
async function readObject(deps: Pick<StorageDeps, 'blobs'>, file: FileRecord, range: ByteRange | undefined, size: number): Promise<Uint8Array> {
  if (size === 0) return new Uint8Array(0);
  try {
    return await deps.blobs.readAll(file.objectKey, range);
  } catch (error) {
    if (error instanceof ObjectMissingError) throw new AppError('fileNotFound', { cause: error });
    throw error;
  }
}

/** The dag-pb leaf block wrapping `chunk`, checked against `cid` (404 when it does not hash to it). */
function leafBlock(chunk: Uint8Array, cid: CID): Uint8Array {
  let block: DagBlock | undefined;
  const leaf = hashLeaf(chunk, (built) => (block = built));
  if (!Buffer.from(leaf.digest).equals(Buffer.from(cid.multihash.digest))) throw new AppError('fileNotFound');
  return block!.bytes;
}

/**
 * The file's blocks from the node `start` names depth-first (the root, covering the whole file; or an inner node,
 * covering the file's bytes `offset` … `offset + length − 1`): each inner node, then its children whose bytes
 * meet `range` (file offsets; all of them without one), the leaves read from S3 in one forward stream.
 * `block`: the start node alone.
 */
async function* walkFile(
  deps: Pick<StorageDeps, 'blobs'>,
  file: FileRecord,
  inner: ReadonlyMap<string, Uint8Array>,
  start: { readonly cid: CID; readonly offset: number; readonly length: number },
  scope: DagScope,
  range: ByteRange | undefined,
  seen: Set<string> | undefined,
): AsyncGenerator<CidBlock> {
  const reader = new ForwardReader(deps, file);
  try {
    const visit = async function* (cid: CID, offset: number, length: number): AsyncGenerator<CidBlock> {
      const key = hex(cid.multihash.digest);
      if (seen?.has(key)) return; // sent already with everything below it (dups=n)
      const node = inner.get(key);
      if (!node) {
        const bytes = leafBlock(await reader.read(offset, length), cid);
        seen?.add(key);
        yield { cid: cid.bytes, bytes };
        return;
      }
      seen?.add(key);
      yield { cid: cid.bytes, bytes: node };
      if (scope === 'block') return;
      const { Links, Data } = dagPb.decode(node);
      const sizes = UnixFS.unmarshal(Data!).blockSizes;
      if (sizes.length !== Links.length) throw new Error(`Inner node ${cid.toString()} has ${Links.length} links and ${sizes.length} block sizes`);
      let childOffset = offset;
      for (const [index, link] of Links.entries()) {
        const childLength = Number(sizes[index]!);
        if (!range || (childOffset <= range.end && childOffset + childLength - 1 >= range.start)) {
          yield* visit(link.Hash, childOffset, childLength);
        }
        childOffset += childLength;
      }
    };
    yield* visit(start.cid, start.offset, start.length);
  } finally {
    await reader.close();
  }
}

/**
 * Reads an object's bytes forward from wherever they are first asked for: one GetObject stream, skipped
 * along (a gap of more than a part: a new ranged GetObject), never backwards.
 */
class ForwardReader {
  private stream?: AsyncIterator<Uint8Array>;
  private position = 0;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly deps: Pick<StorageDeps, 'blobs'>,
    private readonly file: FileRecord,
  ) {}

  /** Bytes `offset`..`offset + length − 1`; `offset` at or after the end of the last read. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.position) throw new Error(`ForwardReader asked for byte ${offset} after ${this.position}`);
    if (!this.stream || offset - this.position > 8 * CHUNK_SIZE) await this.open(offset);
    await this.skip(offset - this.position);
    const pieces: Uint8Array[] = [];
    let wanted = length;
    while (wanted > 0) {
      const piece = await this.next();
      const taken = piece.subarray(0, wanted);
      pieces.push(taken);
      wanted -= taken.byteLength;
      this.pending = piece.subarray(taken.byteLength);
      this.position += taken.byteLength;
    }
    return pieces.length === 1 ? pieces[0]! : new Uint8Array(Buffer.concat(pieces));
  }

  async close(): Promise<void> {
    await this.stream?.return?.();
    this.stream = undefined;
  }

  private async open(offset: number): Promise<void> {
    await this.close();
    const source = await this.deps.blobs.read(this.file.objectKey, offset);
    if (!source) throw new AppError('fileNotFound');
    this.stream = source[Symbol.asyncIterator]();
    this.position = offset;
    this.pending = new Uint8Array(0);
  }

  private async skip(count: number): Promise<void> {
    while (count > 0) {
      const piece = await this.next();
      const skipped = Math.min(count, piece.byteLength);
      this.pending = piece.subarray(skipped);
      this.position += skipped;
      count -= skipped;
    }
  }

  /** The next unread bytes (what is left of the last piece, else the stream's next piece). */
  private async next(): Promise<Uint8Array> {
    if (this.pending.byteLength > 0) return this.pending;
    const { done, value } = await this.stream!.next();
    // The object is shorter than its record says (it changed): what was served so far stays unverifiable, so 404.
    if (done) throw new AppError('fileNotFound');
    return value;
  }
}

/**
 * The inner nodes of the file DAG whose root is `expected` (more than one chunk), by the hex sha2-256 digest
 * of each block: the derived CAR under {@link dagIndexKey} when it is there and holds the root, else built
 * from one streamed pass over the object (memory: the inner nodes, ~0.02 % of the file) and written there.
 * 404 when the object is gone or its bytes give another root (it changed since the CID was found).
 */
async function innerNodes(deps: Pick<StorageDeps, 'blobs' | 'logger'> & TrustlessDeps, file: FileRecord, size: number, expected: CID, version: 0 | 1): Promise<Map<string, Uint8Array>> {
  const key = dagIndexKey(expected.toString());
  const rootKey = hex(expected.multihash.digest);
  const stored = await readDagIndex(deps, key);
  if (stored?.has(rootKey)) return stored;

  const source = await deps.blobs.read(file.objectKey);
  if (!source) throw new AppError('fileNotFound');
  const built = new Map<string, Uint8Array>();
  const order: DagBlock[] = [];
  const sink = (block: DagBlock) => {
    built.set(hex(block.digest), block.bytes);
    order.push(block);
  };
  const roots = await buildFileDag(source, KUBO_DAG_OPTIONS, version === 0 ? { v0: sink, parentsOnly: true } : { v1: sink, parentsOnly: true });
  if (hex((version === 0 ? roots.v0 : roots.v1).digest) !== rootKey) throw new AppError('fileNotFound');
  const toCid = (digest: Uint8Array) => {
    const multihash = Digest.create(0x12, digest);
    return version === 0 ? CID.createV0(multihash) : CID.createV1(dagPb.code, multihash);
  };
  // Root first (the builder makes parents after their children), each block under the CID its parent links.
  const blocks: CarBlock[] = order.reverse().map((block) => ({ cid: toCid(block.digest).bytes, bytes: block.bytes }));
  // The locations first: should their writes fail, no index is stored either, and the next request builds both.
  await deps.blockIndex.put(blockLocations(built, expected, size), BLOCK_LOCATION_SECONDS);
  await deps.blobs.put(key, encodeCarV1([expected.bytes], blocks), 'application/vnd.ipld.car; version=1');
  return built;
}

/**
 * Where each block of the file DAG rooted at `root` (`size` bytes) is, from its inner nodes alone: a link the inner
 * nodes do not hold is a leaf, placed by its parent's UnixFS block sizes. The root itself is left out (it is found
 * as the file's own CID).
 */
export function blockLocations(inner: ReadonlyMap<string, Uint8Array>, root: CID, size: number): BlockLocation[] {
  const rootCid = root.toString();
  const locations: BlockLocation[] = [];
  const visit = (node: Uint8Array, offset: number) => {
    const { Links, Data } = dagPb.decode(node);
    const sizes = UnixFS.unmarshal(Data!).blockSizes;
    let childOffset = offset;
    for (const [index, link] of Links.entries()) {
      const length = Number(sizes[index]!);
      const digest = hex(link.Hash.multihash.digest);
      const child = inner.get(digest);
      locations.push({ digest, rootCid, kind: child ? 'node' : 'leaf', offset: childOffset, length });
      if (child) visit(child, childOffset);
      childOffset += length;
    }
  };
  const rootNode = inner.get(hex(root.multihash.digest));
  if (rootNode && size > 0) visit(rootNode, 0);
  return locations;
}

/** The AppError 404 FILE_DOES_NOT_EXISTS (what every lookup here throws for "nothing public by that name"). */
function isNotFound(error: unknown): boolean {
  return error instanceof AppError && error.errorName === 'fileNotFound';
}

/**
 * The block named `requested`, found in the block index: the first of its locations whose root is a public file
 * and whose bytes still hash to it (a leaf read from S3, an inner node from the root's derived DAG index). 404 when
 * none is (never indexed, or every file that held it is gone or private).
 */
async function openIndexedBlock(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'blobs' | 'logger'> & TrustlessDeps, requested: CID, request: TrustlessRequest): Promise<TrustlessContent> {
  if (requested.multihash.code !== SHA2_256) throw new AppError('fileNotFound');
  const digest = hex(requested.multihash.digest);
  for (const location of await deps.blockIndex.find(digest, MAX_BLOCK_LOCATIONS)) {
    let root: PublicContent;
    try {
      root = await findPublicContent(deps, location.rootCid);
    } catch (error) {
      if (isNotFound(error)) continue;
      throw error;
    }
    if (root.kind !== 'file' || location.offset + location.length > root.size) continue;
    const { file, size } = root;
    const rootCid = parseCid(location.rootCid);
    let inner: ReadonlyMap<string, Uint8Array> = new Map();
    let bytes: Uint8Array;
    try {
      if (location.kind === 'node') {
        inner = await innerNodes(deps, file, size, rootCid, cidVersionOf(location.rootCid));
        const node = inner.get(digest);
        if (!node) continue;
        bytes = node;
      } else {
        bytes = leafBlock(await readObject(deps, file, { start: location.offset, end: location.offset + location.length - 1 }, size), requested);
      }
    } catch (error) {
      if (isNotFound(error)) continue; // the object changed or went since the location was written
      throw error;
    }
    if (request.format === 'raw') return { format: 'raw', accountId: file.accountId, block: { cid: requested.bytes, bytes } };
    const block = { cid: requested, offset: location.offset, length: location.length };
    let scope = request.scope;
    let range: ByteRange | undefined;
    if (request.entityBytes) {
      const within = resolveEntityBytes(request.entityBytes, location.length);
      if (within) range = { start: location.offset + within.start, end: location.offset + within.end };
      else scope = 'block';
    }
    const seen = request.dups ? undefined : new Set<string>();
    const leafOnly = location.kind === 'leaf';
    return {
      format: 'car',
      accountId: file.accountId,
      root: requested.bytes,
      fileBytes: scope === 'block' || leafOnly ? 0 : range ? range.end - range.start + 1 : location.length,
      blocks: leafOnly
        ? async function* () {
            yield { cid: requested.bytes, bytes };
          }
        : () => walkFile(deps, file, inner, block, scope, range, seen),
    };
  }
  throw new AppError('fileNotFound');
}

/** The inner nodes a derived DAG index holds, each checked against its CID; undefined when there is none (or it does not read). */
async function readDagIndex(deps: Pick<StorageDeps, 'blobs' | 'logger'>, key: string): Promise<Map<string, Uint8Array> | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await deps.blobs.readAll(key);
  } catch (error) {
    if (error instanceof ObjectMissingError) return undefined;
    throw error;
  }
  try {
    const reader = await CarReader.fromBytes(bytes);
    const nodes = new Map<string, Uint8Array>();
    for await (const block of reader.blocks()) {
      const digest = createHash('sha256').update(block.bytes).digest();
      if (!digest.equals(Buffer.from(block.cid.multihash.digest))) return undefined;
      nodes.set(digest.toString('hex'), block.bytes);
    }
    return nodes;
  } catch (error) {
    deps.logger.warn('derived DAG index unreadable; rebuilt', { key, error });
    return undefined;
  }
}
