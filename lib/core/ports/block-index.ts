/**
 * The block index of the trustless gateway (lib/gateway/trustless.ts): where each block of a file DAG the gateway
 * has built can be found again by its own CID, so a client that fetches a large file block by block
 * (`/ipfs/<block CID>?format=raw`, as Helia's trustless-gateway block broker does) gets every block, not only the
 * root. A block is named by its multihash digest (sha2-256, hex): the same bytes whatever CID version or codec
 * names them. Entries describe content, not files: whichever public file has the root CID serves the block, and
 * one whose file is gone or private serves nothing (the gateway checks at lookup). Implemented by
 * lib/store/block-index-store.ts.
 */

/** Where one block of a file DAG is. */
export interface BlockLocation {
  /** sha2-256 digest of the block's bytes, hex. */
  readonly digest: string;
  /** The root CID of the file DAG that holds it, as the gateway built it (v0 `Qm…` or v1 `bafy…`). */
  readonly rootCid: string;
  /**
   * `leaf`: a dag-pb UnixFS leaf wrapping the file's bytes `offset` … `offset + length − 1`, read from S3.
   * `node`: an inner node, kept in the root's derived DAG index (lib/core/model/object-keys.ts dagIndexKey);
   * `offset` and `length` are the bytes of the file under it.
   */
  readonly kind: 'leaf' | 'node';
  /** Bytes into the file. */
  readonly offset: number;
  /** Bytes of the file the block covers. */
  readonly length: number;
}

export interface BlockIndex {
  /**
   * Records `locations` (one item per digest and root; writing one again replaces it, so two builders of the
   * same DAG agree). Each lives `lifetimeSeconds` from now (DynamoDB TTL); longer than the derived DAG index it
   * points into, so the next build of that index, by a request for the root, writes them again.
   * Throws when DynamoDB refuses the writes after its retries.
   */
  put(locations: readonly BlockLocation[], lifetimeSeconds: number): Promise<void>;
  /** Up to `limit` locations of the block with sha2-256 `digest` (hex), in no particular order; [] when none. */
  find(digest: string, limit: number): Promise<BlockLocation[]>;
}
