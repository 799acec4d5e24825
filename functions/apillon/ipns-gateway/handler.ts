import { ipnsGatewayQuery, ipnsNamePath } from '../../../lib/apillon/schemas';
import { gatewayResponse, ipnsContentResponse, ipnsRecordResponse } from '../../../lib/apillon/views';
import { openPublicFile } from '../../../lib/domain/apillon-files';
import { recordBandwidth } from '../../../lib/domain/bandwidth';
import { resolveIpns, wantsIpnsRecord } from '../../../lib/domain/ipns-names';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/domain/storage';
import { route } from '../../../lib/http/route';
import { headerValue } from '../../../lib/http/middleware/json-body';

/**
 * GET /ipns/:name, no credentials: the content the name points at, served as
 * `/ipfs/<cid>` serves it; with `?format=ipns-record` (or `Accept:
 * application/vnd.ipfs.ipns-record`) the signed record itself.
 */
export const handler = route(
  { surface: 'apillon', auth: false, schemas: { path: ipnsNamePath, query: ipnsGatewayQuery } },
  async ({ path, query, services, event }) => {
    const resolved = await resolveIpns(services, path.name);
    if (wantsIpnsRecord(query.format, headerValue(event, 'accept'))) return { response: ipnsRecordResponse(resolved.record, resolved.ipnsName) };
    const content = await openPublicFile(services, resolved.cid, INLINE_DOWNLOAD_MAX_BYTES);
    const response = ipnsContentResponse(gatewayResponse(content, resolved.cid));
    await recordBandwidth(services, content.file.accountId, 'bytes' in content ? content.bytes.byteLength : (content.file.size ?? 0));
    return { response };
  },
);
