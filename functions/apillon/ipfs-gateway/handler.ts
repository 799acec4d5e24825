import { gatewayPath, gatewayQuery } from '../../../lib/apillon/cid-schemas';
import { serveContentPath } from '../../../lib/gateway/serve-content';
import { trustlessResponse } from '../../../lib/gateway/trustless-views';
import { recordBandwidth } from '../../../lib/core/read/bandwidth';
import { parseContentPath } from '../../../lib/gateway/path-gateway';
import { openTrustless, trustlessRequest } from '../../../lib/gateway/trustless';
import { headerValue } from '../../../lib/http/middleware/json-body';
import { routeUsing } from '../../../lib/app/route';
import { buckets, entries, listings, directories, blobs, bandwidth, withStores } from '../../../lib/app/stores';
import { withBlockIndex } from '../../../lib/app/block-index';
import { withBlobStreams } from '../../../lib/app/blob-streams';

/**
 * GET and HEAD /ipfs/:cid[/<path…>], no credentials: a file of a public bucket, or the
 * file at a path under a directory CID (a directory itself: its index.html or a listing),
 * with ranges, conditional requests and HEAD (lib/http/serve-file.ts); a 302 to a
 * presigned GET above 4 MiB. With `?format=raw|car` (or Accept: application/vnd.ipld.raw|car)
 * the block at the path's end, or a CAR of the blocks that lead there and of the DAG there
 * (`dag-scope`, `entity-bytes`, `car-dups`), for clients that verify what they get (the
 * trustless gateway); a CAR over 4 MiB is a 302 to a presigned GET of it. In those formats a
 * CID may also name a block inside a file (a leaf, an inner node: the block index, lib/core/ports/block-index.ts).
 * The bytes handed out count towards the owner's bandwidth of the month.
 */
export const handler = routeUsing(withStores(buckets, entries, listings, directories, blobs, bandwidth), withBlockIndex, withBlobStreams)(
  // Query parameters other than `format` and the trustless CAR ones are ignored, as IPFS gateways ignore those they do not know.
  {
    surface: 'apillon',
    errors: ['fileNotFound', 'rangeNotSatisfiable', 'dagTooLargeForFormat', 'dagScopeNotValid', 'entityBytesNotValid', 'entityBytesOutOfRange', 'carVersionNotSupported', 'carOrderNotSupported', 'carDupsNotValid'],
    auth: false,
    unknownQuery: 'ignore',
    schemas: { path: gatewayPath, query: gatewayQuery },
  },
  async ({ path, query, services, event }) => {
    // serverless-offline strips a trailing slash before the function sees it (config.ts IS_OFFLINE).
    const contentPath = parseContentPath(path.proxy, services.config.IS_OFFLINE ? undefined : event.rawPath.endsWith('/'));
    const trustless = trustlessRequest(query, headerValue(event, 'accept'));
    if (trustless) {
      const content = await openTrustless(services, path.cid, trustless, contentPath.segments, { maxDirectories: services.config.TRUSTLESS_CAR_MAX_DIRECTORIES });
      const head = event.requestContext.http.method === 'HEAD';
      const conditional = { 'if-none-match': headerValue(event, 'if-none-match'), 'cache-control': headerValue(event, 'cache-control') };
      const { response, servedBytes } = await trustlessResponse(services, content, trustless, path.cid, { segments: contentPath.segments, head, conditional });
      await recordBandwidth(services, content.accountId, servedBytes);
      return { response };
    }
    return { response: await serveContentPath(services, event, { prefix: `/ipfs/${path.cid}`, cid: path.cid, path: contentPath }) };
  },
);
