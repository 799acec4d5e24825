import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sharingWebhookReads } from '../../../lib/core/webhooks/announce';
import { continueAddressing } from '../../../lib/core/lifecycle/sliced-cids';
import { advanceFile, processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { sharingSessionReads } from '../../../lib/core/upload/session-wrap';
import { parseObjectEventMessage } from '../../../lib/app/events';
import { services, type CoreServices } from '../../../lib/app/services';
import { withQueues } from '../../../lib/app/queues';
import { withBlobCopies } from '../../../lib/app/blob-copies';
import { blobs, buckets, directories, entries, lifecycle, listings, moves, sessions, uploads, withStores } from '../../../lib/app/stores';

/**
 * S3 ObjectCreated → SQS (ObjectEventsQueue) → here: takes each uploaded file 1→2→3→4; the same queue's
 * directory messages recompute a directory's CIDs. Every step is a conditional write, so duplicate, late or
 * out-of-order deliveries change nothing. The batch goes through Powertools' `processPartialResponse`: a
 * message whose record handler throws is reported in `batchItemFailures` (ReportBatchItemFailures), so only it
 * comes back after the visibility timeout (and after maxReceiveCount tries moves to the dead-letter queue); the
 * others of its batch are deleted as done. Records are handled one after another, as before, and a batch whose
 * every message failed is reported as such rather than thrown (`throwOnFullBatchFailure: false`).
 */
const processor = new BatchProcessor(EventType.SQS);
/** The stores the lifecycle's steps and a directory's recompute use (lib/core/lifecycle/lifecycle.ts, sliced-cids.ts, lib/core/directories/directories.ts). */
const withItsStores = withStores(buckets, entries, listings, lifecycle, directories, uploads, sessions, moves, blobs);

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // The files of a batch (often one upload session's) read their session once (session-wrap.ts).
  // [webhooks] ... and the bucket's webhook once (lib/core/webhooks/announce.ts).
  const deps = sharingWebhookReads(sharingSessionReads(withBlobCopies(withQueues(withItsStores(services())))));
  const invocationLog = deps.logger.forInvocation(context, {});
  deps.metrics.captureColdStart(context.functionName);
  try {
    return await processPartialResponse(event, (record: SQSRecord) => handleMessage(deps, invocationLog.child({ messageId: record.messageId }), record), processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  } finally {
    deps.metrics.publish();
  }
}

type Deps = ReturnType<typeof withBlobCopies<ReturnType<typeof withQueues<ReturnType<typeof withItsStores<CoreServices>>>>>>;

/** One SQS message: resolves when it is done (or can never be done), throws when it must come back. */
async function handleMessage(deps: Deps, log: Deps['logger'], record: SQSRecord): Promise<void> {
  const message = parseObjectEventMessage(record.body);
  if (message.kind === 'test') return; // S3's s3:TestEvent when the notification is set up: nothing to do
  if (message.kind === 'unreadable') {
    // Not an S3 notification: no retry will ever make it one, so it is logged and treated as done
    // rather than retried into the DLQ (and it never fails the batch). Only S3 (the queue policy) sends here.
    log.error('unreadable object event ignored', { reason: message.reason, body: record.body.slice(0, 1000) });
    return;
  }
  if (message.kind === 'addressing') {
    // The queue's third kind: a large object's CID hashing goes on from its checkpoint, then the file its way to 4.
    const fileLog = log.child({ fileUuid: message.continuation.fileUuid, hashedBytes: message.continuation.checkpoint.hashedBytes });
    try {
      const outcome = await continueAddressing({ ...deps, logger: fileLog }, message.continuation);
      const file = outcome === 'addressed' ? await advanceFile({ ...deps, logger: fileLog }, message.continuation.fileUuid) : undefined;
      fileLog.info('CID hashing slice done', { outcome, fileStatus: file?.fileStatus });
    } catch (error) {
      fileLog.error('CID hashing slice failed', { error, receiveCount: record.attributes?.ApproximateReceiveCount });
      throw error;
    }
    return;
  }
  if (message.kind === 'directory') {
    // The queue's second kind: recompute one directory's CIDs (lib/core/directories/directories.ts).
    const directoryLog = log.child({ bucketUuid: message.bucketUuid, directoryUuid: message.directoryUuid });
    try {
      // Loaded on the first directory message: the node builders (dag-pb, HAMT) stay out of a file event's cold start.
      const { addressDirectory } = await import('../../../lib/core/directories/directories');
      const address = await addressDirectory({ ...deps, logger: directoryLog }, message.bucketUuid, message.directoryUuid);
      directoryLog.info('directory recomputed', { cidV1: address?.cidV1, changed: address?.changed });
    } catch (error) {
      directoryLog.error('directory recompute failed', { error, receiveCount: record.attributes?.ApproximateReceiveCount });
      throw error;
    }
    return;
  }
  for (const key of message.keys) {
    const objectLog = log.child({ objectKey: key });
    try {
      const file = await processObjectCreated({ ...deps, logger: objectLog }, key);
      objectLog.info('object processed', { fileUuid: file?.uuid, fileStatus: file?.fileStatus });
    } catch (error) {
      objectLog.error('object processing failed', { error, receiveCount: record.attributes?.ApproximateReceiveCount });
      // The retry of this message runs all its keys again (each step is idempotent).
      throw error;
    }
  }
}
