import { describe, expect } from 'vitest';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/core/ports/storage';
import type { Services } from '../../../lib/app/services';
import { expectQuantumError } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { parseDispositionStrictly } from '../../support/rfc6266';
import { createTestBucket, type TestTenant } from '../../support/services';
import { addFiles, download, fileToken, quantum, routeEvent } from './support';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const parsed = (result: { body?: string }) => JSON.parse(result.body ?? '');

async function storedFile(name: string, content: string | Uint8Array, type?: string) {
  const bucket = await createTestBucket(services, tenant.accountId);
  await addFiles(tenant.headers.master, bucket.name, 'dl', [{ name, content, type }]);
  return { bucket, location: `dl/${name}` };
}

describe('GET /file/download/<file_token>', () => {
  it('gives the bytes as an attachment under the file name, without a key', async () => {
    // prepare
    const bytes = new Uint8Array([0, 1, 2, 3, 250, 251, 252, 253, 254, 255]);
    const { bucket, location } = await storedFile('rapport été.bin', bytes, 'application/x-demo');
    const token = await fileToken(tenant.headers.master, bucket.name, location);

    // act
    const result = await download(token);

    // assess
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, 'base64')).toEqual(Buffer.from(bytes));
    expect(result.headers).toMatchObject({ 'content-type': 'application/x-demo', 'cache-control': 'no-store' });
    const disposition = parseDispositionStrictly(String(result.headers!['content-disposition']));
    expect(disposition).toEqual({ type: 'attachment', parameters: { filename: 'rapport _t_.bin', 'filename*': 'rapport été.bin' } });
    expect(String(result.headers!['content-disposition'])).not.toContain(bucket.bucketUuid);
  });

  it('works once: the second use is 400 INVALID_TOKEN', async () => {
    // prepare
    const { bucket, location } = await storedFile('once.txt', 'once');
    const token = await fileToken(tenant.headers.master, bucket.name, location);
    await download(token);

    // act
    const again = await invoke(quantum.fileDownload, routeEvent({ method: 'GET', route: '/file/download/{token}', params: { token } }));

    // assess
    expectQuantumError(again, { status: 400, message: 'INVALID_TOKEN' });
  });

  it('kills every sibling token once one is used', async () => {
    // prepare
    const { bucket, location } = await storedFile('siblings.txt', 'siblings');
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => fileToken(tenant.headers.master, bucket.name, location)));

    // act
    const used = await download(second!);
    const others = await Promise.all([download(first!), download(third!)]);

    // assess
    expect(used.statusCode).toBe(200);
    for (const other of others) expect({ status: other.statusCode, body: parsed(other) }).toEqual({ status: 400, body: { status: 'error', message: 'INVALID_TOKEN' } });
  });

  it('kills the tokens of a file that changes (overwritten) or goes (removed)', async () => {
    // prepare
    const { bucket, location } = await storedFile('changing.txt', 'v1');
    const beforeOverwrite = await fileToken(tenant.headers.master, bucket.name, location);
    await addFiles(tenant.headers.master, bucket.name, 'dl', [{ name: 'changing.txt', content: 'v2' }], { force: 'true' });
    const beforeRemoval = await fileToken(tenant.headers.master, bucket.name, location);
    await invoke(quantum.fileRemove, routeEvent({ method: 'POST', route: '/file/remove/{bucket}/{location+}', params: { bucket: bucket.name, location }, headers: tenant.headers.master }));

    // act
    const [overwritten, removed] = await Promise.all([download(beforeOverwrite), download(beforeRemoval)]);

    // assess
    expect(parsed(overwritten)).toEqual({ status: 'error', message: 'INVALID_TOKEN' });
    expect(overwritten.statusCode).toBe(400);
    expect(parsed(removed)).toEqual({ status: 'error', message: 'INVALID_TOKEN' });
  });

  it.each([['an unknown token', 'A'.repeat(43)], ['a malformed token', 'not a token!'], ['an over-long token', 'x'.repeat(5000)]])(
    'answers 400 INVALID_TOKEN for %s',
    async (_, token) => {
      // act
      const response = await invoke(quantum.fileDownload, routeEvent({ method: 'GET', route: '/file/download/{token}', params: { token } }));

      // assess
      expectQuantumError(response, { status: 400, message: 'INVALID_TOKEN' });
    },
  );

  it('redirects to a presigned GET (60 s) with the same disposition when the file is too large for a Lambda response', async () => {
    // prepare
    const bytes = new Uint8Array(INLINE_DOWNLOAD_MAX_BYTES + 1).map((_, i) => i % 251);
    const { bucket, location } = await storedFile('large.bin', bytes);
    const token = await fileToken(tenant.headers.master, bucket.name, location);

    // act
    const result = await download(token);

    // assess
    expect(result.statusCode).toBe(302);
    const url = new URL(String(result.headers!.location));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(parseDispositionStrictly(url.searchParams.get('response-content-disposition')!)).toEqual({ type: 'attachment', parameters: { filename: 'large.bin' } });
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });
});
