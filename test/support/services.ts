/**
 * Services for integration tests, pointing at the emulators the global setup
 * started. Isolation: every test file gets its own DynamoDB table and its own
 * two S3 buckets (random names, created on first use), so files run in parallel
 * and assertions such as "lists exactly these accounts" hold.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseConfig } from '../../lib/config';
import { createAccount, issueApiKey, issueApplicationToken, issueMasterKey } from '../../lib/core/access/accounts';
import { createBucket } from '../../lib/core/access/buckets';
import { ALL_PERMISSIONS, type Permission } from '../../lib/core/access/principal';
import { createServices } from '../../lib/app/all-services';
import type { Services } from '../../lib/app/services';
import type { AccountRecord } from '../../lib/core/ports';
import type { BucketRecord } from '../../lib/core/ports';
import { createAwsClients } from '../../lib/store/clients';
import { provisionBuckets, provisionTable } from '../../lib/store/provision';
import { basicAuthorization } from './events';

/** This file's resource names (one set per test file: modules are isolated per file). */
const suffix = randomBytes(4).toString('hex');
export const testResourceNames = {
  TABLE_NAME: `storage-test-${suffix}`,
  FILES_BUCKET: `storage-test-${suffix}-files`,
  REPLICA_BUCKET: `storage-test-${suffix}-replica`,
} as const;

/** A fresh key per test file: IPNS keys sealed in this file open only under it. */
const ipnsKeyEncryptionKey = randomBytes(32).toString('base64');

/** The configuration environment of this file's services; `overrides` replace single variables. */
export function testEnvironment(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const emulators = inject('emulators');
  return {
    STAGE: 'test',
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
    S3_ENDPOINT: emulators.s3Endpoint,
    PUBLIC_BASE_URL: 'http://api.test.local',
    IPNS_KEY_ENCRYPTION_KEY: ipnsKeyEncryptionKey,
    ...testResourceNames,
    ...overrides,
  };
}

/**
 * Services built the way a handler's are (`createServices(parseConfig(env))`),
 * with their own AWS clients (the process-wide client cache would ignore `overrides`).
 * Provisions nothing: use `testServices()` for a ready table and buckets.
 */
export function buildTestServices(overrides: Record<string, string | undefined> = {}): Services {
  const config = parseConfig(testEnvironment(overrides));
  return createServices(config, createAwsClients(config));
}

let ready: Promise<Services> | undefined;

/** This file's services, with its table and buckets provisioned (once per file). */
export function testServices(): Promise<Services> {
  ready ??= (async () => {
    const services = buildTestServices();
    const { config, clients } = services;
    await Promise.all([
      provisionTable(clients.dynamo, config.TABLE_NAME),
      provisionBuckets(clients.s3, [config.FILES_BUCKET, config.REPLICA_BUCKET]),
    ]);
    return services;
  })();
  return ready;
}

export interface TestApiKey {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly permissions: readonly Permission[];
  /** `Basic base64(key:secret)`. */
  readonly authorization: string;
}

export async function createTestAccount(
  services: Services,
  input: { name?: string; quotaBytes?: number } = {},
): Promise<{ account: AccountRecord; accountId: string; masterKey: string }> {
  const account = await createAccount(services.accounts, {
    name: input.name ?? `account-${randomBytes(3).toString('hex')}`,
    quotaBytes: input.quotaBytes ?? services.config.DEFAULT_QUOTA_BYTES,
  });
  const { token } = await issueMasterKey(services.accounts, account.accountId);
  return { account, accountId: account.accountId, masterKey: token };
}

export async function createTestApiKey(
  services: Services,
  accountId: string,
  permissions: readonly Permission[] = ALL_PERMISSIONS,
  fixed?: { apiKey: string; apiSecret: string },
): Promise<TestApiKey> {
  const issued = await issueApiKey(services.accounts, accountId, permissions, fixed);
  return { ...issued, authorization: basicAuthorization(issued.apiKey, issued.apiSecret) };
}

export function createTestBucket(
  services: Services,
  accountId: string,
  input: { name?: string; public?: boolean; maxSizeBytes?: number } = {},
): Promise<BucketRecord> {
  return createBucket(services.buckets, {
    accountId,
    name: input.name ?? `bucket-${randomBytes(3).toString('hex')}`,
    public: input.public ?? true,
    maxSizeBytes: input.maxSizeBytes ?? services.config.DEFAULT_BUCKET_MAX_BYTES,
  });
}

export async function createTestApplicationToken(services: Services, accountId: string, bucketUuid: string): Promise<string> {
  return (await issueApplicationToken(services.accounts, accountId, bucketUuid)).token;
}

export interface TestTenant {
  readonly account: AccountRecord;
  readonly accountId: string;
  readonly masterKey: string;
  readonly apiKey: TestApiKey;
  readonly bucket: BucketRecord;
  readonly applicationToken: string;
  /** Ready-made credential headers for events. */
  readonly headers: {
    readonly master: Record<string, string>;
    readonly basic: Record<string, string>;
    readonly application: Record<string, string>;
  };
}

/** An account with a master key, an API key (`permissions`, default all), a bucket and a token for it. */
export async function createTestTenant(
  services: Services,
  options: { permissions?: readonly Permission[]; quotaBytes?: number; bucketName?: string; publicBucket?: boolean } = {},
): Promise<TestTenant> {
  const { account, accountId, masterKey } = await createTestAccount(services, { quotaBytes: options.quotaBytes });
  const [apiKey, bucket] = await Promise.all([
    createTestApiKey(services, accountId, options.permissions),
    createTestBucket(services, accountId, { name: options.bucketName, public: options.publicBucket }),
  ]);
  const applicationToken = await createTestApplicationToken(services, accountId, bucket.bucketUuid);
  return {
    account,
    accountId,
    masterKey,
    apiKey,
    bucket,
    applicationToken,
    headers: {
      master: { 'x-api-mkey': masterKey },
      basic: { authorization: apiKey.authorization },
      application: { 'x-api-akey': applicationToken },
    },
  };
}
