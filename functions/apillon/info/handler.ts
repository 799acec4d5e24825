import { storageInfoView } from '../../../lib/apillon/views';
import { storageInfo } from '../../../lib/apillon/files';
import { route } from '../../../lib/app/route';

/** GET /storage/info (READ): the account's available and used bytes (the SDK's getInfo). */
export const handler = route({ surface: 'apillon' , errors: ['missingPermission'] }, async ({ principal, services }) => {
  return { data: storageInfoView(await storageInfo(services, principal)) };
});
