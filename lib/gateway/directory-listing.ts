import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { entryCid } from '../core/read/public-content';
import { isFile, type EntryRecord } from '../core/model/entries';
import { contentUrl } from './path-gateway';
import { selectResponse } from '../http/conditional';
import { headerValue } from '../http/middleware/json-body';
import type { ServeOptions } from '../http/serve-file';

/**
 * The HTML index the path gateway generates for a directory without an `index.html`
 * (https://specs.ipfs.tech/http-gateways/path-gateway/#generated-html-with-directory-index):
 * one row per child its CID links, with a path-absolute link that works whatever the name
 * holds (spaces, `#`, `?`, `%`, any script: percent-encoded) and whether or not the page's
 * URL ends in `/` (as kubo's listing links), the size, and the child's own CID. Every name
 * is HTML-escaped; the page has no script.
 */

/** Bumped when the page's markup changes, so caches holding the old page let it go (the spec's `DirIndex-<version>` ETag). */
export const LISTING_VERSION = '1';

export interface DirectoryListing {
  /** The content root's URL prefix, `/ipfs/<cid>` or `/ipns/<name>`. */
  readonly prefix: string;
  /** The directory's path under it (none: the content root, which has no link to a parent). */
  readonly segments: readonly string[];
  /** The directory's CID, in the version asked for. */
  readonly cid: string;
  /** Its children, in the order shown (name bytes, as its node links them). */
  readonly children: readonly EntryRecord[];
  /** The CID version asked for (the CIDs shown, the sizes of directories). */
  readonly version: 0 | 1;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML (the five characters that could end an element or an attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** `1536` → `1.5 KiB` (binary units, as `ls -h`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** What a row shows as the size: a file's bytes, a directory's DAG size (Tsize), as the spec suggests. */
function sizeOf(entry: EntryRecord, version: 0 | 1): number | undefined {
  if (isFile(entry)) return entry.size;
  return version === 0 ? entry.dagSizeV0 : entry.dagSizeV1;
}

/** The listing page of `listing`, as HTML text. */
export function renderListing(listing: DirectoryListing): string {
  const title = `${listing.prefix}/${listing.segments.map((segment) => `${segment}/`).join('')}`;
  const rows = listing.children.map((child) => {
    const directory = !isFile(child);
    const href = contentUrl(listing.prefix, [...listing.segments, child.name], directory);
    const size = sizeOf(child, listing.version);
    const cid = entryCid(child, listing.version) ?? '';
    return (
      `<tr><td class="${directory ? 'dir' : 'file'}"><a href="${escapeHtml(href)}">${escapeHtml(child.name)}${directory ? '/' : ''}</a></td>` +
      `<td class="size"${size === undefined ? '' : ` title="${size} bytes"`}>${size === undefined ? '—' : escapeHtml(formatBytes(size))}</td>` +
      `<td class="cid"><a href="/ipfs/${escapeHtml(encodeURIComponent(cid))}">${escapeHtml(cid)}</a></td></tr>`
    );
  });
  const parent =
    listing.segments.length === 0
      ? ''
      : `<tr><td class="dir"><a href="${escapeHtml(contentUrl(listing.prefix, listing.segments.slice(0, -1), true))}">..</a></td><td></td><td></td></tr>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Index of ${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}',
    'td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #eee}td.size{white-space:nowrap;text-align:right}',
    'td.cid{font-family:monospace;font-size:.8rem;word-break:break-all}a{color:#0366d6;text-decoration:none}</style></head>',
    `<body><h1>Index of ${escapeHtml(title)}</h1>`,
    `<p>CID <code>${escapeHtml(listing.cid)}</code> · ${listing.children.length} ${listing.children.length === 1 ? 'entry' : 'entries'} · `,
    '<a href="?format=car">CAR</a> · <a href="?format=raw">root block</a></p>',
    '<table><thead><tr><th>Name</th><th>Size</th><th>CID</th></tr></thead><tbody>',
    parent,
    ...rows,
    '</tbody></table></body></html>',
    '',
  ].join('\n');
}

/**
 * `GET|HEAD` of a directory URL without an `index.html`: the listing page, `text/html`,
 * with the ETag `"DirIndex-<version>-<digest of the page>_CID-<cid>"` (the spec's form, with the
 * page's digest: the page is rendered from the directory's current children, which differ from
 * the CID's for the seconds its recompute takes after a change, e.g. a file overwritten; the
 * CID alone would then tag two pages alike), `If-None-Match` → 304, the cache policy of
 * the namespace (`options.cacheControl`), and a Content-Security-Policy that allows no
 * script. HEAD: the same status and headers, no body.
 */
export function listingResponse(event: APIGatewayProxyEventV2, listing: DirectoryListing, options: ServeOptions): APIGatewayProxyStructuredResultV2 {
  const body = Buffer.from(renderListing(listing), 'utf8');
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  const etag = `"DirIndex-${LISTING_VERSION}-${digest}_CID-${listing.cid}"`;
  const cacheHeaders = { etag, 'cache-control': options.cacheControl };
  const selection = selectResponse(
    { 'if-none-match': headerValue(event, 'if-none-match'), 'cache-control': headerValue(event, 'cache-control') },
    { etag, lastModified: new Date(0), size: body.byteLength },
  );
  if (selection.kind === 'not-modified') return { statusCode: 304, headers: cacheHeaders, body: '' };
  const headers = {
    ...cacheHeaders,
    ...options.headers,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'content-length': String(body.byteLength),
  };
  if (event.requestContext.http.method === 'HEAD') return { statusCode: 200, headers, body: '' };
  return { statusCode: 200, headers, body: body.toString('base64'), isBase64Encoded: true };
}
