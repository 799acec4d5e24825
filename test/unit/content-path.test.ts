/**
 * Content paths of the path gateway (`/ipfs/<cid>/<path…>`): the rest of the URL as API
 * Gateway hands it over (decoded once), cleaned as URLs and boxo's gateway clean them,
 * and the canonical URLs redirects point at.
 */
import { describe, expect, it } from 'vitest';
import { contentUrl, parseContentPath } from '../../lib/gateway/path-gateway';
import { AppError } from '../../lib/errors';

describe('parseContentPath', () => {
  it.each([
    // remainder, trailing slash of the URL, segments, trailing slash, canonical
    [undefined, false, [], false, true],
    [undefined, true, [], true, true],
    ['', true, [], true, true],
    ['a/b.txt', false, ['a', 'b.txt'], false, true],
    ['a/b/', true, ['a', 'b'], true, true],
    ['a//b', false, ['a', 'b'], false, false],
    ['./a/./b', false, ['a', 'b'], false, false],
    ['a/../b', false, ['b'], false, false],
    ['a/b/..', false, ['a'], false, false],
    ['a/..', false, [], false, false],
    // Where the server strips the slash (serverless-offline), nobody knows.
    ['a/b', undefined, ['a', 'b'], undefined, true],
  ] as const)('%s (slash: %s) → %j', (remainder, slash, segments, trailingSlash, canonical) => {
    // act
    const path = parseContentPath(remainder, slash);

    // assess
    expect(path).toEqual({ segments, trailingSlash, canonical });
  });

  it('keeps every character of a name that was percent-encoded once: `%`, `#`, `?`, spaces, any script', () => {
    // act
    const path = parseContentPath('dir/100% sure #1?.txt/日本 語', false);

    // assess
    expect(path.segments).toEqual(['dir', '100% sure #1?.txt', '日本 語']);
    expect(path.canonical).toBe(true);
  });

  it('reads names as NFC, as entries are named, and calls the NFD spelling non-canonical', () => {
    // act
    const path = parseContentPath('Re\u0301sume\u0301.txt', false);

    // assess
    expect(path.segments).toEqual(['Résumé.txt']);
    expect(path.canonical).toBe(false);
  });

  it.each(['..', 'a/../..', '../x'])('refuses %s, which would climb above the root CID: 400 INVALID_PATH', (remainder) => {
    // act
    const act = () => parseContentPath(remainder, false);

    // assess
    expect(act).toThrowError(AppError);
    expect(act).toThrow(expect.objectContaining({ errorName: 'invalidPath' }));
  });
});

describe('contentUrl', () => {
  it('percent-encodes each name, so `#`, `?`, `%` and spaces stay in it, and keeps the query', () => {
    // act
    const url = contentUrl('/ipfs/bafyroot', ['a b', '50%#?.txt'], false, 'format=car');

    // assess
    expect(url).toBe('/ipfs/bafyroot/a%20b/50%25%23%3F.txt?format=car');
    expect(decodeURIComponent(new URL(url, 'http://x').pathname.split('/').pop()!)).toBe('50%#?.txt');
  });

  it('ends a directory URL with a slash, the root too', () => {
    // act / assess
    expect(contentUrl('/ipfs/bafyroot', [], true)).toBe('/ipfs/bafyroot/');
    expect(contentUrl('/ipfs/bafyroot', ['docs'], true)).toBe('/ipfs/bafyroot/docs/');
  });
});
