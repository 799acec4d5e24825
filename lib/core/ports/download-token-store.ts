/**
 * The core's `DownloadTokenStore` port (implemented in lib/store/download-token-store.ts).
 */
import type { DownloadTokenRecord } from '../model/records';

/** One-time download tokens (Quantum `file/get` → `file/download`). */
export interface DownloadTokenStore {
  putDownloadToken(token: DownloadTokenRecord): Promise<void>;
  getDownloadToken(tokenHash: string): Promise<DownloadTokenRecord | undefined>;
  /**
   * Spends the token and bumps the file's generation, atomically; false when either was stale.
   * A transaction conflict is tried again inside the adapter (up to 8 attempts).
   */
  redeemDownloadToken(token: DownloadTokenRecord): Promise<boolean>;
}
