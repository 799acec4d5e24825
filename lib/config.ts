import * as z from 'zod/mini';

/**
 * Service configuration, read from the environment and validated once per cold
 * start: in a Lambda, lib/app/services.ts parses it while the module loads, so a
 * misconfigured deployment fails its init with a message naming the variable
 * instead of answering 500 at the first request that needs the missing value.
 *
 * Messages are written here (zod/mini carries no locale, and "TABLE_NAME: required"
 * says more than a generic "Invalid input").
 */
const required = (minLength: number) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') }).check(
    z.minLength(minLength, minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters`),
  );

const withDefault = (fallback: string) => z._default(required(1), fallback);

/** An http(s) URL; empty or blank counts as unset (serverless.yml passes '' on AWS). */
const optionalUrl = z.optional(
  z.pipe(
    z.pipe(z.string(), z.transform((value: string) => (value.trim() === '' ? undefined : value.trim()))),
    z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  ),
);

/** Text, trimmed; empty or blank counts as unset. */
const optionalText = z.optional(
  z.pipe(z.string(), z.transform((value: string) => (value.trim() === '' ? undefined : value.trim()))),
);

const positiveInteger = (fallback: number) =>
  z._default(
    z.pipe(
      z.pipe(z.string(), z.transform((value: string) => (value.trim() === '' ? Number.NaN : Number(value)))),
      z.number({ error: 'must be a positive whole number' }).check(
        z.int('must be a positive whole number'),
        z.positive('must be a positive whole number'),
      ),
    ),
    fallback,
  );

/** A positive whole number, or unset. */
const optionalPositiveInteger = z.optional(
  z.pipe(
    z.pipe(z.string(), z.transform((value: string) => Number(value))),
    z.number({ error: 'must be a positive whole number' }).check(z.int('must be a positive whole number'), z.positive('must be a positive whole number')),
  ),
);

/** Empty or blank counts as unset: a function.yml passes `${env:NAME, ''}` so a setting can be given at `npm start` or deploy. */
const blankAsUnset = <T extends z.core.$ZodType>(schema: T) =>
  z.pipe(z.transform((value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)), schema);

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const configSchema = z.object({
  STAGE: withDefault('local'),
  SERVICE_VERSION: withDefault('0.1.0'),
  AWS_REGION: withDefault('us-east-1'),
  TABLE_NAME: required(1),
  FILES_BUCKET: required(3),
  REPLICA_BUCKET: required(3),
  /** Set for DynamoDB Local / LocalStack; unset on AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  /** Set for s3rver / LocalStack; unset on AWS. */
  S3_ENDPOINT: optionalUrl,
  /** Set for a local SQS emulator; unset on AWS. */
  SQS_ENDPOINT: optionalUrl,
  /** Set for an SSM emulator (LocalStack, tests); unset on AWS. */
  SSM_ENDPOINT: optionalUrl,
  /**
   * Tests and the local stack only: every AWS call of this process is appended, as the IAM actions and
   * resources it needs, to `<dir>/<AWS_LAMBDA_FUNCTION_NAME>.jsonl` (lib/store/aws-call-record.ts), which the
   * IAM test evaluates against each function's role. Refused inside a deployed Lambda (see parseConfig).
   */
  AWS_CALL_RECORD_DIR: optionalText,
  /**
   * With AWS_CALL_RECORD_DIR, `1`/`true` sends every DynamoDB call with `ReturnConsumedCapacity: 'INDEXES'` and records
   * the units it consumed, per table and index (the cost bench, bench/cost.ts). Off by default; without
   * AWS_CALL_RECORD_DIR (so in every deployed function) it does nothing.
   */
  AWS_CALL_RECORD_CAPACITY: z.optional(z.pipe(z.string(), z.transform((value: string) => ['1', 'true'].includes(value.trim().toLowerCase())))),
  /**
   * The lifecycle queue (S3 ObjectCreated notifications → the event function).
   * Unset where there is no queue (unit and integration tests): committed files
   * then wait for the sweeper instead of a message.
   */
  LIFECYCLE_QUEUE_URL: optionalUrl,
  /**
   * The webhook delivery queue and its dead-letter queue (issue 22). Unset where there is none (unit and
   * integration tests that do not deliver): then no files.ready event is announced.
   */
  WEBHOOK_QUEUE_URL: optionalUrl,
  WEBHOOK_DEAD_LETTER_QUEUE_URL: optionalUrl,
  /**
   * Local runs only (the local stage sets it): webhooks may target loopback addresses (and only those, of the
   * addresses otherwise refused). Refused inside a deployed Lambda (see parseConfig).
   */
  WEBHOOK_ALLOW_LOOPBACK: z.optional(z.pipe(z.string(), z.transform((value: string) => value.trim().toLowerCase() === 'true'))),
  /** Seconds between a webhook's first and second attempt; the whole retry schedule scales with it (default 10: 24 h). */
  WEBHOOK_RETRY_FIRST_DELAY_SECONDS: positiveInteger(10),
  /** Base URL clients use to reach this API (for `link`s); derived from the request when unset. */
  PUBLIC_BASE_URL: optionalUrl,
  LOG_LEVEL: z._default(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }), 'info'),
  /** Default quota for accounts created without an explicit one (10 GiB). */
  DEFAULT_QUOTA_BYTES: positiveInteger(10 * 1024 ** 3),
  /** Default per-bucket size limit (5 GiB, as on Apillon's free plan). */
  DEFAULT_BUCKET_MAX_BYTES: positiveInteger(5 * 1024 ** 3),
  /**
   * Most directories one trustless-gateway CAR rebuilds (each is one listing query); past it the gateway answers
   * 413 DAG_TOO_LARGE_FOR_FORMAT naming this limit (lib/gateway/trustless.ts).
   */
  TRUSTLESS_CAR_MAX_DIRECTORIES: positiveInteger(500),
  /** Seconds of CID hashing one object-created invocation does before it hands on through the queue (its timeout is 50 s). */
  CID_SLICE_SECONDS: blankAsUnset(positiveInteger(30)),
  /** Bytes one invocation hashes at most before handing on (tests and the long suite set a small one); unset: no byte limit. */
  CID_SLICE_BYTES: blankAsUnset(optionalPositiveInteger),
  /**
   * Seconds of copying in parts (the commit's uploads/ → files/, the replica's) one invocation does before it hands on
   * through the queue: a copy of up to 5 TiB outlasts one invocation (issue 21; lib/store/multipart-copy.ts).
   */
  COPY_SLICE_SECONDS: blankAsUnset(positiveInteger(30)),
  /** Bytes of parts one invocation copies at most before handing on (tests set a small one); unset: no byte limit. */
  COPY_SLICE_BYTES: blankAsUnset(optionalPositiveInteger),
  /**
   * Objects larger than this (bytes) are copied by the lifecycle (uploads/ → files/, files/ → replica) as a multipart
   * copy (UploadPartCopy) instead of one CopyObject, which S3 refuses above 5 GiB: the default and the largest allowed.
   * Tests set a few MiB to take the multipart path with small files.
   */
  MULTIPART_COPY_THRESHOLD_BYTES: blankAsUnset(positiveInteger(5 * 1024 ** 3)),
  /** Bytes an account may be served per calendar month (gateway and downloads); reported by `/storage/info` (10 GiB). */
  MONTHLY_BANDWIDTH_BYTES: positiveInteger(10 * 1024 ** 3),
  /**
   * The key that seals IPNS private keys at rest: 32 bytes, base64. Set on the local stack
   * (kept in .data/) and in tests; on AWS leave it unset and name the SSM SecureString that holds it.
   */
  IPNS_KEY_ENCRYPTION_KEY: optionalText,
  /** SSM SecureString parameter holding IPNS_KEY_ENCRYPTION_KEY (read once per cold start, with decryption). */
  IPNS_KEY_PARAMETER: optionalText,
  /**
   * `true` in the functions serverless-offline runs (it sets it). Its HTTP server strips a URL's
   * trailing slash before routing (Hapi `stripTrailingSlash`), which API Gateway does not: there
   * the path gateway cannot tell `/dir` from `/dir/` (lib/gateway/path-gateway.ts).
   */
  IS_OFFLINE: z.optional(z.pipe(z.string(), z.transform((value: string) => value.trim().toLowerCase() === 'true'))),
});

export type Config = z.infer<typeof configSchema> & {
  /** Presigned URLs (upload PUT and large-download GET) expire after this many seconds. */
  readonly presignTtlSeconds: 60;
};

/**
 * The configuration in `env` (process.env or a test's own), validated.
 * @throws Error `Invalid service configuration: TABLE_NAME: required; …`, naming every bad variable.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // The call recorder is a test instrument: a function deployed with it would fail its init rather than write files.
  if (result.success && result.data.AWS_CALL_RECORD_DIR && env.AWS_LAMBDA_FUNCTION_NAME && !result.data.IS_OFFLINE) {
    problems.push('AWS_CALL_RECORD_DIR: only for tests and the local stack, never in a deployed function');
  }
  // Loopback webhooks would let any account reach the function's own host: a local-run setting only.
  if (result.success && result.data.WEBHOOK_ALLOW_LOOPBACK && env.AWS_LAMBDA_FUNCTION_NAME && !result.data.IS_OFFLINE) {
    problems.push('WEBHOOK_ALLOW_LOOPBACK: only for local runs, never in a deployed function');
  }
  // S3 refuses CopyObject of a source over 5 GiB (API_CopyObject): a higher threshold would fail every such commit.
  if (result.success && result.data.MULTIPART_COPY_THRESHOLD_BYTES > 5 * 1024 ** 3) {
    problems.push('MULTIPART_COPY_THRESHOLD_BYTES: must be at most 5368709120 (S3 copies at most 5 GiB in one CopyObject)');
  }
  if (!result.success || problems.length > 0) {
    throw new Error(`Invalid service configuration: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...result.data, presignTtlSeconds: 60 as const });
}
