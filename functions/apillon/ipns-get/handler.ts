import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { ipnsInBucketPath } from '../../../lib/apillon/schemas';
import { ipnsView } from '../../../lib/apillon/views';
import { getIpns } from '../../../lib/apillon/ipns';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, ipns, withStores } from '../../../lib/app/stores';

/** GET /storage/buckets/:bucketUuid/ipns/:ipnsUuid (READ): one IPNS name (the SDK's `ipns(uuid).get()`). */
export const handler = routeUsing(withStores(buckets, ipns))({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'ipnsRecordNotFound'], schemas: { path: ipnsInBucketPath } }, async ({ path, principal, services, event }) => ({
  data: ipnsView(await getIpns(services, principal, path.bucketUuid, path.ipnsUuid), publicBaseUrl(services.config, event)),
}));
