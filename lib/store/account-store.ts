import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { queryRecords, stripKeys, type Table, writeOrFalse, getConsistent } from './table';
import type { AccountRecord, AccountStore, CredentialRecord } from '../core/ports';




const ACCOUNTS_REF = 'ACCOUNTS';

export class DynamoAccountStore implements AccountStore {
  constructor(private readonly table: Table) {}

  async createAccount(account: AccountRecord): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...keys.account(account.accountId), refPk: ACCOUNTS_REF, refSk: account.createdAt, ...account },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    const Item = await getConsistent(this.table, keys.account(accountId));
    return Item ? stripKeys<AccountRecord>(Item) : undefined;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    // ByRef is KEYS_ONLY (docs/index-plan.md): the records are read from the table.
    const items = await queryRecords(this.table, {
      IndexName: 'ByRef',
      KeyConditionExpression: 'refPk = :ref',
      ExpressionAttributeValues: { ':ref': ACCOUNTS_REF },
    });
    return items.map((item) => stripKeys<AccountRecord>(item));
  }

  async setQuota(accountId: string, quotaBytes: number): Promise<boolean> {
    return writeOrFalse(() => this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.account(accountId),
          UpdateExpression: 'SET quotaBytes = :quota',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':quota': quotaBytes },
        }),
      ));
  }

  async putCredential(credential: CredentialRecord): Promise<void> {
    const ref =
      credential.kind === 'app'
        ? keys.bucketTokensRef(credential.bucketUuid ?? '')
        : keys.accountCredentialsRef(credential.accountId);
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...keys.credential(credential.credentialId),
          refPk: ref,
          refSk: `${credential.createdAt}#${credential.credentialId}`,
          ...credential,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getCredential(credentialId: string): Promise<CredentialRecord | undefined> {
    const Item = await getConsistent(this.table, keys.credential(credentialId));
    return Item ? stripKeys<CredentialRecord>(Item) : undefined;
  }

  async deleteCredential(credentialId: string): Promise<CredentialRecord | undefined> {
    const { Attributes } = await this.table.client.send(
      new DeleteCommand({ TableName: this.table.name, Key: keys.credential(credentialId), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes ? stripKeys<CredentialRecord>(Attributes) : undefined;
  }

  async listCredentials(accountId: string): Promise<CredentialRecord[]> {
    return this.queryRef(keys.accountCredentialsRef(accountId));
  }

  async listBucketTokens(bucketUuid: string): Promise<CredentialRecord[]> {
    return this.queryRef(keys.bucketTokensRef(bucketUuid));
  }

  private async queryRef(refPk: string): Promise<CredentialRecord[]> {
    const items = await queryRecords(this.table, {
      IndexName: 'ByRef',
      KeyConditionExpression: 'refPk = :ref',
      ExpressionAttributeValues: { ':ref': refPk },
    });
    return items.map((item) => stripKeys<CredentialRecord>(item));
  }
}
