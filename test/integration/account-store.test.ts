import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { createAccount, issueApiKey, issueApplicationToken, issueMasterKey } from '../../lib/core/access/accounts';
import { Permission } from '../../lib/core/access/principal';
import { credentialIdForToken, secretMatches } from '../../lib/core/access/secrets';
import type { Services } from '../../lib/app/services';
import type { CredentialRecord } from '../../lib/core/ports';
import { tenantTest } from '../support/fixtures';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

describe('accounts', () => {
  it('creates an account and reads it back', async () => {
    // act
    const created = await createAccount(services.accounts, { name: 'alice', quotaBytes: 1000 });
    const read = await services.accounts.getAccount(created.accountId);

    // assess
    expect(read).toEqual(created);
    expect(created).toMatchObject({ name: 'alice', quotaBytes: 1000, usedBytes: 0 });
  });

  it('returns undefined for an unknown account', async () => {
    // act
    const read = await services.accounts.getAccount('00000000-0000-4000-8000-000000000000');

    // assess
    expect(read).toBeUndefined();
  });

  it('refuses to create an account id twice', async () => {
    // prepare
    const first = await createAccount(services.accounts, { name: 'bob', quotaBytes: 1 });

    // act
    const second = createAccount(services.accounts, { name: 'mallory', quotaBytes: 2, accountId: first.accountId });

    // assess
    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect((await services.accounts.getAccount(first.accountId))?.name).toBe('bob');
  });

  it('sets the quota of an existing account only', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'carol', quotaBytes: 10 });

    // act
    const updated = await services.accounts.setQuota(account.accountId, 5000);
    const missing = await services.accounts.setQuota('00000000-0000-4000-8000-000000000001', 5000);

    // assess
    expect([updated, missing]).toEqual([true, false]);
    expect((await services.accounts.getAccount(account.accountId))?.quotaBytes).toBe(5000);
    expect(await services.accounts.getAccount('00000000-0000-4000-8000-000000000001')).toBeUndefined();
  });

  it('lists the accounts of the table', async () => {
    // prepare
    const before = await services.accounts.listAccounts();
    const added = await Promise.all([
      createAccount(services.accounts, { name: 'list-1', quotaBytes: 1 }),
      createAccount(services.accounts, { name: 'list-2', quotaBytes: 1 }),
    ]);

    // act
    const after = await services.accounts.listAccounts();

    // assess
    expect(after).toHaveLength(before.length + 2);
    expect(after).toEqual(expect.arrayContaining(added));
  });
});

describe('credentials', () => {
  it('stores an API key with a hash of its secret, never the secret', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'keys', quotaBytes: 1 });

    // act
    const issued = await issueApiKey(services.accounts, account.accountId, [Permission.READ, Permission.READ, Permission.WRITE]);
    const stored = await services.accounts.getCredential(issued.apiKey);

    // assess
    expect(stored).toMatchObject({ credentialId: issued.apiKey, kind: 'api', accountId: account.accountId, permissions: [52, 51] });
    expect(JSON.stringify(stored)).not.toContain(issued.apiSecret);
    expect(secretMatches(issued.apiSecret, stored!.secretHash)).toBe(true);
  });

  it('stores a master key under an id derived from the key', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'master', quotaBytes: 1 });

    // act
    const issued = await issueMasterKey(services.accounts, account.accountId);
    const stored = await services.accounts.getCredential(credentialIdForToken(issued.token));

    // assess
    expect(issued.token).toMatch(/^mk_/);
    expect(stored).toMatchObject({ credentialId: issued.credentialId, kind: 'master', accountId: account.accountId });
    expect(JSON.stringify(stored)).not.toContain(issued.token);
  });

  it('refuses to overwrite an existing credential id', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'dup', quotaBytes: 1 });
    const fixed = { apiKey: `fixed-${account.accountId}`, apiSecret: 'first' };
    await issueApiKey(services.accounts, account.accountId, [Permission.READ], fixed);

    // act
    const again = issueApiKey(services.accounts, account.accountId, [Permission.READ], { ...fixed, apiSecret: 'second' });

    // assess
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const stored = await services.accounts.getCredential(fixed.apiKey);
    expect(secretMatches('first', stored!.secretHash)).toBe(true);
  });

  it('deletes a credential, returning what it deleted', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'revoke', quotaBytes: 1 });
    const issued = await issueApiKey(services.accounts, account.accountId, [Permission.READ]);

    // act
    const deleted = await services.accounts.deleteCredential(issued.apiKey);
    const deletedAgain = await services.accounts.deleteCredential(issued.apiKey);

    // assess
    expect(deleted?.credentialId).toBe(issued.apiKey);
    expect(deletedAgain).toBeUndefined();
    expect(await services.accounts.getCredential(issued.apiKey)).toBeUndefined();
  });

  it('lists an account’s keys, and a bucket’s application tokens separately', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'lists', quotaBytes: 1 });
    const other = await createAccount(services.accounts, { name: 'other', quotaBytes: 1 });
    const master = await issueMasterKey(services.accounts, account.accountId);
    const apiKey = await issueApiKey(services.accounts, account.accountId, [Permission.EXECUTE]);
    const token = await issueApplicationToken(services.accounts, account.accountId, 'bucket-a');
    await issueApplicationToken(services.accounts, account.accountId, 'bucket-b');
    await issueApiKey(services.accounts, other.accountId, [Permission.READ]);

    // act
    const credentials = await services.accounts.listCredentials(account.accountId);
    const tokens = await services.accounts.listBucketTokens('bucket-a');

    // assess
    const ids = (records: CredentialRecord[]) => records.map((record) => record.credentialId).sort();
    expect(ids(credentials)).toEqual([master.credentialId, apiKey.apiKey].sort());
    expect(ids(tokens)).toEqual([token.credentialId]);
    expect(tokens[0]).toMatchObject({ kind: 'app', bucketUuid: 'bucket-a', accountId: account.accountId });
  });

  it('no longer lists a deleted credential', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'gone', quotaBytes: 1 });
    const kept = await issueApiKey(services.accounts, account.accountId, [Permission.READ]);
    const revoked = await issueApiKey(services.accounts, account.accountId, [Permission.READ]);
    await services.accounts.deleteCredential(revoked.apiKey);

    // act
    const credentials = await services.accounts.listCredentials(account.accountId);

    // assess
    expect(credentials.map((record) => record.credentialId)).toEqual([kept.apiKey]);
  });

  it('returns records without the table’s key attributes', async () => {
    // prepare
    const account = await createAccount(services.accounts, { name: 'clean', quotaBytes: 1 });
    const issued = await issueApiKey(services.accounts, account.accountId, [Permission.READ]);

    // act
    const [stored, listed, read] = await Promise.all([
      services.accounts.getCredential(issued.apiKey),
      services.accounts.listCredentials(account.accountId),
      services.accounts.getAccount(account.accountId),
    ]);

    // assess
    for (const record of [stored, listed[0], read]) {
      for (const keyAttribute of ['pk', 'sk', 'refPk', 'refSk']) expect(record).not.toHaveProperty(keyAttribute);
    }
  });
});
