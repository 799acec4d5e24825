import { describe, expect, it } from 'vitest';
import { parseBasicAuthorization } from '../../lib/core/access/authenticate';
import { AppError } from '../../lib/errors';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

function parseError(header: string): unknown {
  try {
    parseBasicAuthorization(header);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseBasicAuthorization', () => {
  it('splits key and secret', () => {
    // act
    const parsed = parseBasicAuthorization(basic('my-key:my-secret'));

    // assess
    expect(parsed).toEqual({ apiKey: 'my-key', apiSecret: 'my-secret' });
  });

  it('splits on the first colon only', () => {
    // act
    const parsed = parseBasicAuthorization(basic('key:sec:ret:'));

    // assess
    expect(parsed).toEqual({ apiKey: 'key', apiSecret: 'sec:ret:' });
  });

  it.each([
    ['a lower-case scheme', `basic ${Buffer.from('k:s').toString('base64')}`],
    ['an upper-case scheme', `BASIC ${Buffer.from('k:s').toString('base64')}`],
    ['several spaces after the scheme', `Basic   ${Buffer.from('k:s').toString('base64')}`],
    ['a trailing space', `${basic('k:s')} `],
  ])('accepts %s', (_, header) => {
    // act
    const parsed = parseBasicAuthorization(header);

    // assess
    expect(parsed).toEqual({ apiKey: 'k', apiSecret: 's' });
  });

  it('accepts base64 without padding', () => {
    // prepare
    const unpadded = Buffer.from('key:se').toString('base64').replace(/=+$/, '');

    // act
    const parsed = parseBasicAuthorization(`Basic ${unpadded}`);

    // assess
    expect(parsed).toEqual({ apiKey: 'key', apiSecret: 'se' });
  });

  it('keeps UTF-8 secrets intact', () => {
    // act
    const parsed = parseBasicAuthorization(basic('clé:sécret-ü-🔑'));

    // assess
    expect(parsed).toEqual({ apiKey: 'clé', apiSecret: 'sécret-ü-🔑' });
  });

  it('accepts an API key of exactly 256 bytes', () => {
    // prepare
    const apiKey = 'k'.repeat(256);

    // act
    const parsed = parseBasicAuthorization(basic(`${apiKey}:secret`));

    // assess
    expect(parsed).toEqual({ apiKey, apiSecret: 'secret' });
  });

  it('keeps a leading byte order mark as part of the key', () => {
    // act
    const parsed = parseBasicAuthorization(basic('\uFEFFkey:secret'));

    // assess
    expect(parsed).toEqual({ apiKey: '\uFEFFkey', apiSecret: 'secret' });
  });

  it.each([
    ['an empty header', ''],
    ['the scheme alone', 'Basic'],
    ['the scheme and a space', 'Basic '],
    ['another scheme', 'Bearer abc'],
    ['a scheme without a space', `Basic${Buffer.from('k:s').toString('base64')}`],
    ['non-base64 characters', 'Basic !!!'],
    ['base64url characters', 'Basic a2V5-c2Vj_'],
    ['an impossible base64 length', 'Basic abcde'],
    ['two credentials', `${basic('k:s')} ${Buffer.from('k:s').toString('base64')}`],
    ['no colon', basic('nocolon')],
    ['an empty key', basic(':secret')],
    ['an empty secret', basic('key:')],
    ['just a colon', basic(':')],
    ['an over-long value', basic(`key:${'s'.repeat(3000)}`)],
    ['invalid UTF-8 (0xFF bytes)', `Basic ${Buffer.concat([Buffer.alloc(700, 0xff), Buffer.from(':x')]).toString('base64')}`],
    ['a truncated UTF-8 sequence in the secret', `Basic ${Buffer.concat([Buffer.from('key:'), Buffer.from([0xe2, 0x82])]).toString('base64')}`],
    ['a UTF-16 surrogate encoded as UTF-8', `Basic ${Buffer.concat([Buffer.from('k'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(':s')]).toString('base64')}`],
    ['an API key over 256 bytes', basic(`${'k'.repeat(257)}:secret`)],
    ['an API key over 256 bytes once encoded (86 × 3-byte characters)', basic(`${'€'.repeat(86)}:secret`)],
  ])('rejects %s as malformed (400 40000004)', (_, header) => {
    // act
    const error = parseError(header);

    // assess
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ errorName: 'malformedAuthorization', status: 400, definition: { code: 40000004 } });
  });
});
