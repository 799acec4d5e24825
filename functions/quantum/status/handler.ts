import { route } from '../../../lib/http/route';
import { checkDependencies } from '../../../lib/store/health';
import { readSystemInfo } from '../../../lib/system-info';

/** GET /status and /API/status: host figures plus the health of S3 and DynamoDB. */
export const handler = route({ surface: 'quantum', auth: false }, async ({ services }) => {
  const [system, dependencies] = await Promise.all([readSystemInfo(), checkDependencies(services)]);
  const healthy = dependencies.every((dependency) => dependency.healthy);
  return {
    status: healthy ? 200 : 503,
    message: healthy ? 'Service is healthy' : 'Service is degraded',
    data: { ...system, healthy, dependencies, version: services.config.SERVICE_VERSION, stage: services.config.STAGE },
  };
});
