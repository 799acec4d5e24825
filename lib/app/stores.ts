import type { BandwidthStore, BlobStore, BucketStore, DeletionStore, DirectoryStore, DownloadTokenStore, EntryStore, IpnsStore, LifecycleStore, ListingStore, MoveStore, SessionStore, UploadStore } from '../core/ports';
import type { BucketPolicyStore } from '../core/ports/bucket-policy';
import { DynamoBandwidthStore } from '../store/bandwidth-store';
import { S3BlobStore } from '../store/blob-store';
import { DynamoBucketPolicyStore } from '../store/bucket-policy-store';
import { DynamoBucketStore } from '../store/bucket-store';
import { DynamoDeletionStore } from '../store/deletion-store';
import { DynamoDirectoryStore } from '../store/directory-store';
import { DynamoDownloadTokenStore } from '../store/download-token-store';
import { DynamoEntryStore } from '../store/entry-store';
import { DynamoIpnsStore } from '../store/ipns-store';
import { DynamoLifecycleStore } from '../store/lifecycle-store';
import { DynamoListingStore } from '../store/listing-store';
import { DynamoMoveStore } from '../store/move-store';
import { DynamoSessionStore } from '../store/session-store';
import { DynamoUploadStore } from '../store/upload-store';
import { extension, type CoreServices } from './core-services';

/**
 * The stores a function composes on top of the core services (lib/app/core-services.ts), one export each:
 * a function names those its domain calls use, `routeUsing(withStores(buckets, entries))`, and its bundle holds
 * those stores' modules and no other (each export is a plain object, so esbuild drops the ones no function
 * names, and their lib/store modules with them: test/unit/function-composition.test.ts holds every function to
 * it). The domain functions take `Pick<StorageDeps, …>` of what they use (lib/core/ports/storage.ts), so tsc
 * refuses a composition that lacks one. Tests and scripts build every store ({@link allStoresOf}, lib/app/all-services.ts).
 */
export interface Store<K extends string, S> {
  /** The store's name in the services (that of its port in StorageDeps, BandwidthDeps, …). */
  readonly key: K;
  /** Builds the store from the core services' table, clients and configuration; once per core services object. */
  readonly build: (core: CoreServices) => S;
}

/** Buckets and their counters (lib/core/ports/bucket-store.ts). */
export const buckets: Store<'buckets', BucketStore> = { key: 'buckets', build: ({ table }) => new DynamoBucketStore(table) };
/** Files and directories by uuid and path (lib/core/ports/entry-store.ts). */
export const entries: Store<'entries', EntryStore> = { key: 'entries', build: ({ table }) => new DynamoEntryStore(table) };
/** Directory and bucket listings (lib/core/ports/listing-store.ts). */
export const listings: Store<'listings', ListingStore> = { key: 'listings', build: ({ table }) => new DynamoListingStore(table) };
/** A file's status steps 1→4 (lib/core/ports/lifecycle-store.ts). */
export const lifecycle: Store<'lifecycle', LifecycleStore> = { key: 'lifecycle', build: ({ table }) => new DynamoLifecycleStore(table) };
/** Marks for deletion and the purge (lib/core/ports/deletion-store.ts). */
export const deletions: Store<'deletions', DeletionStore> = { key: 'deletions', build: ({ table }) => new DynamoDeletionStore(table) };
/** Directory and bucket-root CIDs and their stale marks (lib/core/ports/directory-store.ts). */
export const directories: Store<'directories', DirectoryStore> = { key: 'directories', build: ({ table }) => new DynamoDirectoryStore(table) };
/** Quantum one-time download tokens (lib/core/ports/download-token-store.ts). */
export const downloadTokens: Store<'downloadTokens', DownloadTokenStore> = { key: 'downloadTokens', build: ({ table }) => new DynamoDownloadTokenStore(table) };
/** Upload claims, reservations and commit intents (lib/core/ports/upload-store.ts). */
export const uploads: Store<'uploads', UploadStore> = { key: 'uploads', build: ({ table }) => new DynamoUploadStore(table) };
/** Apillon upload sessions (lib/core/ports/session-store.ts). */
export const sessions: Store<'sessions', SessionStore> = { key: 'sessions', build: ({ table }) => new DynamoSessionStore(table) };
/** Moves of an ended session's files under its directoryPath (lib/core/ports/move-store.ts). */
export const moves: Store<'moves', MoveStore> = { key: 'moves', build: ({ table }) => new DynamoMoveStore(table) };
/** Objects in the files bucket and its replica, presigned URLs (lib/core/ports/blob-store.ts). */
export const blobs: Store<'blobs', BlobStore> = {
  key: 'blobs',
  build: ({ clients, config }) => new S3BlobStore(clients.s3, config.FILES_BUCKET, config.REPLICA_BUCKET),
};
/** Buckets' upload policies (lib/core/ports/bucket-policy.ts). */
export const bucketPolicies: Store<'bucketPolicies', BucketPolicyStore> = { key: 'bucketPolicies', build: ({ table }) => new DynamoBucketPolicyStore(table) };
/** Bytes served per account and month (lib/core/read/bandwidth.ts). */
export const bandwidth: Store<'bandwidth', BandwidthStore> = { key: 'bandwidth', build: ({ table }) => new DynamoBandwidthStore(table) };
/** IPNS names and their records (lib/core/ports/ipns-store.ts). */
export const ipns: Store<'ipns', IpnsStore> = { key: 'ipns', build: ({ table }) => new DynamoIpnsStore(table) };

/** The services object the stores `P` add: each under its key. */
export type StoresOf<P extends readonly Store<string, unknown>[]> = { readonly [S in P[number] as S['key']]: ReturnType<S['build']> };

/**
 * The core services with the given stores (an {@link extension}: built once per core services object; stores the
 * given services already hold, as tests' complete ones do, are kept). Call it once, where the function is defined.
 */
export function withStores<const P extends readonly Store<string, unknown>[]>(...stores: P): <C extends CoreServices>(core: C) => C & StoresOf<P> {
  return extension((core) => built(stores, core));
}

/** Every store: no function composes them all (test/unit/function-composition.test.ts checks that esbuild drops what none names). */
const ALL_STORES = [buckets, entries, listings, lifecycle, deletions, directories, downloadTokens, uploads, sessions, moves, blobs, bucketPolicies, bandwidth, ipns] as const;

/** Every store, under its key (lib/app/services.ts `Services`). */
export type StoreServices = StoresOf<typeof ALL_STORES>;

/** Every store of `core`'s table and buckets: for tests and scripts (lib/app/all-services.ts `createServices`). */
export function allStoresOf(core: CoreServices): StoreServices {
  return built(ALL_STORES, core);
}

/** `stores` built from `core`, each under its key. */
function built<const P extends readonly Store<string, unknown>[]>(stores: P, core: CoreServices): StoresOf<P> {
  return Object.fromEntries(stores.map((store) => [store.key, store.build(core)])) as StoresOf<P>;
}
