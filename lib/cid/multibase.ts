/**
 * The few multiformats encodings the CID code needs, written out by hand so the Lambda bundle
 * carries no dependency for them: unsigned varints, RFC 4648 base32 (lower case, unpadded,
 * multibase prefix `b`), base58btc (bitcoin alphabet, CIDv0 and multibase prefix `z`), and the
 * decoders for base36 (`k`) and base16 (`f`) that CIDv1 strings are also seen in.
 */

/** Appends the unsigned LEB128 varint of `value` (an integer in 0..2^53-1) to `out`. */
export function pushVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
  // Arithmetic rather than bit operators: those truncate to 32 bits and file sizes may not fit.
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

/** Number of bytes `pushVarint` writes for `value`. */
export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/**
 * Reads an unsigned varint at `offset`. Returns the value and the offset after it, or null when
 * the bytes end early, the encoding is not minimal, or the value exceeds 2^53-1.
 */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } | null {
  let value = 0;
  let factor = 1;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) return null; // non-minimal encoding
      if (!Number.isSafeInteger(value)) return null;
      return { value, next: offset + i + 1 };
    }
    factor *= 0x80;
  }
  return null;
}

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, no padding (the body of a multibase `b` string). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Inverse of `base32Encode` (lower-case input); null on a bad character or trailing bits. */
export function base32Decode(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    const digit = BASE32_ALPHABET.indexOf(char);
    if (digit < 0) return null;
    buffer = ((buffer << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  // Unpadded RFC 4648 leaves fewer than 5 spare bits, all zero.
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

const BASE58BTC_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE36_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Big-number base conversion in the style of the `base-x` package (leading zero bytes ↔ leading zero digits). */
function baseXEncode(bytes: Uint8Array, alphabet: string): string {
  const base = alphabet.length;
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = []; // little-endian digits of the number
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i] ?? 0;
    for (let j = 0; j < digits.length; j++) {
      carry += (digits[j] ?? 0) * 256;
      digits[j] = carry % base;
      carry = Math.floor(carry / base);
    }
    while (carry > 0) {
      digits.push(carry % base);
      carry = Math.floor(carry / base);
    }
  }
  let out = alphabet.charAt(0).repeat(zeros);
  for (let j = digits.length - 1; j >= 0; j--) out += alphabet.charAt(digits[j] ?? 0);
  return out;
}

function baseXDecode(text: string, alphabet: string): Uint8Array | null {
  const base = alphabet.length;
  let zeros = 0;
  while (zeros < text.length && text[zeros] === alphabet[0]) zeros++;
  const bytes: number[] = []; // little-endian bytes of the number
  for (let i = zeros; i < text.length; i++) {
    let carry = alphabet.indexOf(text.charAt(i));
    if (carry < 0) return null;
    for (let j = 0; j < bytes.length; j++) {
      carry += (bytes[j] ?? 0) * base;
      bytes[j] = carry & 0xff;
      carry >>>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let j = 0; j < bytes.length; j++) out[out.length - 1 - j] = bytes[j] ?? 0;
  return out;
}

export function base58btcEncode(bytes: Uint8Array): string {
  return baseXEncode(bytes, BASE58BTC_ALPHABET);
}

export function base58btcDecode(text: string): Uint8Array | null {
  return baseXDecode(text, BASE58BTC_ALPHABET);
}

/** Lower-case base36 (the body of a multibase `k` string). */
export function base36Decode(text: string): Uint8Array | null {
  return baseXDecode(text, BASE36_ALPHABET);
}

/** Lower-case hex (the body of a multibase `f` string). */
export function base16Decode(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
