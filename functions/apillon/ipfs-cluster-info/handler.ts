import { ipfsClusterInfo } from '../../../lib/apillon/files';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { route } from '../../../lib/app/route';

/** GET /storage/ipfs-cluster-info (READ): the IPFS and IPNS gateway URLs of this service (the SDK's getIpfsClusterInfo). */
export const handler = route({ surface: 'apillon' , errors: ['missingPermission'] }, async ({ principal, services, event }) => ({
  data: ipfsClusterInfo(principal, publicBaseUrl(services.config, event)),
}));
