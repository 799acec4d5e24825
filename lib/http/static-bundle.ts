/**
 * Serving a packed static site (the web console's build, console/dist/bundle.json; the API reference's renderer,
 * docs/reference/dist/bundle.json) from a function: exact-path lookup (no file system, nothing resolved, so no
 * traversal), long-lived caching of content-hashed assets, gzip-packed files sent compressed to clients that accept
 * gzip, and the caller's security headers on every answer, 404 included.
 */
import Negotiator from 'negotiator';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';

/** One packed file: text as is (`utf8`), binary as `base64`, large text as base64 of its gzip bytes (`gzip`). */
export interface PackedFile {
  readonly contentType: string;
  readonly body: string;
  readonly encoding: string;
}

/** The packed form the build scripts write (scripts/static-site/pack.ts): file path (relative to the site's base) → content. */
export interface PackedSite {
  readonly files: Record<string, PackedFile>;
}

export interface StaticSite {
  /** The URL path the site is served under, without a trailing slash (`/console`). */
  readonly base: string;
  /** What the site is, for the 404 page (`the web console`). */
  readonly title?: string;
  readonly files: PackedSite['files'];
  /** Headers every answer carries (CSP, framing, sniffing, referrer). */
  readonly headers: Record<string, string>;
}

/** What of the request decides the answer. */
export interface StaticRequest {
  readonly rawPath: string;
  /** The `Accept-Encoding` header, if any. */
  readonly acceptEncoding?: string;
}

/** Built assets named by content hash (`assets/index-<hash>.js`): such a file never changes under its name. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** Whether an Accept-Encoding value takes gzip (RFC 9110 §12.5.3: listed, or `*`, with a q-value above 0), by `negotiator`. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encodings(['gzip']).includes('gzip');
}

/**
 * The headers every answer of a static site carries (the console's and the API reference's, one policy): a CSP allowing
 * only the site's own scripts and stylesheets (no inline code, no eval), `data:` images (Swagger UI's inline SVG
 * icons), requests to its own origin and to `connectSources` (origins, e.g. the files bucket the console PUTs to), no
 * framing, no forms posting elsewhere; no MIME sniffing, no referrer, its own browsing-context group.
 */
export function staticSiteHeaders(connectSources: readonly string[] = []): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** Where the 404 page of every site links besides the site's own start. */
const REFERENCE_LINK = { href: '/docs', text: 'API reference' } as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * 404 for a path that is no file of the site: a small HTML page (no script, no style, so the site's CSP holds) that
 * names the path and links to the site's start and the API reference (once: the reference's own 404 links it once).
 * A static site answers in HTML, not in an API surface's JSON envelope.
 */
function notFound(site: StaticSite, rawPath: string): APIGatewayProxyStructuredResultV2 {
  const what = site.title ?? site.base;
  const links = [{ href: site.base, text: what }, ...(site.base === REFERENCE_LINK.href ? [] : [REFERENCE_LINK])];
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title></head>
<body><h1>404 Not found</h1><p><code>${escapeHtml(rawPath)}</code> is not a file of ${escapeHtml(what)}.</p>
<p>${links.map((link) => `<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`).join(' · ')}</p></body></html>
`;
  return { statusCode: 404, headers: { ...site.headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}

/**
 * The answer for a request: `<base>` and `<base>/` give index.html (revalidated each time: `no-cache`), `<base>/<file>`
 * gives that file (hashed assets cached a year, `immutable`), anything else the 404 page. A gzip-packed file is sent
 * as is with `Content-Encoding: gzip` when the client accepts gzip, else decompressed; either way with
 * `Vary: Accept-Encoding`.
 */
export function serveStatic(site: StaticSite, request: StaticRequest): APIGatewayProxyStructuredResultV2 {
  const { rawPath } = request;
  const relative = rawPath === site.base || rawPath === `${site.base}/` ? 'index.html' : rawPath.startsWith(`${site.base}/`) ? rawPath.slice(site.base.length + 1) : undefined;
  const file = relative === undefined ? undefined : Object.hasOwn(site.files, relative) ? site.files[relative] : undefined;
  if (!file) return notFound(site, rawPath);
  const cacheControl = HASHED_ASSET.test(relative!) ? 'public, max-age=31536000, immutable' : 'no-cache';
  const headers = { ...site.headers, 'content-type': file.contentType, 'cache-control': cacheControl };
  if (file.encoding === 'gzip') {
    const vary = { vary: 'accept-encoding' };
    if (acceptsGzip(request.acceptEncoding)) return { statusCode: 200, headers: { ...headers, ...vary, 'content-encoding': 'gzip' }, body: file.body, isBase64Encoded: true };
    return { statusCode: 200, headers: { ...headers, ...vary }, body: gunzipSync(Buffer.from(file.body, 'base64')).toString('base64'), isBase64Encoded: true };
  }
  const base64 = file.encoding === 'base64';
  return { statusCode: 200, headers, body: file.body, isBase64Encoded: base64 };
}
