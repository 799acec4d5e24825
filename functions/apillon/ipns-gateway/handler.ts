import { servePublicFile } from '../../../lib/apillon/gateway';
import { ipnsGatewayQuery, ipnsNamePath } from '../../../lib/apillon/schemas';
import { IPNS_SERVE_OPTIONS, ipnsRecordResponse } from '../../../lib/apillon/views';
import { resolveIpns, wantsIpnsRecord } from '../../../lib/domain/ipns-names';
import { headerValue } from '../../../lib/http/middleware/json-body';
import { route } from '../../../lib/http/route';

/**
 * GET and HEAD /ipns/:name, no credentials: the content the name points at, served as
 * `/ipfs/<cid>` serves it (ranges, HEAD, 304; cached for 5 minutes, since a name moves);
 * with `?format=ipns-record` (or `Accept: application/vnd.ipfs.ipns-record`) the signed
 * record itself. The content's bytes count towards its owner's bandwidth of the month.
 */
export const handler = route(
  // Query parameters other than `format` are ignored, as on the `/ipfs/` gateway.
  { surface: 'apillon', auth: false, unknownQuery: 'ignore', schemas: { path: ipnsNamePath, query: ipnsGatewayQuery } },
  async ({ path, query, services, event }) => {
    const resolved = await resolveIpns(services, path.name);
    if (wantsIpnsRecord(query.format, headerValue(event, 'accept'))) {
      return { response: ipnsRecordResponse(resolved.record, resolved.ipnsName, event.requestContext.http.method === 'HEAD') };
    }
    return { response: await servePublicFile(services, event, resolved.cid, IPNS_SERVE_OPTIONS) };
  },
);
