/**
 * One listing order on every path (lib/core/model/collation.ts), proved over random
 * names: the DynamoDB listing index (real DynamoDB Local, through listDirectory,
 * page by page with page numbers and with nextToken, both directions), the
 * in-memory sort of searches and multi-field orders, and a reference comparator
 * written independently here (code point arrays).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { listDirectory, type ListQuery } from '../../lib/core/read/listing';
import { normaliseSegment } from '../../lib/core/model/paths';
import { makeDirectory } from '../../lib/quantum/files';
import type { EntryRecord } from '../../lib/core/model/entries';
import type { Services } from '../../lib/app/services';
import type { BucketRecord } from '../../lib/core/ports';
import { createTestTenant, testServices } from '../support/services';

let services: Services;
let bucket: BucketRecord;

beforeAll(async () => {
  services = await testServices();
  ({ bucket } = await createTestTenant(services));
});

/** Reference order, written apart from the code under test: folded name as code points, shorter prefix first, then uuid. */
function referenceCompare(a: EntryRecord, b: EntryRecord): number {
  const x = [...a.name.normalize('NFC').toLocaleLowerCase('en-US')].map((c) => c.codePointAt(0)!);
  const y = [...b.name.normalize('NFC').toLocaleLowerCase('en-US')].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  if (x.length !== y.length) return x.length - y.length;
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/** Name pieces: case variants, the separators of the issue, accents, astral and private-use characters. */
const piece = fc.oneof(
  fc.constantFrom('report', 'Report', 'REPORT', ' ', '!', '"', '#', '-', '2', '.', '_', 'é', 'É', 'e\u0301', 'ß', 'ẞ', 'İ', 'Ω'),
  fc.constantFrom('\uE000', '\uFFFC', '\u{10400}', '\u{10428}', '\u{1F600}', '\u{1D400}', '漢', 'a', 'Z'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }),
);
const validName = (name: string) => {
  try {
    normaliseSegment(name);
    return !name.includes('%');
  } catch {
    return false;
  }
};
/** A few shared stems, so that names are often prefixes and case variants of each other (`report`, `Report!`, `report 2`). */
const stem = fc.oneof(fc.constantFrom('report', 'Report', 'é', 'É', '\u{1F600}', '\uE000'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }));
const names = fc
  .uniqueArray(fc.tuple(stem, fc.array(piece, { maxLength: 3 })).map(([first, rest]) => [first, ...rest].join('')).filter(validName), {
    minLength: 1,
    maxLength: 9,
    selector: (name) => name.normalize('NFC'),
  });

let run = 0;

/** A fresh directory holding one sub-directory per name (the real write path: mkdir); its uuid. */
async function directoryWith(entryNames: readonly string[]): Promise<string> {
  const parent = `order-${++run}`;
  for (const name of entryNames) await makeDirectory(services, bucket, `${parent}/${encodeURIComponent(name)}`);
  const claim = await services.entries.getPathClaim(bucket.bucketUuid, parent);
  return claim!.entryUuid;
}

async function pagesByNumber(query: Omit<ListQuery, 'page'>, total: number): Promise<EntryRecord[]> {
  const items: EntryRecord[] = [];
  for (let page = 1; (page - 1) * query.limit < total; page++) items.push(...(await listDirectory(services.listings, { ...query, page })).items);
  return items;
}

async function pagesByToken(query: Omit<ListQuery, 'page'>): Promise<EntryRecord[]> {
  const items: EntryRecord[] = [];
  let nextToken: string | undefined;
  do {
    const result = await listDirectory(services.listings, { ...query, page: 1, nextToken });
    items.push(...result.items);
    nextToken = result.nextToken;
  } while (nextToken);
  return items;
}

const uuids = (entries: readonly EntryRecord[]) => entries.map((entry) => entry.uuid);

describe('listing order', () => {
  it('is the same on the index, the in-memory sort and the reference, page by page', async () => {
    await fc.assert(
      fc.asyncProperty(names, fc.integer({ min: 1, max: 4 }), fc.boolean(), async (entryNames, limit, desc) => {
        // prepare
        const directoryUuid = await directoryWith(entryNames);
        const base = { bucketUuid: bucket.bucketUuid, directoryUuid, limit, orderBy: ['name'] as const, desc: [desc] };
        const all = await services.listings.listAll(bucket.bucketUuid, directoryUuid);
        const reference = [...all].sort((a, b) => (desc ? -referenceCompare(a, b) : referenceCompare(a, b)));
        const needle = entryNames[0]!.normalize('NFC').toLocaleLowerCase('en-US').slice(0, 1);

        // act
        const byPageNumber = await pagesByNumber(base, all.length);
        const byToken = await pagesByToken(base);
        const inMemory = await pagesByToken({ ...base, orderBy: ['name', 'size'], desc: [desc, desc] });
        const searched = await pagesByNumber({ ...base, search: needle }, all.length);

        // assess
        expect(uuids(byPageNumber)).toEqual(uuids(reference));
        expect(uuids(byToken)).toEqual(uuids(reference));
        expect(uuids(inMemory)).toEqual(uuids(reference));
        const matching = reference.filter((entry) => entry.name.normalize('NFC').toLocaleLowerCase('en-US').includes(needle));
        expect(uuids(searched)).toEqual(uuids(matching));
      }),
      { numRuns: 25 },
    );
  });

  it('lists report, report 2, Report!, report-2 on the index and with a search alike', async () => {
    // prepare
    const directoryUuid = await directoryWith(['report', 'report 2', 'report-2', 'Report!']);
    const base = { bucketUuid: bucket.bucketUuid, directoryUuid, page: 1, limit: 10, orderBy: ['name'] as const, desc: [] };

    // act
    const indexed = await listDirectory(services.listings, base);
    const searched = await listDirectory(services.listings, { ...base, search: 'rep' });
    const first = await listDirectory(services.listings, { ...base, limit: 1 });

    // assess
    const expected = ['report', 'report 2', 'Report!', 'report-2'];
    expect(indexed.items.map((entry) => entry.name)).toEqual(expected);
    expect(searched.items.map((entry) => entry.name)).toEqual(expected);
    expect(first.items.map((entry) => entry.name)).toEqual(['report']);
  });

  it('searches names as typed: a search of a space finds only names that hold one', async () => {
    // prepare
    const directoryUuid = await directoryWith([' report', 'report', 'my report']);
    const base = { bucketUuid: bucket.bucketUuid, directoryUuid, page: 1, limit: 10, orderBy: ['name'] as const, desc: [] };

    // act
    const spaced = await listDirectory(services.listings, { ...base, search: ' ' });
    const leading = await listDirectory(services.listings, { ...base, search: ' r' });

    // assess
    expect(spaced.items.map((entry) => entry.name)).toEqual([' report', 'my report']);
    expect(leading.items.map((entry) => entry.name)).toEqual([' report', 'my report']);
  });
});
