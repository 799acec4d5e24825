import { describe, expect, it } from 'vitest';
import { attemptOffsets, DEFAULT_RETRY_SCHEDULE, delayAfterAttempt, scaledRetrySchedule } from '../../lib/core/webhooks/retry-schedule';

describe('webhook retry schedule', () => {
  it('tries three times within 3 minutes, then backs off exponentially, and ends at 24 hours', () => {
    // act
    const offsets = attemptOffsets(DEFAULT_RETRY_SCHEDULE);
    // assess
    expect(offsets).toEqual([0, 10, 60, 310, 1560, 7810, 36610, 65410, 86400]);
    expect(offsets[2]).toBeLessThanOrEqual(180);
    expect(offsets.at(-1)).toBe(24 * 60 * 60);
    const gaps = offsets.slice(1).map((offset, i) => offset - offsets[i]!);
    for (let i = 1; i < gaps.length - 1; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(DEFAULT_RETRY_SCHEDULE.maxDelaySeconds);
  });

  it('gives the delay after each attempt, and none after the last', () => {
    // assess
    expect([1, 2, 3, 4].map((attempt) => delayAfterAttempt(attempt))).toEqual([10, 50, 250, 1250]);
    expect(delayAfterAttempt(8)).toBe(86400 - 65410);
    expect(delayAfterAttempt(9)).toBeUndefined();
    expect(delayAfterAttempt(0)).toBeUndefined();
    expect(delayAfterAttempt(1.5)).toBeUndefined();
  });

  it('scales every time with the first delay (the tests’ setting)', () => {
    // act
    const fast = scaledRetrySchedule(1);
    // assess: 1 s then 5 s, and the window is 8,640 s
    expect(attemptOffsets(fast).slice(0, 3)).toEqual([0, 1, 6]);
    expect(attemptOffsets(fast).at(-1)).toBe(8640);
    expect(scaledRetrySchedule(10)).toEqual(DEFAULT_RETRY_SCHEDULE);
  });
});
