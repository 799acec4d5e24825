import type { Context, S3Event } from 'aws-lambda';
import { processObjectCreated } from '../../../lib/domain/storage';
import { objectKeysOf } from '../../../lib/events';
import { services } from '../../../lib/services';

/**
 * S3 ObjectCreated → takes each file 1→2→3→4. Every step is a conditional write,
 * so duplicate, late or out-of-order deliveries change nothing; a failure is
 * thrown so Lambda retries, and the retry continues where this run stopped.
 */
export async function handler(event: S3Event, context: Context): Promise<void> {
  const deps = services();
  const invocationLog = deps.logger.forInvocation(context, {});
  deps.metrics.captureColdStart(context.functionName);
  const failures: unknown[] = [];
  try {
    for (const key of objectKeysOf(event)) {
      const log = invocationLog.child({ objectKey: key });
      try {
        const file = await processObjectCreated({ ...deps, logger: log }, key);
        log.info('object processed', { fileUuid: file?.uuid, fileStatus: file?.fileStatus });
      } catch (error) {
        log.error('object processing failed', { error });
        failures.push(error);
      }
    }
  } finally {
    deps.metrics.publish();
  }
  if (failures.length) throw new AggregateError(failures, `${failures.length} object(s) failed; the retry continues them`);
}
