import { purgeDueFiles } from '../../../lib/domain/deletion';
import { services } from '../../../lib/services';

/** Daily: files marked for deletion 90 days ago lose their bytes, replica and record; the space is given back. */
export async function handler(): Promise<{ purged: number }> {
  const deps = services();
  let purged = 0;
  for (let batch = await purgeDueFiles(deps, new Date()); batch > 0; batch = await purgeDueFiles(deps, new Date())) {
    purged += batch;
  }
  deps.logger.info('purge finished', { purged });
  return { purged };
}
