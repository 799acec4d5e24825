/**
 * A minimal SQS endpoint in front of the local queues, so code that sends to
 * the queue with the AWS SDK (`SQS_ENDPOINT` + a queue URL) works on the local
 * stack too: SendMessage, SendMessageBatch (with DelaySeconds) and GetQueueUrl of the SQS JSON
 * protocol (AWS JSON 1.0, what @aws-sdk/client-sqs speaks since 2023).
 * Receiving stays with the bridge's pollers, as on AWS it stays with Lambda.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_DELAY_SECONDS, QueueFullError, type LocalQueue } from './object-event-queue';

/** The account id in local queue URLs (`<endpoint>/000000000000/<name>`). */
const LOCAL_ACCOUNT = '000000000000';
const MAX_BATCH = 10;

export interface LocalSqsEndpoint {
  /** e.g. http://127.0.0.1:41234 (the SDK's `endpoint`). */
  readonly endpoint: string;
  /** The queue URL of `name`. */
  queueUrl(name: string): string;
  close(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** A message's DelaySeconds (absent: 0); undefined when SQS would refuse it. */
function delaySecondsOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DELAY_SECONDS ? value : undefined;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** Serves `queues` (by name) on 127.0.0.1:`port` (0: any free port). */
export async function startLocalSqsEndpoint(queues: readonly LocalQueue[], port = 0): Promise<LocalSqsEndpoint> {
  const byName = new Map(queues.map((queue) => [queue.name, queue]));
  const queueOf = (queueUrl: unknown): LocalQueue => {
    const name = typeof queueUrl === 'string' ? queueUrl.split('/').pop() : undefined;
    const queue = name ? byName.get(name) : undefined;
    if (!queue) throw new SqsError('QueueDoesNotExist', `The specified queue does not exist: ${String(queueUrl)}`);
    return queue;
  };
  let endpoint = '';

  const actions: Record<string, (input: Record<string, any>) => unknown> = {
    SendMessage: (input) => {
      if (typeof input.MessageBody !== 'string' || input.MessageBody === '') throw new SqsError('MissingParameter', 'MessageBody is required');
      const delay = delaySecondsOf(input.DelaySeconds);
      if (delay === undefined) throw new SqsError('InvalidParameterValue', `DelaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}`);
      let messageId: string;
      try {
        messageId = queueOf(input.QueueUrl).send(input.MessageBody, delay);
      } catch (error) {
        if (error instanceof QueueFullError) throw new SqsError('OverLimit', error.message);
        throw error;
      }
      return { MessageId: messageId, MD5OfMessageBody: md5(input.MessageBody) };
    },
    SendMessageBatch: (input) => {
      const queue = queueOf(input.QueueUrl);
      const entries: { Id?: unknown; MessageBody?: unknown; DelaySeconds?: unknown }[] = Array.isArray(input.Entries) ? input.Entries : [];
      if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
      if (entries.length > MAX_BATCH) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH}.`);
      const successful = [];
      const failed = [];
      for (const entry of entries) {
        if (typeof entry.MessageBody !== 'string' || entry.MessageBody === '') {
          failed.push({ Id: entry.Id, SenderFault: true, Code: 'MissingParameter', Message: 'MessageBody is required' });
          continue;
        }
        const delay = delaySecondsOf(entry.DelaySeconds);
        if (delay === undefined) {
          failed.push({ Id: entry.Id, SenderFault: true, Code: 'InvalidParameterValue', Message: `DelaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}` });
          continue;
        }
        try {
          successful.push({ Id: entry.Id, MessageId: queue.send(entry.MessageBody, delay), MD5OfMessageBody: md5(entry.MessageBody) });
        } catch (error) {
          if (!(error instanceof QueueFullError)) throw error;
          failed.push({ Id: entry.Id, SenderFault: false, Code: 'OverLimit', Message: error.message });
        }
      }
      return { Successful: successful, Failed: failed };
    },
    GetQueueUrl: (input) => {
      if (!byName.has(input.QueueName)) throw new SqsError('QueueDoesNotExist', `The specified queue does not exist: ${String(input.QueueName)}`);
      return { QueueUrl: `${endpoint}/${LOCAL_ACCOUNT}/${input.QueueName}` };
    },
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      };
      try {
        const target = String(request.headers['x-amz-target'] ?? '');
        const action = actions[target.replace(/^AmazonSQS\./, '')];
        if (request.method !== 'POST' || !target.startsWith('AmazonSQS.') || !action) {
          throw new SqsError('UnsupportedOperation', `The local SQS endpoint does not support ${target || `${request.method} ${request.url}`}`);
        }
        let input: unknown;
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          throw new SqsError('InvalidParameterValue', 'The request body is not JSON');
        }
        reply(200, action((input ?? {}) as Record<string, unknown>));
      } catch (error) {
        const type = error instanceof SqsError ? error.type : 'InternalError';
        reply(error instanceof SqsError ? 400 : 500, { __type: `com.amazonaws.sqs#${type}`, message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/${LOCAL_ACCOUNT}/${name}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
