import { describe, expect, it } from 'vitest';
import { emfLine, publishMetrics } from '../../lib/metrics';

describe('emfLine (CloudWatch Embedded Metric Format)', () => {
  it('declares the metric under _aws with its namespace, dimension set and unit, and carries the values at the root', () => {
    // act
    const line = emfLine('StorageService', { StrandedFilesFound: 3 }, { Stage: 'prod' }, 'Count', new Date(1_700_000_000_000));

    // assess
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [{ Namespace: 'StorageService', Dimensions: [['Stage']], Metrics: [{ Name: 'StrandedFilesFound', Unit: 'Count' }] }],
      },
      Stage: 'prod',
      StrandedFilesFound: 3,
    });
    expect(line).not.toContain('\n');
  });

  it('publishMetrics writes one line in the StorageService namespace with the Stage dimension (what StrandedFilesAlarm reads)', () => {
    // prepare
    const lines: string[] = [];

    // act
    publishMetrics('ci', { StrandedFilesFound: 0 }, (line) => lines.push(line));

    // assess
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!);
    expect(parsed._aws.CloudWatchMetrics[0].Namespace).toBe('StorageService');
    expect(parsed._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Stage']]);
    expect(parsed).toMatchObject({ Stage: 'ci', StrandedFilesFound: 0 });
  });
});
