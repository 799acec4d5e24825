/** Response headers built from user data: Content-Disposition, Content-Type, Location. */
import contentDisposition from 'content-disposition';
import { describe, expect, it } from 'vitest';
import { dispositionHeader, safeLocation, safeMediaType } from '../../lib/http/headers';
import { fileNameOf, parseDispositionStrictly } from '../support/rfc6266';

export const AWKWARD_NAMES = [
  "Renée's CV (1).pdf",
  'star*.txt',
  'semi;colon.txt',
  'quote".txt',
  'back\\slash.txt',
  'percent %41 100%.txt',
  'tab\tand spaces  .txt',
  '日本語のファイル.txt',
  'emoji 😀🎉.png',
  'plain.txt',
  "all '()*;\"%é😀.bin",
];

describe('dispositionHeader', () => {
  it.each(AWKWARD_NAMES.filter((name) => !name.includes('\\')))(
    'a strict RFC 6266/8187 parser and the content-disposition parser read %j back',
    (name) => {
      // act
      const header = dispositionHeader(name, 'attachment');

      // assess
      expect(fileNameOf(header)).toBe(name);
      expect(contentDisposition.parse(header).parameters.filename).toBe(name);
      expect(header).toMatch(/^[\x20-\x7e]+$/); // ASCII only on the wire
    },
  );

  it('leaves no attr-char outside the RFC 8187 set unencoded (the apostrophe, parentheses, star)', () => {
    // act
    const header = dispositionHeader("Renée's CV (1).pdf*");

    // assess
    expect(header).toContain("filename*=UTF-8''Ren%C3%A9e%27s%20CV%20%281%29.pdf%2A");
  });

  it('gives a plain ASCII fallback for old clients, quoting and escaping it', () => {
    // act
    const { parameters } = parseDispositionStrictly(dispositionHeader('Renée "the" best.pdf'));

    // assess
    expect(parameters.filename).toBe('Ren_e "the" best.pdf');
  });

  it('sets the disposition type', () => {
    // act
    const inline = parseDispositionStrictly(dispositionHeader('a.txt', 'inline'));

    // assess
    expect(inline.type).toBe('inline');
  });

  it('shows a separator (which stored names never hold) as _ instead of cutting the name at it', () => {
    // act
    const name = fileNameOf(dispositionHeader('dir\\a/b.txt'));

    // assess
    expect(name).toBe('dir_a_b.txt');
  });

  it('a control character cannot break the header', () => {
    // act
    const header = dispositionHeader('a\r\nSet-Cookie: x=1.txt');

    // assess
    expect(header).not.toMatch(/[\r\n]/);
    expect(fileNameOf(header)).toBe('a\r\nSet-Cookie: x=1.txt');
  });
});

describe('safeMediaType', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['Text/HTML; Charset=UTF-8', 'text/html; charset=UTF-8'],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    ['text/plain; name="a b"', 'text/plain; name="a b"'],
  ])('keeps %j as %j', (stored, sent) => {
    // act / assess
    expect(safeMediaType(stored)).toBe(sent);
  });

  it.each(['', 'text', 'text/plain\r\nSet-Cookie: a=1', 'a b/c', 'text/plain; x', '../../etc', 'text/plain;;', undefined])(
    'falls back to application/octet-stream for %j',
    (stored) => {
      // act / assess
      expect(safeMediaType(stored)).toBe('application/octet-stream');
    },
  );
});

describe('safeLocation', () => {
  it('percent-encodes what a URL may not carry raw', () => {
    // act
    const location = safeLocation('http://s3.local/bucket/key?a=b c&n=é');

    // assess
    expect(location).toBe('http://s3.local/bucket/key?a=b%20c&n=%C3%A9');
  });

  it.each(['javascript:alert(1)', 'not a url', 'file:///etc/passwd'])('refuses %j', (url) => {
    // act / assess
    expect(() => safeLocation(url)).toThrow();
  });
});
