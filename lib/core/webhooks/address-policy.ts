import ipaddr from 'ipaddr.js';

/**
 * Which addresses a webhook may be sent to (issue 22: no server-side request forgery). Only global unicast
 * addresses pass; loopback, private (RFC 1918, unique local fc00::/7, carrier-grade NAT 100.64.0.0/10), link-local
 * (169.254.0.0/16, fe80::/10) and cloud metadata addresses are refused, and so is every special-purpose range
 * ipaddr.js knows (unspecified, broadcast, multicast, documentation, benchmarking, 6to4/Teredo/NAT64 forms that
 * embed an IPv4 address). IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address they carry.
 * Ranges are ipaddr.js's (its tables follow the IANA special-purpose registries, RFC 6890).
 */

/** Why an address is refused: the name the error and the delivery log give. */
export type RefusalReason = 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

export type AddressVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: RefusalReason };

export interface AddressPolicy {
  /** Local runs only (WEBHOOK_ALLOW_LOOPBACK): loopback, and only loopback, is allowed too. */
  readonly allowLoopback: boolean;
}

/**
 * Instance metadata services, refused by name whatever range they are in: AWS IMDS (IPv4 and its IPv6
 * fd00:ec2::254), the ECS task metadata endpoint, Alibaba Cloud's 100.100.100.200.
 */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

/** The verdict on one IP address in text form; anything that does not parse as an IP address is refused as reserved. */
export function judgeAddress(address: string, policy: AddressPolicy): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: 'reserved' };
  const parsed = ipaddr.process(address); // ::ffff:a.b.c.d becomes a.b.c.d
  const normal = parsed.toNormalizedString();
  const canonical = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toString() : normal;
  if (METADATA_ADDRESSES.has(canonical)) return { allowed: false, reason: 'metadata' };
  const range = parsed.range();
  switch (range) {
    case 'unicast':
      return { allowed: true };
    case 'loopback':
      return policy.allowLoopback ? { allowed: true } : { allowed: false, reason: 'loopback' };
    case 'private':
    case 'uniqueLocal':
    case 'carrierGradeNat':
      return { allowed: false, reason: 'private' };
    case 'linkLocal':
      return { allowed: false, reason: 'link-local' };
    default:
      return { allowed: false, reason: 'reserved' };
  }
}

/**
 * The verdict on every address a host name resolved to: refused when any one is (a name that resolves to a
 * public and a private address could be made to connect to either).
 */
export function judgeAddresses(addresses: readonly string[], policy: AddressPolicy): AddressVerdict {
  for (const address of addresses) {
    const verdict = judgeAddress(address, policy);
    if (!verdict.allowed) return verdict;
  }
  return addresses.length > 0 ? { allowed: true } : { allowed: false, reason: 'reserved' };
}
