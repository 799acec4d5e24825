import type { DeliveryAttempt, WebhookRecord } from '../core/ports/webhook-store';

/**
 * A bucket webhook as the Apillon surface shows it: never param2 (a password), the bearer token never again,
 * and the signing `secret` only in the answer that created it.
 */
export function webhookView(webhook: WebhookRecord, options: { withSecret: boolean }) {
  return {
    bucketUuid: webhook.bucketUuid,
    url: webhook.url,
    authType: webhook.authType ?? null,
    param1: webhook.authType === 'basic' ? (webhook.param1 ?? null) : null,
    ...(options.withSecret ? { secret: webhook.secret } : {}),
    createTime: webhook.createdAt,
    updateTime: webhook.updatedAt,
  };
}

/** `GET …/webhook/deliveries`: the last attempts, newest first. */
export function deliveriesView(attempts: readonly DeliveryAttempt[]) {
  return {
    items: attempts.map((attempt) => ({
      eventId: attempt.eventId,
      attempt: attempt.attempt,
      time: attempt.at,
      statusCode: attempt.statusCode ?? null,
      error: attempt.error ?? null,
      durationMs: attempt.durationMs,
    })),
    total: attempts.length,
  };
}
