/** Strict decoding of text input (lib/http/text.ts) and the repeated-parameter rule (lib/http/parameters.ts). */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors';
import { lastWins, queryParameters } from '../../lib/http/parameters';
import { bodyText, decodeUtf8Strict, queryParameterList, requireValidPathParameter } from '../../lib/http/text';
import { httpEvent } from '../support/events';

function thrown(action: () => unknown): AppError | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return undefined;
}

const withQuery = (rawQueryString: string) => ({ ...httpEvent(), rawQueryString });

describe('decodeUtf8Strict', () => {
  it.each([
    ['0xFF 0xFE', [0x7b, 0xff, 0xfe, 0x7d]],
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['U+FFFD itself', [0xef, 0xbf, 0xbd]],
  ])('refuses %s', (_, bytes) => {
    // act + assess
    expect(thrown(() => decodeUtf8Strict(Uint8Array.from(bytes)))?.errorName).toBe('invalidUtf8');
  });

  it('decodes well-formed UTF-8, astral characters included', () => {
    // act + assess
    expect(decodeUtf8Strict(Buffer.from('caf\u00e9 \u{1F600}', 'utf8'))).toBe('caf\u00e9 \u{1F600}');
  });
});

describe('bodyText', () => {
  it('decodes a base64 body from its bytes, strictly', () => {
    // prepare
    const event = httpEvent({ method: 'POST', body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) });

    // act + assess
    expect(thrown(() => bodyText(event))?.errorName).toBe('invalidUtf8');
  });

  it('refuses a string body where a gateway already replaced bytes (U+FFFD) or one with a lone surrogate', () => {
    // act + assess
    expect(thrown(() => bodyText(httpEvent({ method: 'POST', body: '{"fileName":"a\uFFFD"}' })))?.errorName).toBe('invalidUtf8');
    expect(thrown(() => bodyText(httpEvent({ method: 'POST', body: '{"fileName":"a\uD800"}' })))?.errorName).toBe('invalidUtf8');
  });
});

describe('query strings', () => {
  it('decodes strictly: %FF is 400 INVALID_UTF8, a lone % stays literal', () => {
    // act + assess
    expect(thrown(() => queryParameterList(withQuery('search=%FF')))?.errorName).toBe('invalidUtf8');
    expect(queryParameterList(withQuery('search=100%&x=a+b%C3%A9'))).toEqual([['search', '100%'], ['x', 'a b\u00e9']]);
  });

  it('keeps the last value of a repeated parameter on the Quantum surface', () => {
    // act + assess
    expect(queryParameters(withQuery('force=false&force=true'), 'quantum')).toEqual({ force: 'true' });
    expect(lastWins([['a', '1'], ['a', '2'], ['b', '3']])).toEqual({ a: '2', b: '3' });
  });

  it('refuses a repeated parameter on the Apillon surface, naming it (422)', () => {
    // act
    const error = thrown(() => queryParameters(withQuery('orderBy=name&orderBy=size&limit=2'), 'apillon'));

    // assess
    expect(error?.errorName).toBe('validationFailed');
    expect(error?.fieldErrors).toEqual([{ code: 42200034, property: 'orderBy', message: 'PARAMETER_REPEATED' }]);
  });
});

describe('queryParameters of a route that reads only some names', () => {
  it('ignores a repeat of a name it does not read (utm_source twice), and still refuses a repeat of its own', () => {
    // act
    const ignored = queryParameters(withQuery('utm_source=a&utm_source=b&format=car'), 'apillon', new Set(['format']));
    const refused = thrown(() => queryParameters(withQuery('format=car&format=raw'), 'apillon', new Set(['format'])));

    // assess
    expect(ignored).toEqual({ utm_source: 'b', format: 'car' });
    expect(refused?.fieldErrors).toEqual([{ code: 42200034, property: 'format', message: 'PARAMETER_REPEATED' }]);
  });
});

describe('requireValidPathParameter', () => {
  it.each(['%FF', 'a%C3', 'a%E2%82%2F', 'a\uFFFDb'])('refuses %s', (value) => {
    // act + assess
    expect(thrown(() => requireValidPathParameter(value))?.errorName).toBe('invalidUtf8');
  });

  it.each(['a%20b', '100%', 'caf%C3%A9', 'plain'])('lets %s through to the route', (value) => {
    // act + assess
    expect(requireValidPathParameter(value)).toBe(value);
  });
});
