/** The listing collation (lib/core/model/collation.ts) against independent references: UTF-8 bytes, code point arrays. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, compareNames, nameSortKey } from '../../lib/core/model/collation';

/** Reference: compare the UTF-8 encodings byte by byte (what DynamoDB does with string sort keys). */
const byUtf8Bytes = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

/** Characters where UTF-16 and code point order differ, and the cases the issue names. */
const tricky = fc.constantFrom('a', 'A', 'z', ' ', '!', '"', '#', '-', '2', 'é', 'É', 'ß', 'İ', '\uE000', '\uFFFC', '\u{10400}', '\u{1F600}', '\u{1D400}', '漢');
const text = fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 8 }).map((parts) => parts.join(''));

describe('compareCodePoints', () => {
  it('orders any two strings as their UTF-8 bytes do', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        // act + assess
        expect(compareCodePoints(a, b)).toBe(byUtf8Bytes(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts an astral character after U+E000–U+FFFF, where UTF-16 order would not', () => {
    // prepare
    const astral = '\u{1F600}';
    const privateUse = '\uE000';

    // act + assess
    expect(astral < privateUse).toBe(true); // JavaScript's own order, the trap
    expect(compareCodePoints(astral, privateUse)).toBe(1);
  });
});

describe('the name order', () => {
  it('lists report, report 2, report-2, Report! as a prefix-first, case-folded order', () => {
    // prepare
    const names = ['report 2', 'Report!', 'report-2', 'report'];

    // act
    const sorted = [...names].sort(compareNames);

    // assess
    expect(sorted).toEqual(['report', 'report 2', 'Report!', 'report-2']);
  });

  it('gives index sort keys whose byte order is name order, then uuid', () => {
    fc.assert(
      fc.property(text, text, fc.uuid(), fc.uuid(), (a, b, uuidA, uuidB) => {
        // prepare
        fc.pre(!/[\u0000-\u001f]/.test(a + b));
        const names = compareNames(a, b);

        // act
        const keys = byUtf8Bytes(nameSortKey(a, uuidA), nameSortKey(b, uuidB));

        // assess
        expect(keys).toBe(names !== 0 ? names : byUtf8Bytes(uuidA, uuidB));
      }),
      { numRuns: 2000 },
    );
  });
});
