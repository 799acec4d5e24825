import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath } from '../../../lib/apillon/schemas';
import { deliveriesView } from '../../../lib/apillon/webhook-views';
import { webhookDeliveries } from '../../../lib/apillon/webhook-settings';
import { route } from '../../../lib/app/route';

/** GET /storage/buckets/:bucketUuid/webhook/deliveries (READ): the webhook's last 50 attempts (event id, time, status code). */
export const handler = route({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'webhookNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => ({
  data: deliveriesView(await webhookDeliveries(services, principal, path.bucketUuid)),
}));
