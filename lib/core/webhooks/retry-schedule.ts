/**
 * When a webhook call that failed is tried again (issue 22): exponential backoff over 24 hours, with the
 * first three attempts within 3 minutes, so a receiver's brief outage costs seconds, not hours.
 *
 * Attempt n (n >= 2) runs `firstDelaySeconds × factor^(n-2)` seconds after attempt n-1, each gap at most
 * `maxDelaySeconds`; the attempt that would fall past `windowSeconds` runs at the window's end instead, and is
 * the last (then the delivery goes to the dead-letter queue). The default schedule, in seconds after the first
 * attempt: 0, 10, 60, 310, 1,560, 7,810, 36,610, 65,410, 86,400: nine attempts, three of them in the first minute.
 */
export interface RetrySchedule {
  /** Seconds between the first and the second attempt. */
  readonly firstDelaySeconds: number;
  /** Each gap is this many times the one before. */
  readonly factor: number;
  /** No gap is longer (seconds). */
  readonly maxDelaySeconds: number;
  /** The last attempt runs this long after the first (seconds). */
  readonly windowSeconds: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  firstDelaySeconds: 10,
  factor: 5,
  maxDelaySeconds: 8 * 60 * 60,
  windowSeconds: 24 * 60 * 60,
};

/**
 * The default schedule with every time scaled so the first gap is `firstDelaySeconds` (whole seconds, >= 1):
 * what WEBHOOK_RETRY_FIRST_DELAY_SECONDS sets, for tests that watch retries in seconds rather than minutes.
 */
export function scaledRetrySchedule(firstDelaySeconds: number): RetrySchedule {
  const scale = firstDelaySeconds / DEFAULT_RETRY_SCHEDULE.firstDelaySeconds;
  return {
    firstDelaySeconds,
    factor: DEFAULT_RETRY_SCHEDULE.factor,
    maxDelaySeconds: Math.round(DEFAULT_RETRY_SCHEDULE.maxDelaySeconds * scale),
    windowSeconds: Math.round(DEFAULT_RETRY_SCHEDULE.windowSeconds * scale),
  };
}

/** Every attempt's time, in whole seconds after the first attempt (the first is 0). */
export function attemptOffsets(schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number[] {
  const offsets = [0];
  let gap = schedule.firstDelaySeconds;
  for (;;) {
    const last = offsets[offsets.length - 1]!;
    const next = last + Math.round(Math.min(gap, schedule.maxDelaySeconds));
    if (next >= schedule.windowSeconds) {
      if (last < schedule.windowSeconds) offsets.push(schedule.windowSeconds);
      return offsets;
    }
    offsets.push(next);
    gap *= schedule.factor;
  }
}

/**
 * Seconds to wait after attempt `attempt` (1-based) failed before the next one; undefined when it was the last.
 */
export function delayAfterAttempt(attempt: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number | undefined {
  const offsets = attemptOffsets(schedule);
  if (!Number.isInteger(attempt) || attempt < 1 || attempt >= offsets.length) return undefined;
  return offsets[attempt]! - offsets[attempt - 1]!;
}
