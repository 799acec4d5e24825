import { describe, expect, it } from 'vitest';
import { contentTypeAllowed, mergePolicy, policyViolation, requireWithinPolicy } from '../../lib/core/upload/policy';
import { AppError } from '../../lib/errors';

describe('contentTypeAllowed', () => {
  it.each([
    [['image/*'], 'image/png', true],
    [['image/*'], 'IMAGE/PNG; q=1', true],
    [['image/*'], 'imagex/png', false],
    [['image/*'], 'text/plain', false],
    [['application/pdf'], 'application/pdf; charset=binary', true],
    [['application/pdf'], 'application/pdfx', false],
    [['*/*'], 'anything/at-all', true],
    [[], 'image/png', false],
  ])('%j takes %s: %s', (allowed, type, expected) => {
    expect(contentTypeAllowed(allowed, type)).toBe(expected);
  });
});

describe('policyViolation', () => {
  it('names the file and the limit in bytes; an undeclared size is not judged', () => {
    const policy = { maxFileSize: 10, allowedContentTypes: ['image/*'] };
    expect(policyViolation(policy, { name: 'a.png', size: 11, contentType: 'image/png' })?.reason).toBe('FILE_TOO_LARGE: "a.png" is 11 bytes; this bucket takes files of at most 10 bytes');
    expect(policyViolation(policy, { name: 'a.png', size: 10, contentType: 'image/png' })).toBeUndefined();
    expect(policyViolation(policy, { name: 'a.png', contentType: 'image/png' })).toBeUndefined();
    expect(policyViolation(policy, { name: 'a.txt', size: 1, contentType: 'text/plain' })?.rule).toBe('allowedContentTypes');
    expect(policyViolation(undefined, { name: 'a.txt', size: 1e12, contentType: 'x/y' })).toBeUndefined();
  });

  it('throws the catalogue error with the limit in its details', () => {
    try {
      requireWithinPolicy({ maxFileSize: 5 }, [{ name: 'ok', size: 5, contentType: 'a/b' }, { name: 'big', size: 6, contentType: 'a/b' }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toMatchObject({ fileName: 'big', rule: 'maxFileSize', maxFileSize: 5 });
    }
  });
});

describe('mergePolicy', () => {
  it('sets, keeps and clears rules; no rule left is no policy', () => {
    const current = { maxFileSize: 5, allowedContentTypes: ['image/*'] };
    expect(mergePolicy(current, { maxFileSize: 7 })).toEqual({ maxFileSize: 7, allowedContentTypes: ['image/*'] });
    expect(mergePolicy(current, { allowedContentTypes: null })).toEqual({ maxFileSize: 5 });
    expect(mergePolicy(current, { maxFileSize: null, allowedContentTypes: null })).toBeUndefined();
    expect(mergePolicy(undefined, { allowedContentTypes: ['Image/*', 'image/*'] })).toEqual({ allowedContentTypes: ['image/*'] });
  });
});
