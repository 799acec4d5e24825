import type { Context } from 'aws-lambda';
import { METRIC_NAMES } from '../../../lib/core/ports/metrics';
import { sweepStrandedFiles, type SweepReport } from '../../../lib/core/lifecycle/sweeper';
import { services } from '../../../lib/app/services';
import { withQueues } from '../../../lib/app/queues';
import { withBlobCopies } from '../../../lib/app/blob-copies';
import { withMultipart } from '../../../lib/app/multipart';
import { blobs, buckets, deletions, directories, entries, lifecycle, listings, moves, sessions, uploads, withStores } from '../../../lib/app/stores';
import { abortStaleMultipartUploads } from '../../../lib/core/upload/multipart';

/**
 * Every 5 minutes: files left at status 1 (bytes uploaded), 2 or 3 for longer
 * than the threshold (an event lost or failed) are taken on to status 4, and
 * directories left stale that long get their CIDs recomputed.
 * Counts `StrandedFilesFound` and `StrandedFilesFailed` through the metrics port
 * (EMF, namespace StorageService, dimensions service and stage), published once
 * per run; StrandedFilesAlarm (infra/alarms.yml) fires when found stays above 0.
 * Multipart uploads open for longer than 7 days are aborted (their files cancelled): lib/apillon/multipart.ts.
 */
/** The stores a sweep uses (lib/core/lifecycle/sweeper.ts `sweepStrandedFiles`, lib/core/upload/multipart.ts `abortStaleMultipartUploads`). */
const withItsStores = withStores(buckets, entries, listings, lifecycle, deletions, directories, uploads, sessions, moves, blobs);

export async function handler(_event: unknown, context: Context): Promise<SweepReport & { abortedMultipartUploads: number }> {
  const deps = withBlobCopies(withMultipart(withQueues(withItsStores(services()))));
  const log = deps.logger.forInvocation(context, {});
  deps.metrics.captureColdStart(context.functionName);
  try {
    const now = new Date();
    const swept = await sweepStrandedFiles({ ...deps, logger: log }, now);
    let abortedMultipartUploads = 0;
    try {
      abortedMultipartUploads = await abortStaleMultipartUploads({ ...deps, logger: log }, now);
    } catch (error) {
      // Listing the open uploads failed: the next sweep (and, on AWS, the bucket's rule) aborts them.
      log.error('stale multipart uploads could not be listed', { error });
    }
    const result = { ...swept, abortedMultipartUploads };
    log.info('stranded files found', { ...result });
    deps.metrics.count(METRIC_NAMES.strandedFilesFound, result.found);
    deps.metrics.count(METRIC_NAMES.strandedFilesFailed, result.failed);
    deps.metrics.count(METRIC_NAMES.staleDirectoriesFound, result.staleDirectories);
    return result;
  } finally {
    deps.metrics.publish();
  }
}
