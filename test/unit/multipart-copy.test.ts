/**
 * The parts of a multipart copy (lib/store/multipart-copy.ts copyParts) within S3's limits: 10,000 parts of 5 MiB to
 * 5 GiB, the last smaller; the ranges inclusive, contiguous, covering the object.
 */
import { describe, expect, it } from 'vitest';
import { copyParts, S3_COPY_LIMITS } from '../../lib/store/multipart-copy';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;

/** The ranges cover 0…size-1 without gap or overlap, numbered from 1. */
function expectCovering(parts: ReturnType<typeof copyParts>, size: number): void {
  const gaps = parts.filter((part, index) => part.partNumber !== index + 1 || part.start !== (index === 0 ? 0 : parts[index - 1]!.end + 1) || part.end < part.start);
  expect(gaps).toEqual([]);
  expect(parts.at(-1)!.end).toBe(size - 1);
}

describe('copyParts', () => {
  it('cuts 12 MiB + 3 bytes into parts of the preferred 5 MiB, the last holding the rest', () => {
    // act
    const parts = copyParts(12 * MIB + 3, 5 * MIB);

    // assess
    expect(parts).toEqual([
      { partNumber: 1, start: 0, end: 5 * MIB - 1 },
      { partNumber: 2, start: 5 * MIB, end: 10 * MIB - 1 },
      { partNumber: 3, start: 10 * MIB, end: 12 * MIB + 2 },
    ]);
  });

  it('never makes a part under 5 MiB but the last, rounds the preferred size up to whole MiB', () => {
    // act
    const tiny = copyParts(11 * MIB, 1);
    const odd = copyParts(20 * MIB, 6 * MIB + 1);

    // assess
    expect(tiny.map((part) => part.end - part.start + 1)).toEqual([5 * MIB, 5 * MIB, MIB]);
    expect(odd.map((part) => part.end - part.start + 1)).toEqual([7 * MIB, 7 * MIB, 6 * MIB]);
  });

  it('copies 5 TiB in at most 10,000 parts of at most 5 GiB, larger than preferred when it must', () => {
    // act
    const parts = copyParts(5 * TIB, 512 * MIB);

    // assess
    expect(parts.length).toBeLessThanOrEqual(S3_COPY_LIMITS.maxParts);
    expect(parts[0]!.end + 1).toBe(525 * MIB);
    expect(Math.max(...parts.map((part) => part.end - part.start + 1))).toBeLessThanOrEqual(S3_COPY_LIMITS.maxPartBytes);
    expectCovering(parts, 5 * TIB);
  });

  it('refuses what S3 cannot hold in one object and sizes that are not positive integers', () => {
    // act / assess
    expect(() => copyParts(10_000 * 5 * GIB + 1, 512 * MIB)).toThrow(RangeError);
    expect(() => copyParts(0, 5 * MIB)).toThrow(RangeError);
    expect(() => copyParts(1.5, 5 * MIB)).toThrow(RangeError);
  });
});
