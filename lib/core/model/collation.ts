/**
 * The one order of names in every listing (the listing indexes in DynamoDB, the
 * in-memory sort of searches and multi-field orders, the bucket list, page
 * numbers and `nextToken` pages):
 *
 * 1. each name is folded: NFC (names are stored NFC already), then lower-cased
 *    with `toLocaleLowerCase('en-US')`, so `Report!` sorts with `report`;
 * 2. folded names are compared by Unicode code point, which is the order of their
 *    UTF-8 bytes: the order in which DynamoDB compares string sort keys. (JavaScript's
 *    `<` on strings compares UTF-16 code units, which puts U+10000 and above before
 *    U+E000–U+FFFF; it is never used for names.) A name that is a prefix of another
 *    comes first (`report` < `report 2` < `report-2`);
 * 3. equal folded names (`A.txt`, `a.txt`) are ordered by entry uuid.
 *
 * In the index sort key the folded name and the uuid are joined by U+0000, which
 * sorts before every character a name can hold (names refuse control characters,
 * lib/core/model/paths.ts), so the key's byte order is exactly rules 2 and 3.
 */

/** Joins the folded name and the tie-breaking uuid in a sort key; below every character a name may contain. */
export const SORT_KEY_SEPARATOR = '\u0000';

/** A name as it is compared (rule 1). */
export function foldName(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en-US');
}

/** The listing-index sort key of a name: folded name, U+0000, uuid; compared by UTF-8 bytes. */
export function nameSortKey(name: string, uuid: string): string {
  return `${foldName(name)}${SORT_KEY_SEPARATOR}${uuid}`;
}

/** Orders two strings by Unicode code point (= UTF-8 byte order, DynamoDB's order): -1, 0 or 1. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x === y) continue;
    // A surrogate (half of a character at U+10000 or above) against a BMP unit: the astral character is
    // the larger code point, although UTF-16 puts it below U+E000–U+FFFF. Elsewhere unit order is code point order.
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    if (surrogateX !== surrogateY) return surrogateX ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Orders two names (rules 1 and 2; 0 for names equal once folded). */
export function compareNames(a: string, b: string): number {
  return compareCodePoints(foldName(a), foldName(b));
}
