import { linkPath, linkQuery } from '../../../lib/apillon/cid-schemas';
import { linkView } from '../../../lib/apillon/views';
import { requireLinkPermission } from '../../../lib/domain/apillon-files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { route } from '../../../lib/http/route';

/** GET /storage/link-on-ipfs/:cid?type=ipfs: the gateway link of a CID (the SDK's generateIpfsLink). */
export const handler = route(
  { surface: 'apillon', model: 'LinkOnIpfsQueryFilter', schemas: { path: linkPath, query: linkQuery } },
  async ({ path, principal, services, event }) => {
    requireLinkPermission(principal);
    return { data: linkView(publicBaseUrl(services.config, event), path.cid) };
  },
);
