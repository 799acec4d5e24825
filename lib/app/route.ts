import { routeWith } from '../http/route';
import { services, type CoreServices } from './services';

/**
 * `route(spec, handler)`: the shared HTTP stack (lib/http/route.ts) bound to the
 * process's core services (lib/app/services.ts), built once per container. Handlers
 * receive them as `input.services`; a spec's `services` overrides them (tests).
 */
export const route = routeWith<CoreServices>(services);

/** An extension of services `In` (lib/app/core-services.ts `extension`): what it adds is built once per `In` object. */
type Extend<In extends CoreServices, Out extends CoreServices> = (services: In) => Out;

/**
 * `routeUsing(...extend)(spec, handler)`: {@link route} with the core services extended by each of `extend` in turn
 * (lib/app/stores.ts `withStores(buckets, entries)`, queues.ts `withQueues`, webhooks.ts `withWebhooks`, multipart.ts
 * `withMultipart`, …): the function's own composition, so its bundle holds what it uses and no more. The handler's
 * services are typed by the composition, so tsc refuses a domain call given a store the function does not compose.
 */
export function routeUsing<A extends CoreServices>(a: Extend<CoreServices, A>): ReturnType<typeof routeWith<A>>;
export function routeUsing<A extends CoreServices, B extends CoreServices>(a: Extend<CoreServices, A>, b: Extend<A, B>): ReturnType<typeof routeWith<B>>;
export function routeUsing<A extends CoreServices, B extends CoreServices, C extends CoreServices>(a: Extend<CoreServices, A>, b: Extend<A, B>, c: Extend<B, C>): ReturnType<typeof routeWith<C>>;
export function routeUsing<A extends CoreServices, B extends CoreServices, C extends CoreServices, D extends CoreServices>(a: Extend<CoreServices, A>, b: Extend<A, B>, c: Extend<B, C>, d: Extend<C, D>): ReturnType<typeof routeWith<D>>;
export function routeUsing(...extend: Extend<CoreServices, CoreServices>[]) {
  return routeWith<CoreServices>(() => extend.reduce((composed, next) => next(composed), services()));
}
