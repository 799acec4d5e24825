import { describe, expect, it } from 'vitest';
import { S3Client } from '../../lib/store/s3-client';
import { expectedQuerySignature } from '../support/sigv4';

// AWS's example credentials and date (Amazon S3 API reference, "Authenticating Requests: Using Query Parameters").
const AWS_EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EXAMPLE_URL =
  'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host';
const EXAMPLE_SIGNATURE = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
const signingDate = new Date('2013-05-24T00:00:00Z');

describe('SigV4 query signatures (presigned URLs)', () => {
  it('the test reader gives the signature of AWS published example', () => {
    // act
    const signature = expectedQuerySignature(new URL(EXAMPLE_URL), AWS_EXAMPLE.secretAccessKey);

    // assess
    expect(signature).toBe(EXAMPLE_SIGNATURE);
  });

  it('a presigned PUT signs the declared Content-Length, expires as asked and carries the session token', async () => {
    // prepare
    const client = new S3Client({ region: 'eu-central-1', credentials: { ...AWS_EXAMPLE, sessionToken: 'token/with+chars=' } });

    // act
    const url = new URL(await client.presignPutObject('storage-files', 'uploads/b1/f1', 60, 1234, signingDate));

    // assess
    expect(url.host).toBe('storage-files.s3.eu-central-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('token/with+chars=');
    // no checksum baked into the URL (the SDK >= 3.729 quirk), no Content-Type required
    expect([...url.searchParams.keys()].filter((name) => /checksum|content-type/i.test(name))).toEqual([]);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey, { ':method': 'PUT', 'content-length': '1234' }));
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey, { ':method': 'PUT', 'content-length': '1235' }));
  });

  it('a presigned GET signs response-content-disposition and -type with spaces, quotes and RFC 8187 text', async () => {
    // prepare
    const client = new S3Client({ region: 'us-east-1', credentials: AWS_EXAMPLE });
    const disposition = `attachment; filename="Renee's CV (1).pdf"; filename*=UTF-8''Ren%C3%A9e%27s%20CV%20%281%29.pdf`;

    // act
    const signed = await client.presignGetObject('storage-files', 'files/b1/f1/v1', 60, { 'response-content-disposition': disposition, 'response-content-type': 'text/plain; charset=utf-8' }, signingDate);

    // assess
    const url = new URL(signed);
    expect(signed).not.toContain('+');
    expect(url.searchParams.get('response-content-disposition')).toBe(disposition);
    expect(url.searchParams.get('response-content-type')).toBe('text/plain; charset=utf-8');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(url, AWS_EXAMPLE.secretAccessKey));
  });

  it('keys are percent-encoded once in the path; path-style with an endpoint; dotted bucket names by path on AWS', async () => {
    // prepare
    const local = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569/', credentials: AWS_EXAMPLE });
    const aws = new S3Client({ region: 'us-east-1', credentials: AWS_EXAMPLE });

    // act
    const onEmulator = new URL(await local.presignGetObject('files', "a b/c+d/(x)*'!.txt", 60, {}, signingDate));
    const dotted = new URL(await aws.presignGetObject('my.bucket', 'k', 60, {}, signingDate));

    // assess
    expect(onEmulator.origin + onEmulator.pathname).toBe('http://127.0.0.1:4569/files/a%20b/c%2Bd/%28x%29%2A%27%21.txt');
    expect(onEmulator.searchParams.get('X-Amz-Signature')).toBe(expectedQuerySignature(onEmulator, AWS_EXAMPLE.secretAccessKey));
    expect(dotted.origin + dotted.pathname).toBe('https://s3.us-east-1.amazonaws.com/my.bucket/k');
    await expect(local.presignGetObject('files', 'a/../b', 60)).rejects.toThrow(RangeError);
  });
});
