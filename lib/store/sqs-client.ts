import { AwsServiceError, SignedHttpClient, type AwsCredentials } from './aws-http';

/**
 * SQS SendMessageBatch, the one SQS operation the functions send, on the signing,
 * HTTP and retry core shared with the S3 client (`aws-http.ts`).
 *
 * Why not `@aws-sdk/client-sqs`: ~23 KB minified of every function that builds
 * the services (all of them; most never send to a queue) and its share of
 * `require()` time (bench/bundles.ts prints the figures), for one call.
 *
 * Wire format: SQS's AWS JSON 1.0 protocol
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html):
 * `POST /` to the service endpoint, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: AmazonSQS.SendMessageBatch`, body
 * `{"QueueUrl", "Entries": [{"Id", "MessageBody", "DelaySeconds"?}]}`, answer
 * `{"Successful": [...], "Failed": [...]}` (API_SendMessageBatch.html); errors are
 * 4xx/5xx with `{"__type": "com.amazonaws.sqs#<Code>", "message"}`, thrown as
 * {@link SqsError} named `<Code>`. Checked against the request `@aws-sdk/client-sqs`
 * builds (test/unit/sqs-client.test.ts).
 */
export interface SqsClientOptions {
  readonly region: string;
  /** An emulator's or the local stack's base URL (config SQS_ENDPOINT); default: the queue URL's origin, as the SDK does. */
  readonly endpoint?: string;
  /** Default: the environment's AWS credentials, read per request. */
  readonly credentials?: AwsCredentials;
  /** Attempts per request, first included (default 3). */
  readonly maxAttempts?: number;
}

/** One message of a batch: `Id` unique within the batch; `DelaySeconds` 0–900 (SQS's range). */
export interface SqsBatchEntry {
  readonly Id: string;
  readonly MessageBody: string;
  readonly DelaySeconds?: number;
}

/** SendMessageBatch's answer: each entry is either successful or failed (`SenderFault`: the request's fault). */
export interface SqsBatchResult {
  readonly Successful: readonly { readonly Id: string; readonly MessageId: string; readonly MD5OfMessageBody?: string }[];
  readonly Failed: readonly { readonly Id: string; readonly SenderFault?: boolean; readonly Code: string; readonly Message?: string }[];
}

/** An error SQS answered (or a request that could not reach it: `NetworkingError`, status 0); `name` is SQS's error code. */
export class SqsError extends AwsServiceError {}

/** Retried with backoff whatever their status: SQS's throttling and transient errors (the SDK's standard retry mode). */
const RETRYABLE_CODES = new Set(['RequestThrottled', 'ThrottlingException', 'Throttling', 'ServiceUnavailable', 'InternalError', 'InternalFailure', 'KmsThrottled']);

export class SqsClient {
  private readonly core: SignedHttpClient<SqsError>;

  constructor(private readonly options: SqsClientOptions) {
    this.core = new SignedHttpClient({ ...options, service: 'sqs', retryableCodes: RETRYABLE_CODES, error: SqsError });
  }

  /**
   * SendMessageBatch of up to 10 entries to `queueUrl`. Resolves with SQS's answer
   * (entries may fail one by one: see `Failed`); throws SqsError when SQS refuses the
   * whole request (e.g. `QueueDoesNotExist`, `TooManyEntriesInBatchRequest`).
   */
  async sendMessageBatch(queueUrl: string, entries: readonly SqsBatchEntry[]): Promise<SqsBatchResult> {
    const endpoint = this.options.endpoint ?? new URL(queueUrl).origin;
    const answer = await this.core.sendJson(endpoint, '1.0', 'AmazonSQS.SendMessageBatch', { QueueUrl: queueUrl, Entries: entries });
    return { Successful: (answer.Successful as SqsBatchResult['Successful']) ?? [], Failed: (answer.Failed as SqsBatchResult['Failed']) ?? [] };
  }
}
