import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '../config';
import { recordAwsCalls } from './aws-call-record';

/**
 * The AWS SDK v3 clients of one process (one Lambda container), built here and only here, with
 * every setting in {@link CLIENT_SETTINGS}. Endpoints come from configuration: unset on AWS,
 * DYNAMODB_ENDPOINT / S3_ENDPOINT / SQS_ENDPOINT / SSM_ENDPOINT for LocalStack or the local emulators.
 *
 * DynamoDB is built at once (every function reads the table). S3 is built on first use and its module
 * loaded then (`import()` of s3-commands.ts): esbuild defers a dynamically imported module's evaluation, so a
 * function that never touches S3 does not pay the S3 client's ~13 ms of module evaluation at init
 * (bench/bundles.ts prints the figures). Each getter returns the same client for the life of the process.
 * SQS and SSM have their own getters ({@link sqsClient}, {@link ssmClient}), imported only by the composition
 * of the functions that send to a queue (lib/app/queues.ts) or sign IPNS records (lib/app/signing-services.ts):
 * esbuild leaves the SQS client (~33 KB) and the SSM client (~170 KB) out of every other bundle, where they would
 * still be parsed (and their source maps read) at every cold start even though never evaluated.
 */
export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  /** S3 (objects, presigned URLs): `forcePathStyle` with an endpoint, no checksum unless an operation requires one. */
  readonly s3: () => Promise<S3Client>;
}

/**
 * The clients' settings, one place. Rationale:
 * - retries: the SDK's `standard` mode (exponential backoff with full jitter, a retry quota per
 *   client that stops retry storms, throttling errors retried with a longer base delay), 3 attempts
 *   in all. `adaptive` adds a client-side rate limiter for long-lived high-volume clients; a Lambda
 *   container serves one request at a time.
 * - timeouts (ms): `connectionTimeout` to open a TCP/TLS connection; `requestTimeout` from sending a
 *   request to its response headers, thrown as a retryable `TimeoutError` (`throwOnRequestTimeout`).
 *   The API functions have 29 s; 3 attempts of DynamoDB (5 s each: DynamoDB answers in milliseconds, but a
 *   busy DynamoDB Local can pause for seconds, and a retried write is a second write), SQS or SSM (3 s each)
 *   and of S3 (8 s each: a 10 MB PutObject from Quantum `file/add` included) stay within it with their backoff.
 * - long S3 calls ({@link S3_LONG_CALL}): CompleteMultipartUpload, CopyObject and UploadPartCopy may take minutes
 *   before S3 answers (on AWS they answer 200 early and keep the connection alive with whitespace, an error coming
 *   in the 200's body, which the SDK reads as the error; s3rver assembles the whole object before it answers). With
 *   the 8 s of a GET the client aborted them and its retry collided with the first (s3rver: "Error uploading
 *   object", 500). They are sent with a request timeout of their own, 5 minutes: a stalled connection still ends.
 * - keep-alive: one agent per client with `keepAlive` (the SDK's default, stated here), so a warm
 *   container reuses its TLS connections; at most 50 sockets per client.
 */
export const CLIENT_SETTINGS = {
  retryMode: 'standard',
  maxAttempts: 3,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: { dynamodb: 5000, s3: 8000, sqs: 3000, ssm: 3000 },
  maxSockets: 50,
  /** The request timeout (ms) of the S3 calls that may run for minutes: see {@link S3_LONG_CALL}. */
  longS3RequestTimeoutMs: 300_000,
} as const;

/**
 * The handler options of an S3 call that may take minutes to answer (CompleteMultipartUpload, CopyObject,
 * UploadPartCopy): `client.send(command, S3_LONG_CALL)`. @smithy/node-http-handler takes a per-request
 * `requestTimeout` over the client's (its `handle(request, { requestTimeout })`).
 */
export const S3_LONG_CALL = { requestTimeout: CLIENT_SETTINGS.longS3RequestTimeoutMs } as const;

type Service = keyof typeof CLIENT_SETTINGS.requestTimeoutMs;

/** What every client gets: region, retries, the HTTP handler's timeouts and keep-alive, and the service's endpoint override. */
function commonSettings(cfg: Config, service: Service, endpoint: string | undefined) {
  const agent = { keepAlive: true, maxSockets: CLIENT_SETTINGS.maxSockets };
  return {
    region: cfg.AWS_REGION,
    ...(endpoint ? { endpoint } : {}),
    retryMode: CLIENT_SETTINGS.retryMode,
    maxAttempts: CLIENT_SETTINGS.maxAttempts,
    requestHandler: {
      connectionTimeout: CLIENT_SETTINGS.connectionTimeoutMs,
      requestTimeout: CLIENT_SETTINGS.requestTimeoutMs[service],
      throwOnRequestTimeout: true,
      httpAgent: agent,
      httpsAgent: agent,
    },
  };
}

/**
 * The process's clients for `cfg`. With `AWS_CALL_RECORD_DIR` set (tests and the local stack only:
 * lib/config.ts refuses it inside a real Lambda), every client gets the call recorder
 * (lib/store/aws-call-record.ts), which the IAM test reads.
 */
export function createAwsClients(cfg: Config): AwsClients {
  const record = recorder(cfg);
  const dynamo = DynamoDBDocumentClient.from(record(new DynamoDBClient(commonSettings(cfg, 'dynamodb', cfg.DYNAMODB_ENDPOINT))), {
    marshallOptions: { removeUndefinedValues: true },
  });
  let s3: Promise<S3Client> | undefined;
  return {
    dynamo,
    s3: () =>
      (s3 ??= import('./s3-commands').then(({ S3Client }) =>
        record(
          new S3Client({
            ...commonSettings(cfg, 's3', cfg.S3_ENDPOINT),
            // Emulators serve buckets by path, not by virtual host.
            forcePathStyle: cfg.S3_ENDPOINT !== undefined,
            // SDK >= 3.729 would otherwise put an empty-body CRC32 in every presigned PUT URL (and checksum every
            // upload); a presigned PUT signs Content-Length, never a checksum or a Content-Type.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }),
        ),
      )),
  };
}

const sqsClients = new WeakMap<Config, Promise<SQSClient>>();

/**
 * The process's SQS client for `cfg` (SendMessageBatch of the lifecycle queue, SendMessage of the webhook queue),
 * built on first use, once per configuration, with the settings above.
 */
export function sqsClient(cfg: Config): () => Promise<SQSClient> {
  return () => {
    let client = sqsClients.get(cfg);
    if (!client) {
      client = import('./sqs-commands').then(({ SQSClient }) => recorder(cfg)(new SQSClient(commonSettings(cfg, 'sqs', cfg.SQS_ENDPOINT))));
      sqsClients.set(cfg, client);
    }
    return client;
  };
}

const ssmClients = new WeakMap<Config, Promise<SSMClient>>();

/**
 * The process's SSM client for `cfg` (GetParameter of the IPNS key encryption key), built on
 * first use, once per configuration, with the settings above.
 */
export function ssmClient(cfg: Config): () => Promise<SSMClient> {
  return () => {
    let client = ssmClients.get(cfg);
    if (!client) {
      client = import('./ssm-commands').then(({ SSMClient }) => recorder(cfg)(new SSMClient(commonSettings(cfg, 'ssm', cfg.SSM_ENDPOINT))));
      ssmClients.set(cfg, client);
    }
    return client;
  };
}

/** Adds the call recorder to a client when the configuration asks for it (AWS_CALL_RECORD_DIR). */
function recorder(cfg: Config): <C extends Parameters<typeof recordAwsCalls>[0]>(client: C) => C {
  return (client) => {
    if (cfg.AWS_CALL_RECORD_DIR) recordAwsCalls(client, { directory: cfg.AWS_CALL_RECORD_DIR, region: cfg.AWS_REGION, capacity: cfg.AWS_CALL_RECORD_CAPACITY });
    return client;
  };
}
