/**
 * Where bucket webhooks, their delivery logs and the "files ready" claims live
 * (lib/store/webhook-store.ts on DynamoDB). Issue 22.
 */

/** How a webhook call authenticates to its receiver (Apillon's bucket webhook `authType`). */
export type WebhookAuthType = 'basic' | 'bearer';

/** One bucket's webhook, as stored. */
export interface WebhookRecord {
  readonly bucketUuid: string;
  readonly accountId: string;
  /** The receiver, an absolute http(s) URL. */
  readonly url: string;
  readonly authType?: WebhookAuthType;
  /** basic: the user name; bearer: the token. */
  readonly param1?: string;
  /** basic: the password. */
  readonly param2?: string;
  /** The Standard Webhooks signing secret, `whsec_<base64 of 24 random bytes>`; shown once, when the webhook is created. */
  readonly secret: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One delivery attempt, as the delivery log keeps it. */
export interface DeliveryAttempt {
  /** The Standard Webhooks `webhook-id` (stable across the attempts of one event). */
  readonly eventId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** ISO 8601, when the attempt started. */
  readonly at: string;
  /** The receiver's HTTP status; absent when no answer came (refused target, timeout, connection error). */
  readonly statusCode?: number;
  /** Why the attempt failed without a status code, or that it was the last one (`dead-lettered`). */
  readonly error?: string;
  /** Milliseconds the attempt took. */
  readonly durationMs: number;
}

/** What a claim of a ready session returns: the session as it is after the claim. */
export interface ReadySession {
  readonly sessionUuid: string;
  readonly bucketUuid: string;
  /** Upload requests made in the session, and how many of them reached a final status (4 or an error status). */
  readonly fileCount: number;
  readonly settledCount: number;
  /** ISO 8601: when the claim was taken (the event's `timestamp`). */
  readonly readyAt: string;
}

export interface WebhookStore {
  /** The bucket's webhook, undefined when none is set. */
  get(bucketUuid: string): Promise<WebhookRecord | undefined>;
  /**
   * Creates the bucket's webhook when it has none (true), else replaces its url and credentials and keeps
   * its secret and createdAt (false: `webhook.secret` was not stored).
   */
  put(webhook: WebhookRecord): Promise<boolean>;
  /** Removes the bucket's webhook and its delivery log; false when there was none. */
  delete(bucketUuid: string): Promise<boolean>;
  /** Appends an attempt to the bucket's delivery log (kept DELIVERY_LOG_DAYS days). */
  logAttempt(bucketUuid: string, attempt: DeliveryAttempt): Promise<void>;
  /** The bucket's last `limit` attempts, newest first. */
  lastAttempts(bucketUuid: string, limit: number): Promise<DeliveryAttempt[]>;
  /**
   * Takes the one right to announce that an ended session's files are all settled: a conditional write
   * on the session (ended, settledCount >= fileCount > 0, not claimed yet), so of any number of concurrent
   * callers exactly one gets the session back; the others (and every caller while files are still on their way)
   * get undefined.
   */
  claimReadySession(sessionUuid: string, nowIso: string): Promise<ReadySession | undefined>;
  /** Gives a claim back (its announcement could not be queued), so the next caller takes it again. */
  releaseReadySession(sessionUuid: string, readyAt: string): Promise<void>;
  /** The same for a single upload of no session: one claim per file (status 4 reached, not claimed yet). */
  claimReadyFile(fileUuid: string, nowIso: string): Promise<boolean>;
  releaseReadyFile(fileUuid: string): Promise<void>;
  /**
   * A claim is also an outbox entry: it puts the session (or file) into the sweeper's index (ByPendingStep, at
   * `readyAt`), so a run that dies between the claim and the queue leaves the event for the sweeper instead of
   * losing it. This takes it out once the event is queued (only while the claim is still the one of `readyAt`).
   */
  markQueued(subject: { readonly sessionUuid: string } | { readonly fileUuid: string }, readyAt: string): Promise<void>;
  /** A session whose files.ready is claimed but not queued (the sweeper's outbox item): its claim, or undefined. */
  unqueuedSession(sessionUuid: string): Promise<ReadySession | undefined>;
}

/** How long the delivery log keeps an attempt (DynamoDB TTL). */
export const DELIVERY_LOG_DAYS = 30;
