/**
 * Issue 7: every pair of runs at every step boundary. Run A is the S3 event
 * run of one uploaded file (lifecycle.ts). It is paused before each of its
 * port calls in turn (one scenario per call: every step boundary), another run
 * B goes to its end, then A goes on. Whatever the pair and the boundary, A
 * must finish without error and the bucket must be consistent (see
 * scenarios.ts): a settled file, usage equal to what the records charge, no
 * stray or missing object. The sweeper, which reads every file of the table,
 * has its own file (interleavings-sweeper.test.ts), so its runs never meet
 * these concurrent scenarios halfway.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { markFileForDeletion, purgeDueFiles, removeBucketContents, removePath } from '../../../lib/core/deletion/deletion';
import { isFile } from '../../../lib/core/model/entries';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload, uploadKeyOf } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { testServices } from '../../support/services';
import { BOUNDARIES, scenarios, type RunB } from './scenarios';

let services: Services;
let scenario: ReturnType<typeof scenarios>;

const runs: Record<string, RunB> = {
  'a duplicate delivery of the same event': async ({ file }) => {
    await processObjectCreated(services, uploadKeyOf(file));
  },
  'an Apillon delete (mark for deletion)': async ({ file }) => {
    const current = await services.entries.get(file.uuid);
    if (current && isFile(current)) await scenario.tolerant(() => markFileForDeletion(services, current));
  },
  'a Quantum remove of the path': async ({ bucket }) => {
    await scenario.tolerant(() => removePath(services, bucket, 'd/f.txt'));
  },
  'a delete and the purge 91 days later': async ({ file }) => {
    const current = await services.entries.get(file.uuid);
    if (current && isFile(current)) await scenario.tolerant(() => markFileForDeletion(services, current));
    await purgeDueFiles(services, new Date(Date.now() + 91 * 86_400_000));
  },
  'the bucket removal': async ({ bucket }) => {
    await removeBucketContents(services, bucket);
    await services.buckets.remove(bucket);
  },
  'a replacement upload to the same path': async ({ bucket }) => {
    const replacement = await requestUpload(services, bucket, { fileName: 'f.txt', directory: ['d'], contentType: 'text/plain', declaredSize: 7 });
    await services.blobs.put(uploadKeyOf(replacement), new TextEncoder().encode('replace'), 'text/plain');
    await processObjectCreated(services, uploadKeyOf(replacement));
  },
};

beforeAll(async () => {
  services = await testServices();
  scenario = scenarios(services);
  const boundaries = await scenario.countBoundaries();
  expect(boundaries).toBeGreaterThan(10);
  expect(boundaries).toBeLessThan(BOUNDARIES.length);
});

describe.concurrent.each(Object.keys(runs))('the event run of an upload, paused at each step boundary while %s runs', (name) => {
  // Each boundary is its own scenario (fresh account and bucket).
  it.each(BOUNDARIES)('boundary %i: the event run finishes and the bucket is consistent', async (k) => {
    await scenario.run(k, runs[name]!);
  });
});
