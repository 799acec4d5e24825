import { linkPath, linkQuery } from '../../../lib/apillon/cid-schemas';
import { linkView } from '../../../lib/apillon/views';
import { linkableCids, requireLinkPermission } from '../../../lib/domain/apillon-files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { route } from '../../../lib/http/route';

/**
 * GET /storage/link-on-ipfs/:cid?type=ipfs: the gateway link of a CID (the SDK's generateIpfsLink);
 * `link: null` for a CID stored only where the gateway does not serve it (private buckets).
 */
export const handler = route(
  { surface: 'apillon', model: 'LinkOnIpfsQueryFilter', schemas: { path: linkPath, query: linkQuery } },
  async ({ path, principal, services, event }) => {
    requireLinkPermission(principal);
    const [linkable] = await linkableCids(services, [path.cid]);
    return { data: linkView(publicBaseUrl(services.config, event), path.cid, linkable!) };
  },
);
