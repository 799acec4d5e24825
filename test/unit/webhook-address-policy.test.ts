import { describe, expect, it } from 'vitest';
import { judgeAddress, judgeAddresses } from '../../lib/core/webhooks/address-policy';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };

describe('webhook address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2002:a00:1::1', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
    ['not-an-ip', 'reserved'],
  ])('refuses %s as %s', (address, reason) => {
    // assess
    expect(judgeAddress(address, strict)).toEqual({ allowed: false, reason });
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:1.1.1.1'])('allows the global unicast address %s', (address) => {
    // assess
    expect(judgeAddress(address, strict)).toEqual({ allowed: true });
  });

  it('allows loopback, and only loopback, when the stage allows it', () => {
    // assess
    expect(judgeAddress('127.0.0.1', local)).toEqual({ allowed: true });
    expect(judgeAddress('::1', local)).toEqual({ allowed: true });
    expect(judgeAddress('10.0.0.1', local)).toEqual({ allowed: false, reason: 'private' });
    expect(judgeAddress('169.254.169.254', local)).toEqual({ allowed: false, reason: 'metadata' });
  });

  it('refuses a host when any one of its addresses is refused, and a host with none', () => {
    // assess
    expect(judgeAddresses(['8.8.8.8', '10.0.0.1'], strict)).toEqual({ allowed: false, reason: 'private' });
    expect(judgeAddresses(['8.8.8.8', '2606:4700:4700::1111'], strict)).toEqual({ allowed: true });
    expect(judgeAddresses([], strict)).toEqual({ allowed: false, reason: 'reserved' });
  });
});
