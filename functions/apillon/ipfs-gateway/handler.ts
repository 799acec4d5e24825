import { gatewayQuery, linkPath } from '../../../lib/apillon/schemas';
import { trustlessResponse } from '../../../lib/apillon/trustless-views';
import { gatewayResponse } from '../../../lib/apillon/views';
import { openPublicFile } from '../../../lib/domain/apillon-files';
import { recordBandwidth } from '../../../lib/domain/bandwidth';
import { INLINE_DOWNLOAD_MAX_BYTES } from '../../../lib/domain/storage';
import { openTrustless, trustlessFormat } from '../../../lib/domain/trustless';
import { headerValue } from '../../../lib/http/middleware/json-body';
import { route } from '../../../lib/http/route';

/**
 * GET /ipfs/:cid, no credentials: the bytes of a file in a public bucket; with
 * `?format=raw|car` (or Accept: application/vnd.ipld.raw|car) its root block or
 * a CAR of its DAG, for clients that verify what they get.
 */
export const handler = route(
  { surface: 'apillon', auth: false, schemas: { path: linkPath, query: gatewayQuery } },
  async ({ path, query, services, event }) => {
    const format = trustlessFormat(query.format, headerValue(event, 'accept'));
    if (format) {
      const content = await openTrustless(services, path.cid, format);
      const response = trustlessResponse(content, format, path.cid);
      await recordBandwidth(services, content.file.accountId, Buffer.byteLength(response.body ?? '', 'base64'));
      return { response };
    }
    const content = await openPublicFile(services, path.cid, INLINE_DOWNLOAD_MAX_BYTES);
    const response = gatewayResponse(content, path.cid);
    await recordBandwidth(services, content.file.accountId, 'bytes' in content ? content.bytes.byteLength : (content.file.size ?? 0));
    return { response };
  },
);
