import type { BlockIndex } from '../core/ports/block-index';
import { DynamoBlockIndex } from '../store/block-index-store';
import { extension, type CoreServices } from './core-services';

/** What the trustless gateway (the /ipfs and /ipns functions) adds to the core services. */
export interface BlockIndexServices {
  /** Where each block of a file DAG the gateway built is (lib/core/ports/block-index.ts). */
  readonly blockIndex: BlockIndex;
}

/** The block index in `core`'s table. */
export function blockIndexOf(core: CoreServices): BlockIndexServices {
  return { blockIndex: new DynamoBlockIndex(core.table) };
}

/** The core services with the block index (built once per core services object). */
export const withBlockIndex = extension(blockIndexOf);
