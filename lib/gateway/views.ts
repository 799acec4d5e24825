import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { PublicFile } from '../core/read/public-content';
import type { FileToServe, ServeOptions } from '../http/serve-file';

/**
 * How the public gateway (`/ipfs`, `/ipns`) presents what it serves: cache and sandbox
 * policy, the ETag of a file by CID, the signed IPNS record.
 */

/** `GET /ipns/:name?format=ipns-record`: the signed record, as the trustless gateway spec serves it (`head`: no body). */
export function ipnsRecordResponse(record: Uint8Array, ipnsName: string, head = false): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/vnd.ipfs.ipns-record',
      'content-disposition': `attachment; filename="${ipnsName}.ipns-record"`,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
      'content-length': String(record.byteLength),
    },
    ...(head ? { body: '' } : { body: Buffer.from(record).toString('base64'), isBase64Encoded: true }),
  };
}

/** The file `GET|HEAD /ipfs/:cid` serves, tagged with the CID as IPFS gateways do (`ETag: "<cid>"`). */
export function gatewayTarget(found: PublicFile, cid: string): FileToServe {
  return { file: found.file, size: found.size, etag: `"${cid}"` };
}

/**
 * How the gateway presents a file: inline, cacheable for good (content under a CID
 * never changes: the IPFS path-gateway spec's `immutable`), and sandboxed, since
 * uploaded HTML is served from the API's own origin: no scripts, no same-origin powers.
 */
export const GATEWAY_SERVE_OPTIONS = {
  disposition: 'inline',
  cacheControl: 'public, max-age=29030400, immutable',
  headers: { 'content-security-policy': "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'" },
  goneError: 'fileNotFound',
} as const satisfies ServeOptions;

/**
 * How `GET|HEAD /ipns/:name` presents the file the name points at now: as the `/ipfs/`
 * gateway does, but cached briefly (a name moves; a CID does not).
 */
/**
 * Cache-Control of what the path gateway resolves below a CID (a file at a path, a directory's
 * index.html or listing): it is read through the directory's current children, not rebuilt block by
 * block against the CID, and for the seconds a directory's CID takes to follow a change it may
 * differ from that CID's content, so it is not cached as immutable.
 */
export const RESOLVED_PATH_CACHE_CONTROL = 'public, max-age=60';

export const IPNS_SERVE_OPTIONS = { ...GATEWAY_SERVE_OPTIONS, cacheControl: 'public, max-age=300' } as const satisfies ServeOptions;
