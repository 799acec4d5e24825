import { Permission } from '../../../lib/core/access/principal';
import { spaceLeft } from '../../../lib/quantum/files';
import { route } from '../../../lib/app/route';

/** GET /file/quota: the bytes the account may still store. */
export const handler = route({ surface: 'quantum' , permission: Permission.READ }, async ({ principal, services }) => {
  return { message: 'File quota retrieved successfully', data: { space_left: await spaceLeft(services, principal) } };
});
