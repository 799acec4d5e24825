import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/quantum/status/handler';
import { freePort } from '../../lib/local/ports';
import { setServicesForTests, type Services } from '../../lib/app/services';
import { invoke } from '../support/events';
import { buildTestServices, testServices } from '../support/services';

let services: Services;

beforeAll(async () => {
  services = await testServices();
});

afterEach(() => setServicesForTests(undefined));

const getStatus = () => invoke(handler, { method: 'GET', rawPath: '/status' });

describe('GET /status', () => {
  it('reports the host figures and healthy dependencies', async () => {
    // prepare
    setServicesForTests(services);

    // act
    const response = await getStatus();

    // assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ status: 'success', message: expect.any(String) });
    const { data } = response.body;
    expect(data).toMatchObject({
      system_load: expect.any(Array),
      memory_free: expect.any(Number),
      disk_free: expect.any(Number),
      kernel_version: expect.any(String),
      upgradable_packages: expect.any(Array),
      healthy: true,
      version: services.config.SERVICE_VERSION,
    });
    expect(data.system_load).toHaveLength(3);
    expect(data.memory_free).toBeGreaterThan(0);
    expect(data.kernel_version).not.toBe('');
    expect(data.dependencies).toEqual([
      { name: 'dynamodb', healthy: true, latencyMs: expect.any(Number) },
      { name: 's3', healthy: true, latencyMs: expect.any(Number) },
      { name: 's3-replica', healthy: true, latencyMs: expect.any(Number) },
    ]);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('needs no credentials', async () => {
    // prepare
    setServicesForTests(services);

    // act
    const response = await invoke(handler, { method: 'GET', rawPath: '/API/status', headers: { authorization: 'Bearer nonsense' } });

    // assess
    expect(response.statusCode).toBe(200);
  });

  it('answers 503 within seconds when S3 is unreachable', async () => {
    // prepare
    const closedPort = await freePort();
    setServicesForTests(buildTestServices({ S3_ENDPOINT: `http://127.0.0.1:${closedPort}` }));
    const started = Date.now();

    // act
    const response = await getStatus();

    // assess
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.statusCode).toBe(503);
    expect(response.body.status).toBe('error');
    expect(response.body.data.healthy).toBe(false);
    expect(response.body.data.dependencies).toEqual([
      { name: 'dynamodb', healthy: true, latencyMs: expect.any(Number) },
      { name: 's3', healthy: false, latencyMs: expect.any(Number), error: expect.any(String) },
      { name: 's3-replica', healthy: false, latencyMs: expect.any(Number), error: expect.any(String) },
    ]);
  });

  it('answers 503 when the table is missing', async () => {
    // prepare
    setServicesForTests(buildTestServices({ TABLE_NAME: 'no-such-table' }));

    // act
    const response = await getStatus();

    // assess
    expect(response.statusCode).toBe(503);
    expect(response.body.data.dependencies[0]).toMatchObject({ name: 'dynamodb', healthy: false });
    expect(response.body.data.dependencies.slice(1).map((dependency: { healthy: boolean }) => dependency.healthy)).toEqual([true, true]);
  });

  it('answers 503 within seconds when DynamoDB is unreachable', async () => {
    // prepare
    const closedPort = await freePort();
    setServicesForTests(buildTestServices({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${closedPort}` }));
    const started = Date.now();

    // act
    const response = await getStatus();

    // assess
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.statusCode).toBe(503);
    expect(response.body.data.dependencies[0]).toMatchObject({ name: 'dynamodb', healthy: false });
  });
});
