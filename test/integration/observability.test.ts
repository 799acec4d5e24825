/**
 * What one request leaves behind for operators: log entries that carry API
 * Gateway's request id (`correlation_id`), our `x-request-id` (`requestId`) and
 * the Lambda context (cold start, function name), and the invocation's metrics
 * as an EMF line (uploads requested, bytes served), published by the shared stack.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/log';
import { createMetrics } from '../../lib/app/metrics';
import { setServicesForTests, type Services } from '../../lib/app/services';
import { httpEvent, invoke } from '../support/events';
import { createTestTenant, testServices, type TestTenant } from '../support/services';
import { handlers, uploadFile } from './apillon/helpers';

let services: Services;
let tenant: TestTenant;
const logLines: string[] = [];

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const base = await testServices();
  services = { ...base, logger: createLogger('info', { service: 'storage' }, (line) => logLines.push(line)), metrics: createMetrics('test') };
  setServicesForTests(services);
  tenant = await createTestTenant(services);
});

afterAll(() => {
  setServicesForTests(undefined);
  vi.unstubAllEnvs();
});

/** Runs `act` and returns the EMF documents it wrote to stdout. */
async function emfDuring(act: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return chunks.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
}

describe('one request, as operators see it', () => {
  it('logs API Gateway’s request id and our x-request-id, with the Lambda context', async () => {
    // prepare
    const event = httpEvent({
      method: 'POST',
      path: '/storage/{bucketUuid}/upload',
      rawPath: `/storage/${tenant.bucket.bucketUuid}/upload`,
      pathParameters: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      body: { fileName: 'logged.txt', contentType: 'text/plain' },
    });
    logLines.length = 0;

    // act
    const response = await invoke(handlers.uploadRequest, event);

    // assess
    expect(response.statusCode).toBe(201);
    const finished = logLines.map((line) => JSON.parse(line)).find((entry) => entry.message === 'request finished');
    expect(finished).toMatchObject({
      level: 'info',
      service: 'storage',
      correlation_id: event.requestContext.requestId,
      requestId: response.headers['x-request-id'],
      function_name: 'storage-service-test',
      cold_start: expect.any(Boolean),
      function_request_id: expect.any(String),
    });
    expect(event.requestContext.requestId).not.toBe(response.headers['x-request-id']);
  });

  it('publishes UploadsRequested for an upload request', async () => {
    // act
    const emf = await emfDuring(() =>
      invoke(handlers.uploadRequest, {
        method: 'POST',
        path: '/storage/{bucketUuid}/upload',
        pathParameters: { bucketUuid: tenant.bucket.bucketUuid },
        headers: tenant.headers.basic,
        body: { fileName: 'counted.txt', contentType: 'text/plain' },
      }),
    );

    // assess
    const line = emf.find((document) => 'UploadsRequested' in document);
    expect(line).toMatchObject({ UploadsRequested: 1, service: 'storage', stage: 'test' });
    expect(line!._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'StorageService',
      Dimensions: [['service', 'stage']],
      Metrics: expect.arrayContaining([{ Name: 'UploadsRequested', Unit: 'Count' }]),
    });
  });

  it('publishes BytesServed for a file the gateway serves', async () => {
    // prepare
    const { fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'served.txt', bytes: 'twelve bytes' });
    const { cidV1 } = (await services.entries.get(fileUuid))!;

    // act
    const emf = await emfDuring(() => invoke(handlers.ipfsGateway, { path: '/ipfs/{cid}', pathParameters: { cid: cidV1! } }));

    // assess
    const line = emf.find((document) => 'BytesServed' in document);
    expect(line).toMatchObject({ BytesServed: 12 });
    expect(line!._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'BytesServed', Unit: 'Bytes' });
  });
});
