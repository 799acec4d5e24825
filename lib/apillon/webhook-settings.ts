import { randomBytes } from 'node:crypto';
import { AppError } from '../errors';
import { openBucket } from './buckets';
import { Permission, type Principal } from '../core/access/principal';
import type { StorageDeps } from '../core/ports/storage';
import type { DeliveryAttempt, WebhookAuthType, WebhookRecord, WebhookStore } from '../core/ports/webhook-store';
import type { WebhookTransport } from '../core/ports/webhook-transport';
import type { AddressPolicy } from '../core/webhooks/address-policy';
import { requireAllowedTarget } from '../core/webhooks/target';

/**
 * A bucket's webhook (issue 22): `PUT|GET|DELETE /storage/buckets/:bucketUuid/webhook` and its delivery log
 * `GET …/webhook/deliveries`. One webhook per bucket. Setting and removing it need WRITE, reading it READ.
 */

/** What the webhook routes add to the bucket store: the webhook store, the host resolver and the address policy. */
export interface WebhookDeps {
  readonly webhooks: WebhookStore;
  /** Resolves the target's host for the address check. */
  readonly webhookTransport: Pick<WebhookTransport, 'resolveHost'>;
  readonly webhookAddressPolicy: AddressPolicy;
}

export interface WebhookInput {
  readonly url: string;
  readonly authType?: WebhookAuthType | null;
  readonly param1?: string | null;
  readonly param2?: string | null;
}

/** Attempts `GET …/webhook/deliveries` shows: the last 50. */
export const DELIVERY_LOG_LIMIT = 50;

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 24 random bytes (192 bits). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Sets the bucket's webhook. The first set creates it with a new signing secret, returned this once
 * (`created: true`); a later set replaces url and credentials and keeps the secret (not returned).
 * The URL's host must resolve to allowed addresses only (address-policy.ts): 400 naming the refused kind.
 */
export async function setWebhook(deps: Pick<StorageDeps, 'buckets' | 'webhooks'> & WebhookDeps, principal: Principal, bucketUuid: string, input: WebhookInput, now = new Date()): Promise<{ webhook: WebhookRecord; created: boolean }> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  if (bucket.markedForDeletionAt) throw new AppError('bucketMarkedForDeletion');
  await requireAllowedTarget(deps.webhookTransport, input.url, deps.webhookAddressPolicy);
  const at = now.toISOString();
  const webhook: WebhookRecord = {
    bucketUuid: bucket.bucketUuid,
    accountId: bucket.accountId,
    url: input.url,
    ...(input.authType ? { authType: input.authType } : {}),
    ...(input.authType && input.param1 ? { param1: input.param1 } : {}),
    ...(input.authType === 'basic' && input.param2 ? { param2: input.param2 } : {}),
    secret: newSigningSecret(),
    createdAt: at,
    updatedAt: at,
  };
  const created = await deps.webhooks.put(webhook);
  if (created) return { webhook, created };
  const stored = await deps.webhooks.get(bucket.bucketUuid);
  if (!stored) throw new AppError('webhookNotFound'); // removed between the two calls
  return { webhook: stored, created };
}

/** The bucket's webhook. 404 WEBHOOK_NOT_FOUND when none is set. */
export async function getWebhook(deps: Pick<StorageDeps, 'buckets' | 'webhooks'> & WebhookDeps, principal: Principal, bucketUuid: string): Promise<WebhookRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.READ);
  const webhook = await deps.webhooks.get(bucket.bucketUuid);
  if (!webhook) throw new AppError('webhookNotFound');
  return webhook;
}

/** Removes the bucket's webhook (and its delivery log): later events are not sent. 404 WEBHOOK_NOT_FOUND when none is set. */
export async function deleteWebhook(deps: Pick<StorageDeps, 'buckets' | 'webhooks'> & WebhookDeps, principal: Principal, bucketUuid: string): Promise<WebhookRecord> {
  const bucket = await openBucket(deps, principal, bucketUuid, Permission.WRITE);
  const webhook = await deps.webhooks.get(bucket.bucketUuid);
  if (!webhook || !(await deps.webhooks.delete(bucket.bucketUuid))) throw new AppError('webhookNotFound');
  return webhook;
}

/** The last DELIVERY_LOG_LIMIT attempts, newest first. 404 WEBHOOK_NOT_FOUND when no webhook is set. */
export async function webhookDeliveries(deps: Pick<StorageDeps, 'buckets' | 'webhooks'> & WebhookDeps, principal: Principal, bucketUuid: string): Promise<DeliveryAttempt[]> {
  const webhook = await getWebhook(deps, principal, bucketUuid);
  return deps.webhooks.lastAttempts(webhook.bucketUuid, DELIVERY_LOG_LIMIT);
}
