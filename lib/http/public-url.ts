import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '../config';
import { headerValue } from './middleware/json-body';

/** A host header we are willing to put into links: a DNS name or IP literal, optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The base URL clients reach this API on (for `link`s and `downloadLink`s):
 * PUBLIC_BASE_URL when configured, else the request's own host header (API
 * Gateway's domain name when the header is missing or odd) and
 * `x-forwarded-proto` (https unless it says http).
 */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_BASE_URL'>, event: APIGatewayProxyEventV2): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const header = headerValue(event, 'host')?.trim();
  const domainName = event.requestContext?.domainName;
  const host = [header, domainName].find((candidate) => candidate !== undefined && HOST.test(candidate));
  const forwarded = headerValue(event, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const protocol = forwarded === 'http' ? 'http' : 'https';
  return `${protocol}://${host ?? 'localhost'}`;
}

/** The public gateway link of a CID: `<base>/ipfs/<cid>`. */
export function ipfsLink(baseUrl: string, cid: string): string {
  return `${baseUrl}/ipfs/${cid}`;
}

/** The public gateway link of an IPNS name: `<base>/ipns/<name>`. */
export function ipnsLink(baseUrl: string, ipnsName: string): string {
  return `${baseUrl}/ipns/${ipnsName}`;
}
