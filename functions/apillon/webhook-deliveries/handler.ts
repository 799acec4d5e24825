import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath } from '../../../lib/apillon/schemas';
import { deliveriesView } from '../../../lib/apillon/webhook-views';
import { webhookDeliveries } from '../../../lib/apillon/webhook-settings';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';
import { withWebhooks } from '../../../lib/app/webhooks';

/** GET /storage/buckets/:bucketUuid/webhook/deliveries (READ): the webhook's last 50 attempts (event id, time, status code). */
export const handler = routeUsing(withStores(buckets), withWebhooks)({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'webhookNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => ({
  data: deliveriesView(await webhookDeliveries(services, principal, path.bucketUuid)),
}));
