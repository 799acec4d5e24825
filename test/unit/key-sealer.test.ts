import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { ssmClient } from '../../lib/store/clients';
import { AesGcmKeySealer, KEK_CACHE_SECONDS, kekSource, parseKek } from '../../lib/store/key-sealer';
import { serverAnswering } from '../support/aws-wire';

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
    await expect(kekSource({})()).rejects.toThrow(/IPNS_KEY_ENCRYPTION_KEY or IPNS_KEY_PARAMETER/);
  });
});

describe('key encryption key from SSM (GetParameter on the service SSM client)', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());
  const kek = Buffer.alloc(32, 9).toString('base64');

  it('reads the SecureString once with decryption and keeps it for the cache period', async () => {
    // prepare
    const server = await serverAnswering((response) =>
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Parameter: { Name: '/svc/kek', Type: 'SecureString', Value: kek, Version: 1 } })),
    );
    close = server.close;
    const config = parseConfig({ TABLE_NAME: 't', FILES_BUCKET: 'files', REPLICA_BUCKET: 'replica', SSM_ENDPOINT: server.endpoint, IPNS_KEY_PARAMETER: '/svc/kek' });
    const source = kekSource(config, ssmClient(config));

    // act
    const first = await source();
    const second = await source();

    // assess
    expect(Buffer.from(first).toString('base64')).toBe(kek);
    expect(second).toEqual(first);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.request.headers['x-amz-target']).toBe('AmazonSSM.GetParameter');
    expect(JSON.parse(server.received[0]!.body)).toEqual({ Name: '/svc/kek', WithDecryption: true });
    expect(KEK_CACHE_SECONDS).toBe(300);
  });

  it('reads it again once the cache period is over', async () => {
    // prepare
    const server = await serverAnswering((response) =>
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Parameter: { Name: '/svc/kek', Type: 'SecureString', Value: kek, Version: 1 } })),
    );
    close = server.close;
    const config = parseConfig({ TABLE_NAME: 't', FILES_BUCKET: 'files', REPLICA_BUCKET: 'replica', SSM_ENDPOINT: server.endpoint, IPNS_KEY_PARAMETER: '/svc/kek' });
    let clock = 1_000_000;
    const source = kekSource(config, ssmClient(config), () => clock);

    // act
    await source();
    clock += KEK_CACHE_SECONDS * 1000 - 1;
    await source();
    clock += 1;
    await source();

    // assess
    expect(server.received).toHaveLength(2);
  });

  it('fails on use when SSM refuses, and asks again at the next use', async () => {
    // prepare
    const server = await serverAnswering(
      (response) => response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ParameterNotFound', message: '' })),
      (response) => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Parameter: { Name: '/svc/kek', Type: 'SecureString', Value: kek, Version: 1 } })),
    );
    close = server.close;
    const config = parseConfig({ TABLE_NAME: 't', FILES_BUCKET: 'files', REPLICA_BUCKET: 'replica', SSM_ENDPOINT: server.endpoint, IPNS_KEY_PARAMETER: '/svc/kek' });
    const source = kekSource(config, ssmClient(config));

    // act
    const failure = await source().catch((caught: unknown) => caught);
    const later = await source();

    // assess
    expect((failure as Error).name).toBe('ParameterNotFound');
    expect(Buffer.from(later).toString('base64')).toBe(kek);
    expect(server.received).toHaveLength(2);
  });
});
