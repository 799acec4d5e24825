/**
 * Serving a packed static site (the web console's build, console/dist/bundle.json) from a function: exact-path
 * lookup (no file system, nothing resolved, so no traversal), long-lived caching of content-hashed assets, and
 * the caller's security headers on every answer, 404 included.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The packed form `npm run console:build` writes: file path (relative to the site's base) → content. */
export interface PackedSite {
  readonly files: Record<string, { readonly contentType: string; readonly body: string; readonly encoding: string }>;
}

export interface StaticSite {
  /** The URL path the site is served under, without a trailing slash (`/console`). */
  readonly base: string;
  readonly files: PackedSite['files'];
  /** Headers every answer carries (CSP, framing, sniffing, referrer). */
  readonly headers: Record<string, string>;
}

/** Vite names built assets by content hash (`assets/index-<hash>.js`): such a file never changes under its name. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/**
 * The answer for `rawPath`: `<base>` and `<base>/` give index.html (revalidated each time: `no-cache`), `<base>/<file>`
 * gives that file (hashed assets cached a year, `immutable`), anything else 404 (text/plain).
 */
export function serveStatic(site: StaticSite, rawPath: string): APIGatewayProxyStructuredResultV2 {
  const relative = rawPath === site.base || rawPath === `${site.base}/` ? 'index.html' : rawPath.startsWith(`${site.base}/`) ? rawPath.slice(site.base.length + 1) : undefined;
  const file = relative === undefined ? undefined : Object.hasOwn(site.files, relative) ? site.files[relative] : undefined;
  if (!file) {
    return { statusCode: 404, headers: { ...site.headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'Not found\n' };
  }
  const cacheControl = HASHED_ASSET.test(relative!) ? 'public, max-age=31536000, immutable' : 'no-cache';
  const base64 = file.encoding === 'base64';
  return { statusCode: 200, headers: { ...site.headers, 'content-type': file.contentType, 'cache-control': cacheControl }, body: file.body, isBase64Encoded: base64 };
}
