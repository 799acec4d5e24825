import { importer } from 'ipfs-unixfs-importer-kubo';

/**
 * The CIDs `ipfs add` gives a file, from an independent implementation (ipfs-unixfs-importer 17 with kubo's
 * options, profile unixfs-v0-2015: 256 KiB chunks, 174 links, dag-pb leaves): `cidV0` as `ipfs add`, `cidV1` as
 * `ipfs add --cid-version=1 --raw-leaves=false`. Blocks are hashed and dropped (memory stays bounded by the
 * importer's own buffers), so a large file can be checked from a stream of chunks.
 */
export async function importerFileCids(chunks: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ cidV0: string; cidV1: string }> {
  const discard = { put: async (cid: unknown) => cid };
  const root = async (cidVersion: 0 | 1) => {
    let last: { cid: { toString(): string } } | undefined;
    for await (const entry of importer([{ content: chunks() }] as never, discard as never, { profile: 'unixfs-v0-2015', cidVersion, rawLeaves: false } as never)) {
      last = entry as never;
    }
    if (!last) throw new Error('importer yielded nothing');
    return last.cid.toString();
  };
  return { cidV0: await root(0), cidV1: await root(1) };
}
