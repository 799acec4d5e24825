import { base16 } from 'multiformats/bases/base16';
import { base32 } from 'multiformats/bases/base32';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { buildFileDag, cidV0Bytes, cidV1Bytes } from './dag';

/**
 * IPFS content identifiers of a file, computed the way `ipfs add` (kubo defaults) and the Apillon
 * SDK (`ipfs-unixfs-importer@7.0.1` with `{ cidVersion: 1 }`) do: fixed 256 KiB chunks, balanced
 * DAG of at most 174 links per node, dag-pb UnixFS leaves (no raw leaves), sha2-256.
 */
export interface FileCids {
  /** `ipfs add` → `Qm…`. */
  cidV0: string;
  /**
   * `ipfs add --cid-version=1 --raw-leaves=false` → `bafybei…` (base32), which is also what the
   * Apillon SDK computes before upload. For a file of more than one chunk (> 256 KiB) this is NOT
   * `toCidV1(cidV0)`: the v1 DAG links its chunks by CIDv1, so its root block differs.
   */
  cidV1: string;
  /** File size in bytes. */
  size: number;
  /**
   * Tsize of the CIDv0 DAG in bytes: its root block plus every block below it, the value a
   * directory's dag-pb link to the file carries (`ipfs add -r`).
   */
  dagSizeV0: number;
  /**
   * Tsize of the CIDv1 DAG in bytes (`ipfs add -r --cid-version=1 --raw-leaves=false`); larger than
   * `dagSizeV0` above one chunk, since its parents link their children by 36- rather than 34-byte CIDs.
   */
  dagSizeV1: number;
}

/** Computes the UnixFS CIDs (and DAG sizes) of a byte stream without holding the whole file in memory. */
export async function computeCids(source: AsyncIterable<Uint8Array>): Promise<FileCids> {
  const roots = await buildFileDag(source);
  return {
    // A CIDv0 string is bare base58btc; a CIDv1 string is multibase base32 (prefix `b`).
    cidV0: base58btc.baseEncode(cidV0Bytes(roots.v0)),
    cidV1: base32.encode(cidV1Bytes(roots.v1)),
    size: roots.size,
    dagSizeV0: roots.v0.tsize,
    dagSizeV1: roots.v1.tsize,
  };
}

/** Longest CID string accepted (a sha2-512 CIDv1 in base16 is ~140 characters). */
const MAX_CID_STRING_LENGTH = 256;

/**
 * Normalises a CID string (v0 or v1) to the v1 base32 form used in our records; returns null for
 * garbage.
 *
 * Accepts CIDv0 (`Qm…`, base58btc) and CIDv1 in multibase base32 (`b…`/`B…`), base58btc (`z…`),
 * base36 (`k…`/`K…`) or base16 (`f…`/`F…`), any codec and multihash. A CIDv0 becomes a dag-pb
 * CIDv1 with the same multihash (`bafybei…`); a CIDv1 keeps its codec (e.g. raw `bafkrei…`).
 * Note this is a re-encoding of the same block hash: for a multi-chunk file it gives the v1 of the
 * v0 DAG's root, which is not `computeCids(...).cidV1`.
 */
export function toCidV1(cid: string): string | null {
  if (typeof cid !== 'string' || cid.length < 2 || cid.length > MAX_CID_STRING_LENGTH) return null;
  try {
    if (cid.length === 46 && cid.startsWith('Qm')) return CID.parse(cid).toV1().toString();
    // Multibase prefixes in either case (`B…`, `K…`, `F…`: the same bases, upper case).
    const prefix = cid[0]!;
    const lower = prefix === 'B' || prefix === 'K' || prefix === 'F' ? cid.toLowerCase() : cid;
    const decoder = MULTIBASE_DECODERS[lower[0]!];
    if (!decoder) return null;
    const bytes = decoder.decode(lower);
    // A binary CIDv0 (bare sha2-256 multihash) in a multibase string is accepted, as multiformats' CID.decode does.
    const parsed = CID.decode(bytes);
    // A sha2-256 digest is 32 bytes; multiformats accepts any length the multihash declares.
    if (parsed.multihash.code === SHA2_256 && parsed.multihash.size !== 32) return null;
    return parsed.toV1().toString();
  } catch {
    return null;
  }
}

const SHA2_256 = 0x12;

const MULTIBASE_DECODERS: Readonly<Record<string, { decode(text: string): Uint8Array }>> = {
  b: base32,
  z: base58btc,
  k: base36,
  f: base16,
};
