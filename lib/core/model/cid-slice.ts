/**
 * The records of sliced CID hashing (lib/core/lifecycle/sliced-cids.ts): how much one invocation hashes, and the
 * checkpoint a queue message carries to the next. Kept in the model so the ports (StorageDeps, LifecycleQueue) can
 * name them without importing the lifecycle.
 */
import type { DagCheckpoint } from '../../cid/dag';

/** How much one invocation hashes before it hands on (the object-created function has 50 s). */
export interface CidSlice {
  /** Milliseconds of hashing per invocation. */
  readonly maxMs: number;
  /** Bytes per invocation at most (tests set a small one); absent: no byte limit. */
  readonly maxBytes?: number;
}

/** The default slice: 30 s of the object-created function's 50 s. */
export const DEFAULT_CID_SLICE: CidSlice = { maxMs: 30_000 };

/** A hashing to continue: the file, the object it hashes, and where the build stands. */
export interface AddressingContinuation {
  readonly fileUuid: string;
  readonly objectKey: string;
  readonly checkpoint: DagCheckpoint;
}

