import { base32 } from 'multiformats/bases/base32';
import { base58btc } from 'multiformats/bases/base58';
import type { FileCids } from '../../cid';
import { cidV0Bytes, cidV1Bytes, ResumableFileDag, type DagCheckpoint } from '../../cid/dag';
import { FileStatus, RecordStatus, type FileRecord } from '../model/entries';
import type { StorageDeps } from '../ports/storage';
import { DEFAULT_CID_SLICE, type AddressingContinuation, type CidSlice } from '../model/cid-slice';

/**
 * The CIDs of an object too large to hash within one invocation (issue 21: objects up to 5 TiB). The event step
 * streams the object through a {@link ResumableFileDag} (memory: one 256 KiB chunk plus the trees' pending nodes,
 * whatever the size) for at most one slice; when the slice ends before the object does, it sends the builder's
 * checkpoint as a message on the lifecycle queue (`{"continueAddressing": …}`) and the next invocation goes on
 * from that byte with a ranged GetObject. Each slice also touches the record's `updatedAt`, so the sweeper does
 * not take a file whose hashing is progressing for a stranded one. A lost or failed continuation is healed by
 * the sweeper, which starts the file's hashing over 10 minutes after its last slice.
 */

export { DEFAULT_CID_SLICE, type AddressingContinuation, type CidSlice } from '../model/cid-slice';

export type SliceOutcome = { readonly done: true; readonly cids: FileCids } | { readonly done: false; readonly checkpoint: DagCheckpoint } | { readonly gone: true };

/**
 * Hashes `objectKey` from `from` (a checkpoint, or the start) for at most one slice. Resolves with the CIDs when the
 * object ends within it, with the new checkpoint otherwise, or `gone` when the object no longer exists.
 */
export async function hashSlice(deps: Pick<StorageDeps, 'blobs'>, objectKey: string, size: number, slice: CidSlice, from?: DagCheckpoint): Promise<SliceOutcome> {
  const dag = new ResumableFileDag(undefined, from);
  const started = Date.now();
  const startByte = dag.hashedBytes;
  if (startByte < size) {
    const stream = await deps.blobs.read(objectKey, startByte);
    if (!stream) return { gone: true };
    const iterator = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        dag.write(next.value);
        const hashed = dag.hashedBytes - startByte;
        if ((Date.now() - started >= slice.maxMs || (slice.maxBytes !== undefined && hashed >= slice.maxBytes)) && dag.hashedBytes < size) {
          return { done: false, checkpoint: dag.checkpoint() };
        }
      }
    } finally {
      // Stops the GetObject's body when the slice ends early (the socket is released, nothing more is read).
      await iterator.return?.();
    }
  }
  const roots = dag.finish();
  return {
    done: true,
    cids: {
      cidV0: base58btc.baseEncode(cidV0Bytes(roots.v0)),
      cidV1: base32.encode(cidV1Bytes(roots.v1)),
      size: roots.size,
      dagSizeV0: roots.v0.tsize,
      dagSizeV1: roots.v1.tsize,
    },
  };
}

/**
 * One slice of `file`'s hashing (status 2). Records the CIDs (status 3) when it reaches the end; else hands the
 * checkpoint on through the lifecycle queue and resolves 'continued'. Without a queue, or without a slice limit,
 * hashes the object whole in this invocation. 'stale': the file moved on (replaced, removed, hashed by another run).
 */
export async function addressInSlices(
  deps: Pick<StorageDeps, 'lifecycle' | 'blobs' | 'lifecycleQueue' | 'logger' | 'cidSlice'>,
  file: FileRecord,
  from?: DagCheckpoint,
): Promise<'addressed' | 'continued' | 'stale'> {
  const queue = deps.lifecycleQueue;
  const slice = queue?.enqueueAddressing ? (deps.cidSlice ?? DEFAULT_CID_SLICE) : { maxMs: Number.POSITIVE_INFINITY };
  const outcome = await hashSlice(deps, file.objectKey, file.size ?? 0, slice, from);
  if ('gone' in outcome) return 'stale';
  if (!outcome.done) {
    const now = new Date().toISOString();
    // The record shows progress (the sweeper leaves it alone), only while the file is still this one at status 2.
    if (!(await deps.lifecycle.transition(file.uuid, FileStatus.UPLOADED, FileStatus.UPLOADED, { updatedAt: now }, { activeOnly: true }))) return 'stale';
    await queue!.enqueueAddressing!({ fileUuid: file.uuid, objectKey: file.objectKey, checkpoint: outcome.checkpoint });
    deps.logger.info('CID hashing continues in the next invocation', { fileUuid: file.uuid, hashedBytes: outcome.checkpoint.hashedBytes, size: file.size });
    return 'continued';
  }
  if (outcome.cids.size !== file.size) throw new Error(`Object ${file.objectKey} holds ${outcome.cids.size} bytes, its file ${file.size}`);
  await deps.lifecycle.recordCids(file, outcome.cids, new Date().toISOString());
  return 'addressed';
}

/**
 * A `continueAddressing` message: goes on with the hashing where its checkpoint stands, when the file is still at
 * status 2 with that very object (a replaced or removed file, or one another run addressed, is left alone).
 */
export async function continueAddressing(deps: Pick<StorageDeps, 'entries' | 'lifecycle' | 'blobs' | 'lifecycleQueue' | 'logger' | 'cidSlice'>, message: AddressingContinuation): Promise<'addressed' | 'continued' | 'stale'> {
  const file = await deps.entries.get(message.fileUuid);
  if (!file || file.type !== 'file' || file.fileStatus !== FileStatus.UPLOADED || file.recordStatus !== RecordStatus.ACTIVE || file.objectKey !== message.objectKey) return 'stale';
  return addressInSlices(deps, file as FileRecord, message.checkpoint);
}
