import type { IpnsDeps } from '../apillon/ipns';
import { extension, type CoreServices } from './core-services';
import { ssmClient } from '../store/clients';
import { AesGcmKeySealer, kekSource } from '../store/key-sealer';

/**
 * The services of the functions that sign IPNS records: the core services
 * plus the key sealer. Kept apart from lib/app/services.ts so that only these
 * functions bundle the sealer and the SSM client (loaded on first use).
 */
export type SigningServices = CoreServices & IpnsDeps;

/**
 * The core services with the key sealer: one sealer per services object, so the key encryption key is
 * read once per cold start (lib/app/services.ts `extension`).
 */
export const signingServices: (services: CoreServices) => SigningServices = extension((core) => ({
  keySealer: new AesGcmKeySealer(kekSource(core.config, ssmClient(core.config))),
}));
