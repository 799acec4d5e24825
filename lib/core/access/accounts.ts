import type { AccountRecord, AccountStore, CredentialRecord } from '../ports';
import { ALL_PERMISSIONS, type Permission } from './principal';
import { credentialIdForToken, generateSecret, generateToken, hashSecret, newUuid } from './secrets';

/** Account administration: what the admin command-line tool and the local seeding do. */

export async function createAccount(
  store: AccountStore,
  input: { name: string; quotaBytes: number; accountId?: string },
): Promise<AccountRecord> {
  const account: AccountRecord = {
    accountId: input.accountId ?? newUuid(),
    name: input.name,
    quotaBytes: input.quotaBytes,
    usedBytes: 0,
    createdAt: new Date().toISOString(),
  };
  await store.createAccount(account);
  return account;
}

export interface IssuedToken {
  readonly credentialId: string;
  /** Shown once; only its hash is stored. */
  readonly token: string;
}

export async function issueMasterKey(store: AccountStore, accountId: string, fixedKey?: string): Promise<IssuedToken> {
  const token = fixedKey ?? generateToken('mk');
  const credential = tokenCredential('master', accountId, token, ALL_PERMISSIONS);
  await store.putCredential(credential);
  return { credentialId: credential.credentialId, token };
}

export async function issueApplicationToken(
  store: AccountStore,
  accountId: string,
  bucketUuid: string,
): Promise<IssuedToken> {
  const token = generateToken('at');
  const credential = { ...tokenCredential('app', accountId, token, ALL_PERMISSIONS), bucketUuid };
  await store.putCredential(credential);
  return { credentialId: credential.credentialId, token };
}

export interface IssuedApiKey {
  readonly apiKey: string;
  /** Shown once; only its hash is stored. */
  readonly apiSecret: string;
  readonly permissions: readonly Permission[];
}

export async function issueApiKey(
  store: AccountStore,
  accountId: string,
  permissions: readonly Permission[],
  fixed?: { apiKey: string; apiSecret: string },
): Promise<IssuedApiKey> {
  const apiKey = fixed?.apiKey ?? newUuid();
  const apiSecret = fixed?.apiSecret ?? generateSecret();
  await store.putCredential({
    credentialId: apiKey,
    kind: 'api',
    accountId,
    secretHash: hashSecret(apiSecret),
    permissions: [...new Set(permissions)],
    createdAt: new Date().toISOString(),
  });
  return { apiKey, apiSecret, permissions };
}

function tokenCredential(
  kind: 'master' | 'app',
  accountId: string,
  token: string,
  permissions: readonly Permission[],
): CredentialRecord {
  return {
    credentialId: credentialIdForToken(token),
    kind,
    accountId,
    secretHash: hashSecret(token),
    permissions,
    createdAt: new Date().toISOString(),
  };
}
