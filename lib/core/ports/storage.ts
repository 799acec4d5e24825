import type { CidSlice } from '../model/cid-slice';
import type { WebhookQueue } from './webhook-queue';
import type { WebhookStore } from './webhook-store';
import type { Logger } from '../../log';
import type { AccountStore } from '.';
import type { BlobCopyStore, BlobStore, BlobStreamStore, CopySlice } from '.';
import type { BucketStore } from '.';
import type { Metrics } from './metrics';
import type { DeletionStore, DirectoryStore, DownloadTokenStore, EntryStore, LifecycleQueue, LifecycleStore, ListingStore, MoveStore, SessionStore, UploadStore } from '.';

/**
 * The storage core's dependencies: the ports it works with (adapters live in
 * lib/store). The core itself is split by job: admission.ts (what may be
 * stored), uploads.ts (upload requests), tree.ts (directories), lifecycle.ts
 * (status 1→4), directories.ts (directory CIDs), staged-commit.ts (atomic multi-file adds), sweeper.ts,
 * deletion.ts, download-tokens.ts, lookup.ts.
 *
 * Each domain function takes only the ports it (and what it calls) uses, `Pick<StorageDeps, …>`: a function's
 * composition builds only those stores (lib/app/stores.ts), and tsc checks that it builds every one its domain
 * calls need. Tests and scripts build them all (lib/app/all-services.ts).
 */
export interface StorageDeps {
  readonly accounts: AccountStore;
  readonly buckets: BucketStore;
  readonly entries: EntryStore;
  readonly listings: ListingStore;
  readonly lifecycle: LifecycleStore;
  readonly deletions: DeletionStore;
  /** Directory and bucket-root CIDs and their stale marks (lib/core/directories/directories.ts). */
  readonly directories: DirectoryStore;
  readonly downloadTokens: DownloadTokenStore;
  readonly uploads: UploadStore;
  /** Apillon upload sessions: a commit reads its file's session to place it under the session's `directoryPath`. */
  readonly sessions: SessionStore;
  /** Placing an ended session's files under its `directoryPath` (session-wrap.ts). */
  readonly moves: MoveStore;
  readonly blobs: BlobStore;
  /** Where committed files go on to their next lifecycle steps; absent where no queue is configured (the sweeper then completes them). */
  readonly lifecycleQueue?: LifecycleQueue;
  /** Bucket webhooks (issue 22): a settled file's run announces its session's files.ready (lib/core/webhooks/announce.ts). */
  readonly webhooks?: WebhookStore;
  /** Where files.ready deliveries go; absent where no queue is configured (nothing is announced then). */
  readonly webhookQueue?: WebhookQueue;
  readonly logger: Logger;
  /** Counts and timings of the core (lib/core/ports/metrics.ts); `Services.metrics` in the functions. */
  readonly metrics: Metrics;
  /** Presigned URLs (upload PUT, large download GET) expire after this many seconds (60, SPEC §1). */
  readonly presignTtlSeconds: number;
  /** How much of an object one invocation hashes before handing on (lib/core/lifecycle/sliced-cids.ts); default 30 s. */
  readonly cidSlice?: CidSlice;
}

/** What the lifecycle's commit and replication steps add (lib/core/lifecycle/lifecycle.ts): the object-created and sweep-stranded functions. */
export interface BlobCopyDeps {
  readonly blobCopies: BlobCopyStore;
  /**
   * How much of a copy in parts one invocation does before it hands on through the lifecycle queue (issue 21); absent,
   * or without a queue, a copy finishes in the invocation that began it.
   */
  readonly copySlice?: CopySlice;
}

/** The storage core's dependencies with the copy store: everything the lifecycle functions may use (tests build it whole). */
export interface LifecycleDeps extends StorageDeps, BlobCopyDeps {}

/** What writing a derived object as it is produced adds (lib/gateway/trustless-views.ts: the gateways' CARs). */
export interface BlobStreamDeps {
  readonly blobStreams: BlobStreamStore;
}

/**
 * Largest file a download answers with its bytes (Quantum download, IPFS
 * gateway): Lambda's 6 MB response cap, less the base64 growth and headers.
 * Larger files are a 302 to a presigned GET.
 */
export const INLINE_DOWNLOAD_MAX_BYTES = 4 * 1024 * 1024;
