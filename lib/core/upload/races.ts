import { AppError } from '../../errors';

/**
 * Optimistic concurrency for the upload path: a batch is decided over one read
 * and written with conditions; a write that loses to a concurrent request reads
 * again and decides again. Under contention (many requests replacing one path,
 * creating one folder) the losers wait a random, growing time before they try
 * again ("full jitter", as AWS's architecture blog recommends for retries), so
 * one of them wins each round instead of all colliding again.
 */

/** How often a decision is taken again after losing a race: enough for 16+ writers on one path. */
export const DECIDE_ATTEMPTS = 12;
/** The longest wait between two attempts (ms). */
const MAX_BACKOFF_MS = 400;

/** Waits before attempt `attempt` (1, 2, …): a random time up to 10 ms × 2^attempt, at most 400 ms. */
export function backoffBeforeRetry(attempt: number): Promise<void> {
  const ceiling = Math.min(MAX_BACKOFF_MS, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** What a request answers when it lost every attempt: 409, try again (nothing of it was kept). */
export function lostTooManyRaces(cause: string): AppError {
  return new AppError('concurrentUpdate', { cause: new Error(cause) });
}
