/**
 * The web console's function (GET /console, /console/{proxy+}) invoked with API Gateway v2 events: the page,
 * its hashed assets, 404s, and its strict headers; and the committed build matching its sources.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import bundle from '../../console/dist/bundle.json';
import { consoleHeaders, handler, uploadOrigins } from '../../functions/console/assets/handler';
import { BUNDLE_FILE, consoleSourceHash } from '../../scripts/console/source-hash';
import { httpEvent } from '../support/events';

const get = async (rawPath: string) => {
  const result = await handler(httpEvent({ rawPath, path: rawPath === '/console' ? '/console' : '/console/{proxy+}' }));
  return { ...result, headers: result.headers as Record<string, string> };
};

const script = Object.keys(bundle.files).find((name) => name.endsWith('.js'))!;

describe('GET /console', () => {
  it.each(['/console', '/console/', '/console/index.html'])('%s answers the page, revalidated on each load', async (rawPath) => {
    // act
    const response = await get(rawPath);

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toContain(`<script type="module" crossorigin src="/console/${script}"></script>`);
  });

  it('serves a content-hashed asset for a year, immutable', async () => {
    // act
    const response = await get(`/console/${script}`);

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(bundle.files[script as keyof typeof bundle.files].body);
  });

  it.each(['/console/nope.js', '/console/assets/../index.html', '/console/constructor', '/console/__proto__', '/consolex', '/docs'])('%s answers 404', async (rawPath) => {
    // act
    const response = await get(rawPath);

    // assess
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('404 Not found');
    expect(response.body).toContain('is not a file of the web console');
    expect(response.body!.match(/<a href="[^"]*">/g)).toEqual(['<a href="/console">', '<a href="/docs">']);
    expect(response.body).not.toMatch(/<script|<style|style=/);
  });

  it('names the path in its 404 page, escaped', async () => {
    // act
    const response = await get('/console/<img src=x onerror=alert(1)>');

    // assess
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<code>/console/&#60;img src=x onerror=alert(1)&#62;</code>');
    expect(response.body).not.toContain('<img');
  });

  it('sends a CSP with no inline code, no framing, requests only to itself and the files bucket', async () => {
    // act
    const response = await get('/console');

    // assess
    const csp = response.headers['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-');
    expect(csp).toMatch(/connect-src 'self' \S+/);
    expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
  });
});

describe('the console’s upload origins (CSP connect-src)', () => {
  it('is the S3 endpoint’s origin where one is configured (the local stack)', () => {
    // act
    const origins = uploadOrigins({ S3_ENDPOINT: 'http://localhost:4569/', FILES_BUCKET: 'b', AWS_REGION: 'us-east-1' });

    // assess
    expect(origins).toEqual(['http://localhost:4569']);
  });

  it('is the files bucket’s virtual-hosted S3 origin on AWS', () => {
    // act
    const csp = consoleHeaders({ FILES_BUCKET: 'svc-prod-files', AWS_REGION: 'eu-west-1' })['content-security-policy'];

    // assess
    expect(csp).toContain("connect-src 'self' https://svc-prod-files.s3.eu-west-1.amazonaws.com https://svc-prod-files.s3.amazonaws.com;");
  });
});

describe('console/dist/bundle.json', () => {
  it('was built from the console’s sources as they are (else: npm run console:build)', () => {
    // act
    const recorded = (JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as { sourceHash: string }).sourceHash;

    // assess
    expect(recorded, 'run `npm run console:build` and commit console/dist/bundle.json').toBe(consoleSourceHash());
  });
});
