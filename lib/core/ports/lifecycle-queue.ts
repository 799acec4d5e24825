import type { AddressingContinuation } from '../model/cid-slice';
/**
 * The core's `LifecycleQueue` port (implemented in lib/store/lifecycle-queue.ts).
 */
import type { FileRecord } from '../model/entries';
import type { DirectoryRef } from '../model/records';

/**
 * The queue that takes committed files through their next lifecycle steps
 * (2→3→4) outside the request that committed them.
 */
export interface LifecycleQueue {
  /** Asks for the lifecycle of these files to continue; at-least-once. */
  enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void>;
  /**
   * Asks for these directories' CIDs to be recomputed (the queue's second message kind), each
   * delivered after `delaySeconds` (SQS DelaySeconds, 0–900) so that a burst of changes to one
   * directory is addressed once; at-least-once.
   */
  enqueueDirectories(directories: readonly DirectoryRef[], delaySeconds: number): Promise<void>;
  /**
   * Asks for a file's CID hashing to go on from a checkpoint (the queue's third message kind,
   * lib/core/lifecycle/sliced-cids.ts); at-least-once. Absent: files are hashed whole in one invocation.
   */
  enqueueAddressing?(continuation: AddressingContinuation): Promise<void>;
}
