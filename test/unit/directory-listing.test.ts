/**
 * The HTML listing the path gateway generates for a directory without an index.html:
 * names escaped, links that lead to each child whatever its name holds, sizes, and the
 * page's validators. The page is parsed back with the WHATWG URL parser, never with
 * the code that built it.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, formatBytes, listingResponse, renderListing, type DirectoryListing } from '../../lib/gateway/directory-listing';
import { GATEWAY_SERVE_OPTIONS } from '../../lib/gateway/views';
import type { EntryRecord } from '../../lib/core/model/entries';
import { httpEvent } from '../support/events';

function entry(name: string, type: 'file' | 'directory', extra: Partial<EntryRecord> & { dagSizeV1?: number } = {}): EntryRecord {
  return {
    uuid: `uuid-${name}`, type, bucketUuid: 'b', accountId: 'a', number: 1, name, path: name, parentUuid: null,
    createdAt: '2026-11-29T00:00:00.000Z', updatedAt: '2026-11-29T00:00:00.000Z', recordStatus: 5,
    cidV1: `bafy-${type}`, cidV0: `Qm-${type}`, ...(type === 'file' ? { fileStatus: 3, contentType: 'text/plain', objectKey: 'k', size: 1536 } : {}),
    ...extra,
  } as EntryRecord;
}

const LISTING: DirectoryListing = {
  prefix: '/ipfs/bafyroot',
  segments: ['docs'],
  cid: 'bafyroot',
  version: 1,
  children: [
    entry('<script>alert(1)</script>.txt', 'file'),
    entry('50% off #1?.txt', 'file'),
    entry('mailto:x', 'file'),
    entry('sub dir', 'directory', { dagSizeV1: 2048 }),
    entry('日本語.txt', 'file', { size: 0 }),
  ],
};

/** The href of each row's first link, resolved against the listing's URL as a browser would (with or without its slash). */
function resolvedLinks(html: string, base = 'https://gw.test/ipfs/bafyroot/docs/'): string[] {
  return [...html.matchAll(/<td class="(?:file|dir)"><a href="([^"]*)">/g)].map((match) =>
    decodeURIComponent(new URL(match[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'"), base).pathname),
  );
}

describe('renderListing', () => {
  it('links each child by a URL that leads to its path, whatever its name holds, with or without the page’s slash', () => {
    // act
    const html = renderListing(LISTING);

    // assess
    expect(resolvedLinks(html, 'https://gw.test/ipfs/bafyroot/docs')).toEqual(resolvedLinks(html));
    expect(resolvedLinks(html)).toEqual([
      '/ipfs/bafyroot/', // `..`
      '/ipfs/bafyroot/docs/<script>alert(1)</script>.txt',
      '/ipfs/bafyroot/docs/50% off #1?.txt',
      '/ipfs/bafyroot/docs/mailto:x',
      '/ipfs/bafyroot/docs/sub dir/',
      '/ipfs/bafyroot/docs/日本語.txt',
    ]);
  });

  it('escapes names: no markup of a name reaches the page', () => {
    // act
    const html = renderListing(LISTING);

    // assess
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.txt');
  });

  it('shows file sizes and a directory’s DAG size, exact in a title', () => {
    // act
    const html = renderListing(LISTING);

    // assess
    expect(html).toContain('<td class="size" title="1536 bytes">1.5 KiB</td>');
    expect(html).toContain('<td class="size" title="2048 bytes">2.0 KiB</td>');
    expect(html).toContain('<td class="size" title="0 bytes">0 B</td>');
  });

  it('has no link to a parent at the content root', () => {
    // act
    const html = renderListing({ ...LISTING, segments: [] });

    // assess
    expect(resolvedLinks(html, 'https://gw.test/ipfs/bafyroot/')[0]).toBe('/ipfs/bafyroot/<script>alert(1)</script>.txt');
    expect(html).toContain('<title>Index of /ipfs/bafyroot/</title>');
  });
});

describe('listingResponse', () => {
  it('answers text/html with the spec’s DirIndex ETag, and 304 to If-None-Match with it', () => {
    // act
    const page = listingResponse(httpEvent({ rawPath: '/ipfs/bafyroot/docs/' }), LISTING, GATEWAY_SERVE_OPTIONS);
    const again = listingResponse(httpEvent({ rawPath: '/ipfs/bafyroot/docs/', headers: { 'if-none-match': page.headers!.etag as string } }), LISTING, GATEWAY_SERVE_OPTIONS);

    // assess
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': GATEWAY_SERVE_OPTIONS.cacheControl });
    expect(page.headers!.etag).toMatch(/^"DirIndex-1-[\w-]{16}_CID-bafyroot"$/);
    expect(page.headers!['content-security-policy']).toContain("default-src 'none'");
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('tags a page of other children under the same CID differently: no 304 for the page a client cached before a file was replaced', () => {
    // prepare: the children the old CID was computed from, then the same directory after one file was overwritten
    const replaced: DirectoryListing = { ...LISTING, children: LISTING.children.map((child) => (child.name === 'mailto:x' ? { ...child, cidV1: 'bafynewer', size: 99 } : child)) };
    const before = listingResponse(httpEvent({ rawPath: '/ipfs/bafyroot/docs/' }), LISTING, GATEWAY_SERVE_OPTIONS);

    // act
    const after = listingResponse(httpEvent({ rawPath: '/ipfs/bafyroot/docs/', headers: { 'if-none-match': before.headers!.etag as string } }), replaced, GATEWAY_SERVE_OPTIONS);

    // assess
    expect(after.statusCode).toBe(200);
    expect(after.headers!.etag).not.toBe(before.headers!.etag);
  });

  it('answers HEAD with the headers of GET and no body', () => {
    // act
    const get = listingResponse(httpEvent({ rawPath: '/ipfs/bafyroot/docs/' }), LISTING, GATEWAY_SERVE_OPTIONS);
    const head = listingResponse(httpEvent({ method: 'HEAD', rawPath: '/ipfs/bafyroot/docs/' }), LISTING, GATEWAY_SERVE_OPTIONS);

    // assess
    expect(head.headers).toEqual(get.headers);
    expect(head.body).toBe('');
    expect(Number(get.headers!['content-length'])).toBe(Buffer.from(get.body!, 'base64').byteLength);
  });
});

describe('escapeHtml and formatBytes', () => {
  it('escape the five characters and format binary units', () => {
    // act / assess
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect([0, 1023, 1024, 10 * 1024 * 1024, 5 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '10 MiB', '5.0 GiB']);
  });
});
