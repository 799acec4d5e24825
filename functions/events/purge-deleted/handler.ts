import type { Context } from 'aws-lambda';
import { purgeDueFiles } from '../../../lib/core/deletion/deletion';
import { services } from '../../../lib/app/services';
import { blobs, deletions, entries, withStores } from '../../../lib/app/stores';

/** The stores the purge uses (lib/core/deletion/deletion.ts `purgeDueFiles`). */
const withItsStores = withStores(entries, deletions, blobs);

/** Daily: files marked for deletion 90 days ago lose their bytes, replica and record; the space is given back. */
export async function handler(_event: unknown, context: Context): Promise<{ purged: number }> {
  const deps = withItsStores(services());
  const log = deps.logger.forInvocation(context, {});
  deps.metrics.captureColdStart(context.functionName);
  try {
    let purged = 0;
    for (let batch = await purgeDueFiles(deps, new Date()); batch > 0; batch = await purgeDueFiles(deps, new Date())) {
      purged += batch;
    }
    log.info('purge finished', { purged });
    return { purged };
  } finally {
    deps.metrics.publish();
  }
}
