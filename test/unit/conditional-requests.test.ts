/** Conditional and range requests decided from the headers and a file's validators (RFC 9110 §13, §14). */
import { describe, expect, it } from 'vitest';
import { selectResponse, type ConditionalHeaders, type Validators } from '../../lib/http/conditional';

const MODIFIED = new Date('2026-03-01T10:00:00.000Z');
const file: Validators = { etag: '"bafyfile"', lastModified: MODIFIED, size: 1000 };
const select = (headers: ConditionalHeaders, validators: Validators = file) => selectResponse(headers, validators);

describe('If-None-Match and If-Modified-Since', () => {
  it.each([
    ['the same tag', { 'if-none-match': '"bafyfile"' }],
    ['the tag in a list', { 'if-none-match': '"other", "bafyfile"' }],
    ['the weak form of the tag (weak comparison)', { 'if-none-match': 'W/"bafyfile"' }],
    ['*', { 'if-none-match': '*' }],
    ['the Last-Modified date', { 'if-modified-since': 'Sun, 01 Mar 2026 10:00:00 GMT' }],
    ['a later date', { 'if-modified-since': 'Mon, 02 Mar 2026 00:00:00 GMT' }],
    ['a matching tag with an older date (If-None-Match wins)', { 'if-none-match': '"bafyfile"', 'if-modified-since': 'Thu, 01 Jan 2015 00:00:00 GMT' }],
  ] as const)('304 for %s', (_, headers) => {
    // act / assess
    expect(select(headers)).toEqual({ kind: 'not-modified' });
  });

  it.each([
    ['another tag', { 'if-none-match': '"other"' }],
    ['an older date', { 'if-modified-since': 'Sat, 28 Feb 2026 10:00:00 GMT' }],
    ['a date that is no date', { 'if-modified-since': 'yesterday' }],
    ['another tag with a later date (If-None-Match wins)', { 'if-none-match': '"other"', 'if-modified-since': 'Mon, 02 Mar 2026 00:00:00 GMT' }],
    ['a matching tag with Cache-Control: no-cache (a reload)', { 'if-none-match': '"bafyfile"', 'cache-control': 'no-cache' }],
  ] as const)('the whole file for %s', (_, headers) => {
    // act / assess
    expect(select(headers)).toEqual({ kind: 'full' });
  });

  it('is decided before Range: a current copy is 304 even when a range is asked', () => {
    // act / assess
    expect(select({ 'if-none-match': '"bafyfile"', range: 'bytes=0-9' })).toEqual({ kind: 'not-modified' });
  });
});

describe('Range', () => {
  it.each([
    ['bytes=0-3', 0, 3],
    ['bytes=10-', 10, 999],
    ['bytes=-100', 900, 999],
    ['bytes=-5000', 0, 999],
    ['bytes=-1000', 0, 999],
    ['bytes=0-1, -5000', 0, 999],
    ['bytes=990-5000', 990, 999],
    ['bytes=0-0', 0, 0],
    ['bytes=0-9,5-19', 0, 19],
    ['bytes=0-9,10-19', 0, 19],
  ])('%s → 206 of %i-%i', (range, start, end) => {
    // act / assess
    expect(select({ range })).toEqual({ kind: 'partial', range: { start, end } });
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0'])('%s → 416', (range) => {
    // act / assess
    expect(select({ range })).toEqual({ kind: 'unsatisfiable' });
  });

  it.each([
    ['several disjoint ranges (no multipart)', 'bytes=0-9,20-29'],
    ['another unit', 'items=0-9'],
    ['a malformed header', 'bytes=abc'],
    ['no unit', '0-9'],
  ])('%s → the whole file', (_, range) => {
    // act / assess
    expect(select({ range })).toEqual({ kind: 'full' });
  });

  it('sends an empty file whole, whatever the range', () => {
    // act / assess
    expect(select({ range: 'bytes=0-' }, { ...file, size: 0 })).toEqual({ kind: 'full' });
  });
});

describe('If-Range', () => {
  it.each([
    ['the same strong tag', '"bafyfile"'],
    ['the Last-Modified date exactly', 'Sun, 01 Mar 2026 10:00:00 GMT'],
  ])('keeps the range for %s', (_, ifRange) => {
    // act / assess
    expect(select({ range: 'bytes=0-3', 'if-range': ifRange })).toEqual({ kind: 'partial', range: { start: 0, end: 3 } });
  });

  it.each([
    ['another tag', '"other"'],
    ['the weak form of the tag (strong comparison)', 'W/"bafyfile"'],
    ['a later date', 'Mon, 02 Mar 2026 00:00:00 GMT'],
    ['not a date', 'soon'],
  ])('sends the whole file for %s', (_, ifRange) => {
    // act / assess
    expect(select({ range: 'bytes=0-3', 'if-range': ifRange })).toEqual({ kind: 'full' });
  });
});
