import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmKeySealer, kekSource, parseKek } from '../../lib/store/key-sealer';

const kek = new Uint8Array(randomBytes(32));
const sealer = new AesGcmKeySealer(async () => kek);
const secret = new Uint8Array(randomBytes(64));

describe('AesGcmKeySealer', () => {
  it('opens what it sealed for the same context; the sealed text does not contain the key', async () => {
    // act
    const sealed = await sealer.seal(secret, 'record-1');

    // assess
    expect(await sealer.open(sealed, 'record-1')).toEqual(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64url').slice(0, 16));
    expect(sealed).not.toBe(await sealer.seal(secret, 'record-1')); // a fresh IV each time
  });

  it('refuses a sealed key moved to another record, altered, or opened under another key', async () => {
    // prepare
    const sealed = await sealer.seal(secret, 'record-1');
    const [version, iv, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    const otherKek = new AesGcmKeySealer(async () => new Uint8Array(randomBytes(32)));

    // act / assess
    await expect(sealer.open(sealed, 'record-2')).rejects.toThrow();
    await expect(sealer.open(`${version}.${iv}.${flipped.toString('base64url')}`, 'record-1')).rejects.toThrow();
    await expect(otherKek.open(sealed, 'record-1')).rejects.toThrow();
    await expect(sealer.open('garbage', 'record-1')).rejects.toThrow(/format/);
  });
});

describe('key encryption key configuration', () => {
  it('takes 32 bytes of base64 and nothing else', () => {
    expect(parseKek(Buffer.alloc(32, 7).toString('base64'), 'X')).toHaveLength(32);
    expect(() => parseKek(Buffer.alloc(16).toString('base64'), 'X')).toThrow(/32 bytes/);
  });

  it('fails clearly, on use, when neither the key nor its SSM parameter is configured', async () => {
    await expect(kekSource({ AWS_REGION: 'us-east-1' })()).rejects.toThrow(/IPNS_KEY_ENCRYPTION_KEY or IPNS_KEY_PARAMETER/);
  });
});
