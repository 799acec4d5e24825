import type { Logger } from '../../log';
import type { BandwidthStore } from '../ports';

/**
 * Bandwidth metering: bytes the gateway (`/ipfs/...`) and Quantum downloads
 * serve, per account and calendar month (UTC). What counts is what the
 * response carries: the body's bytes, or for a redirect to a presigned GET the
 * size of the file it points at (S3 then serves it for us).
 */
export interface BandwidthDeps {
  readonly bandwidth: BandwidthStore;
  /** Bytes an account may be served per month (reported, not enforced). */
  readonly monthlyBandwidthBytes: number;
  readonly logger: Logger;
}

/** `2026-11` for any instant of November 2026 (UTC). */
export function bandwidthMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/**
 * Counts `bytes` served to the account that owns them. Metering never fails a
 * download: a failed write is logged and the bytes go uncounted.
 */
export async function recordBandwidth(deps: BandwidthDeps, accountId: string, bytes: number, now = new Date()): Promise<void> {
  if (!(bytes > 0)) return;
  try {
    await deps.bandwidth.add(accountId, bandwidthMonth(now), bytes);
  } catch (error) {
    deps.logger.warn('bandwidth not recorded', { accountId, bytes, error: (error as Error).message });
  }
}

/** The account's bandwidth this month: allowance and bytes served so far. */
export async function bandwidthUsage(
  deps: Pick<BandwidthDeps, 'bandwidth' | 'monthlyBandwidthBytes'>,
  accountId: string,
  now = new Date(),
): Promise<{ allowanceBytes: number; usedBytes: number }> {
  return { allowanceBytes: deps.monthlyBandwidthBytes, usedBytes: await deps.bandwidth.get(accountId, bandwidthMonth(now)) };
}
