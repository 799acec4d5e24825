import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, missingPermissionError, toAppError, validationError, type ErrorName } from '../../lib/errors';
import { VALIDATION_CODES } from '../../lib/http/validation';

const entries = Object.entries(ERRORS) as [ErrorName, (typeof ERRORS)[ErrorName]][];

/** The Quantum seed's error codes: where the catalogue maps onto one of these, it must be spelt so. */
const SEED_QUANTUM_CODES = [
  'BUCKET_DNE', 'BUCKET_EXISTS', 'FILE_ALREADY_EXISTS', 'FILE_DNE', 'INSUFFICIENT_SPACE', 'INVALID_BUCKET', 'INVALID_DIR',
  'INVALID_PATH', 'INVALID_TOKEN', 'NOT_A_FILE', 'REQ_METHOD_INVALID', 'TOKEN_DNE', 'UNAUTHORIZED',
];

describe('the error catalogue', () => {
  it.each(entries)('%s: Apillon code is 8 digits and starts with its HTTP status', (_, definition) => {
    // assess
    expect(String(definition.code)).toMatch(/^\d{8}$/);
    expect(Math.floor(definition.code / 100_000)).toBe(definition.status);
  });

  it('gives every entry its own Apillon code', () => {
    // prepare
    const codes = entries.map(([, definition]) => definition.code);

    // assess
    const duplicates = codes.filter((code, index) => codes.indexOf(code) !== index);
    expect(duplicates).toEqual([]);
  });

  it.each(entries)('%s: statuses are 4xx/5xx and messages are set', (_, definition) => {
    // assess
    expect(definition.status).toBeGreaterThanOrEqual(400);
    expect(definition.status).toBeLessThan(600);
    expect(definition.quantum.status).toBeGreaterThanOrEqual(400);
    expect(definition.quantum.status).toBeLessThan(600);
    expect(definition.message.trim()).not.toBe('');
  });

  it.each(entries)('%s: Quantum message is an UPPER_SNAKE code', (_, definition) => {
    // assess
    expect(definition.quantum.message).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('uses the seed’s Quantum codes with the seed’s statuses', () => {
    // prepare
    const byCode = (code: string) => entries.filter(([, definition]) => definition.quantum.message === code);

    // assess
    for (const code of SEED_QUANTUM_CODES) expect(byCode(code).length, code).toBeGreaterThan(0);
    expect(byCode('BUCKET_DNE').every(([, d]) => d.quantum.status === 404)).toBe(true);
    expect(byCode('FILE_DNE').every(([, d]) => d.quantum.status === 404)).toBe(true);
    expect(byCode('TOKEN_DNE').every(([, d]) => d.quantum.status === 404)).toBe(true);
    expect(byCode('NOT_A_FILE').every(([, d]) => d.quantum.status === 404)).toBe(true);
    expect(byCode('REQ_METHOD_INVALID').every(([, d]) => d.quantum.status === 405)).toBe(true);
    expect(byCode('UNAUTHORIZED').every(([, d]) => [401, 403].includes(d.quantum.status))).toBe(true);
    for (const code of ['BUCKET_EXISTS', 'FILE_ALREADY_EXISTS', 'INSUFFICIENT_SPACE', 'INVALID_BUCKET', 'INVALID_DIR', 'INVALID_PATH', 'INVALID_TOKEN']) {
      expect(byCode(code).every(([, d]) => d.quantum.status === 400), code).toBe(true);
    }
  });

  it('keeps the seed’s numbering for the documented Apillon errors', () => {
    // assess
    expect({
      bucketNotFound: ERRORS.bucketNotFound.code,
      directoryNotFound: ERRORS.directoryNotFound.code,
      uploadSessionNotFound: ERRORS.uploadSessionNotFound.code,
      fileNotFound: ERRORS.fileNotFound.code,
      uploadSessionEnded: ERRORS.uploadSessionEnded.code,
      maxBucketSizeReached: ERRORS.maxBucketSizeReached.code,
      notEnoughStorageSpace: ERRORS.notEnoughStorageSpace.code,
      fileMarkedForDeletion: ERRORS.fileMarkedForDeletion.code,
      bucketMarkedForDeletion: ERRORS.bucketMarkedForDeletion.code,
      signedUrlFailed: ERRORS.signedUrlFailed.code,
      missingAuthorization: ERRORS.missingAuthorization.code,
      malformedAuthorization: ERRORS.malformedAuthorization.code,
      missingPermission: ERRORS.missingPermission.code,
    }).toEqual({
      bucketNotFound: 40406002,
      directoryNotFound: 40406003,
      uploadSessionNotFound: 40406004,
      fileNotFound: 40406005,
      uploadSessionEnded: 40006001,
      maxBucketSizeReached: 40006002,
      notEnoughStorageSpace: 40006003,
      fileMarkedForDeletion: 40006009,
      bucketMarkedForDeletion: 40406009,
      signedUrlFailed: 50006003,
      missingAuthorization: 40000003,
      malformedAuthorization: 40000004,
      missingPermission: 40300000,
    });
  });

  it('gives every validation code the 422 prefix and its own number', () => {
    // prepare
    const codes = Object.values(VALIDATION_CODES);

    // assess
    for (const code of codes) expect(Math.floor(code / 100_000)).toBe(422);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('AppError', () => {
  it('carries its catalogue entry and status', () => {
    // act
    const error = new AppError('bucketNotFound');

    // assess
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ errorName: 'bucketNotFound', status: 404, message: 'BUCKET_NOT_FOUND' });
  });

  it('names the missing permission without changing the code', () => {
    // act
    const error = missingPermissionError('KEY_WRITE');

    // assess
    expect(error.message).toBe('Insufficient permissions - missing KEY_WRITE permission');
    expect(error.definition).toMatchObject({ status: 403, code: 40300000, message: error.message });
  });

  it('wraps any other thrown value as an internal error, keeping it as the cause', () => {
    // prepare
    const original = new Error('db exploded');

    // act
    const wrapped = toAppError(original);
    const fromString = toAppError('just a string');

    // assess
    expect(wrapped).toMatchObject({ errorName: 'internal', status: 500, message: 'INTERNAL_SERVER_ERROR', cause: original });
    expect(fromString.errorName).toBe('internal');
  });

  it('passes an AppError through unchanged', () => {
    // prepare
    const error = new AppError('fileNotFound');

    // act
    const result = toAppError(error);

    // assess
    expect(result).toBe(error);
  });

  it('builds the 422 validation error with its field errors and model', () => {
    // act
    const error = validationError([{ code: 42200008, property: 'fileName', message: 'FILE_NAME_NOT_PRESENT' }], 'Dto');

    // assess
    expect(error).toMatchObject({ errorName: 'validationFailed', status: 422, model: 'Dto' });
    expect(error.fieldErrors).toHaveLength(1);
  });
});
