import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FileRecord } from '../domain/entries';
import type { LifecycleQueue } from '../domain/ports';
import { uploadKey } from './keys';

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
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void> {
    const batches: (typeof files)[] = [];
    for (let i = 0; i < files.length; i += BATCH_SIZE) batches.push(files.slice(i, i + BATCH_SIZE));
    await Promise.all(
      batches.map(async (batch) => {
        const { Failed } = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((file, index) => ({ Id: String(index), MessageBody: JSON.stringify(objectCreatedNotification(uploadKey(file.bucketUuid, file.uuid))) })),
          }),
        );
        if (Failed && Failed.length > 0) throw new Error(`SQS refused ${Failed.length} lifecycle message(s): ${Failed[0]?.Message ?? Failed[0]?.Code}`);
      }),
    );
  }
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
