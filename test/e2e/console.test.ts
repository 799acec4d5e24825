/**
 * The web console over HTTP on the local stack: served at /console with its strict headers, and the files
 * bucket's CORS (s3rver, given the template's rule by `npm start`): a browser preflight for a presigned PUT from
 * the console's origin is allowed, from any other origin refused. The browser itself: console.browser.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

describe('the web console on the local stack', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let uploadUrl: string;

  beforeAll(async () => {
    stack = await sharedLocalStack();
    const issued = await stack.request(`/storage/buckets/${stack.bucketUuid}/upload`, {
      method: 'POST',
      headers: { ...stack.headers.basic, 'content-type': 'application/json' },
      body: JSON.stringify({ files: [{ fileName: 'cors-probe.txt', contentType: 'text/plain' }] }),
    });
    expect(issued.status, issued.text).toBe(201);
    uploadUrl = issued.body.data.files[0].url;
  });

  it('GET /console answers the page with a CSP that lets it PUT to the local S3 only', async () => {
    // act
    const response = await stack.request('/console');

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<div id="app"></div>');
    expect(response.headers.get('content-security-policy')).toContain(`connect-src 'self' ${new URL(uploadUrl).origin};`);
  });

  it('a preflight for a presigned PUT from the console’s origin is allowed', async () => {
    // act
    const response = await fetch(uploadUrl, {
      method: 'OPTIONS',
      headers: { origin: stack.baseUrl, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });

    // assess
    expect(response.status, await response.text()).toBe(200);
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it.each(['https://evil.example', 'http://127.0.0.1:1'])('a preflight from %s is refused', async (origin) => {
    // act
    const response = await fetch(uploadUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } });

    // assess
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the PUT itself from the console’s origin gets the origin back (the browser lets the page read the answer)', async () => {
    // act
    const response = await fetch(uploadUrl, { method: 'PUT', headers: { origin: stack.baseUrl }, body: 'hello from the console' });

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(stack.baseUrl);
  });
});
