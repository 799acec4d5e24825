import { serveContentPath } from '../../../lib/gateway/serve-content';
import { ipnsGatewayPath, ipnsGatewayQuery } from '../../../lib/apillon/schemas';
import { trustlessResponse } from '../../../lib/gateway/trustless-views';
import { IPNS_SERVE_OPTIONS, ipnsRecordResponse } from '../../../lib/gateway/views';
import { recordBandwidth } from '../../../lib/core/read/bandwidth';
import { resolveIpns, wantsIpnsRecord } from '../../../lib/core/read/ipns-names';
import { parseContentPath } from '../../../lib/gateway/path-gateway';
import { openTrustless, trustlessRequest } from '../../../lib/gateway/trustless';
import { headerValue } from '../../../lib/http/middleware/json-body';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, listings, directories, blobs, bandwidth, ipns, withStores } from '../../../lib/app/stores';
import { withBlockIndex } from '../../../lib/app/block-index';
import { withBlobStreams } from '../../../lib/app/blob-streams';

/**
 * GET and HEAD /ipns/:name[/<path…>], no credentials: the content the name points at,
 * resolved as `/ipfs/<cid>[/<path…>]` is (files, directories' index.html or listing;
 * ranges, HEAD, 304; cached for 5 minutes, since a name moves); with `?format=ipns-record`
 * (or `Accept: application/vnd.ipfs.ipns-record`) the signed record itself, with
 * `?format=raw|car` a block or a CAR of what the name points at. The content's bytes
 * count towards its owner's bandwidth of the month.
 */
export const handler = routeUsing(withStores(buckets, entries, listings, directories, blobs, bandwidth, ipns), withBlockIndex, withBlobStreams)(
  // Query parameters other than `format` are ignored, as on the `/ipfs/` gateway.
  { surface: 'apillon', errors: ['ipnsRecordNotFound', 'fileNotFound'], auth: false, unknownQuery: 'ignore', schemas: { path: ipnsGatewayPath, query: ipnsGatewayQuery } },
  async ({ path, query, services, event }) => {
    const resolved = await resolveIpns(services, path.name);
    const accept = headerValue(event, 'accept');
    const head = event.requestContext.http.method === 'HEAD';
    if (wantsIpnsRecord(query.format, accept)) return { response: ipnsRecordResponse(resolved.record, resolved.ipnsName, head) };
    // serverless-offline strips a trailing slash before the function sees it (config.ts IS_OFFLINE).
    const contentPath = parseContentPath(path.proxy, services.config.IS_OFFLINE ? undefined : event.rawPath.endsWith('/'));
    const trustless = trustlessRequest(query, accept);
    if (trustless) {
      const content = await openTrustless(services, resolved.cid, trustless, contentPath.segments, { maxDirectories: services.config.TRUSTLESS_CAR_MAX_DIRECTORIES });
      const conditional = { 'if-none-match': headerValue(event, 'if-none-match'), 'cache-control': headerValue(event, 'cache-control') };
      const options = { segments: contentPath.segments, head, cacheControl: IPNS_SERVE_OPTIONS.cacheControl, conditional };
      const { response, servedBytes } = await trustlessResponse(services, content, trustless, resolved.cid, options);
      await recordBandwidth(services, content.accountId, servedBytes);
      return { response };
    }
    const request = { prefix: `/ipns/${path.name}`, cid: resolved.cid, path: contentPath };
    return { response: await serveContentPath(services, event, request, IPNS_SERVE_OPTIONS) };
  },
);
