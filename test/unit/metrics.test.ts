/**
 * The metrics port on Powertools Metrics: what reaches stdout is CloudWatch's
 * embedded metric format (EMF), namespace StorageService, with units and dimensions.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES } from '../../lib/core/ports/metrics';
import { createMetrics } from '../../lib/app/metrics';

/** EMF documents written to stdout while `act` runs. */
function emfLines(act: () => void): Record<string, any>[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
}

/** `{ name: unit }` of one EMF document. */
const unitsOf = (emf: Record<string, any>) =>
  Object.fromEntries(emf._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string; Unit: string }) => [metric.Name, metric.Unit]));

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('metrics (EMF)', () => {
  it('publishes counts, timings and bytes of one invocation as one EMF line in namespace StorageService', () => {
    // prepare
    const metrics = createMetrics('ci');

    // act
    const lines = emfLines(() => {
      metrics.count(METRIC_NAMES.uploadsRequested, 3);
      metrics.count(METRIC_NAMES.commits);
      metrics.timing(METRIC_NAMES.cidTime, 12.5);
      metrics.bytes(METRIC_NAMES.cidBytes, 1024);
      metrics.bytes(METRIC_NAMES.bytesServed, 2048);
      metrics.publish();
    });

    // assess
    expect(lines).toHaveLength(1);
    const emf = lines[0]!;
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('StorageService');
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'stage']]);
    expect(unitsOf(emf)).toEqual({
      UploadsRequested: 'Count',
      UploadsCommitted: 'Count',
      CidComputeTime: 'Milliseconds',
      CidBytes: 'Bytes',
      BytesServed: 'Bytes',
    });
    expect(emf).toMatchObject({ service: 'storage', stage: 'ci', UploadsRequested: 3, UploadsCommitted: 1, CidComputeTime: 12.5, CidBytes: 1024, BytesServed: 2048 });
  });

  it('publishes a count with its own dimensions (rejections by status) as a line of its own', () => {
    // prepare
    const metrics = createMetrics('ci');

    // act
    const lines = emfLines(() => metrics.count(METRIC_NAMES.rejections, 1, { status: '104' }));

    // assess
    expect(lines).toHaveLength(1);
    expect(lines[0]!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'stage', 'status']]);
    expect(unitsOf(lines[0]!)).toEqual({ UploadsRejected: 'Count' });
    expect(lines[0]).toMatchObject({ status: '104', stage: 'ci', UploadsRejected: 1 });
  });

  it('writes nothing for an invocation that counted nothing, and nothing twice', () => {
    // prepare
    const metrics = createMetrics('ci');

    // act
    const idle = emfLines(() => metrics.publish());
    const twice = emfLines(() => {
      metrics.count(METRIC_NAMES.strandedFilesFound, 2);
      metrics.publish();
      metrics.publish();
    });

    // assess
    expect(idle).toEqual([]);
    expect(twice).toHaveLength(1);
    expect(twice[0]).toMatchObject({ StrandedFilesFound: 2 });
  });
});
