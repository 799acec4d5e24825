import { storageInfoView } from '../../../lib/apillon/views';
import { storageInfo } from '../../../lib/apillon/files';
import { routeUsing } from '../../../lib/app/route';
import { bandwidth, withStores } from '../../../lib/app/stores';

/** GET /storage/info (READ): the account's available and used bytes (the SDK's getInfo). */
export const handler = routeUsing(withStores(bandwidth))({ surface: 'apillon' , errors: ['missingPermission'] }, async ({ principal, services }) => {
  return { data: storageInfoView(await storageInfo(services, principal)) };
});
