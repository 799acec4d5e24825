/**
 * The core's `KeySealer` port (implemented by AesGcmKeySealer in lib/store/key-sealer.ts).
 *
 * Encrypts private keys at rest (IPNS signing keys): AES-256-GCM under a key
 * encryption key (KEK) that never enters the table. Each sealed value carries
 * its own random 96-bit IV and the 128-bit tag, and is bound to `context` (the
 * record it belongs to) as additional authenticated data, so a sealed key
 * copied onto another record does not open there.
 */
export interface KeySealer {
  /** `plain` sealed for `context`: `v1.<iv base64url>.<ciphertext+tag base64url>`. */
  seal(plain: Uint8Array, context: string): Promise<string>;
  /** The plain bytes; throws when `sealed` was altered or sealed for another context or key. */
  open(sealed: string, context: string): Promise<Uint8Array>;
}
