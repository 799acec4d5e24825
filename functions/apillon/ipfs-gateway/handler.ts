import { gatewayQuery, linkPath } from '../../../lib/apillon/cid-schemas';
import { servePublicFile } from '../../../lib/apillon/gateway';
import { trustlessResponse } from '../../../lib/apillon/trustless-views';
import { recordBandwidth } from '../../../lib/domain/bandwidth';
import { openTrustless, trustlessFormat } from '../../../lib/domain/trustless';
import { headerValue } from '../../../lib/http/middleware/json-body';
import { route } from '../../../lib/http/route';

/**
 * GET and HEAD /ipfs/:cid, no credentials: a file of a public bucket, with ranges,
 * conditional requests and HEAD (lib/http/serve-file.ts); a 302 to a presigned GET above 4 MiB.
 * With `?format=raw|car` (or Accept: application/vnd.ipld.raw|car) its root block or a CAR
 * of its DAG instead, for clients that verify what they get (the trustless gateway).
 * The bytes handed out count towards the owner's bandwidth of the month.
 */
export const handler = route(
  // Query parameters other than `format` are ignored, as IPFS gateways ignore those they do not know.
  { surface: 'apillon', auth: false, unknownQuery: 'ignore', schemas: { path: linkPath, query: gatewayQuery } },
  async ({ path, query, services, event }) => {
    const format = trustlessFormat(query.format, headerValue(event, 'accept'));
    if (format) {
      const content = await openTrustless(services, path.cid, format);
      const response = trustlessResponse(content, format, path.cid, event.requestContext.http.method === 'HEAD');
      await recordBandwidth(services, content.file.accountId, Buffer.byteLength(response.body ?? '', 'base64'));
      return { response };
    }
    return { response: await servePublicFile(services, event, path.cid) };
  },
);
