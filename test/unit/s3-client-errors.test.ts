/**
 * What s3rver cannot show: S3's CopyObject may answer 200 and report an error in
 * the body (API_CopyObject: "a 200 OK response can contain either a success or
 * an error"), throttles with 503 SlowDown, and escapes the ETag quotes in XML.
 * A local HTTP server answers with S3's documented bodies.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Client, S3Error } from '../../lib/store/s3-client';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let close: (() => void) | undefined;
afterEach(() => close?.());

/** A server giving the answers in order (the last one again), recording each request. */
async function s3Answering(...answers: Array<(response: ServerResponse) => void>): Promise<{ client: S3Client; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    request.resume();
    request.on('end', () => answers[Math.min(requests.length, answers.length) - 1]!(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => server.close();
  const { port } = server.address() as AddressInfo;
  return { client: new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials }), requests };
}

const xml = (status: number, body: string) => (response: ServerResponse) => response.writeHead(status, { 'content-type': 'application/xml' }).end(body);
const copied = xml(200, '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>');
const copyFailedIn200 = xml(200, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>R1</RequestId></Error>');

describe('S3 client: answers s3rver does not give', () => {
  it('decodes the XML-escaped ETag of a copy and sends the source URL-encoded', async () => {
    // prepare
    const { client, requests } = await s3Answering(copied);

    // act
    const { eTag } = await client.copyObject({ bucket: 'files', key: 'uploads/a b+c' }, { bucket: 'replica', key: 'files/x' });

    // assess
    expect(eTag).toBe('"9b2cf535f27731c974343645a3985328"');
    expect(requests[0]!.headers['x-amz-copy-source']).toBe('/files/uploads/a%20b%2Bc');
    expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*host/);
  });

  it('retries a copy answered 200 with an error body, and succeeds', async () => {
    // prepare
    const { client, requests } = await s3Answering(copyFailedIn200, copied);

    // act
    const { eTag } = await client.copyObject({ bucket: 'files', key: 'a' }, { bucket: 'files', key: 'b' });

    // assess
    expect(requests).toHaveLength(2);
    expect(eTag).toBe('"9b2cf535f27731c974343645a3985328"');
  });

  it('throws the 200-with-error as InternalError after the last attempt, never as a success', async () => {
    // prepare
    const { client, requests } = await s3Answering(copyFailedIn200);

    // act
    const error = await client.copyObject({ bucket: 'files', key: 'a' }, { bucket: 'files', key: 'b' }).catch((caught: unknown) => caught);

    // assess
    expect(requests).toHaveLength(3);
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).name).toBe('InternalError');
    expect((error as S3Error).$metadata).toEqual({ httpStatusCode: 500, requestId: undefined });
  });

  it('retries 503 SlowDown, and does not retry 403 AccessDenied', async () => {
    // prepare
    const slowDown = xml(503, '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    const denied = xml(403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    const throttled = await s3Answering(slowDown, (response) => response.writeHead(200).end());
    await throttled.client.putObject('files', 'k', new Uint8Array([1]));
    close?.();
    const forbidden = await s3Answering(denied);

    // act
    const error = (await forbidden.client.putObject('files', 'k', new Uint8Array([1])).catch((caught: unknown) => caught)) as S3Error;

    // assess
    expect(throttled.requests).toHaveLength(2);
    expect(forbidden.requests).toHaveLength(1);
    expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual(['AccessDenied', 'Access Denied', 403]);
  });

  it('reports a redirect (wrong region) as the error S3 names, and does not follow it', async () => {
    // prepare
    const redirect = (response: ServerResponse) =>
      response
        .writeHead(307, { location: 'http://127.0.0.1:9/elsewhere', 'content-type': 'application/xml' })
        .end('<Error><Code>TemporaryRedirect</Code><Message>Please re-send this request to the specified temporary endpoint.</Message></Error>');
    const { client, requests } = await s3Answering(redirect);

    // act
    const error = (await client.getObjectBytes('files', 'k').catch((caught: unknown) => caught)) as S3Error;

    // assess
    expect(requests).toHaveLength(1);
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['TemporaryRedirect', 307]);
  });
});
