import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath } from '../../../lib/apillon/schemas';
import { webhookView } from '../../../lib/apillon/webhook-views';
import { getWebhook } from '../../../lib/apillon/webhook-settings';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';
import { withWebhooks } from '../../../lib/app/webhooks';

/** GET /storage/buckets/:bucketUuid/webhook (READ): the bucket's webhook, without its secret. */
export const handler = routeUsing(withStores(buckets), withWebhooks)({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'webhookNotFound'], schemas: { path: bucketPath } }, async ({ path, principal, services }) => ({
  data: webhookView(await getWebhook(services, principal, path.bucketUuid), { withSecret: false }),
}));
