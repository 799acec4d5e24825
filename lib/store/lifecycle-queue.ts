import type { AddressingContinuation } from '../core/lifecycle/sliced-cids';
import type { FileRecord } from '../core/model/entries';
import type { DirectoryRef, LifecycleQueue } from '../core/ports';
import { uploadKey } from '../core/model/object-keys';
import type { SQSClient, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';

/** SQS's limit of messages in one SendMessageBatch call. */
const BATCH_SIZE = 10;
/** Sends of a batch's failed entries (the first included) before the enqueue fails: SQS's own faults are transient. */
const ENTRY_ATTEMPTS = 3;

/**
 * The lifecycle queue on SQS: the queue S3 sends ObjectCreated notifications
 * to. A request that commits bytes itself (Quantum `file/add`, whose bytes
 * never pass through the upload area) sends the same notification for each
 * file, so the one consumer takes every file through 2→3→4 the same way; the
 * consumer treats a notification for a file past status 1 as "continue".
 */
export class SqsLifecycleQueue implements LifecycleQueue {
  /** `sqs` resolves the process's SQS client (lib/store/clients.ts), built on first use. */
  constructor(
    private readonly sqs: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  enqueue(files: readonly Pick<FileRecord, 'bucketUuid' | 'uuid'>[]): Promise<void> {
    return this.send(files.map((file) => ({ body: objectCreatedNotification(uploadKey(file.bucketUuid, file.uuid)) })));
  }

  enqueueDirectories(directories: readonly DirectoryRef[], delaySeconds: number): Promise<void> {
    return this.send(directories.map((directory) => ({ body: directoryRecomputeMessage(directory), delaySeconds })));
  }

  enqueueAddressing(continuation: AddressingContinuation): Promise<void> {
    return this.send([{ body: { continueAddressing: continuation } }]);
  }

  /**
   * SendMessageBatch in batches of 10 (`@aws-sdk/client-sqs`, which retries whole-request faults and checks each
   * sent body's MD5). SQS answers each entry on its own: entries it failed for its own reasons
   * (`SenderFault` false: throttling, an internal error) are sent again, up to ENTRY_ATTEMPTS sends with a short
   * backoff; an entry refused as the sender's fault, or still failing after that, fails the enqueue. A failed
   * entry is never counted as sent.
   * @throws Error naming the failed entries' SQS codes.
   */
  private async send(messages: readonly { body: unknown; delaySeconds?: number }[]): Promise<void> {
    const batches: (typeof messages)[] = [];
    for (let i = 0; i < messages.length; i += BATCH_SIZE) batches.push(messages.slice(i, i + BATCH_SIZE));
    await Promise.all(
      batches.map((batch) =>
        this.sendBatch(
          batch.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message.body),
            ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
          })),
        ),
      ),
    );
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    const [{ SendMessageBatchCommand }, client] = await Promise.all([import('./sqs-commands'), this.sqs()]);
    let pending = entries;
    for (let attempt = 1; ; attempt += 1) {
      const { Successful = [], Failed = [] } = await client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const sent = new Set(Successful.map((entry) => entry.Id));
      const failed = new Map(Failed.map((entry) => [entry.Id, entry]));
      // An entry SQS answered neither way was not sent either.
      pending = pending.filter((entry) => !sent.has(entry.Id));
      if (pending.length === 0) return;
      const refused = pending.map((entry) => failed.get(entry.Id)).filter((entry) => entry?.SenderFault);
      if (refused.length > 0 || attempt >= ENTRY_ATTEMPTS) {
        const reasons = pending.map((entry) => failed.get(entry.Id)?.Code ?? 'NoAnswer');
        throw new Error(`SQS did not take ${pending.length} lifecycle message(s) (${[...new Set(reasons)].join(', ')}): ${failed.get(pending[0]!.Id)?.Message ?? 'no answer for the entry'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * The lifecycle queue's second message kind: recompute one directory's CIDs
 * (`directoryUuid` null: the bucket root). Read back by lib/app/events.ts.
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
