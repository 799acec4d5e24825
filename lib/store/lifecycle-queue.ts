import type { FileRecord } from '../domain/entries';
import type { DirectoryRef, LifecycleQueue } from '../domain/ports';
import { uploadKey } from './keys';
import type { SqsClient } from './sqs-client';

/** SQS's limit of messages in one SendMessageBatch call. */
const BATCH_SIZE = 10;

/**
 * The lifecycle queue on SQS: the queue S3 sends ObjectCreated notifications
 * to. A request that commits bytes itself (Quantum `file/add`, whose bytes
 * never pass through the upload area) sends the same notification for each
 * file, so the one consumer takes every file through 2→3→4 the same way; the
 * consumer treats a notification for a file past status 1 as "continue".
 */
export class SqsLifecycleQueue implements LifecycleQueue {
  constructor(
    private readonly sqs: SqsClient,
    private readonly queueUrl: string,
  ) {}

  enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void> {
    return this.send(files.map((file) => ({ body: objectCreatedNotification(uploadKey(file.bucketUuid, file.uuid)) })));
  }

  enqueueDirectories(directories: readonly DirectoryRef[], delaySeconds: number): Promise<void> {
    return this.send(directories.map((directory) => ({ body: directoryRecomputeMessage(directory), delaySeconds })));
  }

  private async send(messages: readonly { body: unknown; delaySeconds?: number }[]): Promise<void> {
    const batches: (typeof messages)[] = [];
    for (let i = 0; i < messages.length; i += BATCH_SIZE) batches.push(messages.slice(i, i + BATCH_SIZE));
    await Promise.all(
      batches.map(async (batch) => {
        const { Failed } = await this.sqs.sendMessageBatch(
          this.queueUrl,
          batch.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message.body),
            ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
          })),
        );
        if (Failed.length > 0) throw new Error(`SQS refused ${Failed.length} lifecycle message(s): ${Failed[0]?.Message ?? Failed[0]?.Code}`);
      }),
    );
  }
}

/**
 * The lifecycle queue's second message kind: recompute one directory's CIDs
 * (`directoryUuid` null: the bucket root). Read back by lib/events.ts.
 */
export function directoryRecomputeMessage(directory: DirectoryRef): { recomputeDirectory: DirectoryRef } {
  return { recomputeDirectory: { bucketUuid: directory.bucketUuid, directoryUuid: directory.directoryUuid } };
}

/** An S3 event notification (the shape S3 sends to SQS) for one created object; keys URL-encoded as S3 does. */
export function objectCreatedNotification(key: string): { Records: unknown[] } {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        s3: { object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } },
      },
    ],
  };
}
