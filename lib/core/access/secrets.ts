import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Secrets, keys and tokens: random, shown once, stored only as a hash. They carry
 * 256 bits of entropy, so a fast hash (SHA-256) is enough; a slow password hash
 * would only add latency to every request.
 */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function newUuid(): string {
  return randomUUID();
}

/** A uuid in canonical text form (any case). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** A new master key (`mk_…`) or application token (`at_…`): a prefix for people, 256 random bits. */
export function generateToken(prefix: 'mk' | 'at'): string {
  return `${prefix}_${generateSecret()}`;
}

/**
 * The lookup id of a master key or application token, derived from the token
 * itself so any string can serve as a key (the local stack lets an environment
 * variable fix it). Only this id and the full hash are stored.
 */
export function credentialIdForToken(token: string): string {
  const prefix = token.startsWith('at_') ? 'at' : 'mk';
  return `${prefix}_${hashSecret(token).slice(0, 20)}`;
}
