/**
 * DynamoDB keys of the IPFS features (bandwidth metering, IPNS names). They
 * belong in keys.ts with the rest of the table's keys; they live here only
 * until the lead folds them in (keys.ts was being changed in parallel):
 *
 * | item                 | pk                        | sk                    | secondary keys                      |
 * |----------------------|---------------------------|-----------------------|-------------------------------------|
 * | bandwidth counter    | ACCOUNT#<accountId>       | BANDWIDTH#<yyyy-mm>   |                                     |
 * | IPNS name            | IPNS#<ipnsUuid>           | IPNS                  | refPk BUCKET#<id>#IPNS (sk = time)  |
 * | IPNS name lookup     | IPNSNAME#<ipnsName>       | IPNSNAME              |                                     |
 */
export const ipfsKeys = {
  /** One counter per account and calendar month (UTC), so a month's figure needs no reset job. */
  bandwidth: (accountId: string, month: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `BANDWIDTH#${month}` }),
  ipns: (ipnsUuid: string) => ({ pk: `IPNS#${ipnsUuid}`, sk: 'IPNS' }),
  bucketIpnsRef: (bucketUuid: string) => `BUCKET#${bucketUuid}#IPNS`,
  ipnsName: (ipnsName: string) => ({ pk: `IPNSNAME#${ipnsName}`, sk: 'IPNSNAME' }),
} as const;
