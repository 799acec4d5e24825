import { routeWith } from '../http/route';
import { services, type Services } from './services';

/**
 * `route(spec, handler)`: the shared HTTP stack (lib/http/route.ts) bound to the
 * process services (lib/app/services.ts), built once per container. Handlers
 * receive them as `input.services`; a spec's `services` overrides them (tests).
 */
export const route = routeWith<Services>(services);
