import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createAccount, issueApiKey, issueMasterKey } from '../core/access/accounts';
import { createBucket } from '../core/access/buckets';
import { ALL_PERMISSIONS } from '../core/access/principal';
import { credentialIdForToken, generateSecret, generateToken, newUuid, secretMatches } from '../core/access/secrets';
import type { Services } from '../app/services';

/** The local account a developer gets on first start, printed so it can be pasted into curl. */
export interface LocalAccount {
  readonly accountId: string;
  readonly masterKey: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly bucketUuid: string;
  readonly bucketName: string;
}

export interface SeedOptions {
  /** Where the local account is remembered between restarts (git-ignored); none for in-memory runs. */
  readonly statePath?: string;
  /** LOCAL_MASTER_KEY, LOCAL_API_KEY, LOCAL_API_SECRET: fixed credentials for scripts and tests. */
  readonly fixed: { masterKey?: string; apiKey?: string; apiSecret?: string };
}

/** Creates (or finds again) the local account, its credentials and a bucket. Idempotent. */
export async function seedLocalAccount(services: Services, options: SeedOptions): Promise<LocalAccount> {
  const remembered = readState(options.statePath);
  const { accounts, buckets, config } = services;

  let accountId = remembered?.accountId;
  if (!accountId || !(await accounts.getAccount(accountId))) {
    accountId = (await createAccount(accounts, { name: 'local', quotaBytes: config.DEFAULT_QUOTA_BYTES })).accountId;
  }

  const masterKey = options.fixed.masterKey ?? remembered?.masterKey ?? generateToken('mk');
  const existingMaster = await accounts.getCredential(credentialIdForToken(masterKey));
  if (!existingMaster) await issueMasterKey(accounts, accountId, masterKey);
  else if (existingMaster.accountId !== accountId) throw new Error('LOCAL_MASTER_KEY belongs to another account.');

  const apiKey = options.fixed.apiKey ?? remembered?.apiKey ?? newUuid();
  const apiSecret = options.fixed.apiSecret ?? remembered?.apiSecret ?? generateSecret();
  const existingApiKey = await accounts.getCredential(apiKey);
  if (existingApiKey && (existingApiKey.accountId !== accountId || !secretMatches(apiSecret, existingApiKey.secretHash))) {
    await accounts.deleteCredential(apiKey);
  }
  if (!existingApiKey || !secretMatches(apiSecret, existingApiKey.secretHash) || existingApiKey.accountId !== accountId) {
    await issueApiKey(accounts, accountId, ALL_PERMISSIONS, { apiKey, apiSecret });
  }

  const bucketName = 'local';
  const bucket =
    (await buckets.getByName(accountId, bucketName)) ??
    (await createBucket(buckets, {
      accountId,
      name: bucketName,
      description: 'Bucket of the local development account',
      public: true,
      maxSizeBytes: config.DEFAULT_BUCKET_MAX_BYTES,
    }));

  const account: LocalAccount = { accountId, masterKey, apiKey, apiSecret, bucketUuid: bucket.bucketUuid, bucketName };
  writeState(options.statePath, account);
  return account;
}

function readState(statePath: string | undefined): LocalAccount | undefined {
  if (!statePath || !existsSync(statePath)) return undefined;
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as LocalAccount;
  } catch {
    return undefined;
  }
}

function writeState(statePath: string | undefined, account: LocalAccount): void {
  if (!statePath) return;
  mkdirSync(path.dirname(statePath), { recursive: true });
  writeFileSync(statePath, `${JSON.stringify(account, null, 2)}\n`, { mode: 0o600 });
}
