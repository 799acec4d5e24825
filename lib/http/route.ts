import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import * as z from 'zod/mini';
import { requirePermission, type Permission, type Principal } from '../core/access/principal';
import type { ErrorName } from '../errors';
import type { Logger } from '../log';
import { authentication } from './middleware/authenticate';
import { errorRenderer } from './middleware/error-renderer';
import { jsonBody } from './middleware/json-body';
import { queryParameters } from './parameters';
import { requestContext, type HttpServices, type RouteContext } from './middleware/request-context';
import { renderSuccess, type SuccessResult, type Surface, type SurfaceOf } from './render';
import { requireValidPathParameter } from './text';
import { parseOrThrow } from './validation';

export interface Schemas {
  readonly body?: $ZodType;
  readonly query?: $ZodType;
  readonly path?: $ZodType;
}

type Parsed<S, K extends keyof Schemas> = S extends { [P in K]: infer T extends $ZodType } ? output<T> : undefined;

export interface RouteInput<S extends Schemas, A extends boolean, Svc extends HttpServices = HttpServices> {
  readonly body: Parsed<S, 'body'>;
  readonly query: Parsed<S, 'query'>;
  readonly path: Parsed<S, 'path'>;
  readonly principal: A extends false ? undefined : Principal;
  readonly services: Svc;
  readonly log: Logger;
  readonly requestId: string;
  readonly event: APIGatewayProxyEventV2;
}

/** A handler returns either data for the surface's envelope or a finished HTTP response (downloads, redirects). */
export type RouteOutput = SuccessResult | { readonly response: APIGatewayProxyStructuredResultV2 };

export interface RouteSpec<S extends Schemas, A extends boolean, Svc extends HttpServices = HttpServices> {
  /** The surface whose shapes render the answers; a function picks it per request (the catch-all route). */
  readonly surface: Surface | SurfaceOf;
  /** Whether a credential is required (default true). */
  readonly auth?: A;
  /**
   * The key permission the route needs (READ, WRITE, EXECUTE), checked by the stack once the request is authenticated
   * and validated, before the handler: 403 missingPermission naming it (lib/core/access/principal.ts). Declared here,
   * the check is also what docs/openapi.json says the route's 403 is.
   */
  readonly permission?: Permission;
  /**
   * How the body is read. A route that declares `schemas.body` reads JSON; `raw`
   * leaves it to the handler (multipart). Any other route takes no body and
   * ignores one, as the Django service does (`curl -d a=b -X POST …/bucket/create/x`).
   */
  readonly bodyFormat?: 'json' | 'raw';
  /**
   * Query parameters the route does not take: `refuse` (422 PARAMETER_NOT_SUPPORTED
   * naming each; the Apillon default) or `ignore` (the Quantum default, as Django
   * views ignore what they do not read; the public gateway, as IPFS gateways do).
   */
  readonly unknownQuery?: 'refuse' | 'ignore';
  readonly schemas?: S;
  /** Apillon's `model` name in 422 validation errors. */
  readonly model?: string;
  /**
   * The catalogue errors (lib/errors.ts, by name) the handler itself can answer: its domain calls' refusals.
   * The stack's own errors are added by {@link stackErrors} from `auth`, `schemas` and `bodyFormat`, so a route
   * never repeats them. docs/openapi.json documents the union per operation, and a test run checks it both ways
   * (test/errors/declared-errors.test.ts: every error a route rendered is declared, every declared one was rendered).
   */
  readonly errors?: readonly ErrorName[];
  /** Overrides the services the route was bound to (tests). */
  readonly services?: () => Svc;
}

/**
 * The errors the shared stack itself can answer on a route of `spec` (so no handler declares them):
 * - every route: INTERNAL_SERVER_ERROR (500, anything unexpected), SERVICE_BUSY (503, the local stack's full pool:
 *   lib/local/offline-plugin.ts), INVALID_PATH and INVALID_UTF8 for a path parameter (lib/http/text.ts) when the
 *   route has one;
 * - with a credential (`auth` not false): the authentication refusals (lib/core/access/authenticate.ts) (a failed
 *   credential lookup is an internal error: nothing in the service answers the catalogue's SERVICE_UNAVAILABLE), and
 *   the 403 of a declared `permission`;
 * - with a JSON body: MALFORMED_JSON_BODY, UNSUPPORTED_CONTENT_TYPE, REQUEST_BODY_TOO_LARGE, INVALID_UTF8
 *   (lib/http/middleware/json-body.ts);
 * - with a query, path or body schema, or an Apillon route refusing unknown query parameters: DATA_VALIDATION_FAILED,
 *   and INVALID_UTF8 for a query string (lib/http/parameters.ts).
 * `pathTemplate` is the API Gateway route's path (its `{parameters}` decide the path-parameter errors).
 */
export function stackErrors(spec: Pick<RouteSpec<Schemas, boolean>, 'auth' | 'bodyFormat' | 'schemas' | 'surface' | 'unknownQuery' | 'permission'>, pathTemplate: string): ErrorName[] {
  const errors = new Set<ErrorName>(['internal', 'serviceBusy']);
  if (/\{\w+\+?\}/.test(pathTemplate)) errors.add('invalidPath').add('invalidUtf8');
  if (spec.auth !== false) errors.add('missingAuthorization').add('malformedAuthorization').add('invalidCredentials');
  if (spec.auth !== false && spec.permission !== undefined) errors.add('missingPermission');
  const bodyFormat = spec.bodyFormat ?? (spec.schemas?.body ? 'json' : 'none');
  if (bodyFormat === 'json') errors.add('malformedJson').add('unsupportedContentType').add('bodyTooLarge').add('invalidUtf8');
  const refusesQuery = (spec.unknownQuery ?? (spec.surface === 'apillon' ? 'refuse' : 'ignore')) === 'refuse';
  if (spec.schemas?.query || spec.schemas?.path || spec.schemas?.body || refusesQuery) errors.add('validationFailed');
  if (spec.schemas?.query || refusesQuery) errors.add('invalidUtf8');
  return [...errors];
}

export type HttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> & {
  /** The route's declaration (surface, auth, schemas): what scripts/openapi/generate.ts documents. */
  readonly routeSpec?: RouteSpec<Schemas, boolean>;
};

/**
 * The one HTTP stack every endpoint shares: request id → error rendering →
 * authentication → body parsing → validation → the handler's single domain call
 * → the surface's envelope. `routeWith(getServices)` binds it to a composition root
 * (lib/app/route.ts binds the process services): the toolkit knows no service wiring,
 * only what the stack itself uses ({@link HttpServices}: logger, metrics, the account
 * store for authentication). `getServices` is called once per request.
 */
export function routeWith<Svc extends HttpServices>(getServices: () => Svc) {
  return function route<S extends Schemas = Record<never, never>, A extends boolean = true>(
    spec: RouteSpec<S, A, Svc>,
    handler: (input: RouteInput<S, A, Svc>) => Promise<RouteOutput>,
  ): HttpHandler {
    return buildRoute(spec, handler, spec.services ?? getServices);
  };
}

function buildRoute<S extends Schemas, A extends boolean, Svc extends HttpServices>(
  spec: RouteSpec<S, A, Svc>,
  handler: (input: RouteInput<S, A, Svc>) => Promise<RouteOutput>,
  getServices: () => Svc,
): HttpHandler {
  const stack = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext>()
    .use(requestContext(getServices))
    .use(errorRenderer(spec.surface));
  if (spec.auth !== false) stack.use(authentication());
  const bodyFormat = spec.bodyFormat ?? (spec.schemas?.body ? 'json' : 'none');
  if (bodyFormat === 'json') stack.use(jsonBody());
  // A route whose surface is chosen per request (the catch-all) takes no query.
  const refuseUnknownQuery = (spec.unknownQuery ?? (spec.surface === 'apillon' ? 'refuse' : 'ignore')) === 'refuse';
  const querySchema = spec.schemas?.query ?? (refuseUnknownQuery ? z.strictObject({}) : undefined);
  // A route that ignores unknown parameters reads (and refuses repeats of) only its own.
  const readNames = !refuseUnknownQuery && querySchema ? new Set(Object.keys((querySchema as unknown as { _zod: { def: { shape?: object } } })._zod.def.shape ?? {})) : undefined;

  const wrapped = stack.handler(async (event, context) => {
    const state = context.route;
    const surface = typeof spec.surface === 'function' ? spec.surface(event) : spec.surface;
    const pathParameters = event.pathParameters ?? {};
    for (const value of Object.values(pathParameters)) requireValidPathParameter(value ?? '');
    const query = querySchema ? queryParameters(event, surface, readNames) : {};
    const input = {
      body: validated(spec.schemas?.body, state.body ?? {}, spec.model),
      query: validated(querySchema, query, spec.model),
      path: validated(spec.schemas?.path, pathParameters, spec.model),
      principal: state.principal,
      services: state.services,
      log: state.log,
      requestId: state.requestId,
      event,
    } as RouteInput<S, A, Svc>;
    if (spec.permission !== undefined && state.principal) requirePermission(state.principal, spec.permission);
    const output = await handler(input);
    if ('response' in output) return output.response;
    return renderSuccess(surface, { requestId: state.requestId, path: event.rawPath }, output);
  });
  return Object.assign(wrapped, { routeSpec: spec as RouteSpec<Schemas, boolean> }) as unknown as HttpHandler;
}

function validated(schema: $ZodType | undefined, value: unknown, model: string | undefined): unknown {
  return schema ? parseOrThrow(schema, value, model) : undefined;
}
