import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cidVersionOf, type PublicContent, type PublicFile } from '../core/read/public-content';
import { recordBandwidth, type BandwidthDeps } from '../core/read/bandwidth';
import { contentUrl, directoryIndexFile, linkedChildren, resolveContentPath, type ContentPath } from './path-gateway';
import type { StorageDeps } from '../core/ports/storage';
import { bytesSent, serveFile, type ServeOptions } from '../http/serve-file';
import { listingResponse } from './directory-listing';
import { GATEWAY_SERVE_OPTIONS, gatewayTarget, RESOLVED_PATH_CACHE_CONTROL } from './views';

/** A path-gateway request: where its content path starts and what follows. */
export interface GatewayRequest {
  /** The URL prefix of the content root, `/ipfs/<cid>` or `/ipns/<name>` (redirects are built under it). */
  readonly prefix: string;
  /** The root CID (for `/ipns/`, the one the name resolved to). */
  readonly cid: string;
  readonly path: ContentPath;
}

/**
 * The public path gateway's answer (GET or HEAD) to `/ipfs/<cid>[/<path…>]` and
 * `/ipns/<name>[/<path…>]` (https://specs.ipfs.tech/http-gateways/path-gateway/):
 * - a file: its bytes by {@link serveFile} (ranges, HEAD, 304, a 302 above 4 MiB), ETag its CID;
 * - a directory URL without its trailing slash, or a URL with `.`, `..` or empty
 *   segments: 301 to the canonical URL (query kept), as kubo/boxo answer (the slash
 *   only where it can be seen: `path.trailingSlash` not undefined);
 * - a directory: its `index.html` when it has one, else a generated listing.
 * The bytes handed out count once towards the owner's bandwidth of the month.
 * 404 FILE_DOES_NOT_EXISTS, 416 RANGE_NOT_SATISFIABLE, 422 CID_NOT_VALID as those say.
 */
export async function serveContentPath(
  deps: Pick<StorageDeps, 'buckets' | 'entries' | 'listings' | 'blobs' | 'logger' | 'metrics' | 'presignTtlSeconds'> & BandwidthDeps,
  event: APIGatewayProxyEventV2,
  request: GatewayRequest,
  options: ServeOptions = GATEWAY_SERVE_OPTIONS,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { path } = request;
  const content = await resolveContentPath(deps, request.cid, path.segments);
  const directory = content.kind === 'directory';
  // Where the slash cannot be seen (serverless-offline strips it), a directory is served as it is asked for.
  if (!path.canonical || (directory && path.trailingSlash === false)) {
    const location = contentUrl(request.prefix, path.segments, directory, event.rawQueryString);
    return { statusCode: 301, headers: { location, 'cache-control': options.cacheControl }, body: '' };
  }
  // Only a file named by its own CID is immutable here; what is found through a directory's children may lag its CID.
  const resolved = path.segments.length > 0 || directory;
  const cacheControl = resolved && options.cacheControl.includes('immutable') ? RESOLVED_PATH_CACHE_CONTROL : options.cacheControl;
  // The spec's X-Ipfs-Path: the content path asked for (percent-encoded, so any name fits a header).
  const served = { ...options, cacheControl, headers: { ...options.headers, 'x-ipfs-path': contentUrl(request.prefix, path.segments, directory) } };
  if (content.kind === 'file') return serveGatewayFile(deps, event, content, served);
  const version = cidVersionOf(request.cid);
  const index = await directoryIndexFile(deps, content.directory, version);
  if (index?.kind === 'file') return serveGatewayFile(deps, event, index, served);
  const response = listingResponse(
    event,
    {
      prefix: request.prefix,
      segments: path.segments,
      cid: content.cid,
      children: await linkedChildren(deps, content.directory),
      version,
    },
    served,
  );
  await recordBandwidth(deps, content.directory.bucket.accountId, event.requestContext.http.method === 'HEAD' ? 0 : Number(response.headers?.['content-length'] ?? 0));
  return response;
}

/** A file of the gateway, served and metered: ETag its CID (in the version asked for). */
async function serveGatewayFile(
  deps: Pick<StorageDeps, 'blobs' | 'logger' | 'metrics' | 'presignTtlSeconds'> & BandwidthDeps,
  event: APIGatewayProxyEventV2,
  found: PublicFile & Pick<PublicContent, 'cid'>,
  options: ServeOptions,
): Promise<APIGatewayProxyStructuredResultV2> {
  const target = gatewayTarget(found, found.cid);
  const response = await serveFile(deps, event, target, options);
  await recordBandwidth(deps, target.file.accountId, bytesSent(event, target, response));
  return response;
}
