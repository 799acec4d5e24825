import { z } from 'zod';

/**
 * Service configuration, read from the environment once per cold start and
 * validated there, so a misconfigured deployment fails fast with a clear message
 * instead of at the first request that needs the missing value.
 */
const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.url({ protocol: /^https?$/ }).optional())
  .optional();

const configSchema = z.object({
  STAGE: z.string().min(1).default('local'),
  SERVICE_VERSION: z.string().min(1).default('0.1.0'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(1),
  FILES_BUCKET: z.string().min(3),
  REPLICA_BUCKET: z.string().min(3),
  /** Set for DynamoDB Local / LocalStack; unset on AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  /** Set for s3rver / LocalStack; unset on AWS. */
  S3_ENDPOINT: optionalUrl,
  /** Set for a local SQS emulator; unset on AWS. */
  SQS_ENDPOINT: optionalUrl,
  /**
   * The lifecycle queue (S3 ObjectCreated notifications → the event function).
   * Unset where there is no queue (unit and integration tests): committed files
   * then wait for the sweeper instead of a message.
   */
  LIFECYCLE_QUEUE_URL: optionalUrl,
  /** Base URL clients use to reach this API (for `link`s); derived from the request when unset. */
  PUBLIC_BASE_URL: optionalUrl,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Default quota for accounts created without an explicit one (10 GiB). */
  DEFAULT_QUOTA_BYTES: z.coerce.number().int().positive().default(10 * 1024 ** 3),
  /** Default per-bucket size limit (5 GiB, as on Apillon's free plan). */
  DEFAULT_BUCKET_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 ** 3),
  /** Bytes an account may be served per calendar month (gateway and downloads); reported by `/storage/info` (10 GiB). */
  /**
   * The key that seals IPNS private keys at rest: 32 bytes, base64. Set on the local stack
   * (kept in .data/) and in tests; on AWS leave it unset and name the SSM SecureString that holds it.
   */
  IPNS_KEY_ENCRYPTION_KEY: z.string().trim().optional().transform((value) => value || undefined),
  /** SSM SecureString parameter holding IPNS_KEY_ENCRYPTION_KEY (read once per cold start, with decryption). */
  IPNS_KEY_PARAMETER: z.string().trim().optional().transform((value) => value || undefined),
  MONTHLY_BANDWIDTH_BYTES: z.coerce.number().int().positive().default(10 * 1024 ** 3),
});

export type Config = z.infer<typeof configSchema> & {
  /** Presigned URLs (upload PUT and large-download GET) expire after this many seconds. */
  readonly presignTtlSeconds: 60;
};

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid service configuration: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...result.data, presignTtlSeconds: 60 as const });
}

let cached: Config | undefined;

/** The process-wide configuration; parsed on first use (at cold start). */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
