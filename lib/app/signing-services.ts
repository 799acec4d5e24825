import type { KeySealer } from '../core/ports';
import { extension } from './core-services';
import { ssmClient } from '../store/clients';
import { AesGcmKeySealer, kekSource } from '../store/key-sealer';

/** What the functions that sign IPNS records add to their services (lib/apillon/ipns.ts `IpnsDeps`). */
export interface SigningServices {
  readonly keySealer: KeySealer;
}

/**
 * The core services with the key sealer: one sealer per services object, so the key encryption key is
 * read once per cold start (lib/app/core-services.ts `extension`). Kept apart so that only the functions that
 * sign bundle the sealer and the SSM client (loaded on first use).
 */
export const withKeySealer = extension<SigningServices>((core) => ({
  keySealer: new AesGcmKeySealer(kekSource(core.config, ssmClient(core.config))),
}));
