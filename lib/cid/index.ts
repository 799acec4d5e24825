import { buildFileDag, cidV0Bytes, cidV1Bytes } from './dag';
import { base16Decode, base32Decode, base32Encode, base36Decode, base58btcDecode, base58btcEncode, readVarint } from './multibase';

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
}

/** Computes the UnixFS CIDs of a byte stream without holding the whole file in memory. */
export async function computeCids(source: AsyncIterable<Uint8Array>): Promise<FileCids> {
  const roots = await buildFileDag(source);
  return {
    cidV0: base58btcEncode(cidV0Bytes(roots.v0)),
    cidV1: 'b' + base32Encode(cidV1Bytes(roots.v1)),
    size: roots.size,
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

  let bytes: Uint8Array | null;
  if (cid.length === 46 && cid.startsWith('Qm')) {
    bytes = base58btcDecode(cid);
    return bytes && isV0Multihash(bytes) ? 'b' + base32Encode(v0ToV1(bytes)) : null;
  }

  const body = cid.slice(1);
  switch (cid[0]) {
    case 'b': bytes = base32Decode(body); break;
    case 'B': bytes = base32Decode(body.toLowerCase()); break;
    case 'z': bytes = base58btcDecode(body); break;
    case 'k': bytes = base36Decode(body); break;
    case 'K': bytes = base36Decode(body.toLowerCase()); break;
    case 'f': bytes = base16Decode(body); break;
    case 'F': bytes = base16Decode(body.toLowerCase()); break;
    default: return null;
  }
  if (!bytes) return null;
  // A binary CIDv0 (bare sha2-256 multihash) in a multibase string: accepted as multiformats does.
  if (isV0Multihash(bytes)) return 'b' + base32Encode(v0ToV1(bytes));
  return isCidV1(bytes) ? 'b' + base32Encode(bytes) : null;
}

function isV0Multihash(bytes: Uint8Array): boolean {
  return bytes.length === 34 && bytes[0] === 0x12 && bytes[1] === 0x20;
}

function v0ToV1(multihash: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + multihash.length);
  out[0] = 0x01; // CID version 1
  out[1] = 0x70; // dag-pb
  out.set(multihash, 2);
  return out;
}

/** `<varint 1><varint codec><varint hash code><varint digest length><digest>`, nothing after. */
function isCidV1(bytes: Uint8Array): boolean {
  const version = readVarint(bytes, 0);
  if (!version || version.value !== 1) return false;
  const codec = readVarint(bytes, version.next);
  if (!codec) return false;
  const hashCode = readVarint(bytes, codec.next);
  if (!hashCode) return false;
  const digestLength = readVarint(bytes, hashCode.next);
  if (!digestLength) return false;
  if (hashCode.value === 0x12 && digestLength.value !== 32) return false;
  return digestLength.next + digestLength.value === bytes.length;
}
