import { AppError } from '../../errors';
import type { AccountStore, CredentialRecord } from '../ports';
import type { CredentialKind, Principal } from './principal';
import { credentialIdForToken, secretMatches } from './secrets';

/** The credential headers of a request (names lower-cased, as API Gateway v2 delivers them). */
export interface CredentialHeaders {
  readonly 'x-api-mkey'?: string;
  readonly 'x-api-akey'?: string;
  readonly authorization?: string;
}

/** Longest credential we hash; anything longer is not one of ours. */
const MAX_CREDENTIAL_LENGTH = 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Longest API key (UTF-8 bytes) we look up; keys we issue are UUIDs, and a store key must stay small. */
const MAX_API_KEY_BYTES = 256;
/** Invalid UTF-8 is a malformed header, not text with U+FFFD in it (which would also triple its size). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Resolves any of the three credential kinds (SPEC §2) to one principal.
 * Master key wins over application token, which wins over Basic auth, when a
 * client sends several.
 */
export async function authenticate(store: AccountStore, headers: CredentialHeaders): Promise<Principal> {
  const masterKey = headers['x-api-mkey'];
  if (masterKey !== undefined) return authenticateToken(store, 'master', masterKey);
  const appToken = headers['x-api-akey'];
  if (appToken !== undefined) return authenticateToken(store, 'app', appToken);
  const authorization = headers.authorization;
  if (authorization === undefined || authorization.trim() === '') throw new AppError('missingAuthorization');
  const { apiKey, apiSecret } = parseBasicAuthorization(authorization);
  const credential = await store.getCredential(apiKey);
  return verified(credential, 'api', apiSecret);
}

/** Splits `Basic base64(key:secret)` on the first colon only; throws 400 for anything else. */
export function parseBasicAuthorization(header: string): { apiKey: string; apiSecret: string } {
  const match = /^Basic +(\S+) *$/i.exec(header);
  const encoded = match?.[1];
  if (!encoded || encoded.length > MAX_CREDENTIAL_LENGTH * 2 || !BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new AppError('malformedAuthorization');
  }
  let decoded: string;
  try {
    decoded = STRICT_UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw new AppError('malformedAuthorization');
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) throw new AppError('malformedAuthorization');
  const apiKey = decoded.slice(0, colon);
  if (Buffer.byteLength(apiKey, 'utf8') > MAX_API_KEY_BYTES) throw new AppError('malformedAuthorization');
  return { apiKey, apiSecret: decoded.slice(colon + 1) };
}

async function authenticateToken(store: AccountStore, kind: 'master' | 'app', token: string): Promise<Principal> {
  const trimmed = token.trim();
  if (trimmed === '' || trimmed.length > MAX_CREDENTIAL_LENGTH) throw new AppError('invalidCredentials');
  const credential = await store.getCredential(credentialIdForToken(trimmed));
  return verified(credential, kind, trimmed);
}

function verified(credential: CredentialRecord | undefined, kind: CredentialKind, secret: string): Principal {
  // Hash and compare even when the id is unknown, so timing does not tell which ids exist.
  const matches = secretMatches(secret, credential?.secretHash ?? '0'.repeat(64));
  if (!credential || credential.kind !== kind || !matches) throw new AppError('invalidCredentials');
  return {
    accountId: credential.accountId,
    credentialKind: credential.kind,
    credentialId: credential.credentialId,
    bucketUuid: credential.bucketUuid,
    permissions: new Set(credential.permissions),
  };
}
