import type { IpnsDeps } from '../apillon/ipns';
import type { Services } from './services';
import { ssmClient } from '../store/clients';
import { AesGcmKeySealer, kekSource } from '../store/key-sealer';

/**
 * The services of the functions that sign IPNS records: the process services
 * plus the key sealer. Kept apart from lib/app/services.ts so that only these
 * functions bundle the sealer and the SSM client (loaded on first use).
 */
export type SigningServices = Services & IpnsDeps;

/**
 * One key sealer per services object, so the key encryption key is read once per cold start.
 * Bound: one entry per `Services` (a warm container has one), never replaced; weakly held, so
 * services a test drops take their sealer with them.
 */
const sealers = new WeakMap<Services, AesGcmKeySealer>();

export function signingServices(services: Services): SigningServices {
  let keySealer = sealers.get(services);
  if (!keySealer) {
    keySealer = new AesGcmKeySealer(kekSource(services.config, ssmClient(services.config)));
    sealers.set(services, keySealer);
  }
  return { ...services, keySealer };
}
