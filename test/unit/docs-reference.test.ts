/**
 * The API reference's function (GET /openapi.json, /docs, /docs/{proxy+}) invoked with API Gateway v2 events: the
 * document, the Swagger UI page and its hashed assets (gzip-compressed when the client takes gzip, the same bytes as
 * swagger-ui-dist's files either way), 404s as a short HTML page, the strict headers; the committed pack matching its
 * sources; and Accept-Encoding parsing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import document from '../../docs/openapi.json';
import bundle from '../../docs/reference/dist/bundle.json';
import { handler } from '../../functions/docs/openapi/handler';
import { acceptsGzip } from '../../lib/http/static-bundle';
import { DOCS_BUNDLE_FILE, docsSourceHash } from '../../scripts/docs/build';
import { httpEvent } from '../support/events';

const ROUTES: Record<string, string> = { '/openapi.json': '/openapi.json', '/docs': '/docs' };

const get = async (rawPath: string, headers: Record<string, string> = {}) => {
  const result = await handler(httpEvent({ rawPath, path: ROUTES[rawPath] ?? '/docs/{proxy+}', headers }));
  return { ...result, headers: result.headers as Record<string, string> };
};

const assetNamed = (stem: string) => Object.keys(bundle.files).find((name) => new RegExp(`^assets/${stem}-[0-9a-f]{12}\\.`).test(name))!;
const renderer = (name: string) => readFileSync(path.resolve(__dirname, '..', '..', 'node_modules', 'swagger-ui-dist', name));

describe('GET /openapi.json', () => {
  it('answers the document', async () => {
    // act
    const response = await get('/openapi.json');

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body!)).toEqual(document);
  });

  it('answers it gzip-compressed to a client that takes gzip', async () => {
    // act
    const response = await get('/openapi.json', { 'accept-encoding': 'gzip, br' });

    // assess
    expect(response.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-type': 'application/json; charset=utf-8' });
    const bytes = Buffer.from(response.body!, 'base64');
    expect(bytes.length).toBeLessThan(40_000);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(document);
  });
});

describe('GET /docs', () => {
  it.each(['/docs', '/docs/', '/docs/index.html'])('%s answers the Swagger UI page, loading only its own files', async (rawPath) => {
    // act
    const response = await get(rawPath);

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    const body = response.body!;
    expect(body).toContain(`<script src="/docs/${assetNamed('swagger-ui-bundle')}"></script>`);
    expect(body).toContain(`<script src="/docs/${assetNamed('reference')}"></script>`);
    expect(body).toContain(`<link rel="stylesheet" href="/docs/${assetNamed('swagger-ui')}" />`);
    expect([...body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((url) => !url!.startsWith('/'))).toEqual([]);
    expect(body).not.toMatch(/<script>|<style|style=/);
  });

  it('sends Swagger UI’s script gzip-compressed to a client that takes gzip, cached a year', async () => {
    // act
    const response = await get(`/docs/${assetNamed('swagger-ui-bundle')}`, { 'accept-encoding': 'gzip, deflate, br' });

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'content-encoding': 'gzip', vary: 'accept-encoding', 'cache-control': 'public, max-age=31536000, immutable' });
    expect(response.isBase64Encoded).toBe(true);
    const gzipped = Buffer.from(response.body!, 'base64');
    expect(gzipped.length).toBeLessThan(600_000);
    expect(gunzipSync(gzipped).equals(renderer('swagger-ui-bundle.js'))).toBe(true);
  });

  it.each([undefined, 'identity', 'gzip;q=0, br'])('sends it decompressed to a client that does not take gzip (Accept-Encoding: %s)', async (acceptEncoding) => {
    // act
    const response = await get(`/docs/${assetNamed('swagger-ui')}`, acceptEncoding ? { 'accept-encoding': acceptEncoding } : {});

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(response.body!, 'base64').equals(renderer('swagger-ui.css'))).toBe(true);
  });

  it.each(['/docs/nope.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/../index.html', '/docs/__proto__', '/docsx'])('%s answers the 404 page', async (rawPath) => {
    // act
    const response = await get(rawPath);

    // assess
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('is not a file of the API reference');
    expect(response.body!.match(/<a href="\/docs">/g), 'the reference linked once').toHaveLength(1);
  });

  it('sends a CSP with no inline code and no eval, requests only to itself, no framing', async () => {
    // act
    const response = await get('/docs');

    // assess
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
  });

  it('the document’s server is the service it is served from (try-it requests go there)', () => {
    // assess
    expect(document.servers).toEqual([{ url: '/', description: 'This service' }]);
  });
});

describe('docs/reference/dist/bundle.json', () => {
  it('was packed from the page’s sources and the installed swagger-ui-dist (else: npm run docs:build)', () => {
    // act
    const recorded = (JSON.parse(readFileSync(DOCS_BUNDLE_FILE, 'utf8')) as { sourceHash: string }).sourceHash;

    // assess
    expect(recorded, 'run `npm run docs:build` and commit docs/reference/dist/bundle.json').toBe(docsSourceHash());
  });
});

describe('Accept-Encoding (RFC 9110 §12.5.3)', () => {
  it.each([
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['*', true],
    ['br, *;q=0.1', true],
    ['GZIP', true],
    ['gzip;q=0', false],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['identity', false],
    ['', false],
  ])('%j takes gzip: %s', (header, expected) => {
    // assess
    expect(acceptsGzip(header)).toBe(expected);
  });
});
