import { varint } from 'multiformats';

/**
 * CARv1 encoding (https://ipld.io/specs/transport/car/carv1/) without a CBOR library.
 *
 * A CARv1 is its header, a varint (unsigned LEB128, multiformats') length followed by the
 * DAG-CBOR encoding of `{roots: [CID, …], version: 1}`, then each block as a varint length
 * followed by the block's CID bytes and its data. The header is the only CBOR in a CAR and has
 * one fixed shape, so it is encoded here directly (DAG-CBOR, https://ipld.io/specs/codecs/dag-cbor/spec/):
 * a map of 2 entries with keys sorted length-first (`roots` before `version`), shortest-form
 * lengths, each CID as tag 42 over a byte string of 0x00 followed by the CID's binary form.
 * This keeps `@ipld/dag-cbor` and `cborg` (~22 KB minified) out of the gateway's bundle;
 * test/unit/car.test.ts checks the bytes against `@ipld/car`'s own writer.
 */

/** The CBOR head of major type `major` (0–7) with argument `length` (0 ≤ length < 2^32), shortest form (RFC 8949 §3). */
function cborHead(major: number, length: number): number[] {
  const type = major << 5;
  if (length < 24) return [type | length];
  if (length < 0x100) return [type | 24, length];
  if (length < 0x10000) return [type | 25, length >> 8, length & 0xff];
  return [type | 26, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The DAG-CBOR bytes of `{roots, version: 1}`, `roots` given as CID bytes (CIDv0 or CIDv1). */
export function carHeaderCbor(roots: readonly Uint8Array[]): Uint8Array {
  const out: number[] = [...cborHead(5, 2), ...cborHead(3, 5), ...ascii('roots'), ...cborHead(4, roots.length)];
  for (const cid of roots) {
    // Tag 42 (CID), then a byte string: the multibase identity prefix 0x00 and the CID's bytes.
    out.push(...cborHead(6, 42), ...cborHead(2, cid.byteLength + 1), 0x00, ...cid);
  }
  out.push(...cborHead(3, 7), ...ascii('version'), ...cborHead(0, 1));
  return Uint8Array.from(out);
}

/** One CAR section: the varint length of CID + data, the CID's bytes, the data. */
export interface CarBlock {
  /** The block's CID in binary form (CIDv0 or CIDv1). */
  readonly cid: Uint8Array;
  readonly bytes: Uint8Array;
}

/** The whole CARv1 (bytes) with the given roots (CID bytes) and blocks, in the order given. */
export function encodeCarV1(roots: readonly Uint8Array[], blocks: readonly CarBlock[]): Uint8Array {
  const header = carHeaderCbor(roots);
  let length = varint.encodingLength(header.byteLength) + header.byteLength;
  for (const block of blocks) {
    const size = block.cid.byteLength + block.bytes.byteLength;
    length += varint.encodingLength(size) + size;
  }
  const car = new Uint8Array(length);
  varint.encodeTo(header.byteLength, car, 0);
  let offset = varint.encodingLength(header.byteLength);
  car.set(header, offset);
  offset += header.byteLength;
  for (const block of blocks) {
    const size = block.cid.byteLength + block.bytes.byteLength;
    varint.encodeTo(size, car, offset);
    offset += varint.encodingLength(size);
    car.set(block.cid, offset);
    offset += block.cid.byteLength;
    car.set(block.bytes, offset);
    offset += block.bytes.byteLength;
  }
  return car;
}
