import { describe, expect, it } from 'vitest';
import { admit, type AdmissionSnapshot, type Candidate } from '../../lib/core/upload/admission';
import type { PathClaim } from '../../lib/core/ports';
import { AppError } from '../../lib/errors';

const claim = (path: string, type: PathClaim['type'], entryUuid = `uuid-of-${path}`): [string, PathClaim] => [path, { path, type, entryUuid }];

function snapshot(overrides: Partial<{ used: number; quota: number; size: number; max: number; marked: boolean; claims: [string, PathClaim][]; charged: [string, number][] }> = {}): AdmissionSnapshot {
  return {
    account: { usedBytes: overrides.used ?? 0, quotaBytes: overrides.quota ?? 1000 },
    bucket: { sizeBytes: overrides.size ?? 0, maxSizeBytes: overrides.max ?? 1000, ...(overrides.marked ? { markedForDeletionAt: '2026-01-01T00:00:00Z' } : {}) },
    claims: new Map(overrides.claims ?? []),
    chargedBytes: new Map(overrides.charged ?? []),
  };
}

const file = (path: string, size?: number): Candidate => {
  const segments = path.split('/');
  return { directory: segments.slice(0, -1), name: segments.at(-1)!, ...(size === undefined ? {} : { size }) };
};

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.errorName;
    throw error;
  }
}

function refusalDetails(run: () => unknown): Readonly<Record<string, unknown>> | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.details;
    throw error;
  }
}

describe('admission', () => {
  it('names the limit in bytes when it refuses for space (issue 21): the figures of the decision, and a sentence', () => {
    // act
    const quota = refusalDetails(() => admit(snapshot({ used: 990 }), [file('x', 5), file('y', 6)], { overwrite: false }));
    const bucket = refusalDetails(() => admit(snapshot({ size: 990, max: 995 }), [file('x', 6)], { overwrite: false }));
    const unsized = refusalDetails(() => admit(snapshot({ used: 1000 }), [file('x')], { overwrite: false }));

    // assess
    expect(quota).toEqual({ limitBytes: 1000, usedBytes: 990, requestedBytes: 11, availableBytes: 10, reason: '11 bytes more would pass the account’s quota of 1000 bytes (990 used, 10 left)' });
    expect(bucket).toEqual({ limitBytes: 995, usedBytes: 990, requestedBytes: 6, availableBytes: 5, reason: '6 bytes more would pass the bucket’s size limit of 995 bytes (990 used, 5 left)' });
    expect(unsized).toEqual({ limitBytes: 1000, usedBytes: 1000, availableBytes: 0, reason: 'the account’s quota is 1000 bytes and 1000 are used: no space is left' });
  });

  it('admits a batch into free paths and lists the directories to create, parents first', () => {
    // act
    const admission = admit(snapshot(), [file('a/b/x.txt', 10), file('a/y.txt', 5)], { overwrite: false });
    // assess
    expect(admission.newDirectories).toEqual(['a', 'a/b']);
    expect(admission.deltaBytes).toBe(15);
    expect(admission.replaced.size).toBe(0);
  });

  it('replaces a file in a full bucket by one no larger, whichever route asks (the drift of issue 8)', () => {
    // prepare: a bucket at its limit that holds a.txt (100 bytes)
    const full = snapshot({ size: 1000, max: 1000, used: 1000, quota: 1000, claims: [claim('a.txt', 'file')], charged: [['a.txt', 100]] });
    // act / assess: unknown size (the seed's route), a declared size no larger (the SDK), the real size (Quantum, commit)
    expect(refusal(() => admit(full, [file('a.txt')], { overwrite: true }))).toBeUndefined();
    expect(refusal(() => admit(full, [file('a.txt', 100)], { overwrite: true }))).toBeUndefined();
    expect(admit(full, [file('a.txt', 60)], { overwrite: true }).deltaBytes).toBe(-40);
    // a larger replacement or a new file does not fit
    expect(refusal(() => admit(full, [file('a.txt', 101)], { overwrite: true }))).toBe('notEnoughStorageSpace');
    expect(refusal(() => admit(full, [file('b.txt')], { overwrite: true }))).toBe('maxBucketSizeReached');
  });

  it('refuses a new file of unknown size where the account has no space left, and admits a replacement there', () => {
    const noSpace = snapshot({ used: 1000, quota: 1000, size: 10, claims: [claim('a.txt', 'file')], charged: [['a.txt', 10]] });
    expect(refusal(() => admit(noSpace, [file('new.txt')], { overwrite: true }))).toBe('notEnoughStorageSpace');
    expect(refusal(() => admit(noSpace, [file('a.txt')], { overwrite: true }))).toBeUndefined();
  });

  it('refuses a whole batch for one file that does not fit, by quota before bucket limit', () => {
    expect(refusal(() => admit(snapshot({ used: 990 }), [file('x', 5), file('y', 6)], { overwrite: false }))).toBe('notEnoughStorageSpace');
    expect(refusal(() => admit(snapshot({ size: 990 }), [file('x', 5), file('y', 6)], { overwrite: false }))).toBe('maxBucketSizeReached');
  });

  it('refuses files where folders are and folders where files are, also inside one batch', () => {
    expect(refusal(() => admit(snapshot({ claims: [claim('a', 'file')] }), [file('a/x')], { overwrite: true }))).toBe('invalidDirectory');
    expect(refusal(() => admit(snapshot({ claims: [claim('a', 'directory')] }), [file('a')], { overwrite: true }))).toBe('invalidDirectory');
    expect(refusal(() => admit(snapshot(), [file('a'), file('a/x')], { overwrite: true }))).toBe('invalidDirectory');
  });

  it('refuses an existing file or a name twice without overwrite, and keeps the last of a name twice with it', () => {
    expect(refusal(() => admit(snapshot({ claims: [claim('x', 'file')] }), [file('x', 1)], { overwrite: false }))).toBe('fileAlreadyExists');
    expect(refusal(() => admit(snapshot(), [file('x', 1), file('x', 2)], { overwrite: false }))).toBe('fileAlreadyExists');
    const admission = admit(snapshot(), [file('x', 1), file('x', 2)], { overwrite: true });
    expect([...admission.superseded]).toEqual([0]);
    expect(admission.deltaBytes).toBe(2);
  });

  it('does not count a commit’s own claim as a conflict', () => {
    const own = snapshot({ claims: [claim('x', 'file', 'self')] });
    expect(refusal(() => admit(own, [file('x', 3)], { overwrite: false, selfUuid: 'self' }))).toBeUndefined();
  });

  it('takes nothing into a bucket marked for deletion, and refuses paths over 1024 bytes', () => {
    expect(refusal(() => admit(snapshot({ marked: true }), [file('x', 1)], { overwrite: true }))).toBe('bucketMarkedForDeletion');
    expect(refusal(() => admit(snapshot(), [file(`${'d'.repeat(200)}/`.repeat(6) + 'x')], { overwrite: true }))).toBe('invalidPath');
  });
});

describe('admission with open multipart uploads (issue 21)', () => {
  const reserving = (overrides: { used?: number; accountReserved?: number; size?: number; bucketReserved?: number; quota?: number; max?: number }): AdmissionSnapshot => {
    const base = snapshot({ used: overrides.used ?? 0, size: overrides.size ?? 0, quota: overrides.quota ?? 1000, max: overrides.max ?? 1000 });
    return { ...base, account: { ...base.account, reservedBytes: overrides.accountReserved ?? 0 }, bucket: { ...base.bucket, reservedBytes: overrides.bucketReserved ?? 0 } };
  };

  it('counts reserved bytes beside usage, and names them in the refusal', () => {
    // act
    const quota = refusalDetails(() => admit(reserving({ used: 300, accountReserved: 600 }), [file('x', 101)], { overwrite: false }));
    const bucket = refusalDetails(() => admit(reserving({ size: 100, bucketReserved: 850 }), [file('x', 51)], { overwrite: false }));
    const fits = admit(reserving({ used: 300, accountReserved: 600, size: 300, bucketReserved: 600 }), [file('x', 100)], { overwrite: false });
    const unsized = refusal(() => admit(reserving({ used: 400, accountReserved: 600 }), [file('x')], { overwrite: false }));

    // assess
    expect(quota).toEqual({
      limitBytes: 1000,
      usedBytes: 300,
      reservedBytes: 600,
      requestedBytes: 101,
      availableBytes: 100,
      reason: '101 bytes more would pass the account’s quota of 1000 bytes (300 used, 600 reserved by open uploads in parts, 100 left)',
    });
    expect(bucket).toMatchObject({ limitBytes: 1000, usedBytes: 100, reservedBytes: 850, availableBytes: 50 });
    expect(fits.deltaBytes).toBe(100);
    expect(unsized).toBe('notEnoughStorageSpace');
  });

  it('does not count the reservations the batch gives back (its own at commit, the one it supersedes)', () => {
    // act: 900 reserved, 800 of them by the upload committing (or superseded) now
    const admitted = admit(reserving({ used: 100, accountReserved: 900, bucketReserved: 900 }), [file('x', 800)], { overwrite: false, releasedBytes: 800 });
    const without = refusal(() => admit(reserving({ used: 100, accountReserved: 900, bucketReserved: 900 }), [file('x', 800)], { overwrite: false }));

    // assess
    expect(admitted.deltaBytes).toBe(800);
    expect(without).toBe('notEnoughStorageSpace');
  });

  it('refuses a path an open upload holds without overwrite (naming it), and admits it with overwrite or for the upload itself', () => {
    // prepare
    const held: AdmissionSnapshot = { ...snapshot(), openUploads: new Map([['docs/a.bin', { fileUuid: 'open-upload' }]]) };

    // act
    const details = refusalDetails(() => admit(held, [file('docs/a.bin', 10)], { overwrite: false }));
    const overwriting = admit(held, [file('docs/a.bin', 10)], { overwrite: true });
    const itself = admit(held, [file('docs/a.bin', 10)], { overwrite: false, selfUuid: 'open-upload' });

    // assess
    expect(details).toMatchObject({ openUploadId: 'open-upload' });
    expect(refusal(() => admit(held, [file('docs/a.bin', 10)], { overwrite: false }))).toBe('fileAlreadyExists');
    expect(overwriting.deltaBytes).toBe(10);
    expect(itself.deltaBytes).toBe(10);
  });
});
