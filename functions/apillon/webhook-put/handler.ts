import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { bucketPath } from '../../../lib/apillon/schemas';
import { putWebhookBody } from '../../../lib/apillon/webhook-schemas';
import { webhookView } from '../../../lib/apillon/webhook-views';
import { setWebhook } from '../../../lib/apillon/webhook-settings';
import { routeUsing } from '../../../lib/app/route';
import { buckets, withStores } from '../../../lib/app/stores';
import { withWebhooks } from '../../../lib/app/webhooks';

/**
 * PUT /storage/buckets/:bucketUuid/webhook {url, authType?, param1?, param2?} (WRITE): sets the bucket's webhook.
 * 201 with its signing `secret` when created; 200 without it when replaced (the secret stays).
 */
export const handler = routeUsing(withStores(buckets), withWebhooks)(
  { surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'bucketMarkedForDeletion', 'webhookHostNotResolved', 'webhookTargetLoopback', 'webhookTargetPrivate', 'webhookTargetLinkLocal', 'webhookTargetMetadata', 'webhookTargetReserved'], model: 'BucketWebhookDto', schemas: { path: bucketPath, body: putWebhookBody } },
  async ({ path, body, principal, services }) => {
    const { webhook, created } = await setWebhook(services, principal, path.bucketUuid, body);
    return { status: created ? 201 : 200, data: webhookView(webhook, { withSecret: created }) };
  },
);
