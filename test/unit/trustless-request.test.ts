/** The trustless gateway's request parameters (lib/gateway/trustless.ts): format, CAR parameters, entity-bytes. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors';
import { resolveEntityBytes, trustlessRequest } from '../../lib/gateway/trustless';

const errorOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.message : String(error);
  }
};

describe('trustlessRequest', () => {
  it('reads the format from the query first, else from Accept; nothing for plain content', () => {
    // act / assess
    expect(trustlessRequest({}, undefined)).toBeUndefined();
    expect(trustlessRequest({}, 'text/html, */*')).toBeUndefined();
    expect(trustlessRequest({ format: 'raw' }, 'application/vnd.ipld.car')?.format).toBe('raw');
    expect(trustlessRequest({}, 'text/html, application/vnd.ipld.raw;q=0.9')).toEqual({ format: 'raw', scope: 'block', dups: false });
    expect(trustlessRequest({}, 'application/vnd.ipld.car')).toEqual({ format: 'car', scope: 'all', dups: false });
  });

  it('takes the type Accept prefers by q-value (RFC 9110 §12.5.1), not the first listed; q=0 is not acceptable', () => {
    // act / assess
    expect(trustlessRequest({}, 'application/vnd.ipld.raw;q=0.5, application/vnd.ipld.car')?.format).toBe('car');
    expect(trustlessRequest({}, 'application/vnd.ipld.car;q=0.2, application/vnd.ipld.raw;q=0.8')?.format).toBe('raw');
    expect(trustlessRequest({}, 'application/vnd.ipld.car;q=0, text/html')).toBeUndefined();
    expect(trustlessRequest({}, 'application/vnd.ipld.car; dups=n; q=0.1, application/vnd.ipld.car; dups=y; q=0.9')?.dups).toBe(true);
    expect(trustlessRequest({}, 'APPLICATION/VND.IPLD.RAW')?.format).toBe('raw');
  });

  it('takes the CAR parameters from the query over those of Accept’s media type', () => {
    // act / assess
    expect(trustlessRequest({}, 'application/vnd.ipld.car; version=1; order=dfs; dups=y')).toEqual({ format: 'car', scope: 'all', dups: true });
    expect(trustlessRequest({ format: 'car', 'car-dups': 'n' }, 'application/vnd.ipld.car; dups=y')?.dups).toBe(false);
    expect(trustlessRequest({ format: 'car', 'car-order': 'unk' }, undefined)?.scope).toBe('all');
    expect(trustlessRequest({ format: 'car', 'dag-scope': 'block' }, undefined)?.scope).toBe('block');
  });

  it('entity-bytes implies dag-scope=entity', () => {
    // act / assess
    expect(trustlessRequest({ format: 'car', 'entity-bytes': '-1024:*' }, undefined)).toEqual({ format: 'car', scope: 'entity', entityBytes: { from: -1024, to: '*' }, dups: false });
    expect(trustlessRequest({ format: 'car', 'dag-scope': 'all', 'entity-bytes': '499:-1000' }, undefined)?.entityBytes).toEqual({ from: 499, to: -1000 });
  });

  it.each([
    [{ 'dag-scope': 'dag' }, undefined, 'DAG_SCOPE_NOT_VALID'],
    [{ 'entity-bytes': '1-2' }, undefined, 'ENTITY_BYTES_NOT_VALID'],
    [{ 'entity-bytes': '5:1' }, undefined, 'ENTITY_BYTES_NOT_VALID'],
    [{ 'entity-bytes': '-1:-5' }, undefined, 'ENTITY_BYTES_NOT_VALID'],
    [{ 'entity-bytes': '*:5' }, undefined, 'ENTITY_BYTES_NOT_VALID'],
    [{ 'car-version': '2' }, undefined, 'CAR_VERSION_NOT_SUPPORTED'],
    [{}, 'application/vnd.ipld.car; version=2', 'CAR_VERSION_NOT_SUPPORTED'],
    [{ 'car-order': 'bfs' }, undefined, 'CAR_ORDER_NOT_SUPPORTED'],
    [{ 'car-dups': 'yes' }, undefined, 'CAR_DUPS_NOT_VALID'],
  ])('%j with Accept %s: %s', (query, accept, message) => {
    // act / assess
    expect(errorOf(() => trustlessRequest({ format: 'car', ...query }, accept ?? 'application/vnd.ipld.car'))).toBe(message);
  });

  it('ignores the CAR parameters of a raw request', () => {
    // act / assess
    expect(trustlessRequest({ format: 'raw', 'dag-scope': 'nonsense', 'car-version': '9' }, undefined)).toEqual({ format: 'raw', scope: 'block', dups: false });
  });
});

describe('resolveEntityBytes', () => {
  it.each([
    [{ from: 0, to: '*' as const }, 1000, { start: 0, end: 999 }],
    [{ from: 10, to: 20 }, 1000, { start: 10, end: 20 }],
    [{ from: 10, to: 5000 }, 1000, { start: 10, end: 999 }],
    [{ from: -100, to: '*' as const }, 1000, { start: 900, end: 999 }],
    [{ from: -5000, to: '*' as const }, 1000, { start: 0, end: 999 }],
    [{ from: 499, to: -100 }, 1000, { start: 499, end: 900 }],
    [{ from: 600, to: -500 }, 1000, undefined],
    [{ from: -1, to: -1 }, 1000, { start: 999, end: 999 }],
    [{ from: 0, to: '*' as const }, 0, undefined],
  ])('%j of %i bytes: %j', (range, size, expected) => {
    // act / assess
    expect(resolveEntityBytes(range, size)).toEqual(expected);
  });

  it('refuses a range that starts at or past the end, naming the size in bytes', () => {
    // act / assess
    expect(errorOf(() => resolveEntityBytes({ from: 1000, to: '*' }, 1000))).toBe('ENTITY_BYTES_OUT_OF_RANGE: entity-bytes starts at byte 1000 of a file of 1000 bytes');
  });
});
