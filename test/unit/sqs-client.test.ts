/**
 * The small SQS client (lib/store/sqs-client.ts) against an independent source of
 * the wire format: the request `@aws-sdk/client-sqs` builds for the same input
 * (caught by a middleware that stops before sending), and SQS's documented error
 * shape from a local HTTP server. Round trips through the local SQS endpoint are in
 * test/unit/local-sqs-endpoint.test.ts and the event tests.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsClient, SqsError } from '../../lib/store/sqs-client';
import { sdkRequest, serverAnswering } from '../support/aws-wire';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let close: (() => void) | undefined;
afterEach(() => close?.());

/** A server giving the answers in order, closed after the test. */
async function sqsAnswering(...answers: Array<(response: ServerResponse) => void>) {
  const server = await serverAnswering(...answers);
  close = server.close;
  return server;
}

const json = (status: number, body: object) => (response: ServerResponse) =>
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'R1' }).end(JSON.stringify(body));
const ok = json(200, { Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: 'x' }], Failed: [] });

/** What the SDK sends for the input, stopped before the network. */
const sdkSendMessageBatch = (endpoint: string, queueUrl: string, entries: { Id: string; MessageBody: string; DelaySeconds?: number }[]) =>
  sdkRequest(new SQSClient({ region: 'eu-west-1', endpoint, credentials }), new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));

describe('SQS client: SendMessageBatch on the wire', () => {
  // The SDK also sends `x-amzn-query-mode: true` (SQS's awsQueryCompatible trait: legacy query error
  // codes in a header); without it SQS names errors by the JSON `__type`, which is what SqsError carries.
  it('sends what @aws-sdk/client-sqs sends: POST /, AWS JSON 1.0, the SendMessageBatch target, the same body, signed for sqs', async () => {
    // prepare
    const { endpoint, received } = await sqsAnswering(ok);
    const queueUrl = `${endpoint}/000000000000/events`;
    const entries = [
      { Id: '0', MessageBody: '{"Records":[{"s3":{"object":{"key":"uploads/a%20b"}}}]}' },
      { Id: '1', MessageBody: 'twö', DelaySeconds: 30 },
    ];
    const sdk = await sdkSendMessageBatch(endpoint, queueUrl, entries);

    // act
    await new SqsClient({ region: 'eu-west-1', endpoint, credentials }).sendMessageBatch(queueUrl, entries);

    // assess
    const ours = received[0]!;
    expect(ours.request.method).toBe(sdk.method);
    expect(ours.request.url).toBe(sdk.path);
    expect(ours.request.headers['x-amz-target']).toBe(sdk.headers['x-amz-target']);
    expect(ours.request.headers['content-type']).toBe(sdk.headers['content-type']);
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(sdk.body));
    expect(JSON.parse(ours.body).Entries[1]).toEqual({ Id: '1', MessageBody: 'twö', DelaySeconds: 30 });
    expect(ours.request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=[^,]*host/);
    expect(sdk.headers.authorization).toMatch(/\/eu-west-1\/sqs\/aws4_request/);
  });

  it('sends to the queue URL\'s origin when no endpoint is configured', async () => {
    // prepare
    const { endpoint, received } = await sqsAnswering(ok);

    // act
    await new SqsClient({ region: 'eu-west-1', credentials }).sendMessageBatch(`${endpoint}/123456789012/events`, [{ Id: '0', MessageBody: 'x' }]);

    // assess
    expect(received).toHaveLength(1);
    expect(received[0]!.request.url).toBe('/');
    expect(received[0]!.request.headers.host).toBe(new URL(endpoint).host);
  });

  it('returns the entries SQS refused one by one in Failed, without throwing', async () => {
    // prepare
    const { endpoint } = await sqsAnswering(
      json(200, { Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: 'x' }], Failed: [{ Id: '1', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad delay' }] }),
    );

    // act
    const result = await new SqsClient({ region: 'eu-west-1', endpoint, credentials }).sendMessageBatch(`${endpoint}/0/q`, [
      { Id: '0', MessageBody: 'a' },
      { Id: '1', MessageBody: 'b', DelaySeconds: 5 },
    ]);

    // assess
    expect(result.Successful.map((entry) => entry.Id)).toEqual(['0']);
    expect(result.Failed).toEqual([{ Id: '1', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad delay' }]);
  });

  it('throws a 400 error named by its __type, once (not retried)', async () => {
    // prepare
    const { endpoint, received } = await sqsAnswering(json(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }));

    // act
    const error = await new SqsClient({ region: 'eu-west-1', endpoint, credentials }).sendMessageBatch(`${endpoint}/0/q`, [{ Id: '0', MessageBody: 'a' }]).catch((caught: unknown) => caught);

    // assess
    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(SqsError);
    expect((error as SqsError).name).toBe('QueueDoesNotExist');
    expect((error as SqsError).message).toBe('The specified queue does not exist.');
    expect((error as SqsError).$metadata).toEqual({ httpStatusCode: 400, requestId: 'R1' });
  });

  it('retries throttling (400 RequestThrottled) and 500s, then succeeds', async () => {
    // prepare
    const throttled = json(400, { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'slow down' });
    const failed = json(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'oops' });
    const { endpoint, received } = await sqsAnswering(throttled, failed, ok);

    // act
    const result = await new SqsClient({ region: 'eu-west-1', endpoint, credentials }).sendMessageBatch(`${endpoint}/0/q`, [{ Id: '0', MessageBody: 'a' }]);

    // assess
    expect(received).toHaveLength(3);
    expect(result.Failed).toEqual([]);
  });

  it('gives up after the last attempt with a 503 and throws it', async () => {
    // prepare
    const { endpoint, received } = await sqsAnswering((response) => response.writeHead(503).end());

    // act
    const error = await new SqsClient({ region: 'eu-west-1', endpoint, credentials, maxAttempts: 2 }).sendMessageBatch(`${endpoint}/0/q`, [{ Id: '0', MessageBody: 'a' }]).catch((caught: unknown) => caught);

    // assess
    expect(received).toHaveLength(2);
    expect((error as SqsError).name).toBe('InternalError');
    expect((error as SqsError).$metadata.httpStatusCode).toBe(503);
  });

  it('throws NetworkingError (status 0) when nothing answers', async () => {
    // prepare
    const { endpoint } = await sqsAnswering(ok);
    close?.();
    close = undefined;

    // act
    const error = await new SqsClient({ region: 'eu-west-1', endpoint, credentials, maxAttempts: 1 }).sendMessageBatch(`${endpoint}/0/q`, [{ Id: '0', MessageBody: 'a' }]).catch((caught: unknown) => caught);

    // assess
    expect((error as SqsError).name).toBe('NetworkingError');
    expect((error as SqsError).$metadata.httpStatusCode).toBe(0);
  });
});
