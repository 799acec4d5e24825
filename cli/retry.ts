/**
 * When and how long the CLI waits before it tries a request again. Pure, unit-tested
 * (test/unit/cli/retry.test.ts).
 *
 * Retried: network errors (no answer), 5xx answers, 429, and S3's 503 SlowDown; a
 * `Retry-After` header (seconds or an HTTP date, RFC 9110 §10.2.3) is honoured when it
 * asks for longer than the backoff. Not retried: every other 4xx (the request itself is
 * wrong; trying again changes nothing).
 */

/** Retry settings: `attempts` in all (first included), delays in ms. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 20_000 };

/** Whether an HTTP status is worth another try (5xx and 429; 4xx are the caller's fault). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (relative to `now`, ms since the epoch);
 * undefined when absent or unparsable. Negative dates give 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait (ms) before attempt `attempt + 1` after attempt `attempt` (1-based) failed:
 * exponential backoff with full jitter (`random()` in [0, 1)), at least `retryAfterMs`
 * when the server asked for it, at most `policy.maxDelayMs` (a Retry-After above it is
 * capped too, so a server cannot park the CLI for hours).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * How long `--wait` sleeps before it reads the files' statuses again, in ms: every second while they move (a file
 * reaches status 4 a few seconds after its bytes), every 5 s once nothing has changed for 30 s (a long queue or a
 * slow CID: fewer listing calls while it waits). `msSinceChange`: ms since the count of settled files last changed.
 */
export function waitPollDelay(msSinceChange: number): number {
  return msSinceChange < 30_000 ? 1_000 : 5_000;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
