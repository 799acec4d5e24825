/**
 * Issue 7, the sweeper's pair: the event run of an upload paused before each
 * of its port calls while the sweeper (11 minutes later) runs to its end. The
 * sweeper reads every waiting file of the table, so these scenarios run one
 * after another, in a file (and table) of their own: what is asserted is never
 * another scenario's run caught halfway.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepStrandedFiles } from '../../../lib/core/lifecycle/sweeper';
import type { Services } from '../../../lib/app/services';
import { testServices } from '../../support/services';
import { BOUNDARIES, scenarios } from './scenarios';

let services: Services;
let scenario: ReturnType<typeof scenarios>;

beforeAll(async () => {
  services = await testServices();
  scenario = scenarios(services);
  const boundaries = await scenario.countBoundaries();
  expect(boundaries).toBeGreaterThan(10);
  expect(boundaries).toBeLessThan(BOUNDARIES.length);
});

describe('the event run of an upload, paused at each step boundary while the sweeper (11 minutes later) runs', () => {
  it.each(BOUNDARIES)('boundary %i: the event run finishes and the bucket is consistent', async (k) => {
    await scenario.run(k, async () => {
      await sweepStrandedFiles(services, new Date(Date.now() + 11 * 60_000));
    });
  });
});
