import { routeWith } from '../http/route';
import { services, type CoreServices } from './services';

/**
 * `route(spec, handler)`: the shared HTTP stack (lib/http/route.ts) bound to the
 * process's core services (lib/app/services.ts), built once per container. Handlers
 * receive them as `input.services`; a spec's `services` overrides them (tests).
 */
export const route = routeWith<CoreServices>(services);

/**
 * `routeUsing(extend)(spec, handler)`: {@link route} with the core services extended by `extend`
 * (lib/app/queues.ts `withQueues`, webhooks.ts `withWebhooks`, multipart.ts `withMultipart`, or several
 * composed): the function's own composition, so its bundle holds what it uses and no more.
 */
export function routeUsing<Svc extends CoreServices>(extend: (core: CoreServices) => Svc) {
  return routeWith<Svc>(() => extend(services()));
}
