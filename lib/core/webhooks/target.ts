import { AppError, type ErrorName } from '../../errors';
import type { WebhookTransport } from '../ports/webhook-transport';
import { judgeAddresses, type AddressPolicy, type RefusalReason } from './address-policy';

const REFUSALS: Record<RefusalReason, ErrorName> = {
  loopback: 'webhookTargetLoopback',
  private: 'webhookTargetPrivate',
  'link-local': 'webhookTargetLinkLocal',
  metadata: 'webhookTargetMetadata',
  reserved: 'webhookTargetReserved',
};

/** The host of a webhook URL as the resolver takes it (`[::1]` → `::1`). */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Whether `url` may be called now: its host resolved and every address allowed (address-policy.ts).
 * Returns undefined when it may, else the reason (as the delivery log shows it).
 */
export async function targetRefusal(transport: Pick<WebhookTransport, 'resolveHost'>, url: string, policy: AddressPolicy): Promise<RefusalReason | 'unresolved' | undefined> {
  const addresses = await transport.resolveHost(hostOf(url));
  if (addresses.length === 0) return 'unresolved';
  const verdict = judgeAddresses(addresses, policy);
  return verdict.allowed ? undefined : verdict.reason;
}

/**
 * The check when a webhook is set.
 * @throws AppError 400 WEBHOOK_URL_HOST_NOT_RESOLVED, or WEBHOOK_URL_RESOLVES_TO_<REASON>_ADDRESS naming the refused kind.
 */
export async function requireAllowedTarget(transport: Pick<WebhookTransport, 'resolveHost'>, url: string, policy: AddressPolicy): Promise<void> {
  const refusal = await targetRefusal(transport, url, policy);
  if (refusal === 'unresolved') throw new AppError('webhookHostNotResolved');
  if (refusal) throw new AppError(REFUSALS[refusal]);
}
