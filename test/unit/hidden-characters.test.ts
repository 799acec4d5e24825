/** Names refuse characters that hide or reorder text (lib/core/model/paths.ts), in every name of both surfaces. */
import { describe, expect, it } from 'vitest';
import { createBucketBody } from '../../lib/apillon/schemas';
import { hasHiddenCharacters, normaliseSegment } from '../../lib/core/model/paths';

const REFUSED: [string, string][] = [
  ['RIGHT-TO-LEFT OVERRIDE', 'evil\u202Egpj.exe'],
  ['LEFT-TO-RIGHT EMBEDDING', 'a\u202Ab'],
  ['POP DIRECTIONAL FORMATTING', 'a\u202Cb'],
  ['RIGHT-TO-LEFT ISOLATE', 'a\u2067b'],
  ['POP DIRECTIONAL ISOLATE', 'a\u2069b'],
  ['LEFT-TO-RIGHT MARK', 'a\u200Eb'],
  ['RIGHT-TO-LEFT MARK', 'a\u200Fb'],
  ['ARABIC LETTER MARK', 'a\u061Cb'],
  ['ZERO WIDTH SPACE', 'a\u200Bb'],
  ['WORD JOINER', 'a\u2060b'],
  ['INVISIBLE SEPARATOR', 'a\u2063b'],
  ['BYTE ORDER MARK', '\uFEFFreport.pdf'],
  ['SOFT HYPHEN', 'pay\u00ADpal'],
  ['MONGOLIAN VOWEL SEPARATOR', 'a\u180Eb'],
  ['a tag character outside a flag', 'a\u{E0041}b'],
  ['ZWJ at the end', 'name\u200D'],
  ['ZWJ at the start', '\u200Dname'],
  ['ZWJ between digits', '1\u200D2'],
  ['ZWNJ between spaces', 'a \u200C b'],
  ['ZWJ between a letter and an emoji', 'a\u200D\u{1F600}'],
  ['REPLACEMENT CHARACTER', 'a\uFFFDb'],
];

const ACCEPTED: [string, string][] = [
  ['Persian with ZWNJ', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645.txt'],
  ['Devanagari conjunct with ZWJ', '\u0915\u094D\u200D\u0937.txt'],
  ['an emoji ZWJ sequence', '\u{1F469}\u200D\u{1F4BB} notes.txt'],
  ['a flag with VS16 and ZWJ', '\u{1F3F3}\uFE0F\u200D\u{1F308}.png'],
  ['an emoji with skin tone and ZWJ', '\u{1F469}\u{1F3FD}\u200D\u{1F680}.png'],
  ['a subdivision flag (tag sequence)', '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}.txt'],
  ['plain Arabic and Hebrew', '\u0645\u0644\u0641 \u05E7\u05D5\u05D1\u05E5.txt'],
];

describe('names and hidden characters', () => {
  it.each(REFUSED)('refuses %s as a file or folder name (INVALID_PATH)', (_, name) => {
    // act + assess
    expect(() => normaliseSegment(name)).toThrowError(expect.objectContaining({ errorName: 'invalidPath' }));
  });

  it.each(REFUSED)('refuses %s as an Apillon bucket name (422)', (_, name) => {
    // act
    const result = createBucketBody.safeParse({ name });

    // assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toContain('BUCKET_NAME_NOT_VALID');
  });

  it.each(ACCEPTED)('accepts %s, where the format character is needed', (_, name) => {
    // act + assess
    expect(hasHiddenCharacters(name)).toBe(false);
    expect(normaliseSegment(name)).toBe(name.normalize('NFC'));
  });
});
