import { buildFileDag, cidV0Bytes, cidV1Bytes, type DagBlock, type DagNode } from '../cid/dag';
import { AppError } from '../errors';
import type { FileRecord } from './entries';
import { findPublicFile } from './apillon-files';
import type { StorageDeps } from './storage';

/**
 * The trustless gateway for files (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * the blocks of a file's UnixFS DAG, rebuilt from its bytes in S3 with the same
 * streaming builder that computed its CIDs (lib/cid/dag.ts), so a client can
 * check every block against the CID it asked for.
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
/** Largest file whose root block is computed on request (its whole DAG is hashed), in bytes. */
export const RAW_ROOT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** A block with its binary CID (v0 for the CIDv0 DAG, v1 dag-pb for the CIDv1 one, as their links name them). */
export interface CidBlock {
  readonly cid: Uint8Array;
  readonly bytes: Uint8Array;
}

export interface TrustlessContent {
  readonly file: FileRecord;
  /** The root block's binary CID, in the version asked for. */
  readonly root: Uint8Array;
  /** `raw`: the root block alone; `car`: every block of the DAG once, leaves first. */
  readonly blocks: readonly CidBlock[];
}

/**
 * What `/ipfs/<cid>?format=raw|car` serves for the file `cid` names (found as
 * the `/ipfs/` gateway finds it: public bucket, addressed). The DAG is the one
 * whose root the CID names: `Qm…` the CIDv0 DAG, a CIDv1 the CIDv1 DAG. 404
 * FILE_DOES_NOT_EXISTS when no public file has that root CID (blocks inside a
 * DAG are not indexed); 413 FILE_TOO_LARGE_FOR_FORMAT above the limits above.
 */
export async function openTrustless(deps: StorageDeps, cid: string, format: TrustlessFormat): Promise<TrustlessContent> {
  const { file, size } = await findPublicFile(deps, cid);
  if (size > (format === 'car' ? CAR_MAX_FILE_BYTES : RAW_ROOT_MAX_FILE_BYTES)) throw new AppError('fileTooLargeForFormat');
  const version = cid.startsWith('Qm') ? 0 : 1;
  const cidOf = (node: Pick<DagNode, 'digest'>) => (version === 0 ? cidV0Bytes(node as DagNode) : cidV1Bytes(node as DagNode));
  const blocks = new Map<string, CidBlock>();
  let last: DagBlock | undefined;
  const sink = (block: DagBlock) => {
    last = block;
    if (format === 'car') blocks.set(Buffer.from(block.digest).toString('hex'), { cid: cidOf(block), bytes: block.bytes });
  };
  const source = await deps.blobs.read(file.objectKey);
  if (!source) throw new AppError('fileNotFound');
  const roots = await buildFileDag(source, undefined, version === 0 ? { v0: sink } : { v1: sink });
  const root = version === 0 ? roots.v0 : roots.v1;
  // The builder emits each parent after its children, so the root is the last block built.
  if (!last || Buffer.compare(last.digest, root.digest) !== 0) throw new Error(`DAG of ${file.uuid} has no root block`);
  return {
    file,
    root: cidOf(root),
    blocks: format === 'car' ? [...blocks.values()] : [{ cid: cidOf(root), bytes: last.bytes }],
  };
}
