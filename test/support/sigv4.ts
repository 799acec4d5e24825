import { createHash, createHmac } from 'node:crypto';

/**
 * An independent reader of AWS Signature Version 4 query signatures (presigned
 * URLs), written from AWS's description ("Authenticating Requests: Using Query
 * Parameters (AWS Signature Version 4)", Amazon S3 API reference), not from the
 * signer under test. It recomputes X-Amz-Signature from the URL, the signed
 * headers' values and the secret key; test/unit/s3-signing.test.ts checks it
 * against AWS's published example first.
 */
export function expectedQuerySignature(url: URL, secretAccessKey: string, headerValues: Readonly<Record<string, string>> = {}): string {
  const params = [...url.searchParams].filter(([name]) => name !== 'X-Amz-Signature');
  const get = (name: string) => params.find(([key]) => key === name)?.[1] ?? '';
  const [, date, region, service] = get('X-Amz-Credential').split('/');
  const signedHeaders = get('X-Amz-SignedHeaders').split(';');
  // S3 canonical URI: each path segment URI-encoded once (the key as stored, not encoded twice).
  const canonicalUri = url.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
  const canonicalQuery = params
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${name === 'host' ? url.host : (headerValues[name] ?? '').trim()}\n`).join('');
  const canonicalRequest = [headerValues[':method'] ?? 'GET', canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', get('X-Amz-Date'), `${date}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, date!);
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** AWS's UriEncode: every byte but A-Z a-z 0-9 - . _ ~ as %XX (upper case); a space is %20. */
function uriEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}
