import { route } from '../../../lib/app/route';
import { recentDependencyReport } from '../../../lib/app/health';
import { readSystemInfo } from '../../../lib/app/system-info';

/**
 * GET /status and /API/status: host figures plus the health of S3 and DynamoDB, probed at
 * most once per 5 s per warm container (`dependenciesCheckedAt` says when).
 */
export const handler = route({ surface: 'quantum', errors: [], auth: false }, async ({ services }) => {
  const [system, { checkedAt, dependencies }] = await Promise.all([readSystemInfo(), recentDependencyReport(services)]);
  const healthy = dependencies.every((dependency) => dependency.healthy);
  return {
    status: healthy ? 200 : 503,
    message: healthy ? 'Service is healthy' : 'Service is degraded',
    data: {
      ...system,
      healthy,
      dependencies,
      dependenciesCheckedAt: checkedAt,
      version: services.config.SERVICE_VERSION,
      stage: services.config.STAGE,
    },
  };
});
