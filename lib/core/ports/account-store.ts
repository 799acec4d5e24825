/**
 * The core's `AccountStore` port (implemented in lib/store/account-store.ts).
 */
import type { AccountRecord, CredentialRecord } from '../model/records';

/** Accounts and their credentials (master keys, API keys, application tokens). */
export interface AccountStore {
  createAccount(account: AccountRecord): Promise<void>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Sets an account's quota; false when the account does not exist. */
  setQuota(accountId: string, quotaBytes: number): Promise<boolean>;
  putCredential(credential: CredentialRecord): Promise<void>;
  getCredential(credentialId: string): Promise<CredentialRecord | undefined>;
  /** Deletes a credential; returns the deleted record, or undefined when there was none. */
  deleteCredential(credentialId: string): Promise<CredentialRecord | undefined>;
  listCredentials(accountId: string): Promise<CredentialRecord[]>;
  listBucketTokens(bucketUuid: string): Promise<CredentialRecord[]>;
}
