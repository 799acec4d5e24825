import * as CarBufferWriter from '@ipld/car/buffer-writer';
import { CID } from 'multiformats/cid';

/**
 * CARv1 encoding (https://ipld.io/specs/transport/car/carv1/) with `@ipld/car`'s buffer writer: the header
 * (`{roots, version: 1}` in DAG-CBOR, varint-length-prefixed), then each block as a varint length, the
 * block's CID bytes and its data, into one buffer sized up front. test/unit/car.test.ts checks the bytes
 * against `@ipld/car`'s stream writer, a header written out by hand, and `@ipld/car`'s reader.
 */

/** One CAR section: the block's CID in binary form (CIDv0 or CIDv1) and its bytes. */
export interface CarBlock {
  readonly cid: Uint8Array;
  readonly bytes: Uint8Array;
}

/** The whole CARv1 (bytes) with the given roots (CID bytes) and blocks, in the order given. */
export function encodeCarV1(roots: readonly Uint8Array[], blocks: readonly CarBlock[]): Uint8Array {
  const rootCids = roots.map((root) => CID.decode(root));
  const sections = blocks.map((block) => ({ cid: CID.decode(block.cid), bytes: block.bytes }));
  const length = CarBufferWriter.headerLength({ roots: rootCids }) + sections.reduce((sum, section) => sum + CarBufferWriter.blockLength(section), 0);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(length), { roots: rootCids });
  for (const section of sections) writer.write(section);
  return writer.close();
}
