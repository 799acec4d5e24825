import { describe, expect, it } from 'vitest';
import { MAX_MULTIPART_OBJECT_BYTES, MAX_PART_BYTES, MAX_PARTS, MIB, MIN_PART_BYTES, partLength, planParts } from '../../lib/core/upload/multipart-plan';

describe('planParts', () => {
  it.each([
    [0, 5 * MIB, 1],
    [1, 5 * MIB, 1],
    [5 * MIB, 5 * MIB, 1],
    [5 * MIB + 1, 5 * MIB, 2],
    [30 * MIB, 5 * MIB, 6],
    [50_000 * MIB, 5 * MIB, 10_000],
    [50_000 * MIB + 1, 6 * MIB, 8334],
    [MAX_MULTIPART_OBJECT_BYTES, 525 * MIB, 9987],
  ])('cuts %i bytes into parts of %i bytes, %i of them', (size, partSize, partCount) => {
    // act
    const plan = planParts(size);

    // assess
    expect(plan).toEqual({ size, partSize, partCount });
  });

  it('stays within S3’s limits at every size (≥ 5 MiB and ≤ 5 GiB a part, ≤ 10,000 parts, the parts add up)', () => {
    for (let size = 0; size <= MAX_MULTIPART_OBJECT_BYTES; size += 7_919 * 1_000_003) {
      const plan = planParts(size);
      expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_BYTES);
      expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_BYTES);
      expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
      const last = partLength(plan, plan.partCount);
      expect(last).toBeGreaterThanOrEqual(size === 0 ? 0 : 1);
      expect(last).toBeLessThanOrEqual(plan.partSize);
      expect(plan.partSize * (plan.partCount - 1) + last).toBe(size);
    }
  });

  it('refuses sizes S3 cannot hold, and part numbers outside the plan', () => {
    expect(() => planParts(MAX_MULTIPART_OBJECT_BYTES + 1)).toThrow(RangeError);
    expect(() => planParts(-1)).toThrow(RangeError);
    expect(() => planParts(1.5)).toThrow(RangeError);
    expect(() => partLength(planParts(30 * MIB), 7)).toThrow(RangeError);
    expect(() => partLength(planParts(30 * MIB), 0)).toThrow(RangeError);
  });

  it('gives each part its length: partSize, then the rest', () => {
    const plan = planParts(11 * MIB);
    expect([1, 2, 3].map((n) => partLength(plan, n))).toEqual([5 * MIB, 5 * MIB, 1 * MIB]);
  });
});
