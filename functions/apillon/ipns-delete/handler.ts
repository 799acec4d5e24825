import { OPEN_BUCKET_ERRORS } from '../../../lib/apillon/buckets';
import { ipnsInBucketPath } from '../../../lib/apillon/schemas';
import { ipnsView } from '../../../lib/apillon/views';
import { deleteIpns } from '../../../lib/apillon/ipns';
import { publicBaseUrl } from '../../../lib/http/public-url';
import { routeUsing } from '../../../lib/app/route';
import { buckets, ipns, withStores } from '../../../lib/app/stores';

/** DELETE /storage/buckets/:bucketUuid/ipns/:ipnsUuid (WRITE): the name and its key go (the SDK's `ipns(uuid).delete()`). */
export const handler = routeUsing(withStores(buckets, ipns))({ surface: 'apillon', errors: [...OPEN_BUCKET_ERRORS, 'ipnsRecordNotFound'], schemas: { path: ipnsInBucketPath } }, async ({ path, principal, services, event }) => ({
  data: ipnsView(await deleteIpns(services, principal, path.bucketUuid, path.ipnsUuid), publicBaseUrl(services.config, event)),
}));
