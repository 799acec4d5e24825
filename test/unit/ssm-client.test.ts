/**
 * The small SSM client (lib/store/ssm-client.ts) against an independent source of the
 * wire format: the request `@aws-sdk/client-ssm` builds for the same input (caught by a
 * middleware that stops before sending), and SSM's documented answers from a local server.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SsmClient, SsmError } from '../../lib/store/ssm-client';
import { sdkRequest, serverAnswering } from '../support/aws-wire';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let close: (() => void) | undefined;
afterEach(() => close?.());

/** A server giving the answers in order, closed after the test. */
async function ssmAnswering(...answers: Array<(response: ServerResponse) => void>) {
  const server = await serverAnswering(...answers);
  close = server.close;
  return server;
}

const json = (status: number, body: object) => (response: ServerResponse) =>
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'R1' }).end(JSON.stringify(body));
const found = json(200, { Parameter: { Name: '/svc/kek', Type: 'SecureString', Value: 'c2VjcmV0', Version: 3, ARN: 'arn:aws:ssm:eu-west-1:1:parameter/svc/kek', DataType: 'text' } });

/** What the SDK sends for GetParameter, stopped before the network. */
const sdkGetParameter = (endpoint: string, name: string) =>
  sdkRequest(new SSMClient({ region: 'eu-west-1', endpoint, credentials }), new GetParameterCommand({ Name: name, WithDecryption: true }));

describe('SSM client: GetParameter on the wire', () => {
  it('sends what @aws-sdk/client-ssm sends: POST /, AWS JSON 1.1, the GetParameter target, the same body, signed for ssm', async () => {
    // prepare
    const { endpoint, received } = await ssmAnswering(found);
    const sdk = await sdkGetParameter(endpoint, '/svc/kek');

    // act
    const value = await new SsmClient({ region: 'eu-west-1', endpoint, credentials }).getParameter('/svc/kek', true);

    // assess
    const ours = received[0]!;
    expect(value).toBe('c2VjcmV0');
    expect(ours.request.method).toBe(sdk.method);
    expect(ours.request.url).toBe(sdk.path);
    expect(ours.request.headers['x-amz-target']).toBe(sdk.headers['x-amz-target']);
    expect(ours.request.headers['content-type']).toBe(sdk.headers['content-type']);
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(sdk.body));
    expect(JSON.parse(ours.body)).toEqual({ Name: '/svc/kek', WithDecryption: true });
    expect(ours.request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=[^,]*host/);
    expect(sdk.headers.authorization).toMatch(/\/eu-west-1\/ssm\/aws4_request/);
  });

  it('throws ParameterNotFound (400) once, not retried', async () => {
    // prepare
    const { endpoint, received } = await ssmAnswering(json(400, { __type: 'ParameterNotFound', message: '' }));

    // act
    const error = await new SsmClient({ region: 'eu-west-1', endpoint, credentials }).getParameter('/svc/missing', true).catch((caught: unknown) => caught);

    // assess
    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(SsmError);
    expect((error as SsmError).name).toBe('ParameterNotFound');
    expect((error as SsmError).$metadata).toEqual({ httpStatusCode: 400, requestId: 'R1' });
  });

  it('retries ThrottlingException, then reads the value', async () => {
    // prepare
    const { endpoint, received } = await ssmAnswering(json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }), found);

    // act
    const value = await new SsmClient({ region: 'eu-west-1', endpoint, credentials }).getParameter('/svc/kek', true);

    // assess
    expect(received).toHaveLength(2);
    expect(value).toBe('c2VjcmV0');
  });
});
