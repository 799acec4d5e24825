/**
 * The API reference over HTTP on the local stack (serverless-offline, the bundled docs function): /docs answers the
 * Swagger UI page with its strict headers, its renderer's script arrives gzip-compressed to a client that takes gzip
 * (and whole to one that does not), /openapi.json names this service as its server, and an unknown asset of /docs
 * or /console answers the short HTML 404 page. The page in a browser: docs.browser.test.ts.
 */
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

/** GET without fetch's transparent decompression: the status, headers and bytes as sent. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('the API reference on the local stack', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let script: string;

  beforeAll(async () => {
    stack = await sharedLocalStack();
  });

  it('GET /docs answers the Swagger UI page with a CSP allowing only its own files and requests', async () => {
    // act
    const response = await stack.request('/docs');

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    script = /<script src="(\/docs\/assets\/swagger-ui-bundle-[0-9a-f]+\.js)"><\/script>/.exec(response.text)![1]!;
  });

  it('sends the renderer gzip-compressed to a client that takes gzip, and whole to one that does not', async () => {
    // act
    const gzipped = await rawGet(`${stack.baseUrl}${script}`, { 'accept-encoding': 'gzip' });
    const whole = await rawGet(`${stack.baseUrl}${script}`, {});

    // assess
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gzipped.bytes.length).toBeLessThan(600_000);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(gzipped.bytes).equals(whole.bytes)).toBe(true);
    expect(whole.bytes.toString('utf8', 0, 2000)).toContain('SwaggerUIBundle');
  });

  it('GET /openapi.json names the service it is served from as its server', async () => {
    // act
    const response = await stack.request('/openapi.json');

    // assess
    expect(response.status).toBe(200);
    expect(response.body.servers).toEqual([{ url: '/', description: 'This service' }]);
  });

  it.each(['/docs/assets/nope.js', '/console/assets/nope.js'])('GET %s answers the 404 page naming the path', async (path) => {
    // act
    const response = await stack.request(path);

    // assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.text).toContain(`<code>${path}</code> is not a file of`);
  });
});
