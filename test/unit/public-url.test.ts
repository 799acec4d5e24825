import { describe, expect, it } from 'vitest';
import { ipfsLink, publicBaseUrl } from '../../lib/http/public-url';
import { httpEvent } from '../support/events';

describe('publicBaseUrl', () => {
  it('prefers PUBLIC_BASE_URL, without a trailing slash', () => {
    // act
    const base = publicBaseUrl({ PUBLIC_BASE_URL: 'https://files.example.com/' }, httpEvent({ headers: { host: 'other.example' } }));

    // assess
    expect(base).toBe('https://files.example.com');
  });

  it('builds it from the host header and x-forwarded-proto', () => {
    // act
    const http = publicBaseUrl({}, httpEvent({ headers: { host: 'localhost:3000', 'x-forwarded-proto': 'http' } }));
    const https = publicBaseUrl({}, httpEvent({ headers: { host: 'api.example.com' } }));

    // assess
    expect(http).toBe('http://localhost:3000');
    expect(https).toBe('https://api.example.com');
  });

  it('falls back to API Gateway’s domain name for an odd host header', () => {
    // prepare
    const event = httpEvent({ headers: { host: 'evil.com/path?x=' } });
    event.requestContext.domainName = 'abc123.execute-api.eu-west-1.amazonaws.com';

    // act
    const base = publicBaseUrl({}, event);

    // assess
    expect(base).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com');
  });
});

describe('ipfsLink', () => {
  it('is <base>/ipfs/<cid>', () => {
    // assess
    expect(ipfsLink('http://x', 'bafy')).toBe('http://x/ipfs/bafy');
  });
});
