import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { KeySealer } from '../core/ports';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class AesGcmKeySealer implements KeySealer {
  /** `kek` resolves the 32-byte key encryption key (read once, then cached by the caller). */
  constructor(private readonly kek: () => Promise<Uint8Array>) {}

  async seal(plain: Uint8Array, context: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.kek(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  async open(sealed: string, context: string): Promise<Uint8Array> {
    const [version, iv, body] = sealed.split('.');
    if (version !== VERSION || !iv || !body) throw new Error('Sealed key has an unknown format');
    const bytes = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', await this.kek(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]));
  }
}

/** A 32-byte key from its base64 text; throws a configuration error otherwise. */
export function parseKek(base64: string, origin: string): Uint8Array {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${origin} must be 32 bytes in base64 (got ${key.length} bytes)`);
  return new Uint8Array(key);
}

/**
 * How long a warm container keeps the KEK it read from SSM, in seconds: a rotated parameter reaches every
 * container within this time, and a container reads SSM at most once per period whatever its request rate.
 */
export const KEK_CACHE_SECONDS = 300;

/**
 * Where the KEK comes from: `IPNS_KEY_ENCRYPTION_KEY` itself (local stack, tests), else the SSM SecureString
 * parameter `IPNS_KEY_PARAMETER`, read with decryption (GetParameter on the process's SSM client,
 * lib/store/clients.ts) and kept {@link KEK_CACHE_SECONDS} (AWS: the key stays in SSM/KMS, never in the
 * function's configuration). Neither configured: every use throws. A failed read is not kept: the next use
 * asks SSM again. (Powertools Parameters would do the same with its own cache and ~12 KB more in the two
 * signing functions; bench/bundles.ts prints their size and cold start.)
 */
export function kekSource(
  settings: { IPNS_KEY_ENCRYPTION_KEY?: string; IPNS_KEY_PARAMETER?: string },
  ssm?: () => Promise<SSMClient>,
  now: () => number = Date.now,
): () => Promise<Uint8Array> {
  let fixed: Uint8Array | undefined;
  let cached: { readonly key: Promise<Uint8Array>; readonly expiresAt: number } | undefined;
  return async () => {
    if (settings.IPNS_KEY_ENCRYPTION_KEY) return (fixed ??= parseKek(settings.IPNS_KEY_ENCRYPTION_KEY, 'IPNS_KEY_ENCRYPTION_KEY'));
    const name = settings.IPNS_KEY_PARAMETER;
    if (!name || !ssm) throw new Error('No IPNS key encryption key configured (IPNS_KEY_ENCRYPTION_KEY or IPNS_KEY_PARAMETER)');
    if (!cached || now() >= cached.expiresAt) {
      const key = (async () => {
        // Loaded on first use, like the SSM client itself: only the two functions that sign IPNS records ever read it.
        const [{ GetParameterCommand }, client] = await Promise.all([import('./ssm-commands'), ssm()]);
        const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        if (typeof Parameter?.Value !== 'string') throw new Error(`SSM parameter ${name} has no value`);
        return parseKek(Parameter.Value, `SSM parameter ${name}`);
      })();
      const entry = { key, expiresAt: now() + KEK_CACHE_SECONDS * 1000 };
      cached = entry;
      key.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.key;
  };
}
