import { sweepStrandedFiles, type SweepReport } from '../../../lib/domain/sweeper';
import { publishMetrics } from '../../../lib/metrics';
import { services } from '../../../lib/services';

/**
 * Every 5 minutes: files left at status 1 (bytes uploaded), 2 or 3 for longer
 * than the threshold (an event lost or failed) are taken on to status 4.
 * Publishes `StrandedFilesFound` (EMF); StrandedFilesAlarm fires when it stays above 0.
 */
export async function handler(): Promise<SweepReport> {
  const deps = services();
  const result = await sweepStrandedFiles(deps, new Date());
  deps.logger.info('stranded files found', { ...result });
  publishMetrics(deps.config.STAGE, { StrandedFilesFound: result.found, StrandedFilesFailed: result.failed });
  return result;
}
