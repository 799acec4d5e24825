/**
 * What each HTTP function declares it can answer (issue 23 item 6): the errors its handler names
 * (`route({ errors: [...] })`, lib/http/route.ts) and those the shared stack adds from the route's
 * `auth`, schemas and body format (`stackErrors`). One function may serve several routes (the Quantum
 * paths with and without `/API`, HEAD beside GET): they share its declaration.
 * docs/openapi.json documents these per operation (document.ts); test/errors/declared-errors.test.ts
 * checks them against the errors a test run rendered.
 */
import path from 'node:path';
import type { ErrorName } from '../../lib/errors';
import { stackErrors, type HttpHandler, type RouteSpec, type Schemas } from '../../lib/http/route';
import { routeTable, type RouteEntry } from './routes';

const ROOT = path.resolve(__dirname, '..', '..');

export interface FunctionDeclaration {
  /** `group/name`: functions/<group>/<name>/handler.ts (what lib/http/error-record.ts records as `site`). */
  readonly site: string;
  readonly spec: RouteSpec<Schemas, boolean>;
  /** Its routes (function.yml `httpApi` events; the `ANY` ones included). */
  readonly routes: readonly RouteEntry[];
  /** The handler's own declaration, as written. */
  readonly handlerErrors: readonly ErrorName[];
  /** What the shared stack adds, for all its routes together. */
  readonly stackErrors: readonly ErrorName[];
}

/** The route spec `functions/<group>/<name>/handler.ts` exports, if its handler is a `route()`. */
export async function routeSpecOf(route: Pick<RouteEntry, 'group' | 'name'>): Promise<RouteSpec<Schemas, boolean> | undefined> {
  const module = (await import(path.join(ROOT, 'functions', route.group, route.name, 'handler.ts'))) as { handler?: HttpHandler };
  return module.handler?.routeSpec;
}

/** The errors one route of `spec` can answer: the handler's declaration and the stack's own. */
export function declaredErrors(spec: RouteSpec<Schemas, boolean>, pathTemplate: string): ErrorName[] {
  return [...new Set([...(spec.errors ?? []), ...stackErrors(spec, pathTemplate)])];
}

/** Every function whose handler is a `route()`, with its declaration. */
export async function functionDeclarations(root = ROOT): Promise<FunctionDeclaration[]> {
  const bySite = new Map<string, RouteEntry[]>();
  for (const route of routeTable(root)) {
    const site = `${route.group}/${route.name}`;
    bySite.set(site, [...(bySite.get(site) ?? []), route]);
  }
  const declarations: FunctionDeclaration[] = [];
  for (const [site, routes] of bySite) {
    const spec = await routeSpecOf(routes[0]!);
    if (!spec) continue;
    const stack = new Set(routes.flatMap((route) => stackErrors(spec, route.path)));
    declarations.push({ site, spec, routes, handlerErrors: spec.errors ?? [], stackErrors: [...stack] });
  }
  return declarations;
}
