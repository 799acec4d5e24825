/**
 * The ports of the storage core, one file each (lib/core/ports/<name>.ts), and the records they carry
 * (lib/core/model/records.ts): what the core needs from storage, owned here; the DynamoDB, S3, SQS and
 * SSM adapters in lib/store implement them. This file only re-exports them, for imports of the whole set.
 */
export type * from '../model/records';
export type * from './account-store';
export type * from './blob-store';
export type * from './bucket-store';
export type * from './deletion-store';
export type * from './directory-store';
export type * from './download-token-store';
export type * from './entry-store';
export type * from './lifecycle-queue';
export type * from './lifecycle-store';
export type * from './listing-store';
export type * from './move-store';
export type * from './session-store';
export type * from './upload-store';
export type * from './ipns-store';
export type * from './key-sealer';
export type * from './bandwidth-store';
export type * from './block-index';
