/** `/status` probes its dependencies at most once per DEPENDENCY_PROBE_TTL_MS per warm container. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/quantum/status/handler';
import { setServicesForTests, type Services } from '../../lib/app/services';
import { DEPENDENCY_PROBE_TTL_MS, recentDependencyReport } from '../../lib/app/health';
import { invoke } from '../support/events';
import { buildTestServices, testServices } from '../support/services';

let services: Services;

beforeAll(async () => {
  services = await testServices();
});
afterEach(() => setServicesForTests(undefined));

describe('the dependency probes of /status', () => {
  it('are reused within the period and run again after it', async () => {
    // prepare
    const own = buildTestServices();
    const start = Date.parse('2026-01-01T00:00:00Z');

    // act
    const first = await recentDependencyReport(own, start);
    const within = await recentDependencyReport(own, start + DEPENDENCY_PROBE_TTL_MS - 1);
    const after = await recentDependencyReport(own, start + DEPENDENCY_PROBE_TTL_MS);

    // assess
    expect(within).toBe(first);
    expect(after).not.toBe(first);
    expect(after.checkedAt).toBe(new Date(start + DEPENDENCY_PROBE_TTL_MS).toISOString());
  });

  it('share one probe round between concurrent requests', async () => {
    // prepare
    setServicesForTests(buildTestServices());

    // act
    const responses = await Promise.all([1, 2, 3].map(() => invoke(handler, { method: 'GET', rawPath: '/status' })));

    // assess
    const checkedAt = new Set(responses.map((response) => response.body.data.dependenciesCheckedAt));
    expect(responses.every((response) => response.statusCode === 200)).toBe(true);
    expect(checkedAt.size).toBe(1);
  });

  it('keep the services of each container apart', async () => {
    // act
    const [a, b] = await Promise.all([recentDependencyReport(services), recentDependencyReport(buildTestServices())]);

    // assess
    expect(a).not.toBe(b);
  });
});
