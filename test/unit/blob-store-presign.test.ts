/**
 * The presigned URLs the blob store hands out (lib/store/blob-store.ts: `@aws-sdk/s3-request-presigner` on the
 * S3 client of lib/store/clients.ts), read by an independent SigV4 reader (test/support/sigv4.ts), which is
 * checked against AWS's published example first.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../lib/config';
import { S3BlobStore } from '../../lib/store/blob-store';
import { createAwsClients } from '../../lib/store/clients';
import { expectedQuerySignature } from '../support/sigv4';

// AWS's example credentials and date (Amazon S3 API reference, "Authenticating Requests: Using Query Parameters").
const AWS_EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EXAMPLE_URL =
  'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host';
const EXAMPLE_SIGNATURE = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

/** The blob store of a service configured for `region` (and `endpoint`), signing with AWS's example keys. */
function blobStore(region: string, endpoint?: string, sessionToken?: string, clock?: () => Date): S3BlobStore {
  return blobStoreAndClient(region, endpoint, sessionToken, clock).store;
}

function blobStoreAndClient(region: string, endpoint?: string, sessionToken?: string, clock?: () => Date) {
  vi.stubEnv('AWS_ACCESS_KEY_ID', AWS_EXAMPLE.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', AWS_EXAMPLE.secretAccessKey);
  if (sessionToken) vi.stubEnv('AWS_SESSION_TOKEN', sessionToken);
  const config = parseConfig({ AWS_REGION: region, TABLE_NAME: 't', FILES_BUCKET: 'storage-files', REPLICA_BUCKET: 'storage-replica', S3_ENDPOINT: endpoint });
  const clients = createAwsClients(config);
  return { store: new S3BlobStore(clients.s3, config.FILES_BUCKET, config.REPLICA_BUCKET, clock), s3: clients.s3, bucket: config.FILES_BUCKET };
}

afterEach(() => vi.unstubAllEnvs());

describe('presigned URLs of the blob store', () => {
  it('the test reader gives the signature of AWS published example', () => {
    // act
    const signature = expectedQuerySignature(new URL(EXAMPLE_URL), AWS_EXAMPLE.secretAccessKey);

    // assess
    expect(signature).toBe(EXAMPLE_SIGNATURE);
  });

  it('a presigned PUT signs the declared Content-Length, expires as asked, carries the session token, and no checksum or Content-Type', async () => {
    // prepare
    const store = blobStore('eu-central-1', undefined, 'token/with+chars=');

    // act
    const url = new URL(await store.presignUpload('uploads/b1/f1', 60, 1234));

    // assess
    expect(url.host).toBe('storage-files.s3.eu-central-1.amazonaws.com');
    expect(url.pathname).toBe('/uploads/b1/f1');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('token/with+chars=');
    // no checksum baked into the URL (SDK >= 3.729 without WHEN_REQUIRED), no Content-Type required
    expect([...url.searchParams.keys()].filter((name) => /checksum|content-type/i.test(name))).toEqual([]);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey, { ':method': 'PUT', 'content-length': '1234' }));
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey, { ':method': 'PUT', 'content-length': '1235' }));
  });

  it('a presigned PUT without a declared size signs the host alone', async () => {
    // act
    const url = new URL(await blobStore('us-east-1').presignUpload('uploads/b1/f2', 60));

    // assess
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey, { ':method': 'PUT' }));
  });

  it('a presigned GET signs response-content-disposition and -type with spaces, quotes and RFC 8187 text', async () => {
    // prepare
    const store = blobStore('us-east-1');

    // act
    const signed = await store.presignDownload('files/b1/f1/v1', 60, "Renée's CV (1).pdf", 'text/plain; charset=utf-8');

    // assess
    const url = new URL(signed);
    expect(url.searchParams.get('response-content-disposition')).toBe(`attachment; filename="Ren_e's CV (1).pdf"; filename*=UTF-8''Ren%C3%A9e%27s%20CV%20%281%29.pdf`);
    expect(url.searchParams.get('response-content-type')).toBe('text/plain; charset=utf-8');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey));
  });

  it('keys are percent-encoded once in the path, path-style on an emulator endpoint', async () => {
    // prepare
    const store = blobStore('us-east-1', 'http://127.0.0.1:4569');

    // act
    const url = new URL(await store.presignDownload("a b/c+d/(x)*'!.txt", 60, 'x.txt', 'text/plain'));

    // assess
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:4569/storage-files/a%20b/c%2Bd/%28x%29%2A%27%21.txt');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey));
  });

  it.each([
    ['us-east-1', undefined, undefined],
    ['eu-central-1', undefined, 'token/with+chars='],
    ['us-east-1', 'http://127.0.0.1:4569', undefined],
  ])('upload URLs are byte for byte the SDK getSignedUrl ones (%s, endpoint %s), for any key and size', async (region, endpoint, token) => {
    // prepare
    const signingDate = new Date('2026-12-07T01:02:03Z');
    const { store, s3, bucket } = blobStoreAndClient(region, endpoint, token, () => signingDate);
    const client = await s3();
    const cases: Array<[string, number | undefined]> = [
      ['uploads/b1/f1', 1234],
      ['uploads/b1/f2', undefined],
      ["uploads/a b/c+d/(x)*'!~.txt", 0],
      ['uploads/Ünïcödé/日本語/😀.bin', 5 * 1024 ** 3],
      ['uploads//double//slash/', 7],
      ['uploads/%41%2F?#&=;', undefined],
    ];

    for (const [key, size] of cases) {
      // act
      const ours = await store.presignUpload(key, 60, size);

      // assess
      const sdk = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: size }), {
        expiresIn: 60,
        signingDate,
        ...(size === undefined ? {} : { unhoistableHeaders: new Set(['content-length']) }),
      });
      expect(ours, key).toBe(sdk);
    }
  });

  it('records each presigned upload as the PutObject its holder will make, and building the request as nothing', async () => {
    // prepare: a recording store (AWS_CALL_RECORD_DIR, as the e2e stack runs for the IAM test)
    const directory = mkdtempSync(path.join(os.tmpdir(), 'presign-record-'));
    try {
      vi.stubEnv('AWS_ACCESS_KEY_ID', AWS_EXAMPLE.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', AWS_EXAMPLE.secretAccessKey);
      const config = parseConfig({ AWS_REGION: 'us-east-1', TABLE_NAME: 't', FILES_BUCKET: 'storage-files', REPLICA_BUCKET: 'storage-replica', AWS_CALL_RECORD_DIR: directory });
      const store = new S3BlobStore(createAwsClients(config).s3, config.FILES_BUCKET, config.REPLICA_BUCKET);

      // act
      await store.presignUpload('uploads/b1/f1', 60, 10);
      await store.presignUpload('uploads/b1/f2', 60);

      // assess
      const lines = readdirSync(directory).flatMap((file) => readFileSync(path.join(directory, file), 'utf8').trim().split('\n')).map((line) => JSON.parse(line));
      expect(lines.map((line) => [line.operation, line.requests.map((request: { action: string; resource: string }) => `${request.action} ${request.resource}`)])).toEqual([
        ['PutObject', ['s3:PutObject arn:aws:s3:::storage-files/uploads/b1/f1']],
        ['PutObject', ['s3:PutObject arn:aws:s3:::storage-files/uploads/b1/f2']],
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
